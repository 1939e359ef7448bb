/// Demo knobs that make the engine slow or failing on purpose; all off by default.
///
/// Set with `FAULT_EXTRA_LATENCY_MS` (added to every source fetch) and `FAULT_ERROR_RATE`
/// (the fraction of requests that fail with UNAVAILABLE), so dashboards and traces have something to show.
struct FaultInjection: Sendable, Equatable {
    var extraLatency: Duration = .zero
    /// Between 0 and 1.
    var errorRate: Double = 0

    static let off = FaultInjection()

    /// Whether this request should fail; `roll` is uniform in [0, 1).
    func shouldFail(roll: Double) -> Bool {
        roll < self.errorRate
    }
}
