import Foundation
import GRPCCore
import GRPCInProcessTransport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryTracing
import Logging
import NIOCore
import ServiceTelemetry
import TestSupport
import Testing
import TraceContextPropagation
import Tracing

@testable import CoreEngine
@testable import Gateway

/// The gateway's router calling the real CoreEngine server over the in-process gRPC transport,
/// both instrumented with one in-memory tracer, so the whole span tree of a request can be checked.
@Suite("Gateway → CoreEngine, in process")
struct GatewayToCoreEngineTests {
    static let callerTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let callerSpanID = "00f067aa0ba902b7"
    static var callerTraceParent: String { "00-\(Self.callerTraceID)-\(Self.callerSpanID)-01" }

    struct Harness {
        let tracer: W3CInMemoryTracer
        let gatewayLogs: InMemoryLogSink
        let client: any TestClientProtocol

        var spans: [FinishedInMemorySpan] { self.tracer.finishedSpans }

        func span(named name: String, kind: SpanKind) throws -> FinishedInMemorySpan {
            try #require(self.spans.first { $0.operationName == name && $0.kind == kind })
        }
    }

    func withStack(
        deadline: Duration = .seconds(5),
        extraLatency: Duration = .zero,
        _ body: @escaping @Sendable (Harness) async throws -> Void
    ) async throws {
        let tracer = W3CInMemoryTracer()
        let transport = InProcessTransport()
        var engineConfiguration = MarketDataEngine.Configuration()
        engineConfiguration.sourceLatency = .zero
        engineConfiguration.faults.extraLatency = extraLatency
        let server = buildServer(
            transport: transport.server,
            engine: MarketDataEngine(configuration: engineConfiguration, tracer: tracer, now: { 1_000_000 }),
            health: HealthService(services: []),
            interceptors: CoreEngineAssembly.standard(
                logger: Logger(label: "core-engine.rpc") { _ in SwiftLogNoOpLogHandler() },
                tracer: tracer
            ).interceptors
        )
        var configuration = GatewayConfiguration()
        configuration.coreEngineTarget = .dns(host: "core-engine", port: 50051)
        configuration.coreEngineDeadline = deadline
        // The gateway as main builds it, with the in-process transport in place of TCP.
        let gatewayLogs = InMemoryLogSink()
        let assembly = GatewayAssembly.standard(
            configuration: configuration,
            tracer: tracer,
            accessLogger: Logger(label: "gateway.http") {
                JSONLogHandler(label: $0, service: "gateway", metadataProvider: .correlationID, sink: gatewayLogs)
            }
        )
        let application = buildApplication(
            configuration: configuration,
            engineClient: GRPCClient(transport: transport.client, interceptors: assembly.clientInterceptors),
            assembly: assembly,
            logger: Logger(label: "gateway") { _ in SwiftLogNoOpLogHandler() },
            tracer: tracer
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            try await application.test(.router) { client in
                try await body(Harness(tracer: tracer, gatewayLogs: gatewayLogs, client: client))
            }
            server.beginGracefulShutdown()
        }
    }

    @Test("a quote request is one trace: gateway SERVER → gateway CLIENT → core SERVER → core steps")
    func spanTree() async throws {
        try await self.withStack { stack in
            let response = try await stack.client.execute(
                uri: "/api/v1/quotes/AAPL",
                method: .get,
                headers: [.traceparent: Self.callerTraceParent, .correlationID: "corr-42"]
            )
            #expect(response.status == .ok)
            #expect(response.headers[.traceID] == Self.callerTraceID)
            #expect(response.headers[.correlationID] == "corr-42")
            let body = try JSONDecoder().decode(QuoteBody.self, from: Data(response.body.readableBytesView))
            #expect(body.symbol == "AAPL")

            let gateway = try stack.span(named: "GET /api/v1/quotes/{symbol}", kind: .server)
            let client = try stack.span(named: "marketintel.v1.CoreEngine/GetQuote", kind: .client)
            let core = try stack.span(named: "marketintel.v1.CoreEngine/GetQuote", kind: .server)
            #expect(Set(stack.spans.map(\.traceID)) == [Self.callerTraceID])
            #expect(gateway.parentSpanID == Self.callerSpanID)
            #expect(client.parentSpanID == gateway.spanID)
            #expect(core.parentSpanID == client.spanID)
            let steps = stack.spans.filter { $0.parentSpanID == core.spanID }.map(\.operationName)
            #expect(steps == ["quote.validate", "quote.cache_lookup", "quote.source_fetch", "quote.compute"])
            #expect(response.headers[.traceResponse] == "00-\(Self.callerTraceID)-\(gateway.spanID)-01")

            #expect(gateway.attributes["http.request.method"]?.toSpanAttribute() == "GET")
            #expect(gateway.attributes["http.route"]?.toSpanAttribute() == "/api/v1/quotes/{symbol}")
            #expect(gateway.attributes["url.path"]?.toSpanAttribute() == "/api/v1/quotes/AAPL")
            #expect(gateway.attributes["http.response.status_code"]?.toSpanAttribute() == 200)
            #expect(gateway.attributes["correlation.id"]?.toSpanAttribute() == "corr-42")
            #expect(client.attributes["rpc.system"]?.toSpanAttribute() == "grpc")
            #expect(client.attributes["rpc.method"]?.toSpanAttribute() == "GetQuote")
            #expect(client.attributes["server.address"]?.toSpanAttribute() == "core-engine")
            #expect(client.attributes["server.port"]?.toSpanAttribute() == 50051)
            #expect(client.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 0)
            #expect(core.attributes["correlation.id"]?.toSpanAttribute() == "corr-42")
            #expect([gateway, client, core].allSatisfy { $0.status == nil })

            let line = try #require(stack.gatewayLogs.lines.first)
            #expect(line.contains(#""correlation_id":"corr-42""#))
            #expect(line.contains(#""http.route":"/api/v1/quotes/{symbol}""#))
        }
    }

    @Test("a CoreEngine slower than the deadline is a 504 and a CLIENT span with DEADLINE_EXCEEDED")
    func deadlineExceeded() async throws {
        // Without the deadline the quote would arrive, as a 200, after 2 s.
        try await self.withStack(deadline: .milliseconds(300), extraLatency: .seconds(2)) { stack in
            let response = try await stack.client.execute(uri: "/api/v1/quotes/AAPL", method: .get)
            #expect(response.status == .gatewayTimeout)
            let body = try JSONDecoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView))
            #expect(body.error.code == "DEADLINE_EXCEEDED")

            let client = try stack.span(named: "marketintel.v1.CoreEngine/GetQuote", kind: .client)
            #expect(client.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 4)
            #expect(client.attributes["error.type"]?.toSpanAttribute() == "DEADLINE_EXCEEDED")
            #expect(client.status?.code == .error)
            let gateway = try stack.span(named: "GET /api/v1/quotes/{symbol}", kind: .server)
            #expect(gateway.attributes["http.response.status_code"]?.toSpanAttribute() == 504)
        }
    }

    @Test("an unknown symbol is a 404 JSON error; the CLIENT span fails, the gateway SERVER span does not")
    func notFound() async throws {
        try await self.withStack { stack in
            let response = try await stack.client.execute(uri: "/api/v1/quotes/ZZZZ", method: .get)
            #expect(response.status == .notFound)
            let body = try JSONDecoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView))
            #expect(body.error.code == "NOT_FOUND")
            #expect(body.error.message == "unknown symbol 'ZZZZ'")
            #expect(body.trace_id == response.headers[.traceID])
            #expect(body.correlation_id == response.headers[.correlationID])

            let gateway = try stack.span(named: "GET /api/v1/quotes/{symbol}", kind: .server)
            let client = try stack.span(named: "marketintel.v1.CoreEngine/GetQuote", kind: .client)
            let core = try stack.span(named: "marketintel.v1.CoreEngine/GetQuote", kind: .server)
            #expect(gateway.attributes["http.response.status_code"]?.toSpanAttribute() == 404)
            #expect(gateway.status == nil)
            #expect(client.status?.code == .error)
            #expect(client.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 5)
            #expect(core.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 5)
            #expect(core.parentSpanID == client.spanID)
        }
    }

    @Test(
        "bad input is a 4xx JSON error and never reaches CoreEngine",
        arguments: [
            BadInput(contentType: "application/json", body: "{not json", status: .badRequest, code: "INVALID_JSON"),
            BadInput(
                contentType: "text/plain",
                body: #"{"symbols":["AAPL"]}"#,
                status: .unsupportedMediaType,
                code: "UNSUPPORTED_MEDIA_TYPE"
            ),
            BadInput(
                contentType: "application/json",
                body: #"{"symbols":[]}"#,
                status: .badRequest,
                code: "INVALID_ARGUMENT"
            ),
            BadInput(
                contentType: "application/json",
                body: #"{"symbols":"AAPL"}"#,
                status: .badRequest,
                code: "INVALID_JSON"
            ),
            BadInput(
                contentType: "application/json",
                body: #"{"symbols":[\#(Array(repeating: "\"AAPL\"", count: 51).joined(separator: ","))]}"#,
                status: .badRequest,
                code: "INVALID_ARGUMENT"
            ),
            BadInput(
                contentType: "application/json",
                body: #"{"symbols":["\#(String(repeating: "A", count: 70_000))"]}"#,
                status: .contentTooLarge,
                code: "PAYLOAD_TOO_LARGE"
            ),
        ]
    )
    func badInput(input: BadInput) async throws {
        try await self.withStack { stack in
            let response = try await stack.client.execute(
                uri: "/api/v1/market-data/fetch",
                method: .post,
                headers: [.contentType: input.contentType],
                body: ByteBuffer(string: input.body)
            )
            #expect(response.status == input.status)
            let body = try JSONDecoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView))
            #expect(body.error.code == input.code)
            #expect(stack.spans.map(\.operationName) == ["POST /api/v1/market-data/fetch"])
        }
    }

    @Test("a batch fetch returns every quote; a bad symbol in it is a 400 or 404 from CoreEngine")
    func fetch() async throws {
        try await self.withStack { stack in
            let ok = try await stack.client.execute(
                uri: "/api/v1/market-data/fetch",
                method: .post,
                headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"symbols":["AAPL","msft"],"source_id":"simulated"}"#)
            )
            #expect(ok.status == .ok)
            let body = try JSONDecoder().decode(FetchBody.self, from: Data(ok.body.readableBytesView))
            #expect(body.quotes.map(\.symbol) == ["AAPL", "MSFT"])
            #expect(body.source_id == "simulated")

            let invalid = try await stack.client.execute(
                uri: "/api/v1/market-data/fetch",
                method: .post,
                headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"symbols":["AAPL","no way"]}"#)
            )
            #expect(invalid.status == .badRequest)
            #expect(
                try JSONDecoder().decode(ErrorBody.self, from: Data(invalid.body.readableBytesView)).error.code
                    == "INVALID_ARGUMENT"
            )
        }
    }

    @Test("the stream route bridges CoreEngine's server stream as NDJSON inside one trace")
    func stream() async throws {
        try await self.withStack { stack in
            let response = try await stack.client.execute(
                uri: "/api/v1/quotes/NVDA/stream?count=3&interval_ms=0",
                method: .get
            )
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/x-ndjson")
            let lines = String(buffer: response.body).split(separator: "\n")
            #expect(lines.count == 3)
            let updates = try lines.map { try JSONDecoder().decode(StreamedQuoteBody.self, from: Data($0.utf8)) }
            #expect(updates.map(\.sequence) == [1, 2, 3])

            let gateway = try stack.span(named: "GET /api/v1/quotes/{symbol}/stream", kind: .server)
            let client = try stack.span(named: "marketintel.v1.CoreEngine/StreamQuotes", kind: .client)
            let core = try stack.span(named: "marketintel.v1.CoreEngine/StreamQuotes", kind: .server)
            #expect(client.parentSpanID == gateway.spanID)
            #expect(core.parentSpanID == client.spanID)
            #expect(client.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 0)
        }
    }

    @Test("a stream for an unknown symbol ends with an in-band JSON error record")
    func streamError() async throws {
        try await self.withStack { stack in
            let response = try await stack.client.execute(uri: "/api/v1/quotes/ZZZZ/stream?format=sse", method: .get)
            #expect(response.headers[.contentType] == "text/event-stream")
            let text = String(buffer: response.body)
            #expect(text.hasPrefix("event: error\ndata: "))
            #expect(text.contains(#""code":"NOT_FOUND""#))
            #expect(text.contains(#""status":404"#))
        }
    }

    @Test(
        "out-of-range stream parameters are a 400",
        arguments: ["count=0", "count=101", "interval_ms=-1", "format=xml"]
    )
    func streamParameters(query: String) async throws {
        try await self.withStack { stack in
            let response = try await stack.client.execute(uri: "/api/v1/quotes/AAPL/stream?\(query)", method: .get)
            #expect(response.status == .badRequest)
            #expect(
                try JSONDecoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView)).error.code
                    == "INVALID_ARGUMENT"
            )
        }
    }

    @Test("HEAD on a GET route answers as GET would, without a body")
    func head() async throws {
        try await self.withStack { stack in
            for uri in ["/api/v1/quotes/AAPL", "/health"] {
                let response = try await stack.client.execute(uri: uri, method: .head)
                #expect(response.status == .ok, "\(uri)")
                #expect(response.body.readableBytes == 0)
            }
        }
    }

    @Test("the symbol is percent-decoded; invalid percent-encoding is a 400 JSON error")
    func percentEncodedSymbol() async throws {
        try await self.withStack { stack in
            let decoded = try await stack.client.execute(uri: "/api/v1/quotes/%41APL", method: .get)
            #expect(decoded.status == .ok)
            #expect(
                try JSONDecoder().decode(QuoteBody.self, from: Data(decoded.body.readableBytesView)).symbol == "AAPL"
            )
            let invalid = try await stack.client.execute(uri: "/api/v1/quotes/%ZZ", method: .get)
            #expect(invalid.status == .badRequest)
            #expect(
                try JSONDecoder().decode(ErrorBody.self, from: Data(invalid.body.readableBytesView)).error.code
                    == "INVALID_ARGUMENT"
            )
        }
    }

    @Test("an unmatched path is a 404 JSON error whose span is named by the method alone")
    func unmatched() async throws {
        try await self.withStack { stack in
            let response = try await stack.client.execute(uri: "/no/such/path/123", method: .get)
            #expect(response.status == .notFound)
            #expect(
                try JSONDecoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView)).error.code
                    == "ROUTE_NOT_FOUND"
            )
            let span = try stack.span(named: "GET", kind: .server)
            #expect(span.attributes["http.route"] == nil)
        }
    }

    @Test("an unsafe correlation id is replaced, and a malformed traceparent starts a new trace")
    func hostileHeaders() async throws {
        try await self.withStack { stack in
            let response = try await stack.client.execute(
                uri: "/api/v1/quotes/AAPL",
                method: .get,
                headers: [
                    .traceparent: "00-garbage", .correlationID: "<script>alert(1)</script>",
                    .authorization: "Bearer s3cret",
                ]
            )
            #expect(response.status == .ok)
            let correlationID = try #require(response.headers[.correlationID])
            #expect(correlationID != "<script>alert(1)</script>")
            #expect(CorrelationID.sanitized(correlationID) == correlationID)
            let gateway = try stack.span(named: "GET /api/v1/quotes/{symbol}", kind: .server)
            #expect(gateway.parentSpanID == nil)
            #expect(response.headers[.traceID] == gateway.traceID)
            var recorded: [String] = []
            for span in stack.spans {
                span.attributes.forEach { _, value in recorded.append("\(value)") }
            }
            #expect(!recorded.contains { $0.contains("s3cret") })
            #expect(!stack.gatewayLogs.lines.contains { $0.contains("s3cret") })
        }
    }

    @Test("/trace-context reports this request's trace, span and baggage")
    func traceContext() async throws {
        try await self.withStack { stack in
            let response = try await stack.client.execute(
                uri: "/trace-context",
                method: .get,
                headers: [.traceparent: Self.callerTraceParent, .baggage: "tenant=acme"]
            )
            let body = try JSONDecoder().decode(TraceContextBody.self, from: Data(response.body.readableBytesView))
            let gateway = try stack.span(named: "GET /trace-context", kind: .server)
            #expect(body.trace_id == Self.callerTraceID)
            #expect(body.span_id == gateway.spanID)
            #expect(body.traceparent == "00-\(Self.callerTraceID)-\(gateway.spanID)-01")
            #expect(body.baggage == "tenant=acme")
        }
    }

    @Test("/health answers at once and /ready asks CoreEngine's health service")
    func probes() async throws {
        try await self.withStack { stack in
            #expect(try await stack.client.execute(uri: "/health", method: .get).status == .ok)
            let ready = try await stack.client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .ok)
            #expect(String(buffer: ready.body) == #"{"status":"ready"}"#)
        }
    }
}

struct BadInput: Sendable, CustomTestStringConvertible {
    var contentType: String
    var body: String
    var status: HTTPResponse.Status
    var code: String
    var testDescription: String { "\(self.code) (\(self.body.prefix(30)))" }
}

struct QuoteBody: Decodable {
    var symbol: String
    var price: Double
}

struct FetchBody: Decodable {
    var source_id: String
    var quotes: [QuoteBody]
}

struct StreamedQuoteBody: Decodable {
    var sequence: Int
    var quote: QuoteBody
}

struct ErrorBody: Decodable {
    struct Detail: Decodable {
        var code: String
        var message: String
    }

    var error: Detail
    var trace_id: String?
    var correlation_id: String?
}

struct TraceContextBody: Decodable {
    var trace_id: String?
    var span_id: String?
    var traceparent: String?
    var baggage: String?
}

extension HTTPField.Name {
    static var traceparent: Self { Self("traceparent")! }
    static var baggage: Self { Self("baggage")! }
    static var correlationID: Self { Self("X-Correlation-ID")! }
    static var traceID: Self { Self("X-Trace-ID")! }
    static var traceResponse: Self { Self("traceresponse")! }
}
