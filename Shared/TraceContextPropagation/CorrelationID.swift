import ServiceContextModule

/// The id that ties together every log line, span and hop of one request.
///
/// A caller's `X-Correlation-ID` is kept when it is sane: 1 to 64 characters of `A-Z a-z 0-9 - _ . :`.
/// Anything else is replaced by a fresh id, so hostile input never reaches logs, labels or spans.
public enum CorrelationID {
    /// The HTTP header (and, lowercased, the gRPC metadata key) that carries the id.
    public static let headerName = "X-Correlation-ID"
    public static let metadataKey = "x-correlation-id"
    public static let maximumLength = 64

    /// Returns `candidate` if it is an acceptable correlation id.
    public static func sanitized(_ candidate: String?) -> String? {
        guard let candidate, !candidate.isEmpty, candidate.utf8.count <= Self.maximumLength else { return nil }
        let isSafe = candidate.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: ":"):
                true
            default:
                false
            }
        }
        return isSafe ? candidate : nil
    }

    /// The caller's id when acceptable, otherwise a new one.
    public static func resolve(_ candidate: String?) -> String {
        Self.sanitized(candidate) ?? Self.generate()
    }

    /// A new random id: 32 lowercase hex characters (128 bits), written into one string (one allocation).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for nibble in 0..<32 {
                let word = nibble < 16 ? high : low
                let value = UInt8(truncatingIfNeeded: word >> (60 - 4 * (nibble % 16))) & 0x0F
                buffer[nibble] = value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
            }
            return 32
        }
    }
}

/// The correlation id of the request a task is working on.
public enum CorrelationIDKey: ServiceContextKey {
    public typealias Value = String
    public static var nameOverride: String? { "correlation-id" }
}

extension ServiceContext {
    /// The correlation id of the current request, if any.
    public var correlationID: String? {
        get { self[CorrelationIDKey.self] }
        set { self[CorrelationIDKey.self] = newValue }
    }
}
