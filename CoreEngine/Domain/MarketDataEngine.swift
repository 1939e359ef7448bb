import CoreMetrics
import Shared
import Tracing

/// Produces quotes: validates the symbol, looks in the cache, fetches from the simulated source on a
/// miss, and computes the derived figures. Each step is a child span of the current RPC span.
struct MarketDataEngine: Sendable {
    /// The only source there is; requests may name it or leave it empty.
    static let simulatedSourceID = "simulated"
    /// How many symbols one batch may ask for.
    static let maximumBatchSize = 50
    /// Spread around the last price, as a fraction of it.
    static let halfSpread = 0.0005

    struct Configuration: Sendable {
        /// Simulated network time of one source fetch.
        var sourceLatency: Duration = .milliseconds(1)
        var cacheTimeToLive: Duration = .milliseconds(1000)
        /// Buckets in the VWAP window.
        var vwapWindow: Int = 20
        var faults: FaultInjection = .off
    }

    let universe: SymbolUniverse
    let simulator: PriceSimulator
    let cache: QuoteCache
    let configuration: Configuration
    let tracer: any Tracer
    /// Milliseconds since the Unix epoch; injected so tests control time.
    let now: @Sendable () -> Int64
    /// Uniform in [0, 1); injected so tests control fault injection.
    let roll: @Sendable () -> Double

    init(
        universe: SymbolUniverse = .standard,
        configuration: Configuration = .init(),
        tracer: any Tracer,
        now: @escaping @Sendable () -> Int64,
        roll: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.universe = universe
        self.simulator = PriceSimulator()
        self.cache = QuoteCache(timeToLive: configuration.cacheTimeToLive)
        self.configuration = configuration
        self.tracer = tracer
        self.now = now
        self.roll = roll
        // Registered at zero, so the faults panel shows a flat line until a knob is turned.
        for kind in ["error", "latency"] {
            _ = CoreMetrics.Counter(label: "marketdata_faults_injected_total", dimensions: [("kind", kind)])
        }
    }

    /// One quote for one symbol.
    func quote(for rawSymbol: String) async throws -> MarketQuote {
        let instrument = try self.tracer.withSpan("quote.validate") { span in
            span.attributes["quote.symbol.length"] = rawSymbol.utf8.count
            return try Self.failingSpan(span) { try self.universe.instrument(for: rawSymbol) }
        }
        return try await self.quote(for: instrument)
    }

    /// Quotes for several symbols from one source; fails as a whole if any symbol is bad.
    func quotes(for rawSymbols: [String], sourceID: String) async throws -> [MarketQuote] {
        let instruments = try self.tracer.withSpan("quote.validate") { span in
            span.attributes["quote.symbols.count"] = rawSymbols.count
            span.attributes["market_data.source.id"] = sourceID
            return try Self.failingSpan(span) {
                guard sourceID.isEmpty || sourceID == Self.simulatedSourceID else {
                    throw MarketDataError.notFound("unknown source '\(sourceID)'; available: \(Self.simulatedSourceID)")
                }
                guard !rawSymbols.isEmpty else { throw MarketDataError.invalidArgument("symbols must not be empty") }
                guard rawSymbols.count <= Self.maximumBatchSize else {
                    throw MarketDataError.invalidArgument("at most \(Self.maximumBatchSize) symbols per request")
                }
                return try rawSymbols.map { symbol throws(MarketDataError) in try self.universe.instrument(for: symbol) }
            }
        }
        var quotes: [MarketQuote] = []
        quotes.reserveCapacity(instruments.count)
        for instrument in instruments {
            quotes.append(try await self.quote(for: instrument))
        }
        return quotes
    }

    /// The instrument for a stream request, validated the same way as a quote.
    func streamInstrument(for rawSymbol: String) throws -> SymbolUniverse.Instrument {
        try self.tracer.withSpan("quote.validate") { span in
            span.attributes["quote.symbol.length"] = rawSymbol.utf8.count
            return try Self.failingSpan(span) { try self.universe.instrument(for: rawSymbol) }
        }
    }

    /// The `step`th price update of a stream that started in `bucket`.
    func streamUpdate(for instrument: SymbolUniverse.Instrument, startBucket: Int64, step: UInt64) -> MarketQuote {
        let tick = self.simulator.tick(for: instrument, bucket: startBucket, step: step)
        Self.countServed(instrument)
        return self.makeQuote(instrument, tick: tick, bucket: startBucket, cached: false)
    }

    private func quote(for instrument: SymbolUniverse.Instrument) async throws -> MarketQuote {
        let nowMillis = self.now()
        let cached = self.tracer.withSpan("quote.cache_lookup") { span in
            let entry = self.cache.lookup(instrument.symbol, nowMillis: nowMillis)
            span.attributes["cache.hit"] = entry != nil
            CoreMetrics.Counter(label: "marketdata_cache_requests_total", dimensions: [("result", entry != nil ? "hit" : "miss")])
                .increment()
            return entry
        }
        let entry: QuoteCache.Entry
        if let cached {
            entry = cached
        } else {
            entry = try await self.tracer.withSpan("quote.source_fetch") { span in
                span.attributes["market_data.source.id"] = Self.simulatedSourceID
                span.attributes["quote.symbol"] = instrument.symbol
                let start = ContinuousClock.now
                defer {
                    CoreMetrics.Timer(label: "marketdata_source_fetch_duration_seconds")
                        .recordNanoseconds(start.nanosecondsElapsed)
                }
                return try await Self.failingSpan(span) { try await self.fetch(instrument, nowMillis: nowMillis) }
            }
            self.cache.store(entry, for: instrument.symbol)
        }
        return self.tracer.withSpan("quote.compute") { span in
            let quote = self.makeQuote(instrument, tick: entry.tick, bucket: entry.bucket, cached: cached != nil)
            span.attributes["quote.vwap.window"] = self.configuration.vwapWindow
            span.attributes["quote.price"] = quote.price
            Self.countServed(instrument)
            return quote
        }
    }

    /// Reads one tick from the simulated source, with its latency and any injected fault.
    private func fetch(_ instrument: SymbolUniverse.Instrument, nowMillis: Int64) async throws -> QuoteCache.Entry {
        let faults = self.configuration.faults
        let latency = self.configuration.sourceLatency + faults.extraLatency
        if faults.extraLatency > .zero {
            CoreMetrics.Counter(label: "marketdata_faults_injected_total", dimensions: [("kind", "latency")]).increment()
        }
        if latency > .zero {
            try await Task.sleep(for: latency)
        }
        if faults.shouldFail(roll: self.roll()) {
            CoreMetrics.Counter(label: "marketdata_faults_injected_total", dimensions: [("kind", "error")]).increment()
            throw MarketDataError.injectedFault("injected fault: source unavailable (FAULT_ERROR_RATE=\(faults.errorRate))")
        }
        let bucket = self.simulator.bucket(atUnixMillis: nowMillis)
        return QuoteCache.Entry(
            tick: self.simulator.tick(for: instrument, bucket: bucket),
            bucket: bucket,
            storedAtMillis: nowMillis
        )
    }

    private func makeQuote(
        _ instrument: SymbolUniverse.Instrument,
        tick: PriceSimulator.Tick,
        bucket: Int64,
        cached: Bool
    ) -> MarketQuote {
        let halfSpread = ((tick.price * Self.halfSpread) * 100).rounded(.up) / 100
        return MarketQuote(
            symbol: instrument.symbol,
            price: tick.price,
            bid: Self.cents(tick.price - halfSpread),
            ask: Self.cents(tick.price + halfSpread),
            volume: tick.volume,
            vwap: self.simulator.vwap(for: instrument, endingAt: bucket, window: self.configuration.vwapWindow),
            currency: instrument.currency,
            sourceID: Self.simulatedSourceID,
            timestampUnixMillis: bucket * self.simulator.bucketMillis,
            cached: cached
        )
    }

    /// Symbols are labels only because they come from the fixed universe, never from the request as sent.
    private static func countServed(_ instrument: SymbolUniverse.Instrument) {
        CoreMetrics.Counter(label: "marketdata_quotes_served_total", dimensions: [("symbol", instrument.symbol)]).increment()
    }

    private static func cents(_ value: Double) -> Double {
        (value * 100).rounded() / 100
    }

    /// Runs `body`; on failure marks `span` as failed before rethrowing, so the failing step is visible.
    private static func failingSpan<T>(_ span: any Span, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            span.setStatus(SpanStatus(code: .error, message: "\(error)"))
            throw error
        }
    }

    private static func failingSpan<T>(_ span: any Span, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            span.setStatus(SpanStatus(code: .error, message: "\(error)"))
            throw error
        }
    }
}
