import Logging
import ServiceContextModule
import Tracing

/// A swift-log handler whose records go out over OTLP: each record is queued for the log pipeline's exporter with
/// the trace id, span id and trace flags of the span it was written in (`ServiceContext.current`).
///
/// It adds no metadata provider's output and changes no value (credentials are replaced when records are encoded:
/// `TelemetryPipelineConfiguration.logAttributeRedaction`): pick the level where the rest of the service's logging
/// is set up (often beside a handler that writes to stdout, in a `MultiplexLogHandler`).
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
        self.log(event: event, providedMetadata: [:])
    }

    /// Queues `event` with a metadata provider's `providedMetadata` under the call's metadata, and this handler's own
    /// under both, without merging them: the encoder writes each key once. What a handler in front of this one that
    /// applies a metadata provider hands it.
    package func log(event: LogEvent, providedMetadata: Logger.Metadata) {
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
                providedAttributes: providedMetadata,
                handlerAttributes: self.metadata,
                spanContext: ServiceContext.current?.pipelineSpanContext
            )
        )
    }
}
