import CoreMetrics
import MarketDataContract
import ObservabilityPrimitives
import Tracing

/// Produces quotes: validates the symbol, looks in the cache, fetches from the simulated source on a
/// miss, and computes the derived figures. Each step is a child span of the current RPC span.
package struct MarketDataEngine: Sendable {
    /// Spread around the last price, as a fraction of it.
    static let halfSpread = 0.0005

    package struct Configuration: Sendable {
        /// Simulated network time of one source fetch.
        package var sourceLatency: Duration = .milliseconds(1)
        var cacheTimeToLive: Duration = .milliseconds(1000)
        /// Buckets in the VWAP window.
        var vwapWindow: Int = 20
        var faults: FaultInjection = .off

        package init() {}
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
    let metrics: MarketDataMetrics

    /// The standard symbol universe, faults from `configuration`, random rolls: as CoreEngine runs it.
    package init(configuration: Configuration = .init(), tracer: any Tracer, now: @escaping @Sendable () -> Int64) {
        self.init(configuration: configuration, tracer: tracer, now: now, roll: { Double.random(in: 0..<1) })
    }

    init(
        universe: SymbolUniverse = .standard,
        configuration: Configuration = .init(),
        tracer: any Tracer,
        now: @escaping @Sendable () -> Int64,
        roll: @escaping @Sendable () -> Double
    ) {
        self.universe = universe
        self.simulator = PriceSimulator()
        self.cache = QuoteCache(timeToLive: configuration.cacheTimeToLive)
        self.configuration = configuration
        self.tracer = tracer
        self.now = now
        self.roll = roll
        self.metrics = MarketDataMetrics()
    }

    /// One quote for one symbol.
    func quote(for rawSymbol: String) async throws -> MarketQuote {
        try await self.quote(for: self.validatedInstrument(for: rawSymbol))
    }

    /// Quotes for several symbols from one source; fails as a whole if any symbol is bad.
    func quotes(for rawSymbols: [String], sourceID: String) async throws -> [MarketQuote] {
        let instruments = try await self.step("quote.validate") { span in
            span.attributes["quote.symbols.count"] = rawSymbols.count
            span.attributes["market_data.source.id"] = sourceID
            guard sourceID.isEmpty || sourceID == MarketDataLimits.simulatedSourceID else {
                throw MarketDataError.notFound(
                    "unknown source '\(sourceID)'; available: \(MarketDataLimits.simulatedSourceID)"
                )
            }
            guard !rawSymbols.isEmpty else { throw MarketDataError.invalidArgument("symbols must not be empty") }
            guard rawSymbols.count <= MarketDataLimits.maximumSymbolsPerFetch else {
                throw MarketDataError.invalidArgument(
                    "at most \(MarketDataLimits.maximumSymbolsPerFetch) symbols per request"
                )
            }
            return try rawSymbols.map { symbol throws(MarketDataError) in try self.universe.instrument(for: symbol) }
        }
        var quotes: [MarketQuote] = []
        quotes.reserveCapacity(instruments.count)
        for instrument in instruments {
            quotes.append(try await self.quote(for: instrument))
        }
        return quotes
    }

    /// The instrument a quote or a stream asks for, in the `quote.validate` step.
    private func validatedInstrument(for rawSymbol: String) async throws -> SymbolUniverse.Instrument {
        try await self.step("quote.validate") { span in
            span.attributes["quote.symbol.length"] = rawSymbol.utf8.count
            return try self.universe.instrument(for: rawSymbol)
        }
    }

    /// The `step`th price update of a stream that started in `bucket`.
    private func streamUpdate(
        for instrument: SymbolUniverse.Instrument,
        startBucket: Int64,
        step: UInt64
    ) -> MarketQuote {
        let tick = self.simulator.tick(for: instrument, bucket: startBucket, step: step)
        self.metrics.served(instrument)
        return self.makeQuote(instrument, tick: tick, bucket: startBucket, cached: false)
    }

    /// A stream of `count` simulated updates of one symbol (0 asks for the default), `intervalMillis` apart, each
    /// handed to `send` with its sequence number (from 1) as soon as it is made.
    /// - Throws: `invalidArgument` outside `MarketDataLimits`, `notFound` for an unknown symbol, and whatever
    ///   `send` throws (the caller went away).
    func streamQuotes(
        symbol rawSymbol: String,
        count requestedCount: UInt32,
        intervalMillis: UInt32,
        send: (_ sequence: UInt32, _ quote: MarketQuote) async throws -> Void
    ) async throws {
        let count = requestedCount == 0 ? MarketDataLimits.defaultStreamCount : Int(requestedCount)
        guard count <= MarketDataLimits.maximumStreamCount else {
            throw MarketDataError.invalidArgument("count must be between 1 and \(MarketDataLimits.maximumStreamCount)")
        }
        guard intervalMillis <= MarketDataLimits.maximumStreamIntervalMillis else {
            throw MarketDataError.invalidArgument(
                "interval_millis must be at most \(MarketDataLimits.maximumStreamIntervalMillis)"
            )
        }
        let instrument = try await self.validatedInstrument(for: rawSymbol)
        let startBucket = self.simulator.bucket(atUnixMillis: self.now())
        for sequence in 1...UInt32(count) {
            if sequence > 1, intervalMillis > 0 {
                try await Task.sleep(for: .milliseconds(Int(intervalMillis)))
            }
            try await send(
                sequence,
                self.streamUpdate(for: instrument, startBucket: startBucket, step: UInt64(sequence))
            )
        }
    }

    private func quote(for instrument: SymbolUniverse.Instrument) async throws -> MarketQuote {
        let nowMillis = self.now()
        let cached = self.tracer.withSpan("quote.cache_lookup") { span in
            let entry = self.cache.lookup(instrument.symbol, nowMillis: nowMillis)
            span.attributes["cache.hit"] = entry != nil
            (entry != nil ? self.metrics.cacheHits : self.metrics.cacheMisses).increment()
            return entry
        }
        let entry: QuoteCache.Entry
        if let cached {
            entry = cached
        } else {
            entry = try await self.step("quote.source_fetch") { span in
                span.attributes["market_data.source.id"] = MarketDataLimits.simulatedSourceID
                span.attributes["quote.symbol"] = instrument.symbol
                let start = ContinuousClock.now
                defer { self.metrics.sourceFetchDuration.recordNanoseconds(start.nanosecondsElapsed) }
                return try await self.fetch(instrument, nowMillis: nowMillis)
            }
            self.cache.store(entry, for: instrument.symbol)
        }
        return self.tracer.withSpan("quote.compute") { span in
            let quote = self.makeQuote(instrument, tick: entry.tick, bucket: entry.bucket, cached: cached != nil)
            span.attributes["quote.vwap.window"] = self.configuration.vwapWindow
            span.attributes["quote.price"] = quote.price
            self.metrics.served(instrument)
            return quote
        }
    }

    /// Reads one tick from the simulated source, with its latency and any injected fault.
    private func fetch(_ instrument: SymbolUniverse.Instrument, nowMillis: Int64) async throws -> QuoteCache.Entry {
        let faults = self.configuration.faults
        let latency = self.configuration.sourceLatency + faults.extraLatency
        if faults.extraLatency > .zero {
            self.metrics.injectedLatency.increment()
        }
        if latency > .zero {
            try await Task.sleep(for: latency)
        }
        if faults.shouldFail(roll: self.roll()) {
            self.metrics.injectedErrors.increment()
            throw MarketDataError.injectedFault(
                "injected fault: source unavailable (FAULT_ERROR_RATE=\(faults.errorRate))"
            )
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
            sourceID: MarketDataLimits.simulatedSourceID,
            timestampUnixMillis: bucket * self.simulator.bucketMillis,
            cached: cached
        )
    }

    private static func cents(_ value: Double) -> Double {
        (value * 100).rounded() / 100
    }

    /// One step of a quote as a child span: a failure marks the span as failed (status ERROR with the error's
    /// text) before it is rethrown, so the step that failed is the one a trace shows red.
    private func step<T>(_ name: String, _ body: (any Span) async throws -> T) async throws -> T {
        try await self.tracer.withSpan(name) { span in
            do {
                return try await body(span)
            } catch {
                span.setStatus(SpanStatus(code: .error, message: "\(error)"))
                throw error
            }
        }
    }
}
