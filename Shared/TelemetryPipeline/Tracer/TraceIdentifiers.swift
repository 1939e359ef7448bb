import TraceContextPropagation

/// A W3C trace id: 16 bytes, never all zero, kept as two integers so that making, comparing and sampling on one
/// costs no allocation.
public struct TraceID: Sendable, Hashable {
    /// The first eight bytes, big-endian.
    public var high: UInt64
    /// The last eight bytes, big-endian: the seven on the right are the random part W3C Trace Context Level 2 names.
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// 32 lowercase hex digits, as `traceparent` and the log lines carry it.
    public var hexString: String { HexEncoding.string(self.high, self.low) }

    /// Parses 32 lowercase hex digits; `nil` for anything else, and for the invalid all-zero id.
    public init?(hexString: some StringProtocol) {
        guard let (high, low) = HexEncoding.twoWords(hexString), high != 0 || low != 0 else { return nil }
        self.init(high: high, low: low)
    }
}

/// A W3C span id: 8 bytes, never all zero.
public struct SpanID: Sendable, Hashable {
    public var value: UInt64

    public init(value: UInt64) {
        self.value = value
    }

    /// 16 lowercase hex digits.
    public var hexString: String { HexEncoding.string(self.value) }

    /// Parses 16 lowercase hex digits; `nil` for anything else, and for the invalid all-zero id.
    public init?(hexString: some StringProtocol) {
        guard let value = HexEncoding.word(hexString), value != 0 else { return nil }
        self.init(value: value)
    }
}

/// Lowercase hex of ids, written straight into a string's storage (or a JSON line's bytes).
package enum HexEncoding {
    /// The 16 hex digits of `word`, or the 32 of `word` followed by `second`.
    static func string(_ word: UInt64, _ second: UInt64? = nil) -> String {
        String(unsafeUninitializedCapacity: second == nil ? 16 : 32) { buffer in
            var index = 0
            Self.write(word, digits: 16, into: buffer, at: &index)
            if let second { Self.write(second, digits: 16, into: buffer, at: &index) }
            return index
        }
    }

    /// Writes the low `digits` hex digits of `value` at `index`, and moves `index` past them: from the last digit
    /// back, each one worked out rather than looked up (ids are written on every log line and every call out).
    package static func write(
        _ value: UInt64,
        digits: Int,
        into buffer: UnsafeMutableBufferPointer<UInt8>,
        at index: inout Int
    ) {
        var value = value
        var position = index + digits
        while position > index {
            position -= 1
            let nibble = UInt8(truncatingIfNeeded: value) & 0xf
            buffer[position] = nibble < 10 ? nibble &+ UInt8(ascii: "0") : nibble &+ (UInt8(ascii: "a") - 10)
            value >>= 4
        }
        index += digits
    }

    static func word(_ text: some StringProtocol) -> UInt64? {
        self.words(text, count: 1).map { $0.0 }
    }

    static func twoWords(_ text: some StringProtocol) -> (UInt64, UInt64)? {
        self.words(text, count: 2)
    }

    /// `count` (1 or 2) words of exactly 16 lowercase hex digits each, in one pass over the text.
    private static func words(_ text: some StringProtocol, count: Int) -> (UInt64, UInt64)? {
        guard text.utf8.count == count * 16 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        var index = 0
        for byte in text.utf8 {
            guard let digit = TraceParent.hexValue(byte) else { return nil }
            if index < 16 { words.0 = words.0 << 4 | UInt64(digit) } else { words.1 = words.1 << 4 | UInt64(digit) }
            index += 1
        }
        return words
    }
}
