/// A quote as the domain produces it; the gRPC service turns it into `Marketintel_V1_Quote`.
struct MarketQuote: Sendable, Equatable {
    var symbol: String
    var price: Double
    var bid: Double
    var ask: Double
    var volume: Int64
    /// Volume-weighted average price over the engine's VWAP window.
    var vwap: Double
    var currency: String
    var sourceID: String
    var timestampUnixMillis: Int64
    /// Whether the tick came from the cache rather than the source.
    var cached: Bool
}
