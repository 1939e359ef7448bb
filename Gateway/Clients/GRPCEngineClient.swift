import GRPCCore
import GRPCObservability
import MarketDataContract
import SwiftProtobuf

/// `EngineClient` over gRPC: every call carries the configured deadline (see `CallDeadline` for why it is
/// not grpc-swift's `CallOptions.timeout`).
struct GRPCEngineClient<Transport: ClientTransport>: EngineClient {
    private let engine: Marketintel_V1_CoreEngine.Client<Transport>
    private let health: Grpc_Health_V1_Health.Client<Transport>
    /// `nil` only in the benchmark's ablation of the deadline.
    private let deadline: CallDeadline?

    init(client: GRPCClient<Transport>, deadline: CallDeadline?) {
        self.engine = Marketintel_V1_CoreEngine.Client(wrapping: client)
        self.health = Grpc_Health_V1_Health.Client(wrapping: client)
        self.deadline = deadline
    }

    func quote(symbol: String) async throws -> Marketintel_V1_Quote {
        try await self.withDeadline { [engine] metadata in
            try await engine.getQuote(.with { $0.symbol = symbol }, metadata: metadata).quote
        }
    }

    func marketData(symbols: [String], sourceID: String) async throws -> Marketintel_V1_FetchMarketDataResponse {
        try await self.withDeadline { [engine] metadata in
            try await engine.fetchMarketData(
                .with {
                    $0.symbols = symbols
                    $0.sourceID = sourceID
                },
                metadata: metadata
            )
        }
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
        try await self.withDeadline { [engine] metadata in
            try await engine.streamQuotes(request, metadata: metadata) { response in
                for try await update in response.messages {
                    try await onUpdate(update)
                }
            }
        }
    }

    func isServing() async throws -> Bool {
        try await self.withDeadline { [health] metadata in
            try await health.check(.with { $0.service = "" }, metadata: metadata).status == .serving
        }
    }

    /// Runs `call` within the deadline, given the metadata that carries it.
    private func withDeadline<Result: Sendable>(
        _ call: @escaping @Sendable (_ metadata: Metadata) async throws -> Result
    ) async throws -> Result {
        guard let deadline = self.deadline else { return try await call([:]) }
        return try await deadline.run(call)
    }
}
