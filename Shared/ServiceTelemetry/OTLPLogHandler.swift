import Logging

/// Hands every log record to the pipeline's OTLP log handler (`PipelineLogHandler`) with the metadata the JSON line
/// has.
///
/// The pipeline's handler takes the trace and span ids of the current span itself (they become the record's
/// `trace_id`, `span_id` and `flags` fields, not attributes), and applies no metadata provider and no redaction.
/// This one adds what the provider gives (`correlation_id`), leaves out the ids the record already carries, and
/// replaces credentials as the JSON line does, so the two outputs say the same thing.
package struct OTLPLogHandler: LogHandler {
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
        // As in the JSON line: explicit metadata wins over the provider's, which wins over the handler's. The call's
        // own metadata is most of a record (an access line's dozen keys), so it is taken as it came and the few
        // others are added where it has no value, rather than merged into a copy of the others (which would hash
        // every key of the call's once more).
        var metadata = event.metadata ?? [:]
        if let provided = self.metadataProvider?.get() {
            for (key, value) in provided where !Self.isRecordField(key) && metadata[key] == nil {
                metadata[key] = value
            }
        }
        for (key, value) in self.metadata where metadata[key] == nil {
            metadata[key] = value
        }
        var event = event
        event.metadata = LogRedaction.redacted(metadata)
        self.base.log(event: event)
    }

    /// Provider keys that are fields of the OTLP record rather than attributes: compared as they are (short strings
    /// compare inline) rather than hashed into a set.
    private static func isRecordField(_ key: String) -> Bool {
        key == "trace_id" || key == "span_id" || key == "trace_flags"
    }
}
