import CoreMetrics
import Logging

/// Counts what swift-otel reports about its own health before passing the line on.
///
/// swift-otel 1.6 exposes no counters of its exporter; the only signal it gives is its diagnostic log. A
/// failed batch is logged as "Failed to export batch." with a `batch_size`: those become
/// `otel_span_export_failures_total` and `otel_spans_dropped_total`. Spans refused because the batch
/// processor's queue was full are logged with a `dropped_count`, and counted as dropped too. Successful
/// exports are not logged, so spans exported cannot be counted from here.
package struct TelemetryHealthLogHandler: WrappingLogHandler {
    package static let exportFailureMessage = "Failed to export batch."
    package static let queueFullMessage = "Spans were dropped this iteration because queue was full"

    package var base: any LogHandler

    package init(base: any LogHandler) {
        self.base = base
    }

    package func log(event: LogEvent) {
        switch event.message.description {
        case Self.exportFailureMessage:
            CoreMetrics.Counter(label: "otel_span_export_failures_total").increment()
            if case .string(let size)? = event.metadata?["batch_size"], let spans = Int64(size) {
                CoreMetrics.Counter(label: "otel_spans_dropped_total").increment(by: spans)
            }
        case Self.queueFullMessage:
            if case .string(let count)? = event.metadata?["dropped_count"], let spans = Int64(count) {
                CoreMetrics.Counter(label: "otel_spans_dropped_total").increment(by: spans)
            }
        default:
            break
        }
        self.base.log(event: event)
    }
}
