import Logging
import TelemetryPipeline

/// Which log metadata carries credentials, and what is written instead: one rule for every place a log record
/// leaves the process (the JSON line on stdout, the OTLP log record). Both apply it as they write a record, not on the
/// way there: a line without credentials costs a check of each key and no copy.
package enum LogRedaction {
    package static let placeholder: Logger.MetadataValue = .string(Self.placeholderText)
    private static let placeholderText = "[REDACTED]"

    /// Keys whose values are credentials, compared case-insensitively on their last dotted component.
    private static let sensitiveKeys: [[UInt8]] = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "password", "secret", "token",
    ].map { Array($0.utf8) }

    /// Checked for every key of every line, so it compares bytes in place (a key's UTF-8 is contiguous, a literal's
    /// or a native string's) instead of splitting and lowercasing a copy of the key.
    package static func isSensitive(_ key: String) -> Bool {
        if let sensitive = key.utf8.withContiguousStorageIfAvailable(Self.isSensitive) { return sensitive }
        return Array(key.utf8).withUnsafeBufferPointer(Self.isSensitive)
    }

    private static func isSensitive(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = key.count
        while start > 0, key[start - 1] != UInt8(ascii: ".") { start -= 1 }
        let length = key.count - start
        guard length < 64, Self.sensitiveLengths & (1 << UInt64(length)) != 0 else { return false }
        return Self.sensitiveKeys.contains { candidate in
            guard candidate.count == length else { return false }
            for offset in 0..<length where candidate[offset] != Self.asciiLowercased(key[start + offset]) {
                return false
            }
            return true
        }
    }

    /// The lengths of the sensitive keys, one bit each: most keys are ruled out by their length alone.
    private static let sensitiveLengths: UInt64 = Self.sensitiveKeys.reduce(0) { $0 | 1 << UInt64($1.count) }

    /// The same rule for the OTLP log records, applied by the pipeline as it encodes them (off the request path).
    package static let pipelineRedaction = LogAttributeRedaction(
        placeholder: Self.placeholderText,
        isSensitive: Self.isSensitive
    )

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
