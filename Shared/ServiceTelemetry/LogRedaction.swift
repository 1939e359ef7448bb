import Logging

/// Which log metadata carries credentials, and what is written instead: one rule for every place a log record
/// leaves the process (the JSON line on stdout, the OTLP log record).
package enum LogRedaction {
    package static let placeholder: Logger.MetadataValue = .string("[REDACTED]")

    /// Keys whose values are credentials, compared case-insensitively on their last dotted component.
    private static let sensitiveKeys: [[UInt8]] = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "password", "secret", "token",
    ].map { Array($0.utf8) }

    /// Checked for every key of every line, so it compares bytes in place instead of splitting and
    /// lowercasing a copy of the key.
    package static func isSensitive(_ key: String) -> Bool {
        let utf8 = key.utf8
        let start = utf8.lastIndex(of: UInt8(ascii: ".")).map { utf8.index(after: $0) } ?? utf8.startIndex
        let last = utf8[start...]
        return Self.sensitiveKeys.contains { candidate in
            candidate.count == last.count && zip(candidate, last).allSatisfy { $0 == Self.asciiLowercased($1) }
        }
    }

    /// `metadata` with every credential replaced, at any depth. Only what changes is written back: a record without
    /// credentials or nested values is returned as it came, with no copy of its dictionary.
    package static func redacted(_ metadata: Logger.Metadata) -> Logger.Metadata {
        var result = metadata
        for (key, value) in metadata {
            if Self.isSensitive(key) {
                result[key] = Self.placeholder
                continue
            }
            switch value {
            case .dictionary, .array: result[key] = Self.redacted(value)
            case .string, .stringConvertible: break
            }
        }
        return result
    }

    private static func redacted(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .dictionary(let dictionary): .dictionary(Self.redacted(dictionary))
        case .array(let array): .array(array.map { Self.redacted($0) })
        case .string, .stringConvertible: value
        }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
