import ObservabilityPrimitives
import Synchronization

/// Recently fetched ticks, kept for a short time-to-live.
///
/// Bounded by the symbol universe (one entry per symbol), so it cannot grow with user input.
final class QuoteCache: Sendable {
    struct Entry: Sendable {
        var tick: PriceSimulator.Tick
        var bucket: Int64
        var storedAtMillis: Int64
    }

    private let timeToLiveMillis: Int64
    private let entries = Mutex<[String: Entry]>([:])

    init(timeToLive: Duration) {
        self.timeToLiveMillis = timeToLive.nanoseconds / 1_000_000
    }

    /// The entry for `symbol` if it is younger than the time-to-live at `nowMillis`.
    func lookup(_ symbol: String, nowMillis: Int64) -> Entry? {
        self.entries.withLock { entries in
            guard let entry = entries[symbol], nowMillis - entry.storedAtMillis < self.timeToLiveMillis else {
                return nil
            }
            return entry
        }
    }

    func store(_ entry: Entry, for symbol: String) {
        self.entries.withLock { $0[symbol] = entry }
    }
}
