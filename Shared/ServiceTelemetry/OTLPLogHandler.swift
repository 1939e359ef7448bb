import Logging

/// Hands every log record to the pipeline's OTLP log handler (`PipelineLogHandler`) with the metadata the JSON line
/// has.
///
/// The pipeline's handler takes the trace and span ids of the current span itself (they become the record's
/// `trace_id`, `span_id` and `flags` fields, not attributes), and applies no metadata provider and no redaction.
/// This one adds what the provider gives (`correlation_id`), leaves out the ids the record already carries, and
/// replaces credentials as the JSON line does, so the two outputs say the same thing.
package struct OTLPLogHandler: LogHandler {
    /// Provider keys that are fields of the OTLP record rather than attributes.
    private static let recordFields: Set<String> = ["trace_id", "span_id", "trace_flags"]

    private var base: any LogHandler
    package var metadataProvider: Logger.MetadataProvider?

    package init(base: any LogHandler, metadataProvider: Logger.MetadataProvider?) {
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
        // As in the JSON line: explicit metadata wins over the provider's, which wins over the handler's. An empty
        // side is not merged (a merge copies the dictionary).
        var metadata = self.metadata
        if let provided = self.metadataProvider?.get(), !provided.isEmpty {
            if metadata.isEmpty { metadata = provided } else { metadata.merge(provided) { $1 } }
            for key in Self.recordFields where metadata[key] != nil { metadata[key] = nil }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            if metadata.isEmpty { metadata = explicit } else { metadata.merge(explicit) { $1 } }
        }
        var event = event
        event.metadata = LogRedaction.redacted(metadata)
        self.base.log(event: event)
    }
}
