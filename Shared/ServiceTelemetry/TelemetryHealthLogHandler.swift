import CoreMetrics
import Logging

/// Counts what swift-otel reports about its own health before passing the line on.
///
/// swift-otel 1.6 exposes no counters of its exporter; the only signal it gives is its diagnostic log. A
/// failed batch is logged as "Failed to export batch." with a `batch_size`: those become
/// `otel_span_export_failures_total` and `otel_spans_dropped_total`. Spans refused because the batch
/// processor's queue was full are logged with a `dropped_count`, and counted as dropped too. Successful
/// exports are not logged, so spans exported cannot be counted from here. The log-record processor (with
/// `OTEL_LOGS_EXPORTER=otlp`) logs its failures in the same words, told apart by its `component`: those become
/// `otel_log_records_dropped_total`.
package struct TelemetryHealthLogHandler: WrappingLogHandler {
    package static let exportFailureMessage = "Failed to export batch."
    package static let queueFullMessage = "Spans were dropped this iteration because queue was full"
    package static let logQueueFullMessage = "Log records were dropped this iteration because queue was full"
    package static let logProcessorComponent = "OTelBatchLogRecordProcessor"

    package var base: any LogHandler

    package init(base: any LogHandler) {
        self.base = base
    }

    package func log(event: LogEvent) {
        switch event.message.description {
        case Self.exportFailureMessage where self.component(of: event) == Self.logProcessorComponent:
            if let records = self.count("batch_size", in: event) {
                CoreMetrics.Counter(label: "otel_log_records_dropped_total").increment(by: records)
            }
        case Self.logQueueFullMessage:
            if let records = self.count("dropped_count", in: event) {
                CoreMetrics.Counter(label: "otel_log_records_dropped_total").increment(by: records)
            }
        case Self.exportFailureMessage:
            CoreMetrics.Counter(label: "otel_span_export_failures_total").increment()
            if let spans = self.count("batch_size", in: event) {
                CoreMetrics.Counter(label: "otel_spans_dropped_total").increment(by: spans)
            }
        case Self.queueFullMessage:
            if let spans = self.count("dropped_count", in: event) {
                CoreMetrics.Counter(label: "otel_spans_dropped_total").increment(by: spans)
            }
        default:
            break
        }
        self.base.log(event: event)
    }

    private func component(of event: LogEvent) -> String? {
        (event.metadata?["component"] ?? self[metadataKey: "component"]).map { "\($0)" }
    }

    /// A count swift-otel logged, in the event's metadata or, as it sets `batch_size`, in the logger's.
    private func count(_ key: String, in event: LogEvent) -> Int64? {
        (event.metadata?[key] ?? self[metadataKey: key]).flatMap { Int64("\($0)") }
    }
}
