import MarketDataContract

/// What the gateway needs from CoreEngine. The gRPC client implements it; tests may too.
protocol EngineClient: Sendable {
    func quote(symbol: String) async throws -> Marketintel_V1_Quote

    func marketData(symbols: [String], sourceID: String) async throws -> Marketintel_V1_FetchMarketDataResponse

    /// Calls `onUpdate` for each update of a finite quote stream, in order.
    func streamQuotes(
        symbol: String,
        count: UInt32,
        intervalMillis: UInt32,
        onUpdate: @escaping @Sendable (Marketintel_V1_QuoteUpdate) async throws -> Void
    ) async throws

    /// Whether CoreEngine answers its gRPC health check with SERVING.
    func isServing() async throws -> Bool
}
