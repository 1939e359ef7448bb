import Logging
import ServiceContextModule
import Tracing

/// A swift-log handler whose records go out over OTLP: each record is queued for the log pipeline's exporter with
/// the trace id, span id and trace flags of the span it was written in (`ServiceContext.current`).
///
/// It adds no metadata provider's output and changes no value (credentials are replaced when records are encoded:
/// `TelemetryPipelineConfiguration.logAttributeRedaction`): pick the level where the rest of the service's logging
/// is set up (often beside a handler that writes to stdout, in a `MultiplexLogHandler`).
///
/// A record written inside a span carries that span's ids and flags as its own fields, so metadata named `trace_id`,
/// `span_id` and `trace_flags` (the keys OpenTelemetry's logging metadata providers use) is not repeated as its
/// attributes.
public struct PipelineLogHandler: LogHandler {
    let queue: BatchQueue<LogRecord>
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    init(queue: BatchQueue<LogRecord>) {
        self.queue = queue
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        self.log(
            event: event,
            spanContext: ServiceContext.current?.pipelineSpanContext,
            contextAttribute: nil,
            providedMetadata: [:],
            handlerMetadata: self.metadata
        )
    }

    /// Queues `event`, written in the span of `spanContext`, with `contextAttribute` (one string a handler read from
    /// the context, such as a correlation id, which wins over metadata of its key), a metadata provider's
    /// `providedMetadata` under the call's metadata, and `handlerMetadata` (a logger's own) under those, without
    /// merging them: the encoder writes each key once.
    /// What a handler that reads the context and keeps the logger's metadata itself, for this pipeline and other
    /// outputs at once, hands it.
    package func log(
        event: LogEvent,
        spanContext: SpanContext?,
        contextAttribute: (key: String, value: String)?,
        providedMetadata: Logger.Metadata,
        handlerMetadata: Logger.Metadata
    ) {
        var attributes = event.metadata ?? [:]
        if let error = event.error {
            attributes["exception.type"] = .string(String(reflecting: type(of: error)))
            attributes["exception.message"] = .string(String(describing: error))
        }
        self.queue.append(
            LogRecord(
                timeNanoseconds: DefaultTracerClock.now.nanosecondsSinceEpoch,
                level: event.level,
                message: event.message.description,
                attributes: attributes,
                contextAttribute: contextAttribute.map { LogRecord.StringAttribute(key: $0.key, value: $0.value) },
                providedAttributes: providedMetadata,
                handlerAttributes: handlerMetadata,
                spanContext: spanContext
            )
        )
    }
}
