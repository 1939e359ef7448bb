import GRPCCore
import Shared
import SwiftProtobuf

/// `EngineClient` over gRPC: every call carries the configured deadline.
struct GRPCEngineClient<Transport: ClientTransport>: EngineClient {
    private let engine: Marketintel_V1_CoreEngine.Client<Transport>
    private let health: Grpc_Health_V1_Health.Client<Transport>
    private let options: CallOptions

    init(client: GRPCClient<Transport>, deadline: Duration) {
        self.engine = Marketintel_V1_CoreEngine.Client(wrapping: client)
        self.health = Grpc_Health_V1_Health.Client(wrapping: client)
        var options = CallOptions.defaults
        options.timeout = deadline
        self.options = options
    }

    func quote(symbol: String) async throws -> Marketintel_V1_Quote {
        try await self.engine.getQuote(.with { $0.symbol = symbol }, options: self.options).quote
    }

    func marketData(symbols: [String], sourceID: String) async throws -> Marketintel_V1_FetchMarketDataResponse {
        try await self.engine.fetchMarketData(
            .with {
                $0.symbols = symbols
                $0.sourceID = sourceID
            },
            options: self.options
        )
    }

    func streamQuotes(
        symbol: String,
        count: UInt32,
        intervalMillis: UInt32,
        onUpdate: @escaping @Sendable (Marketintel_V1_QuoteUpdate) async throws -> Void
    ) async throws {
        let request = Marketintel_V1_StreamQuotesRequest.with {
            $0.symbol = symbol
            $0.count = count
            $0.intervalMillis = intervalMillis
        }
        try await self.engine.streamQuotes(request, options: self.options) { response in
            for try await update in response.messages {
                try await onUpdate(update)
            }
        }
    }

    func isServing() async throws -> Bool {
        let response = try await self.health.check(.with { $0.service = "" }, options: self.options)
        return response.status == .serving
    }
}
