import Foundation
import GRPCCore
import Hummingbird
import HummingbirdTesting
import MarketDataContract
import TestSupport
import Testing

@testable import Gateway

/// The gateway when CoreEngine cannot be reached at all.
@Suite("Gateway with CoreEngine down")
struct UnreachableEngineTests {
    /// Fails every call the way the gRPC client does when no connection can be made.
    struct UnreachableEngine: EngineClient {
        static var error: RPCError { RPCError(code: .unavailable, message: "no connection to core-engine") }

        func quote(symbol: String) async throws -> Marketintel_V1_Quote { throw Self.error }
        func marketData(symbols: [String], sourceID: String) async throws -> Marketintel_V1_FetchMarketDataResponse {
            throw Self.error
        }
        func streamQuotes(
            symbol: String,
            count: UInt32,
            intervalMillis: UInt32,
            onUpdate: @escaping @Sendable (Marketintel_V1_QuoteUpdate) async throws -> Void
        ) async throws { throw Self.error }
        func isServing() async throws -> Bool { throw Self.error }
    }

    @Test("/ready is a 503 JSON error while /health still answers 200, and API calls are 503 UNAVAILABLE")
    func unreachable() async throws {
        let tracer = W3CInMemoryTracer()
        let router = buildRouter(
            engine: UnreachableEngine(),
            middlewares: GatewayAssembly.standard(configuration: GatewayConfiguration(), tracer: tracer).middlewares,
            tracer: tracer
        )
        try await Application(router: router).test(.router) { client in
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .serviceUnavailable)
            let readyBody = try JSONDecoder().decode(ErrorBody.self, from: Data(ready.body.readableBytesView))
            #expect(readyBody.error.code == "UNAVAILABLE")
            #expect(readyBody.error.message == "the core engine is not reachable")
            let quote = try await client.execute(uri: "/api/v1/quotes/AAPL", method: .get)
            #expect(quote.status == .serviceUnavailable)
            let quoteBody = try JSONDecoder().decode(ErrorBody.self, from: Data(quote.body.readableBytesView))
            #expect(quoteBody.error.code == "UNAVAILABLE")
        }
    }
}
