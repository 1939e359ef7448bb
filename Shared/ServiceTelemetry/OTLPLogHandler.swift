import Logging
import TelemetryPipeline

/// Hands every log record to the pipeline's OTLP log handler (`PipelineLogHandler`) with the metadata the JSON line
/// has.
///
/// The pipeline's handler takes the trace and span ids of the current span itself (they become the record's
/// `trace_id`, `span_id` and `flags` fields, not attributes), and applies no metadata provider and no redaction.
/// This one adds what the provider gives (`correlation_id`), leaves out the ids the record already carries, and
/// replaces credentials as the JSON line does, so the two outputs say the same thing.
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

    /// Kept here rather than in the base, so that it is redacted with the rest.
    package var metadata: Logger.Metadata = [:]

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        // As in the JSON line: explicit metadata wins over the provider's, which wins over the handler's. The call's
        // own metadata is most of a record (an access line's dozen keys): it goes to the pipeline as it came (redacted
        // in place only if it holds a credential), with the provider's and the handler's few keys beside it rather
        // than merged into it, which would hash every key of the call's once more.
        var defaults = self.metadata
        if let provided = self.metadataProvider?.get(), !provided.isEmpty {
            let kept =
                provided.contains { Self.isRecordField($0.key) }
                ? provided.filter { !Self.isRecordField($0.key) } : provided
            if defaults.isEmpty { defaults = kept } else { defaults.merge(kept) { $1 } }
        }
        var event = event
        if let explicit = event.metadata { event.metadata = LogRedaction.redacted(explicit) }
        self.base.log(event: event, defaultMetadata: LogRedaction.redacted(defaults))
    }

    /// Provider keys that are fields of the OTLP record rather than attributes: compared as they are (short strings
    /// compare inline) rather than hashed into a set.
    private static func isRecordField(_ key: String) -> Bool {
        key == "trace_id" || key == "span_id" || key == "trace_flags"
    }
}
