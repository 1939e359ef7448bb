import GRPCCore
import Shared
import SwiftProtobuf

/// The `marketintel.v1.CoreEngine` gRPC service: maps requests onto `MarketDataEngine` and domain
/// errors onto gRPC status codes.
struct CoreEngineService: Marketintel_V1_CoreEngine.SimpleServiceProtocol {
    /// Bounds of a `StreamQuotes` request.
    static let maximumStreamCount: UInt32 = 100
    static let defaultStreamCount: UInt32 = 10
    static let maximumStreamIntervalMillis: UInt32 = 1000

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
            $0.sourceID = MarketDataEngine.simulatedSourceID
        }
    }

    func streamQuotes(
        request: Marketintel_V1_StreamQuotesRequest,
        response: RPCWriter<Marketintel_V1_QuoteUpdate>,
        context: ServerContext
    ) async throws {
        let count = request.count == 0 ? Self.defaultStreamCount : request.count
        guard count <= Self.maximumStreamCount else {
            throw RPCError(code: .invalidArgument, message: "count must be between 1 and \(Self.maximumStreamCount)")
        }
        guard request.intervalMillis <= Self.maximumStreamIntervalMillis else {
            throw RPCError(
                code: .invalidArgument,
                message: "interval_millis must be at most \(Self.maximumStreamIntervalMillis)"
            )
        }
        let instrument = try await Self.mappingErrors { try self.engine.streamInstrument(for: request.symbol) }
        let startBucket = self.engine.simulator.bucket(atUnixMillis: self.engine.now())
        for sequence in 1...count {
            if sequence > 1, request.intervalMillis > 0 {
                try await Task.sleep(for: .milliseconds(Int(request.intervalMillis)))
            }
            let quote = self.engine.streamUpdate(for: instrument, startBucket: startBucket, step: UInt64(sequence))
            try await response.write(.with {
                $0.sequence = sequence
                $0.quote = Marketintel_V1_Quote(quote)
            })
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
