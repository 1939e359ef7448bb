import Synchronization

/// Hands out `value` once, to whichever of several paths asks first (a body-written callback, an error path, a
/// completion); if nobody ever asks (the response was dropped), `onAbandon` gets it when this is released.
///
/// The one "exactly once, even if abandoned" type: ends the HTTP SERVER span, the RPC spans, and records an RPC's
/// metrics.
package final class Once<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>
    private let onAbandon: (@Sendable (Value) -> Void)?

    package init(_ value: Value, onAbandon: (@Sendable (Value) -> Void)? = nil) {
        self.value = Mutex(value)
        self.onAbandon = onAbandon
    }

    /// The value the first time; `nil` after that.
    package func take() -> Value? {
        self.value.withLock { value in
            defer { value = nil }
            return value
        }
    }

    deinit {
        if let value = self.take() { self.onAbandon?(value) }
    }
}
