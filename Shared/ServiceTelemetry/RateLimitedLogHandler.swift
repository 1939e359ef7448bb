import Logging
import Synchronization

/// Passes at most one line per distinct message (and `component`) per interval to another handler.
///
/// swift-otel logs every failed export; with no collector running that would be a line every few
/// seconds forever, or one per request with a short batch delay. The first occurrence is written at
/// once; repeats within `interval` are counted and the count goes out with the next line written.
/// Only warnings and worse are limited: informational lines (the configuration read at startup) pass. swift-otel's
/// span and log-record processors fail in the same words; their `component` tells them apart.
package struct RateLimitedLogHandler: WrappingLogHandler {
    package var base: any LogHandler
    private let limiter: LogRateLimiter

    package init(base: any LogHandler, interval: Duration = .seconds(30), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.base = base
        self.limiter = LogRateLimiter(interval: interval, now: now)
    }

    package func log(event: LogEvent) {
        guard event.level >= .warning else {
            self.base.log(event: event)
            return
        }
        let component = (event.metadata?["component"] ?? self[metadataKey: "component"]).map { "\($0)" } ?? ""
        guard let suppressed = self.limiter.admit("\(component)|\(event.message)") else { return }
        var event = event
        if suppressed > 0 {
            var metadata = event.metadata ?? [:]
            metadata["suppressed_repeats"] = "\(suppressed)"
            event.metadata = metadata
        }
        self.base.log(event: event)
    }
}

/// The state behind `RateLimitedLogHandler`, shared by its copies.
final class LogRateLimiter: Sendable {
    /// More distinct messages than this within one interval are dropped rather than remembered.
    static let maximumTrackedMessages = 128

    private struct Window {
        var openedAt: ContinuousClock.Instant
        var suppressed: Int
    }

    private let interval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let windows = Mutex<[String: Window]>([:])

    init(interval: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.interval = interval
        self.now = now
    }

    /// `nil` when the line must be dropped; otherwise how many repeats were dropped before it.
    func admit(_ message: String) -> Int? {
        let now = self.now()
        return self.windows.withLock { windows in
            if var window = windows[message] {
                guard now - window.openedAt >= self.interval else {
                    window.suppressed += 1
                    windows[message] = window
                    return nil
                }
                windows[message] = Window(openedAt: now, suppressed: 0)
                return window.suppressed
            }
            if windows.count >= Self.maximumTrackedMessages {
                windows = windows.filter { now - $0.value.openedAt < self.interval }
                guard windows.count < Self.maximumTrackedMessages else { return nil }
            }
            windows[message] = Window(openedAt: now, suppressed: 0)
            return 0
        }
    }
}
