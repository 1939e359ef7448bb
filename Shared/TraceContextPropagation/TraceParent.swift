/// A parsed W3C `traceparent` header: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`.
///
/// We parse it ourselves for two reasons: to drop malformed values before they reach the tracer
/// (swift-otel logs the whole carrier when extraction fails), and to read the current trace and
/// span ids, which swift-otel only exposes through propagation.
public struct TraceParent: Sendable, Hashable {
    /// 32 lowercase hex characters, never all zeros.
    public var traceID: String
    /// 16 lowercase hex characters, never all zeros.
    public var spanID: String
    /// The trace flags byte; bit 0 is "sampled".
    public var flags: UInt8

    public var isSampled: Bool { self.flags & Self.sampledFlag == Self.sampledFlag }
    /// W3C Trace Context Level 2: the trace id's right-most 7 bytes are random.
    public var hasRandomTraceID: Bool { self.flags & Self.randomTraceIDFlag == Self.randomTraceIDFlag }

    static let sampledFlag: UInt8 = 0x01
    static let randomTraceIDFlag: UInt8 = 0x02

    /// The header value, version 00 (a later version is sent on as 00: its fields beyond these are unknown to us).
    public var headerValue: String {
        // One allocation: the gateway writes it on every response (`traceresponse`).
        var value = ""
        value.reserveCapacity(55)
        value.append("00-")
        value.append(self.traceID)
        value.append("-")
        value.append(self.spanID)
        value.append("-")
        value.append(Self.hexDigits(of: self.flags))
        return value
    }

    /// The two lowercase hex digits of `byte` (the trace flags).
    package static func hexDigits(of byte: UInt8) -> String {
        Self.byteHexDigits[Int(byte)]
    }

    /// Every byte's two digits: a two-character string is stored inline, so reading one costs neither an allocation
    /// nor a reference count.
    private static let byteHexDigits: [String] = (0...255).map { byte in
        let digits = Array("0123456789abcdef")
        return String([digits[byte >> 4], digits[byte & 0xf]])
    }

    public init(traceID: String, spanID: String, flags: UInt8) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// Parses a header value; `nil` when it is not a valid version-00 (or future-version) traceparent.
    ///
    /// The rules of https://www.w3.org/TR/trace-context-2/#traceparent-header: optional whitespace
    /// around the value is allowed; a version other than 00 (and not ff) is read by the version-00 rules on its
    /// first 55 characters, and may be followed by more fields after a dash.
    public init?(headerValue: some StringProtocol) {
        // The id strings are the checked header's own bytes: one string each, no round trip through numbers.
        let parsed: (String, String, UInt8)? = Self.withBytes(of: headerValue) { bytes in
            guard let fields = Self.fields(ofBytes: bytes) else { return nil }
            return (
                String(decoding: UnsafeBufferPointer(rebasing: bytes[3..<35]), as: UTF8.self),
                String(decoding: UnsafeBufferPointer(rebasing: bytes[36..<52]), as: UTF8.self),
                fields.flags
            )
        }
        guard let (traceID, spanID, flags) = parsed else { return nil }
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// A traceparent's ids and flags as numbers, the big-endian bytes of each id read as one integer.
    public struct Fields: Sendable, Hashable {
        public var traceIDHigh: UInt64
        public var traceIDLow: UInt64
        public var spanID: UInt64
        public var flags: UInt8
    }

    /// Checks a header value by the same rules as `init(headerValue:)` and returns its ids and flags as numbers,
    /// without allocating: what a tracer that keeps ids as integers extracts on every request.
    public static func fields(ofHeaderValue headerValue: some StringProtocol) -> Fields? {
        Self.withBytes(of: headerValue) { Self.fields(ofBytes: $0) }
    }

    /// The same for a `String`, as headers and metadata hold them: called from another module, the generic one runs
    /// unspecialized and reaches the bytes through protocol witnesses (CoreEngine's callgrind profile: 2.0k instructions
    /// a call, against 0.7k for this one).
    public static func fields(ofHeaderValue headerValue: String) -> Fields? {
        var headerValue = headerValue
        return headerValue.withUTF8 { Self.trimmed($0) { Self.fields(ofBytes: $0) } }
    }

    /// `body` over the UTF-8 of `headerValue` without its optional whitespace: in place when the string is stored
    /// contiguously (a header value is), else through a copy. Spaces and tabs are trimmed as bytes: a value that
    /// differs from trimming them as characters (one with a combining mark after a space) is not a valid one either.
    private static func withBytes<Result>(
        of headerValue: some StringProtocol,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result?
    ) -> Result? {
        if let result = headerValue.utf8.withContiguousStorageIfAvailable({ Self.trimmed($0, body) }) { return result }
        return Array(headerValue.utf8).withUnsafeBufferPointer { Self.trimmed($0, body) }
    }

    /// `body` over `bytes` without leading and trailing spaces and tabs. A function, not a closure kept in a local,
    /// which would be allocated on every call.
    private static func trimmed<Result>(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result?
    ) -> Result? {
        func isWhitespace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
    }

    /// `headerValue` as it is sent on (version 00, no whitespace) when it is a valid `traceparent`, else `nil`: the
    /// value itself when it already is that form, as nearly every one is, so checking it allocates nothing.
    package static func checkedHeaderValue(_ headerValue: String) -> String? {
        guard Self.fields(ofHeaderValue: headerValue) != nil else { return nil }
        let utf8 = headerValue.utf8
        if utf8.count == 55, utf8.starts(with: "00".utf8) { return headerValue }
        return TraceParent(headerValue: headerValue)?.headerValue
    }

    private static func fields(ofBytes bytes: UnsafeBufferPointer<UInt8>) -> Fields? {
        // Version 00 is exactly 55 bytes; later versions may append fields after a dash.
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"),
            bytes[52] == UInt8(ascii: "-")
        else { return nil }
        guard let version = Self.hexByte(bytes[0], bytes[1]), version != 0xff else { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55 {
            guard bytes[55] == UInt8(ascii: "-") else { return nil }
        }
        guard let traceIDHigh = Self.lowercaseHexWord(bytes, from: 3),
            let traceIDLow = Self.lowercaseHexWord(bytes, from: 19),
            let spanID = Self.lowercaseHexWord(bytes, from: 36), traceIDHigh | traceIDLow != 0, spanID != 0,
            let flags = Self.hexByte(bytes[53], bytes[54])
        else { return nil }
        return Fields(traceIDHigh: traceIDHigh, traceIDLow: traceIDLow, spanID: spanID, flags: flags)
    }

    /// Sixteen lowercase hex digits from `start` as one integer; `nil` at any other character.
    private static func lowercaseHexWord(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt64? {
        // Every digit's value is ORed into `invalid` too: one check at the end instead of one a digit.
        var value: UInt64 = 0
        var invalid: UInt8 = 0
        Self.hexValues.withUnsafeBufferPointer { table in
            for index in start..<start + 16 {
                let digit = table[Int(bytes[index])]
                invalid |= digit
                value = value << 4 | UInt64(digit & 0xf)
            }
        }
        return invalid < 16 ? value : nil
    }

    /// Whether an already validated header value has the random-trace-id flag, without parsing it again.
    static func hasRandomTraceIDFlag(headerValue: String) -> Bool {
        // The flags are the version-00 value's last two hex digits; the random flag is in the last one.
        guard let last = headerValue.utf8.last, let low = Self.hexValue(last) else { return false }
        return low & Self.randomTraceIDFlag == Self.randomTraceIDFlag
    }

    /// An already validated header value with the random-trace-id flag set, by rewriting its last hex digit
    /// rather than parsing and printing it again (it runs on every call sent on).
    static func settingRandomTraceIDFlag(headerValue: String) -> String {
        guard let last = headerValue.utf8.last, let low = Self.hexValue(last), low & Self.randomTraceIDFlag == 0 else {
            return headerValue
        }
        return String(headerValue.dropLast()) + String(low | Self.randomTraceIDFlag, radix: 16)
    }

    private static func hexByte(_ high: UInt8, _ low: UInt8) -> UInt8? {
        guard let high = Self.hexValue(high), let low = Self.hexValue(low) else { return nil }
        return high << 4 | low
    }

    /// The value of one lowercase hex digit (the only case W3C Trace Context allows); `nil` for anything else.
    package static func hexValue(_ byte: UInt8) -> UInt8? {
        let value = Self.hexValues[Int(byte)]
        return value < 16 ? value : nil
    }

    /// Each byte's value as a lowercase hex digit, 0xff for any other byte: one load a digit, and a header has 50.
    private static let hexValues: [UInt8] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt8(byte) - UInt8(ascii: "a") + 10
        default: 0xff
        }
    }
}
