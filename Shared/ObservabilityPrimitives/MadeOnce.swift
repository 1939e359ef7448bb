import Synchronization

/// Values made once per key and then reused: the metric handlers of request paths, each made the first time
/// its label set is seen, so that a request pays one dictionary lookup instead of a factory lookup by name
/// and labels. Keys must be bounded (methods, routes, status codes), as they are in every use.
package final class MadeOnce<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    @usableFromInline let values = Mutex<[Key: Value]>([:])

    @inlinable
    package init() {}

    /// The value made for `key`, or the one `make` returns, which is kept. `make` runs under the lock, so a
    /// key's value is made once.
    // Inlinable: looked up on every request and call, from other modules (see `Once`).
    @inlinable
    package func value(for key: Key, make: (Key) -> Value) -> Value {
        self.values.withLock { values in
            if let value = values[key] { return value }
            let value = make(key)
            values[key] = value
            return value
        }
    }
}
