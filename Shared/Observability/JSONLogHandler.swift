import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A `LogHandler` that writes one JSON object per line.
///
/// Fields, in order: `timestamp` (RFC 3339, UTC, milliseconds), `level`, `message`, `service`, `logger`,
/// then the metadata: `trace_id`, `span_id` and `correlation_id` first when present (the metadata
/// provider adds them inside a request), the rest sorted by key. Values of keys that carry
/// credentials (`authorization`, `cookie`, …) are replaced by `[REDACTED]` wherever they appear.
package struct JSONLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let service: String
    private let sink: any LogLineSink

    package init(
        label: String,
        service: String,
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil,
        sink: any LogLineSink = StandardOutputLogSink.shared
    ) {
        self.label = label
        self.service = service
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, explicit in explicit }
        }

        var line = JSONLineWriter()
        line.beginObject()
        line.field("timestamp", string: RFC3339Timestamp.now())
        line.field("level", string: event.level.rawValue)
        line.field("message", string: event.message.description)
        line.field("service", string: self.service)
        line.field("logger", string: self.label)
        for key in Self.leadingKeys {
            if let value = merged.removeValue(forKey: key) {
                line.field(key, metadata: value)
            }
        }
        for key in merged.keys.sorted() {
            line.field(key, metadata: Self.isSensitive(key) ? .string("[REDACTED]") : merged[key]!)
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

    /// Trace correlation first, so a reader's eye finds it in the same place on every line.
    private static let leadingKeys = ["trace_id", "span_id", "trace_flags", "correlation_id"]

    /// Keys whose values are credentials, compared case-insensitively on their last dotted component.
    private static let sensitiveKeys: [[UInt8]] = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "password", "secret", "token",
    ].map { Array($0.utf8) }

    /// Checked for every key of every line, so it compares bytes in place instead of splitting and
    /// lowercasing a copy of the key.
    private static func isSensitive(_ key: String) -> Bool {
        let utf8 = key.utf8
        let start = utf8.lastIndex(of: UInt8(ascii: ".")).map { utf8.index(after: $0) } ?? utf8.startIndex
        let last = utf8[start...]
        return Self.sensitiveKeys.contains { candidate in
            candidate.count == last.count && zip(candidate, last).allSatisfy { $0 == Self.asciiLowercased($1) }
        }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    fileprivate static func isSensitiveKey(_ key: String) -> Bool { Self.isSensitive(key) }
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
                    let written = Glibc.write(1, buffer.baseAddress! + offset, buffer.count - offset)
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

/// Keeps lines in memory, for tests.
package final class InMemoryLogSink: LogLineSink {
    private let storage = Mutex<[String]>([])

    package init() {}

    package func write(line: String) {
        self.storage.withLock { $0.append(line) }
    }

    package var lines: [String] {
        self.storage.withLock { $0 }
    }
}

/// Builds one JSON object as a string, escaping as RFC 8259 requires.
struct JSONLineWriter {
    private var output = ""
    private var needsComma = false

    init() {
        self.output.reserveCapacity(256)
    }

    mutating func beginObject() {
        self.output.append("{")
        self.needsComma = false
    }

    mutating func endObject() {
        self.output.append("}")
        self.needsComma = true
    }

    mutating func field(_ key: String, string value: String) {
        self.key(key)
        self.string(value)
    }

    mutating func field(_ key: String, metadata value: Logger.Metadata.Value) {
        self.key(key)
        self.value(value)
    }

    consuming func finish() -> String {
        self.output
    }

    private mutating func key(_ key: String) {
        if self.needsComma { self.output.append(",") }
        self.string(key)
        self.output.append(":")
        self.needsComma = true
    }

    private mutating func value(_ value: Logger.Metadata.Value) {
        switch value {
        case .string(let string):
            self.string(string)
        case .stringConvertible(let convertible):
            // Numbers and booleans stay JSON numbers and booleans, so log queries can compare them.
            switch convertible {
            case let number as Int: self.output.append(String(number))
            case let number as Double where number.isFinite: self.output.append(String(number))
            case let flag as Bool: self.output.append(flag ? "true" : "false")
            default: self.string(convertible.description)
            }
        case .array(let array):
            self.output.append("[")
            for (index, element) in array.enumerated() {
                if index > 0 { self.output.append(",") }
                self.value(element)
            }
            self.output.append("]")
        case .dictionary(let dictionary):
            self.beginObject()
            for key in dictionary.keys.sorted() {
                let element = JSONLogHandler.isSensitiveKey(key) ? .string("[REDACTED]") : dictionary[key]!
                self.field(key, metadata: element)
            }
            self.endObject()
        }
    }

    private mutating func string(_ string: String) {
        self.output.append("\"")
        var needsEscaping = false
        for byte in string.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            needsEscaping = true
            break
        }
        if !needsEscaping {
            self.output.append(string)
        } else {
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": self.output.append("\\\"")
                case "\\": self.output.append("\\\\")
                case "\n": self.output.append("\\n")
                case "\r": self.output.append("\\r")
                case "\t": self.output.append("\\t")
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    self.output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                default:
                    self.output.unicodeScalars.append(scalar)
                }
            }
        }
        self.output.append("\"")
    }
}

/// RFC 3339 timestamps in UTC with millisecond precision, without Foundation's formatters.
package enum RFC3339Timestamp {
    package static func now() -> String {
        let now = WallClock.secondsSinceEpoch()
        let seconds = now.rounded(.down)
        return Self.format(seconds: Int(seconds), milliseconds: min(Int((now - seconds) * 1000), 999))
    }

    package static func format(seconds: Int, milliseconds: Int) -> String {
        var seconds = time_t(seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var result = ""
        result.reserveCapacity(24)
        Self.append(Int(parts.tm_year) + 1900, width: 4, to: &result)
        result.append("-")
        Self.append(Int(parts.tm_mon) + 1, width: 2, to: &result)
        result.append("-")
        Self.append(Int(parts.tm_mday), width: 2, to: &result)
        result.append("T")
        Self.append(Int(parts.tm_hour), width: 2, to: &result)
        result.append(":")
        Self.append(Int(parts.tm_min), width: 2, to: &result)
        result.append(":")
        Self.append(Int(parts.tm_sec), width: 2, to: &result)
        result.append(".")
        Self.append(milliseconds, width: 3, to: &result)
        result.append("Z")
        return result
    }

    private static func append(_ value: Int, width: Int, to result: inout String) {
        let digits = String(value)
        if digits.count < width { result.append(String(repeating: "0", count: width - digits.count)) }
        result.append(digits)
    }
}
