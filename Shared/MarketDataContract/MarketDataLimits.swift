/// What both sides of the `marketintel.v1.CoreEngine` hop agree on beyond the proto's types: the bounds the
/// gateway checks before it calls (for a clear 400 without a round trip) and CoreEngine enforces again (it has
/// other callers). Defined once, here.
package enum MarketDataLimits {
    /// The only market-data source there is; a request may name it or leave it empty.
    package static let simulatedSourceID = "simulated"
    /// Symbols in one `FetchMarketData` request.
    package static let maximumSymbolsPerFetch = 50
    /// Updates in one `StreamQuotes` request, and how many when it asks for none.
    package static let maximumStreamCount = 100
    package static let defaultStreamCount = 10
    /// Milliseconds between two updates of a stream.
    package static let maximumStreamIntervalMillis = 1000
}
