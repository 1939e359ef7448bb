import Logging
import ServiceContextModule
import Tracing

/// A swift-log handler whose records go out over OTLP: each record is queued for the log pipeline's exporter with
/// the trace id, span id and trace flags of the span it was written in (`ServiceContext.current`).
///
/// It adds no metadata provider's output and changes no value: merge, redact and pick the level where the rest of
/// the service's logging is set up, and hand this handler the result (often beside a handler that writes to
/// stdout, in a `MultiplexLogHandler`).
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
        self.log(event: event, defaultMetadata: [:])
    }

    /// Queues `event` with `defaultMetadata` under the call's metadata, and this handler's own metadata under both,
    /// without merging them into the call's: the encoder writes each key once. What a handler in front of this one
    /// that adds a provider's metadata hands it.
    package func log(event: LogEvent, defaultMetadata: Logger.Metadata) {
        var attributes = event.metadata ?? [:]
        if let error = event.error {
            attributes["exception.type"] = .string(String(reflecting: type(of: error)))
            attributes["exception.message"] = .string(String(describing: error))
        }
        var defaults = defaultMetadata
        if !self.metadata.isEmpty {
            if defaults.isEmpty {
                defaults = self.metadata
            } else {
                defaults.merge(self.metadata) { given, _ in given }
            }
        }
        self.queue.append(
            LogRecord(
                timeNanoseconds: DefaultTracerClock.now.nanosecondsSinceEpoch,
                level: event.level,
                message: event.message.description,
                attributes: attributes,
                defaultAttributes: defaults,
                spanContext: ServiceContext.current?.pipelineSpanContext
            )
        )
    }
}
