/// W3C Trace Context `tracestate` (https://www.w3.org/TR/trace-context-2/#tracestate-header), checked
/// against the spec's grammar before anything of it is passed on.
///
/// The spec is strict about a list that fails to parse: it "MUST NOT" be propagated, not even its valid
/// members, so one bad member drops the whole header. The trace itself is kept either way.
package enum TraceStateHeader {
    /// The spec's limit on list members.
    static let maximumMembers = 32
    /// The spec asks every vendor to pass on at least 512 characters; a list longer than this is dropped whole.
    static let maximumLength = 1024

    /// The combined, checked list of `values` (the header may be repeated, and each repetition is part of one
    /// list), with the optional whitespace around members removed; `nil` when it is empty or invalid.
    package static func normalized(_ values: some Sequence<some StringProtocol>) -> String? {
        var members: [Substring] = []
        var keys: Set<Substring> = []
        var length = 0
        for value in values {
            length += value.utf8.count + 1
            guard length <= Self.maximumLength + 1 else { return nil }
            // Empty and whitespace-only members are allowed, and skipped.
            for rawMember in String(value).split(separator: ",", omittingEmptySubsequences: false) {
                let member = rawMember.trimmingOptionalWhitespace()
                if member.isEmpty { continue }
                guard let equals = member.firstIndex(of: "=") else { return nil }
                let key = member[..<equals]
                let memberValue = member[member.index(after: equals)...]
                guard Self.isValidKey(key), Self.isValidValue(memberValue), keys.insert(key).inserted else { return nil }
                members.append(member)
                guard members.count <= Self.maximumMembers else { return nil }
            }
        }
        return members.isEmpty ? nil : members.joined(separator: ",")
    }

    /// `simple-key` (lowercase letter first, at most 256 characters) or `tenant-id "@" system-id`
    /// (at most 241 and 14 characters; the system id starts with a letter).
    static func isValidKey(_ key: Substring) -> Bool {
        let bytes = key.utf8
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")) else {
            return Self.isValidKeyPart(bytes[...], maximumLength: 256, digitFirst: false)
        }
        let tenant = bytes[..<at]
        let system = bytes[bytes.index(after: at)...]
        return Self.isValidKeyPart(tenant, maximumLength: 241, digitFirst: true)
            && Self.isValidKeyPart(system, maximumLength: 14, digitFirst: false)
    }

    private static func isValidKeyPart(_ part: Substring.UTF8View.SubSequence, maximumLength: Int, digitFirst: Bool) -> Bool {
        guard let first = part.first, part.count <= maximumLength else { return false }
        guard Self.isLowercaseLetter(first) || (digitFirst && Self.isDigit(first)) else { return false }
        return part.allSatisfy { byte in
            Self.isLowercaseLetter(byte) || Self.isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "/")
        }
    }

    /// At most 256 printable ASCII characters other than `,` and `=`, not ending in a space.
    static func isValidValue(_ value: Substring) -> Bool {
        let bytes = value.utf8
        guard let last = bytes.last, bytes.count <= 256, last != UInt8(ascii: " ") else { return false }
        return bytes.allSatisfy { byte in
            (0x20...0x7E).contains(byte) && byte != UInt8(ascii: ",") && byte != UInt8(ascii: "=")
        }
    }

    private static func isLowercaseLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
