import CoreMetrics

/// The pipeline's own health, as swift-metrics counters the services' `/metrics` shows:
/// `otel_{spans|log_records}_exported_total`, `otel_{spans|log_records}_dropped_total{reason}` (`queue_full`,
/// `export_failed`, `rejected` by the collector) and `otel_{span|log_record}_export_failures_total` (batches).
///
/// Counted by the exporter task, off the request path: a span dropped at a full queue is counted when the
/// exporter next looks (within one schedule delay). Made when the processor starts, so that the counters exist (at
/// zero) before the first request, and after `MetricsSystem.bootstrap`, whatever order a service sets things up in.
struct ExportHealth: Sendable {
    /// Which signal's counters.
    enum Signal: String, Sendable, CustomStringConvertible {
        case spans
        case logRecords = "log_records"

        var description: String { self.rawValue }
    }

    let exported: Counter
    let droppedQueueFull: Counter
    let droppedExportFailed: Counter
    let droppedRejected: Counter
    let exportFailures: Counter

    init(_ signal: Signal) {
        let (records, record) = signal == .spans ? ("spans", "span") : ("log_records", "log_record")
        self.exported = Counter(label: "otel_\(records)_exported_total")
        self.droppedQueueFull = Counter(label: "otel_\(records)_dropped_total", dimensions: [("reason", "queue_full")])
        self.droppedExportFailed = Counter(
            label: "otel_\(records)_dropped_total",
            dimensions: [("reason", "export_failed")]
        )
        self.droppedRejected = Counter(label: "otel_\(records)_dropped_total", dimensions: [("reason", "rejected")])
        self.exportFailures = Counter(label: "otel_\(record)_export_failures_total")
    }
}
