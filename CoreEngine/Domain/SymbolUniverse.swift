/// The fixed set of instruments the simulated source prices.
///
/// Being fixed is what makes it safe to use a symbol as a metric label: user input is only ever
/// turned into one of these values, never passed through.
struct SymbolUniverse: Sendable {
    /// An instrument's reference data.
    struct Instrument: Sendable, Equatable {
        var symbol: String
        /// The price the simulation wanders around, in the quote currency.
        var referencePrice: Double
        var currency: String
    }

    /// 1 to 10 characters of `A-Z 0-9 . -` after upper-casing, as exchange tickers are.
    static let maximumSymbolLength = 10

    private let instruments: [String: Instrument]

    init(instruments: [Instrument]) {
        self.instruments = Dictionary(instruments.map { ($0.symbol, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Normalises and checks a requested symbol.
    /// - Throws: `invalidArgument` when malformed, `notFound` when outside the universe.
    func instrument(for rawSymbol: String) throws(MarketDataError) -> Instrument {
        let symbol = try Self.normalized(rawSymbol)
        guard let instrument = self.instruments[symbol] else {
            throw .notFound("unknown symbol '\(symbol)'")
        }
        return instrument
    }

    /// Upper-cases and checks the syntax of a symbol.
    static func normalized(_ rawSymbol: String) throws(MarketDataError) -> String {
        guard !rawSymbol.isEmpty else { throw .invalidArgument("symbol must not be empty") }
        guard rawSymbol.utf8.count <= Self.maximumSymbolLength else {
            throw .invalidArgument("symbol must be at most \(Self.maximumSymbolLength) characters")
        }
        let symbol = rawSymbol.uppercased()
        let isValid = symbol.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
        guard isValid else {
            throw .invalidArgument("symbol may contain only letters, digits, '.' and '-'")
        }
        return symbol
    }

    /// Large US equities and two ETFs.
    static let standard = SymbolUniverse(instruments: [
        Instrument(symbol: "AAPL", referencePrice: 228.50, currency: "USD"),
        Instrument(symbol: "MSFT", referencePrice: 415.20, currency: "USD"),
        Instrument(symbol: "GOOGL", referencePrice: 172.30, currency: "USD"),
        Instrument(symbol: "AMZN", referencePrice: 186.90, currency: "USD"),
        Instrument(symbol: "NVDA", referencePrice: 131.40, currency: "USD"),
        Instrument(symbol: "META", referencePrice: 512.70, currency: "USD"),
        Instrument(symbol: "TSLA", referencePrice: 242.10, currency: "USD"),
        Instrument(symbol: "JPM", referencePrice: 211.60, currency: "USD"),
        Instrument(symbol: "V", referencePrice: 278.80, currency: "USD"),
        Instrument(symbol: "BRK.B", referencePrice: 452.30, currency: "USD"),
        Instrument(symbol: "SPY", referencePrice: 571.20, currency: "USD"),
        Instrument(symbol: "QQQ", referencePrice: 487.60, currency: "USD"),
    ])
}
