import Synchronization

/// Hands out `value` once, to whichever of several paths asks first (a body-written callback, an error path, a
/// completion); if nobody ever asks (the response was dropped), `onAbandon` gets it when this is released.
///
/// The one "exactly once, even if abandoned" type: ends the HTTP SERVER span, the RPC spans, and records an RPC's
/// metrics.
package final class Once<Value: Sendable>: Sendable {
    @usableFromInline let value: Mutex<Value?>
    @usableFromInline let onAbandon: (@Sendable (Value) -> Void)?

    // Inlinable: every request and call makes and takes one, from other modules, and a generic class called across
    // a module's edge runs unspecialized.
    @inlinable
    package init(_ value: Value, onAbandon: (@Sendable (Value) -> Void)? = nil) {
        self.value = Mutex(value)
        self.onAbandon = onAbandon
    }

    /// The value the first time; `nil` after that.
    @inlinable
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
