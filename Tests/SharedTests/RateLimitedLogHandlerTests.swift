import Logging
import Shared
import Synchronization
import Testing

@Suite("Rate-limited diagnostic logging")
struct RateLimitedLogHandlerTests {
    @Test("writes a repeated message once per interval and reports how many were dropped")
    func limits() throws {
        let sink = InMemoryLogSink()
        let clock = ContinuousClock()
        let start = clock.now
        let offset = Mutex(Duration.zero)
        let logger = Logger(label: "otel") { label in
            RateLimitedLogHandler(
                base: JSONLogHandler(label: label, service: "s", sink: sink),
                interval: .seconds(30),
                now: { start + offset.withLock { $0 } }
            )
        }
        for _ in 0..<100 { logger.error("Failed to export batch") }
        logger.error("another message")
        #expect(sink.lines.count == 2)

        offset.withLock { $0 = .seconds(31) }
        logger.error("Failed to export batch")
        #expect(sink.lines.count == 3)
        #expect(sink.lines.last?.contains(#""suppressed_repeats":"99""#) == true)

        for _ in 0..<3 { logger.info("Configuration updated from environment") }
        #expect(sink.lines.count == 6)
    }
}
