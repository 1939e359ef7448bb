import Logging
import TelemetryPipeline

/// The handler every logger of a service writes through: each record as a JSON line on stdout and, with
/// `OTEL_LOGS_EXPORTER=otlp`, queued for the OTLP log pipeline too.
///
/// One handler with two outputs rather than swift-log's `MultiplexLogHandler` over two: the logger's metadata is
/// kept once (Hummingbird sets a request id on each request's logger, which a multiplex sets in every handler it
/// holds), and what ties a record to its request (`LogCorrelation`: the span's ids and flags, the correlation id) is
/// read once a record for both outputs, each writing it as fields of its own. A metadata provider, when a logger
/// has one, runs once a record too.
package struct ServiceLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?

    /// The JSON line's writer; `nil` when lines are left out (the benchmark's ablation).
    private let lines: JSONLogHandler?
    /// The OTLP log pipeline's handler; `nil` unless `OTEL_LOGS_EXPORTER=otlp`.
    private let pipeline: PipelineLogHandler?

    package init(
        lines: JSONLogHandler?,
        pipeline: PipelineLogHandler?,
        logLevel: Logger.Level,
        metadataProvider: Logger.MetadataProvider?
    ) {
        self.lines = lines
        self.pipeline = pipeline
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        guard self.lines != nil || self.pipeline != nil else { return }
        let correlation = LogCorrelation.current
        let provided = self.metadataProvider?.get() ?? [:]
        self.lines?.write(event, correlation: correlation, providedMetadata: provided, handlerMetadata: self.metadata)
        self.pipeline?.log(
            event: event,
            spanContext: correlation.spanContext,
            contextAttribute: correlation.correlationID.map { (LogCorrelation.correlationIDKey, $0) },
            providedMetadata: provided,
            handlerMetadata: self.metadata
        )
    }
}
