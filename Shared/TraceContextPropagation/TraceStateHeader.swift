/// W3C Trace Context `tracestate` (https://www.w3.org/TR/trace-context-2/#tracestate-header), checked
/// against the spec's grammar before anything of it is passed on.
///
/// The spec is strict about a list that fails to parse: it "MUST NOT" be propagated, not even its valid
/// members, so one bad member drops the whole header. The trace itself is kept either way. Duplicated keys are
/// the sender's responsibility (w3c/trace-context#477): they are passed on as they came.
public struct TraceStateHeader: Sendable, Equatable {
    /// The spec's limit on list members.
    static let maximumMembers = 32
    /// The spec asks every vendor to pass on at least 512 characters; a list longer than this is dropped whole.
    static let maximumLength = 1024

    /// The list as it is sent on: its members in order, joined by `,`, without optional whitespace.
    public var value: String
    /// Whether every key also fits the older `tenant@system` grammar (at most one `@`, a tenant of at most 241
    /// and a system of at most 14 characters), the only one swift-otel's parser takes: a list it refuses would
    /// take the whole incoming trace context with it, so only such a list is handed to the tracer.
    public var fitsTenantSystemGrammar: Bool

    public init(value: String, fitsTenantSystemGrammar: Bool) {
        self.value = value
        self.fitsTenantSystemGrammar = fitsTenantSystemGrammar
    }

    /// The combined, checked list of `values` (the header may be repeated, and each repetition is part of one
    /// list), with the optional whitespace around members removed; `nil` when it is empty or invalid.
    public init?(combining values: some Sequence<some StringProtocol>) {
        var members: [Substring] = []
        var fitsTenantSystemGrammar = true
        var length = 0
        for value in values {
            length += value.utf8.count + 1
            guard length <= Self.maximumLength + 1 else { return nil }
            // Empty and whitespace-only members are allowed, and skipped.
            for rawMember in String(value).split(separator: ",", omittingEmptySubsequences: false) {
                let member = rawMember.trimmingOptionalWhitespace()
                if member.isEmpty { continue }
                guard let equals = member.utf8.firstIndex(of: UInt8(ascii: "=")) else { return nil }
                let key = member.utf8[..<equals]
                guard Self.isValidKey(key), Self.isValidValue(member.utf8[member.utf8.index(after: equals)...]) else {
                    return nil
                }
                fitsTenantSystemGrammar = fitsTenantSystemGrammar && Self.fitsTenantSystemGrammar(key)
                members.append(member)
                guard members.count <= Self.maximumMembers else { return nil }
            }
        }
        guard !members.isEmpty else { return nil }
        self.value = members.joined(separator: ",")
        self.fitsTenantSystemGrammar = fitsTenantSystemGrammar
    }

    /// `key = (lcalpha / DIGIT) 0*255(keychar)`, where a key character is a lowercase letter, a digit, or one of
    /// `_ - * / @` (w3c/trace-context#584: `@` is an ordinary key character, no longer a tenant separator).
    static func isValidKey(_ key: Substring.UTF8View.SubSequence) -> Bool {
        guard let first = key.first, key.count <= 256, Self.isLowercaseLetter(first) || Self.isDigit(first) else {
            return false
        }
        return key.allSatisfy { byte in
            Self.isLowercaseLetter(byte) || Self.isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "@")
        }
    }

    /// At most 256 printable ASCII characters other than `,` and `=`, not ending in a space.
    static func isValidValue(_ value: Substring.UTF8View.SubSequence) -> Bool {
        guard let last = value.last, value.count <= 256, last != UInt8(ascii: " ") else { return false }
        return value.allSatisfy { byte in
            (0x20...0x7E).contains(byte) && byte != UInt8(ascii: ",") && byte != UInt8(ascii: "=")
        }
    }

    /// A valid key that the older grammar also takes: no `@`, or one with at most 241 characters before it and
    /// at most 14 after.
    private static func fitsTenantSystemGrammar(_ key: Substring.UTF8View.SubSequence) -> Bool {
        guard let at = key.firstIndex(of: UInt8(ascii: "@")) else { return true }
        let system = key[key.index(after: at)...]
        return key.distance(from: key.startIndex, to: at) <= 241 && system.count <= 14
            && !system.contains(UInt8(ascii: "@"))
    }

    private static func isLowercaseLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }
    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
