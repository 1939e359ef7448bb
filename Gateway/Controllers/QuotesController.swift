import Foundation
import GRPCCore
import GRPCObservability
import HTTPTypes
import Hummingbird
import MarketDataContract
import NIOCore
import ObservabilityPrimitives
import ServiceContextModule

/// The market-data API: single quotes, batches, and quote streams, each one call to CoreEngine.
struct QuotesController<Context: RequestContext> {
    /// The bounds the gateway checks before calling CoreEngine, so obviously bad requests never leave it, are
    /// `MarketDataLimits`, shared with CoreEngine.
    let engine: any EngineClient

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("quotes/{symbol}", use: self.quote)
        group.get("quotes/{symbol}/stream", use: self.stream)
        group.post("market-data/fetch", use: self.fetch)
    }

    /// `GET /api/v1/quotes/{symbol}`
    @Sendable func quote(request: Request, context: Context) async throws -> QuoteResponse {
        let symbol = try Self.symbol(in: context)
        return QuoteResponse(try await self.engine.quote(symbol: symbol))
    }

    /// `POST /api/v1/market-data/fetch` with `{"symbols":["AAPL"],"source_id":"simulated"}`
    @Sendable func fetch(request: Request, context: Context) async throws -> FetchResponse {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("application/json") else {
            throw APIError(
                status: .unsupportedMediaType,
                code: "UNSUPPORTED_MEDIA_TYPE",
                message: "the body must be JSON with content-type application/json"
            )
        }
        let body: FetchRequest
        do {
            body = try await request.decode(as: FetchRequest.self, context: context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw error
        } catch {
            throw APIError(
                status: .badRequest,
                code: "INVALID_JSON",
                message: "the body must be a JSON object with a 'symbols' array of strings and an optional 'source_id'"
            )
        }
        guard (1...MarketDataLimits.maximumSymbolsPerFetch).contains(body.symbols.count) else {
            throw APIError(
                status: .badRequest,
                code: RPCError.Code.invalidArgument.name,
                message: "symbols must hold between 1 and \(MarketDataLimits.maximumSymbolsPerFetch) entries"
            )
        }
        let response = try await self.engine.marketData(
            symbols: body.symbols,
            sourceID: body.source_id ?? MarketDataLimits.simulatedSourceID
        )
        return FetchResponse(source_id: response.sourceID, quotes: response.quotes.map(QuoteResponse.init))
    }

    /// `GET /api/v1/quotes/{symbol}/stream?count=10&interval_ms=100&format=ndjson|sse`
    ///
    /// Bridges CoreEngine's server stream: one JSON line per update (`application/x-ndjson`) or one
    /// server-sent event per update (`text/event-stream`). The status line is sent before CoreEngine
    /// answers, so an error from CoreEngine arrives in-band as the last record, in the same JSON shape
    /// as every other error.
    @Sendable func stream(request: Request, context: Context) async throws -> Response {
        let symbol = try Self.symbol(in: context)
        let count = try Self.queryInteger(
            request,
            "count",
            default: MarketDataLimits.defaultStreamCount,
            in: 1...MarketDataLimits.maximumStreamCount
        )
        let interval = try Self.queryInteger(
            request,
            "interval_ms",
            default: 100,
            in: 0...MarketDataLimits.maximumStreamIntervalMillis
        )
        let format = try StreamFormat(request.uri.queryParameters["format"].map(String.init) ?? "ndjson")

        let engine = self.engine
        let serviceContext = ServiceContext.current
        let body = ResponseBody { writer in
            // The body is written after the handler returns: continue in the request's trace.
            try await ServiceContext.withValue(serviceContext) {
                // The gRPC call hands updates to a closure that cannot hold the body writer, so they
                // cross through a stream; it holds at most `count` (≤ 100) small updates.
                let (updates, continuation) = AsyncThrowingStream.makeStream(of: Marketintel_V1_QuoteUpdate.self)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            try await engine.streamQuotes(
                                symbol: symbol,
                                count: UInt32(count),
                                intervalMillis: UInt32(interval)
                            ) { update in
                                continuation.yield(update)
                            }
                            continuation.finish()
                        } catch {
                            continuation.finish(throwing: error)
                        }
                    }
                    do {
                        for try await update in updates {
                            let record = StreamedQuote(sequence: update.sequence, quote: QuoteResponse(update.quote))
                            try await writer.write(format.frame(event: "quote", record))
                        }
                    } catch {
                        let apiError = APIError(from: error)
                        let record = StreamedError(
                            error: .init(code: apiError.code, message: apiError.message),
                            status: Int(apiError.status.code)
                        )
                        try await writer.write(format.frame(event: "error", record))
                    }
                    try await group.waitForAll()
                }
                try await writer.finish(nil)
            }
        }
        return Response(
            status: .ok,
            headers: [.contentType: format.contentType, .cacheControl: "no-cache"],
            body: body
        )
    }

    /// The `{symbol}` path parameter, percent-decoded (`%41APL` is `AAPL`): the router matches the raw path.
    private static func symbol(in context: Context) throws -> String {
        let raw = try context.parameters.require("symbol")
        guard let symbol = raw.removingPercentEncoding else {
            throw APIError(
                status: .badRequest,
                code: RPCError.Code.invalidArgument.name,
                message: "the symbol is not valid percent-encoding"
            )
        }
        return symbol
    }

    private static func queryInteger(
        _ request: Request,
        _ name: String,
        default defaultValue: Int,
        in range: ClosedRange<Int>
    ) throws -> Int {
        guard let raw = request.uri.queryParameters[name[...]] else { return defaultValue }
        guard let value = Int(raw), range.contains(value) else {
            throw APIError(
                status: .badRequest,
                code: RPCError.Code.invalidArgument.name,
                message: "\(name) must be an integer between \(range.lowerBound) and \(range.upperBound)"
            )
        }
        return value
    }
}

extension QuotesController {
    struct FetchRequest: Decodable {
        var symbols: [String]
        var source_id: String?
    }

    struct FetchResponse: ResponseEncodable {
        var source_id: String
        var quotes: [QuoteResponse]
    }

    struct StreamedQuote: Encodable {
        var sequence: UInt32
        var quote: QuoteResponse
    }

    struct StreamedError: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
        }

        var error: Detail
        /// The HTTP status the error would have had on a plain request.
        var status: Int
    }

    enum StreamFormat: Sendable {
        case ndjson
        case serverSentEvents

        init(_ raw: String) throws {
            switch raw {
            case "ndjson": self = .ndjson
            case "sse": self = .serverSentEvents
            default:
                throw APIError(
                    status: .badRequest,
                    code: RPCError.Code.invalidArgument.name,
                    message: "format must be 'ndjson' or 'sse'"
                )
            }
        }

        /// One record framed as an NDJSON line or a server-sent event.
        func frame(event: String, _ record: some Encodable) throws -> ByteBuffer {
            let json = try JSONEncoder.sorted.encode(record)
            var buffer = ByteBuffer()
            switch self {
            case .ndjson:
                buffer.writeBytes(json)
                buffer.writeString("\n")
            case .serverSentEvents:
                buffer.writeString("event: \(event)\ndata: ")
                buffer.writeBytes(json)
                buffer.writeString("\n\n")
            }
            return buffer
        }

        var contentType: String {
            switch self {
            case .ndjson: "application/x-ndjson"
            case .serverSentEvents: "text/event-stream"
            }
        }
    }
}

/// A quote as the HTTP API returns it.
struct QuoteResponse: ResponseEncodable, Equatable {
    var symbol: String
    var price: Double
    var bid: Double
    var ask: Double
    var volume: Int64
    var vwap: Double
    var currency: String
    var source_id: String
    /// RFC 3339, UTC, milliseconds.
    var timestamp: String
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
        self.timestamp = RFC3339Timestamp.format(
            seconds: Int(quote.timestampUnixMillis / 1000),
            milliseconds: Int(quote.timestampUnixMillis % 1000)
        )
        self.cached = quote.cached
    }
}
