import Logging
import Synchronization
import TelemetryPipeline

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A `LogHandler` that writes one JSON object per line.
///
/// Fields, in order: `timestamp` (RFC 3339, UTC, milliseconds), `level`, `message`, `service`,
/// `service_instance_id` (which replica wrote it, the resource's `service.instance.id`, when given), `logger`,
/// then `trace_id`, `span_id`, `trace_flags` and `correlation_id` when the record has them (`LogCorrelation`, which
/// `ServiceLogHandler` reads inside a request; metadata of those names, a provider's, comes first otherwise), then the
/// rest of the metadata sorted by key. Values of keys that carry
/// credentials (`authorization`, `cookie`, …) are replaced by `[REDACTED]` wherever they appear (`LogRedaction`).
package struct JSONLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let service: String
    private let instance: String?
    private let sink: any LogLineSink

    package init(
        label: String,
        service: String,
        instance: String? = nil,
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil,
        sink: any LogLineSink = StandardOutputLogSink.shared
    ) {
        self.label = label
        self.service = service
        self.instance = instance
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        self.write(
            event,
            correlation: .none,
            providedMetadata: self.metadataProvider?.get() ?? [:],
            handlerMetadata: self.metadata
        )
    }

    /// Writes `event`'s line with `correlation`'s fields, `providedMetadata` (a metadata provider's) and
    /// `handlerMetadata` (a logger's own) in place of this handler's provider and metadata: what `ServiceLogHandler`,
    /// which keeps all three itself, calls. Metadata under the name of a field `correlation` gives is left out.
    package func write(
        _ event: LogEvent,
        correlation: LogCorrelation,
        providedMetadata provided: Logger.Metadata,
        handlerMetadata: Logger.Metadata
    ) {
        // Explicit metadata wins over the provider's, which wins over the handler's: collected without
        // merging dictionaries, since a request's access line pays for every copy.
        let explicit = event.metadata ?? [:]
        var fields: [Field] = []
        fields.reserveCapacity(explicit.count + provided.count + handlerMetadata.count)
        for (key, value) in explicit where !correlation.covers(key) {
            fields.append(Field(key: key, value: value))
        }
        for (key, value) in provided where !correlation.covers(key) && explicit[key] == nil {
            fields.append(Field(key: key, value: value))
        }
        for (key, value) in handlerMetadata
        where !correlation.covers(key) && explicit[key] == nil && provided[key] == nil {
            fields.append(Field(key: key, value: value))
        }

        var line = JSONLineWriter()
        line.beginObject()
        line.timestampField("timestamp")
        line.field("level", string: event.level.rawValue)
        line.field("message", string: event.message.description)
        line.field("service", string: self.service)
        if let instance = self.instance { line.field("service_instance_id", string: instance) }
        line.field("logger", string: self.label)
        if let spanContext = correlation.spanContext {
            line.field(LogCorrelation.traceIDKey, hex: spanContext.traceID.high, spanContext.traceID.low)
            line.field(LogCorrelation.spanIDKey, hex: spanContext.spanID.value)
            line.field(LogCorrelation.traceFlagsKey, hex: UInt64(spanContext.flags), digits: 2)
        }
        if let correlationID = correlation.correlationID {
            line.field(LogCorrelation.correlationIDKey, string: correlationID)
        }
        // The fields are put in order by their positions, not moved themselves: a field is a key and a value, and
        // each move of one retains and releases both.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: fields.count) { order in
            var order = order
            for position in order.indices { order.initializeElement(at: position, to: position) }
            order.sort { left, right in
                fields[left].rank != fields[right].rank
                    ? fields[left].rank < fields[right].rank : fields[left].key < fields[right].key
            }
            for position in order {
                let key = fields[position].key
                line.field(
                    key,
                    metadata: LogRedaction.isSensitive(key) ? LogRedaction.placeholder : fields[position].value
                )
            }
        }
        if let error = event.error {
            line.field("error", string: String(describing: error))
        }
        if event.level >= .error {
            line.field("source", string: "\(event.file):\(event.line)")
        }
        line.endObject()
        self.sink.write(line: line.finish())
    }

    /// One metadata field of a line. A struct rather than a tuple: copying tuples of generic values goes through the
    /// runtime's generic tuple witnesses, a struct's are specialized.
    private struct Field {
        var rank: Int
        var key: String
        var value: Logger.Metadata.Value

        init(key: String, value: Logger.Metadata.Value) {
            self.rank = JSONLogHandler.rank(of: key)
            self.key = key
            self.value = value
        }
    }

    /// Where a metadata key goes in a line: the leading keys in their order, then the rest (by name).
    private static func rank(of key: String) -> Int {
        Self.leadingKeys.firstIndex(of: key) ?? Self.leadingKeys.count
    }

    /// Trace correlation first, so a reader's eye finds it in the same place on every line.
    private static let leadingKeys = [
        LogCorrelation.traceIDKey, LogCorrelation.spanIDKey, LogCorrelation.traceFlagsKey,
        LogCorrelation.correlationIDKey,
    ]

}

/// Where finished log lines go.
package protocol LogLineSink: Sendable {
    /// Writes one line; `line` has no trailing newline.
    func write(line: String)
}

/// Writes lines to standard output, one `write(2)` per line so concurrent lines never interleave.
package final class StandardOutputLogSink: LogLineSink {
    package static let shared = StandardOutputLogSink()
    private let lock = Mutex(())

    package func write(line: String) {
        var line = line
        line.append("\n")
        self.lock.withLock { _ in
            line.withUTF8 { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = systemWrite(1, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 {
                        if written < 0 && errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}

/// `write(2)` of whichever C library this platform has (the sink's own `write(line:)` shadows the bare name).
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #elseif canImport(Musl)
    Musl.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}
