/// One batch processor's settings: `OTEL_BSP_*` for spans, `OTEL_BLRP_*` for log records, with the
/// specification's defaults.
public struct BatchSettings: Sendable, Equatable {
    /// `…_MAX_QUEUE_SIZE`: records held at most; more are dropped and counted.
    public var maxQueueSize: Int
    /// `…_SCHEDULE_DELAY`: how long the exporter waits between exports when no full batch is waiting.
    public var scheduleDelay: Duration
    /// `…_MAX_EXPORT_BATCH_SIZE`: records in one export at most; a full batch is exported at once.
    public var maxExportBatchSize: Int
    /// `…_EXPORT_TIMEOUT`: how long one export may take, its retries included.
    public var exportTimeout: Duration

    public init(maxQueueSize: Int, scheduleDelay: Duration, maxExportBatchSize: Int, exportTimeout: Duration) {
        self.maxQueueSize = maxQueueSize
        self.scheduleDelay = scheduleDelay
        self.maxExportBatchSize = maxExportBatchSize
        self.exportTimeout = exportTimeout
    }

    /// The span processor's defaults: 2048, 5 s, 512, 30 s.
    public static let spans = BatchSettings(
        maxQueueSize: 2048,
        scheduleDelay: .milliseconds(5000),
        maxExportBatchSize: 512,
        exportTimeout: .milliseconds(30000)
    )

    /// The log-record processor's defaults: 2048, 1 s, 512, 30 s.
    public static let logRecords = BatchSettings(
        maxQueueSize: 2048,
        scheduleDelay: .milliseconds(1000),
        maxExportBatchSize: 512,
        exportTimeout: .milliseconds(30000)
    )
}
