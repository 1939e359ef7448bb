import Synchronization

/// At most one warning of a kind per window: while the collector is away every export fails, and a line for each
/// (several a second with short delays) would bury the service's own logs. The next line says how many were held
/// back.
final class WarningLimiter: Sendable {
    private let window: Duration
    private let state = Mutex<(last: ContinuousClock.Instant?, heldBack: Int)>((nil, 0))

    init(window: Duration = .seconds(30)) {
        self.window = window
    }

    /// The number of warnings held back since the last one written, when this one may be written; `nil` when it
    /// is to be held back.
    func admit(now: ContinuousClock.Instant = .now) -> Int? {
        self.state.withLock { state in
            if let last = state.last, now - last < self.window {
                state.heldBack += 1
                return nil
            }
            defer { state = (now, 0) }
            return state.heldBack
        }
    }
}
