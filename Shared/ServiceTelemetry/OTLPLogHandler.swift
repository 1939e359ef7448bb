import Logging
import TelemetryPipeline

/// Hands every log record to the pipeline's OTLP log handler (`PipelineLogHandler`) with the metadata the JSON line
/// has.
///
/// The pipeline's handler takes the trace and span ids of the current span itself (they become the record's
/// `trace_id`, `span_id` and `flags` fields, not attributes), and applies no metadata provider. This one adds what
/// the provider gives (`correlation_id`) and leaves out the ids the record already carries. Credentials are replaced
/// as the JSON line replaces them, when the pipeline encodes the record (`LogRedaction.pipelineRedaction`).
package struct OTLPLogHandler: LogHandler {
    private var base: PipelineLogHandler
    package var metadataProvider: Logger.MetadataProvider?

    package init(base: PipelineLogHandler, metadataProvider: Logger.MetadataProvider?) {
        self.base = base
        self.metadataProvider = metadataProvider
    }

    package var logLevel: Logger.Level {
        get { self.base.logLevel }
        set { self.base.logLevel = newValue }
    }

    package var metadata: Logger.Metadata {
        get { self.base.metadata }
        set { self.base.metadata = newValue }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.base[metadataKey: key] }
        set { self.base[metadataKey: key] = newValue }
    }

    package func log(event: LogEvent) {
        // As in the JSON line: explicit metadata wins over the provider's, which wins over the handler's. The three
        // go to the pipeline as they are, side by side (`LogRecord`), rather than merged into one dictionary.
        guard let provided = self.metadataProvider?.get(), !provided.isEmpty else {
            self.base.log(event: event, providedMetadata: [:])
            return
        }
        let kept =
            provided.contains { Self.isRecordField($0.key) }
            ? provided.filter { !Self.isRecordField($0.key) } : provided
        self.base.log(event: event, providedMetadata: kept)
    }

    /// Provider keys that are fields of the OTLP record rather than attributes: compared as they are (short strings
    /// compare inline) rather than hashed into a set.
    private static func isRecordField(_ key: String) -> Bool {
        key == "trace_id" || key == "span_id" || key == "trace_flags"
    }
}
