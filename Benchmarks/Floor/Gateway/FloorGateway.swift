import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import MarketDataContract
import SwiftProtobuf
import UnixSignals

/// The floor's gateway: a Hummingbird 2 route that calls `GetQuote` through one long-lived grpc-swift-2 client, and
/// nothing else (no middleware, interceptors, deadline, executor preference, metrics, logs or tracing).
/// `scripts/bench` measures the project against it. Reads `HTTP_HOST`, `HTTP_PORT`, `CORE_ENGINE_HOST` and
/// `CORE_ENGINE_PORT`, as the gateway does.
@main
struct FloorGateway {
    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        let client = GRPCClient(
            transport: try HTTP2ClientTransport.Posix(
                target: .dns(
                    host: environment["CORE_ENGINE_HOST"] ?? "127.0.0.1",
                    port: Int(environment["CORE_ENGINE_PORT"] ?? "") ?? 50051
                ),
                transportSecurity: .plaintext
            )
        )
        let engine = Marketintel_V1_CoreEngine.Client(wrapping: client)
        let router = Router()
        router.get("api/v1/quotes/{symbol}") { _, context -> FloorQuote in
            let symbol = try context.parameters.require("symbol")
            return FloorQuote(try await engine.getQuote(.with { $0.symbol = symbol }).quote)
        }
        let application = Application(
            router: router,
            configuration: .init(
                address: .hostname(
                    environment["HTTP_HOST"] ?? "0.0.0.0",
                    port: Int(environment["HTTP_PORT"] ?? "") ?? 8080
                )
            )
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await client.runConnections() }
            try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
            client.beginGracefulShutdown()
        }
    }
}

/// The quote as JSON, the fields the gateway returns.
struct FloorQuote: ResponseEncodable {
    var symbol: String
    var price: Double
    var bid: Double
    var ask: Double
    var volume: Int64
    var vwap: Double
    var currency: String
    var source_id: String
    var timestamp_unix_millis: Int64
    var cached: Bool

    init(_ quote: Marketintel_V1_Quote) {
        self.symbol = quote.symbol
        self.price = quote.price
        self.bid = quote.bid
        self.ask = quote.ask
        self.volume = quote.volume
        self.vwap = quote.vwap
        self.currency = quote.currency
        self.source_id = quote.sourceID
        self.timestamp_unix_millis = quote.timestampUnixMillis
        self.cached = quote.cached
    }
}
