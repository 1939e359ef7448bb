import Synchronization
import TestSupport
import Testing

@testable import CoreEngine

@Suite("Market data domain")
struct MarketDataDomainTests {
    @Test("normalises valid symbols", arguments: [("aapl", "AAPL"), ("BRK.B", "BRK.B"), ("spy", "SPY")])
    func normalises(raw: String, expected: String) throws {
        #expect(try SymbolUniverse.standard.instrument(for: raw).symbol == expected)
    }

    @Test(
        "rejects malformed symbols as invalid arguments",
        arguments: ["", "TOOLONGSYMBOL", "AA PL", "AAPL;DROP", "ÄPL"]
    )
    func rejectsMalformed(raw: String) {
        #expect {
            try SymbolUniverse.standard.instrument(for: raw)
        } throws: { error in
            if case .invalidArgument = error as? MarketDataError { return true }
            return false
        }
    }

    @Test("an unknown but well-formed symbol is not found")
    func unknown() {
        #expect(throws: MarketDataError.notFound("unknown symbol 'ZZZZ'")) {
            try SymbolUniverse.standard.instrument(for: "zzzz")
        }
    }

    @Test("prices are deterministic per symbol and bucket and stay within 2% of the reference")
    func deterministic() throws {
        let simulator = PriceSimulator()
        let apple = try SymbolUniverse.standard.instrument(for: "AAPL")
        #expect(simulator.tick(for: apple, bucket: 42) == simulator.tick(for: apple, bucket: 42))
        let prices = (0..<200).map { simulator.tick(for: apple, bucket: Int64($0)).price }
        #expect(Set(prices).count > 100)
        #expect(prices.allSatisfy { abs($0 - apple.referencePrice) <= apple.referencePrice * 0.02 + 0.01 })
    }

    @Test("VWAP lies between the lowest and highest price of its window")
    func vwap() throws {
        let simulator = PriceSimulator()
        let apple = try SymbolUniverse.standard.instrument(for: "AAPL")
        let prices = (0..<20).map { simulator.tick(for: apple, bucket: 100 - Int64($0)).price }
        let vwap = simulator.vwap(for: apple, endingAt: 100, window: 20)
        #expect(vwap >= prices.min()! - 0.01 && vwap <= prices.max()! + 0.01)
    }

    @Test("the cache serves a tick until its time-to-live has passed")
    func cache() async throws {
        let clock = ManualClock(millis: 1_000_000)
        var configuration = MarketDataEngine.Configuration()
        configuration.sourceLatency = .zero
        configuration.cacheTimeToLive = .milliseconds(500)
        let engine = MarketDataEngine(configuration: configuration, tracer: W3CInMemoryTracer(), now: clock.now)

        #expect(try await engine.quote(for: "AAPL").cached == false)
        clock.advance(by: 499)
        #expect(try await engine.quote(for: "aapl").cached == true)
        clock.advance(by: 1)
        #expect(try await engine.quote(for: "AAPL").cached == false)
    }

    @Test("a batch fails as a whole on a bad symbol, an unknown source or a bad size")
    func batchValidation() async throws {
        let engine = MarketDataEngine(tracer: W3CInMemoryTracer(), now: { 0 })
        await #expect(throws: MarketDataError.notFound("unknown symbol 'NOPE'")) {
            try await engine.quotes(for: ["AAPL", "NOPE"], sourceID: "simulated")
        }
        await #expect(throws: MarketDataError.notFound("unknown source 'bloomberg'; available: simulated")) {
            try await engine.quotes(for: ["AAPL"], sourceID: "bloomberg")
        }
        await #expect(throws: MarketDataError.invalidArgument("symbols must not be empty")) {
            try await engine.quotes(for: [], sourceID: "")
        }
        await #expect(throws: MarketDataError.invalidArgument("at most 50 symbols per request")) {
            try await engine.quotes(for: Array(repeating: "AAPL", count: 51), sourceID: "")
        }
        #expect(try await engine.quotes(for: ["AAPL", "MSFT"], sourceID: "").map(\.symbol) == ["AAPL", "MSFT"])
    }

    @Test("fault injection fails a fetch when the roll is under the error rate")
    func faults() async throws {
        var configuration = MarketDataEngine.Configuration()
        configuration.faults.errorRate = 0.5
        let failing = MarketDataEngine(
            configuration: configuration,
            tracer: W3CInMemoryTracer(),
            now: { 0 },
            roll: { 0.49 }
        )
        await #expect(throws: MarketDataError.self) { try await failing.quote(for: "AAPL") }
        let passing = MarketDataEngine(
            configuration: configuration,
            tracer: W3CInMemoryTracer(),
            now: { 0 },
            roll: { 0.5 }
        )
        #expect(try await passing.quote(for: "AAPL").symbol == "AAPL")
    }

    @Test("bid is below and ask above the price")
    func spread() async throws {
        let engine = MarketDataEngine(tracer: W3CInMemoryTracer(), now: { 5_000 })
        let quote = try await engine.quote(for: "MSFT")
        #expect(quote.bid < quote.price && quote.price < quote.ask)
        #expect(quote.timestampUnixMillis == 5_000)
    }
}

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let millis: Mutex<Int64>

    init(millis: Int64) {
        self.millis = Mutex(millis)
    }

    var now: @Sendable () -> Int64 {
        { self.millis.withLock { $0 } }
    }

    func advance(by delta: Int64) {
        self.millis.withLock { $0 += delta }
    }
}
