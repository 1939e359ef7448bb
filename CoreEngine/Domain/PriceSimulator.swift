/// Deterministic prices: the same symbol in the same time bucket always gets the same tick.
///
/// The seed is a hash of the symbol mixed with the bucket number, run through SplitMix64, so tests
/// and demos are reproducible and no state is shared between requests.
struct PriceSimulator: Sendable {
    /// One simulated trade print.
    struct Tick: Sendable, Equatable {
        var price: Double
        var volume: Int64
    }

    /// Length of one time bucket; prices change once per bucket.
    var bucketMillis: Int64 = 1000

    func bucket(atUnixMillis millis: Int64) -> Int64 {
        millis / self.bucketMillis
    }

    /// The tick of `instrument` in `bucket`; `step` picks further ticks inside a bucket (for streams).
    func tick(for instrument: SymbolUniverse.Instrument, bucket: Int64, step: UInt64 = 0) -> Tick {
        var random = SplitMix64(seed: Self.fnv1a(instrument.symbol) ^ UInt64(bitPattern: bucket) &* 0x9E37_79B9 ^ step)
        // Within ±2% of the reference price, rounded to cents.
        let drift = (random.nextUnit() - 0.5) * 0.04
        let price = (instrument.referencePrice * (1 + drift) * 100).rounded() / 100
        let volume = 100 + Int64(random.next() % 9_900)
        return Tick(price: price, volume: volume)
    }

    /// Volume-weighted average price over the `window` buckets ending at `bucket`.
    func vwap(for instrument: SymbolUniverse.Instrument, endingAt bucket: Int64, window: Int) -> Double {
        var notional = 0.0
        var volume: Int64 = 0
        for offset in 0..<Int64(max(window, 1)) {
            let tick = self.tick(for: instrument, bucket: bucket - offset)
            notional += tick.price * Double(tick.volume)
            volume += tick.volume
        }
        return ((notional / Double(volume)) * 100).rounded() / 100
    }

    /// FNV-1a, 64 bit: a stable hash (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ string: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in string.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast and good enough for simulated prices.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in [0, 1).
    mutating func nextUnit() -> Double {
        Double(self.next() >> 11) / Double(1 << 53)
    }
}
