import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import MarketDataContract
import SwiftProtobuf

/// The floor's CoreEngine: the simplest correct grpc-swift-2 server of `GetQuote` on the project's protos, and nothing
/// else (no interceptors, metrics, logs, tracing or executor preference). `scripts/bench` measures the project against
/// it. Reads `GRPC_HOST` and `GRPC_PORT`, as CoreEngine does.
@main
struct FloorCoreEngine {
    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        let server = GRPCServer(
            transport: HTTP2ServerTransport.Posix(
                address: .ipv4(
                    host: environment["GRPC_HOST"] ?? "0.0.0.0",
                    port: Int(environment["GRPC_PORT"] ?? "") ?? 50051
                ),
                transportSecurity: .plaintext
            ),
            services: [FloorQuoteService()]
        )
        try await server.serve()
    }
}

/// Answers `GetQuote` from a fixed table; the other two RPCs are not part of the floor.
struct FloorQuoteService: Marketintel_V1_CoreEngine.SimpleServiceProtocol {
    static let prices: [String: Double] = [
        "AAPL": 232.84, "MSFT": 415.10, "GOOGL": 171.20, "AMZN": 186.40, "NVDA": 121.50, "META": 512.30,
        "TSLA": 248.90, "JPM": 210.70, "V": 281.60, "BRK.B": 452.80, "SPY": 561.30, "QQQ": 480.20,
    ]

    func getQuote(
        request: Marketintel_V1_GetQuoteRequest,
        context: ServerContext
    ) async throws -> Marketintel_V1_GetQuoteResponse {
        guard let price = Self.prices[request.symbol] else {
            throw RPCError(code: .notFound, message: "unknown symbol '\(request.symbol)'")
        }
        return .with {
            $0.quote = .with { quote in
                quote.symbol = request.symbol
                quote.price = price
                quote.bid = price * 0.9995
                quote.ask = price * 1.0005
                quote.volume = 4789
                quote.vwap = price
                quote.currency = "USD"
                quote.sourceID = "simulated"
                quote.timestampUnixMillis = Int64(Date().timeIntervalSince1970 * 1000)
            }
        }
    }

    func fetchMarketData(
        request: Marketintel_V1_FetchMarketDataRequest,
        context: ServerContext
    ) async throws -> Marketintel_V1_FetchMarketDataResponse {
        throw RPCError(code: .unimplemented, message: "not part of the floor")
    }

    func streamQuotes(
        request: Marketintel_V1_StreamQuotesRequest,
        response: RPCWriter<Marketintel_V1_QuoteUpdate>,
        context: ServerContext
    ) async throws {
        throw RPCError(code: .unimplemented, message: "not part of the floor")
    }
}
