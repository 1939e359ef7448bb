/// W3C Baggage (https://www.w3.org/TR/baggage/): application key-value pairs that travel with a trace.
///
/// Entries keep their order and any properties (`;prop=1`) untouched, because we only pass baggage on:
/// nothing in this stack interprets it. Values stay percent-encoded as they arrived.
public struct W3CBaggage: Sendable, Equatable {
    /// The spec's limits: at most 180 list members and 8192 bytes.
    static let maximumEntries = 180
    static let maximumLength = 8192

    public struct Entry: Sendable, Equatable {
        public var key: String
        /// The value, percent-encoded, with any `;properties` that followed it.
        public var encodedValue: String
    }

    public private(set) var entries: [Entry]

    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// Parses a `baggage` header; malformed members are skipped, as the spec allows.
    public init?(headerValue: String) {
        guard headerValue.utf8.count <= Self.maximumLength else { return nil }
        var entries: [Entry] = []
        for member in headerValue.split(separator: ",", omittingEmptySubsequences: true) {
            guard entries.count < Self.maximumEntries, let equals = member.firstIndex(of: "=") else { continue }
            let key = member[..<equals].trimmingOptionalWhitespace()
            let value = member[member.index(after: equals)...].trimmingOptionalWhitespace()
            guard Self.isToken(key) else { continue }
            entries.append(Entry(key: String(key), encodedValue: String(value)))
        }
        guard !entries.isEmpty else { return nil }
        self.entries = entries
    }

    /// The header value to send on.
    public var headerValue: String {
        self.entries.map { "\($0.key)=\($0.encodedValue)" }.joined(separator: ",")
    }

    /// An RFC 7230 token: the characters a baggage key may use.
    private static func isToken(_ key: Substring) -> Bool {
        !key.isEmpty
            && key.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    true
                default:
                    "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }
}
