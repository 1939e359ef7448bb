import CoreMetrics
import Foundation
import HTTPTypes
import HummingbirdTesting
import MetricsTestKit
import Testing

/// What the metrics middleware, both RPC metrics interceptors and the business counters record for a request,
/// in process: a task-local `TestMetrics` factory catches every handler made while the stack serves it.
extension GatewayToCoreEngineTests {
    static func rpcDimensions(_ method: String, code: Int) -> [(String, String)] {
        [("rpc_service", "marketintel.v1.CoreEngine"), ("rpc_method", method), ("rpc_grpc_status_code", String(code))]
    }

    @Test("a quote is one HTTP duration, one call handled on each side with OK, and one quote served")
    func metricsOfOneQuote() async throws {
        let metrics = TestMetrics()
        try await withMetricsFactory(metrics) {
            try await self.withStack { stack in
                let response = try await stack.client.execute(uri: "/api/v1/quotes/AAPL", method: .get)
                #expect(response.status == .ok)
            }
        }
        let duration = try metrics.expectTimer(
            "http_server_request_duration_seconds",
            [
                ("http_request_method", "GET"), ("http_route", "/api/v1/quotes/{symbol}"),
                ("http_response_status_code", "200"),
            ]
        )
        #expect(duration.values.count == 1)
        for side in ["client", "server"] {
            #expect(
                try metrics.expectCounter(
                    "rpc_\(side)_calls_started_total",
                    Self.rpcDimensions("GetQuote", code: 0).dropLast()
                ).totalValue == 1
            )
            #expect(
                try metrics.expectCounter("rpc_\(side)_calls_handled_total", Self.rpcDimensions("GetQuote", code: 0))
                    .totalValue == 1
            )
            #expect(
                try metrics.expectTimer("rpc_\(side)_call_duration_seconds", Self.rpcDimensions("GetQuote", code: 0))
                    .values.count == 1
            )
        }
        #expect(try metrics.expectCounter("marketdata_quotes_served_total", [("symbol", "AAPL")]).totalValue == 1)
        #expect(try metrics.expectCounter("marketdata_cache_requests_total", [("result", "miss")]).totalValue == 1)
    }

    @Test("an unknown symbol is counted with NOT_FOUND on both sides and a 404 on the route")
    func metricsOfNotFound() async throws {
        let metrics = TestMetrics()
        try await withMetricsFactory(metrics) {
            try await self.withStack { stack in
                let response = try await stack.client.execute(uri: "/api/v1/quotes/ZZZZ", method: .get)
                #expect(response.status == .notFound)
            }
        }
        for side in ["client", "server"] {
            #expect(
                try metrics.expectCounter("rpc_\(side)_calls_handled_total", Self.rpcDimensions("GetQuote", code: 5))
                    .totalValue == 1
            )
        }
        let duration = try metrics.expectTimer(
            "http_server_request_duration_seconds",
            [
                ("http_request_method", "GET"), ("http_route", "/api/v1/quotes/{symbol}"),
                ("http_response_status_code", "404"),
            ]
        )
        #expect(duration.values.count == 1)
    }

    @Test("an expired deadline is DEADLINE_EXCEEDED in both services' handled-calls counters")
    func metricsOfExpiredDeadline() async throws {
        let metrics = TestMetrics()
        try await withMetricsFactory(metrics) {
            try await self.withStack(deadline: .milliseconds(500), extraLatency: .seconds(2)) { stack in
                // Wait for CoreEngine to be serving (a call's clock runs while it waits): a malformed symbol is
                // refused before any fetch.
                _ = try await stack.client.execute(uri: "/api/v1/quotes/%20", method: .get)
                let response = try await stack.client.execute(uri: "/api/v1/quotes/AAPL", method: .get)
                #expect(response.status == .gatewayTimeout)
            }
        }
        for side in ["client", "server"] {
            #expect(
                try metrics.expectCounter("rpc_\(side)_calls_handled_total", Self.rpcDimensions("GetQuote", code: 4))
                    .totalValue == 1
            )
            #expect(throws: (any Error).self) {
                try metrics.expectCounter("rpc_\(side)_calls_handled_total", Self.rpcDimensions("GetQuote", code: 2))
            }
        }
    }

    @Test("unmatched paths share one route label, never the raw path")
    func metricsOfUnmatchedPath() async throws {
        let metrics = TestMetrics()
        try await withMetricsFactory(metrics) {
            try await self.withStack { stack in
                _ = try await stack.client.execute(uri: "/secret/12345", method: .get)
                _ = try await stack.client.execute(uri: "/other/67890", method: .get)
            }
        }
        let duration = try metrics.expectTimer(
            "http_server_request_duration_seconds",
            [("http_request_method", "GET"), ("http_route", "unmatched"), ("http_response_status_code", "404")]
        )
        #expect(duration.values.count == 2)
        #expect(!metrics.timers.contains { $0.dimensions.contains { $0.1.contains("12345") } })
    }
}
