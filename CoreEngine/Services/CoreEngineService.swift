import GRPCCore
import MarketDataContract
import SwiftProtobuf

/// The `marketintel.v1.CoreEngine` gRPC service: maps requests onto `MarketDataEngine` and domain
/// errors onto gRPC status codes.
struct CoreEngineService: Marketintel_V1_CoreEngine.SimpleServiceProtocol {
    let engine: MarketDataEngine

    func getQuote(
        request: Marketintel_V1_GetQuoteRequest,
        context: ServerContext
    ) async throws -> Marketintel_V1_GetQuoteResponse {
        let quote = try await Self.mappingErrors { try await self.engine.quote(for: request.symbol) }
        return .with { $0.quote = Marketintel_V1_Quote(quote) }
    }

    func fetchMarketData(
        request: Marketintel_V1_FetchMarketDataRequest,
        context: ServerContext
    ) async throws -> Marketintel_V1_FetchMarketDataResponse {
        let quotes = try await Self.mappingErrors {
            try await self.engine.quotes(for: request.symbols, sourceID: request.sourceID)
        }
        return .with {
            $0.quotes = quotes.map(Marketintel_V1_Quote.init)
            $0.sourceID = MarketDataLimits.simulatedSourceID
        }
    }

    func streamQuotes(
        request: Marketintel_V1_StreamQuotesRequest,
        response: RPCWriter<Marketintel_V1_QuoteUpdate>,
        context: ServerContext
    ) async throws {
        try await Self.mappingErrors {
            try await self.engine.streamQuotes(
                symbol: request.symbol,
                count: request.count,
                intervalMillis: request.intervalMillis
            ) { sequence, quote in
                try await response.write(
                    .with {
                        $0.sequence = sequence
                        $0.quote = Marketintel_V1_Quote(quote)
                    }
                )
            }
        }
    }

    /// Runs `body`, turning a `MarketDataError` into the matching `RPCError`.
    static func mappingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MarketDataError {
            throw RPCError(error)
        }
    }
}

extension RPCError {
    init(_ error: MarketDataError) {
        switch error {
        case .invalidArgument(let message): self.init(code: .invalidArgument, message: message)
        case .notFound(let message): self.init(code: .notFound, message: message)
        case .injectedFault(let message): self.init(code: .unavailable, message: message)
        }
    }
}

extension Marketintel_V1_Quote {
    init(_ quote: MarketQuote) {
        self.init()
        self.symbol = quote.symbol
        self.price = quote.price
        self.bid = quote.bid
        self.ask = quote.ask
        self.volume = quote.volume
        self.vwap = quote.vwap
        self.currency = quote.currency
        self.sourceID = quote.sourceID
        self.timestampUnixMillis = quote.timestampUnixMillis
        self.cached = quote.cached
    }
}
