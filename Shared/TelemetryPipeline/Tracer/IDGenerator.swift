import Synchronization

/// Makes trace and span ids: xoshiro256** seeded once from the system's generator.
///
/// The system generator (`getrandom(2)`) is a system call per id; trace ids need to be unpredictable enough to
/// not collide, not secret, which a seeded xoshiro256** gives at a few dozen instructions. One lock shared by all
/// threads: uncontended it costs about as much as the generator itself.
final class IDGenerator: Sendable {
    private let state: Mutex<Xoshiro256StarStar>

    init(seed: UInt64? = nil) {
        var system = SystemRandomNumberGenerator()
        self.state = Mutex(Xoshiro256StarStar(seed: seed ?? system.next()))
    }

    /// A random trace id; all 16 bytes are random, so the W3C Level 2 random-trace-id flag holds.
    func traceID() -> TraceID {
        self.state.withLock { generator in
            while true {
                let id = TraceID(high: generator.next(), low: generator.next())
                if id.high != 0 || id.low != 0 { return id }
            }
        }
    }

    func spanID() -> SpanID {
        self.state.withLock { generator in
            while true {
                let value = generator.next()
                if value != 0 { return SpanID(value: value) }
            }
        }
    }
}

/// xoshiro256** (Blackman and Vigna), seeded through splitmix64 as its authors recommend.
struct Xoshiro256StarStar: RandomNumberGenerator {
    private var s0, s1, s2, s3: UInt64

    init(seed: UInt64) {
        var splitmix = seed
        func next() -> UInt64 {
            splitmix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitmix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        (self.s0, self.s1, self.s2, self.s3) = (next(), next(), next(), next())
    }

    mutating func next() -> UInt64 {
        let result = (self.s1 &* 5).rotatedLeft(by: 7) &* 9
        let t = self.s1 << 17
        self.s2 ^= self.s0
        self.s3 ^= self.s1
        self.s1 ^= self.s2
        self.s0 ^= self.s3
        self.s2 ^= t
        self.s3 = self.s3.rotatedLeft(by: 45)
        return result
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
