import CoreMetrics
import Logging
import MetricsTestKit
import ServiceTelemetry
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

    @Test("the same words from two components are two messages, as the span and log-record processors' are")
    func byComponent() {
        let sink = InMemoryLogSink()
        let base = Logger(label: "otel") { RateLimitedLogHandler(base: JSONLogHandler(label: $0, service: "s", sink: sink)) }
        var spans = base
        spans[metadataKey: "component"] = "OTelBatchSpanProcessor"
        var logs = base
        logs[metadataKey: "component"] = "OTelBatchLogRecordProcessor"
        for _ in 0..<5 {
            spans.warning("Failed to export batch.")
            logs.warning("Failed to export batch.")
        }
        #expect(sink.lines.count == 2)
    }
}

@Suite("What swift-otel's diagnostics count")
struct TelemetryHealthLogHandlerTests {
    /// Logs as swift-otel does: the batch size in the logger's metadata, the component too.
    static func log(_ message: String, component: String, metadata: [String: Logger.MetadataValue], into metrics: TestMetrics) {
        withMetricsFactory(metrics) {
            var logger = Logger(label: "otel") {
                TelemetryHealthLogHandler(base: JSONLogHandler(label: $0, service: "s", sink: InMemoryLogSink()))
            }
            logger[metadataKey: "component"] = .string(component)
            for (key, value) in metadata { logger[metadataKey: key] = value }
            logger.warning("\(message)")
        }
    }

    @Test("a failed span batch counts as a failure and its spans as dropped; a full queue's refusals as dropped")
    func spans() throws {
        let metrics = TestMetrics()
        Self.log("Failed to export batch.", component: "OTelBatchSpanProcessor", metadata: ["batch_size": "512"], into: metrics)
        Self.log(TelemetryHealthLogHandler.queueFullMessage, component: "OTelBatchSpanProcessor", metadata: ["dropped_count": "7"], into: metrics)
        #expect(try metrics.expectCounter("otel_span_export_failures_total").totalValue == 1)
        #expect(try metrics.expectCounter("otel_spans_dropped_total").totalValue == 519)
    }

    @Test("a failed log-record batch, in the same words, counts as dropped log records and not as spans")
    func logRecords() throws {
        let metrics = TestMetrics()
        Self.log("Failed to export batch.", component: "OTelBatchLogRecordProcessor", metadata: ["batch_size": "3"], into: metrics)
        Self.log(TelemetryHealthLogHandler.logQueueFullMessage, component: "OTelBatchLogRecordProcessor", metadata: ["dropped_count": "2"], into: metrics)
        #expect(try metrics.expectCounter("otel_log_records_dropped_total").totalValue == 5)
        #expect(throws: (any Error).self) { try metrics.expectCounter("otel_spans_dropped_total") }
        #expect(throws: (any Error).self) { try metrics.expectCounter("otel_span_export_failures_total") }
    }
}
