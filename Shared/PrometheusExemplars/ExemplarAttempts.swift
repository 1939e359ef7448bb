import Synchronization

/// When an exemplar was last looked for, per bucket of one series (`nil` for a counter).
final class ExemplarAttempts: Sendable {
    private let attempts = Mutex<[Double?: ContinuousClock.Instant]>([:])

    /// Whether to look for an exemplar now: true when none was looked for in the last `interval`.
    func begin(bucket: Double?, interval: Duration) -> Bool {
        let now = ContinuousClock.now
        return self.attempts.withLock { attempts in
            if let last = attempts[bucket], now - last < interval { return false }
            attempts[bucket] = now
            return true
        }
    }
}
