import Logging
import ObservabilityPrimitives
import TelemetryPipeline

/// Builds one JSON object, escaping as RFC 8259 requires, in a byte buffer: appending UTF-8 bytes to an array
/// is far cheaper than appending many small strings, and a log line has twenty-odd pieces.
struct JSONLineWriter {
    private var bytes: [UInt8] = []
    private var needsComma = false

    init() {
        self.bytes.reserveCapacity(512)
    }

    mutating func beginObject() {
        self.bytes.append(UInt8(ascii: "{"))
        self.needsComma = false
    }

    mutating func endObject() {
        self.bytes.append(UInt8(ascii: "}"))
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

    /// A field whose value is the lowercase hex digits of `first` and `second`, `digits` each (`HexEncoding`, as
    /// `traceparent` writes them): a trace or span id, or the trace flags, written straight into the line, not into a
    /// string of its own.
    mutating func field(_ key: String, hex first: UInt64, _ second: UInt64? = nil, digits: Int = 16) {
        precondition(digits <= 16, "a word has sixteen hex digits")
        self.key(key)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 34) { buffer in
            buffer[0] = UInt8(ascii: "\"")
            var index = 1
            HexEncoding.write(first, digits: digits, into: buffer, at: &index)
            if let second { HexEncoding.write(second, digits: digits, into: buffer, at: &index) }
            buffer[index] = UInt8(ascii: "\"")
            self.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[...index]))
        }
    }

    /// A field whose value is the current time as an RFC 3339 string.
    mutating func timestampField(_ key: String) {
        self.key(key)
        self.bytes.append(UInt8(ascii: "\""))
        RFC3339Timestamp.appendNow(to: &self.bytes)
        self.bytes.append(UInt8(ascii: "\""))
    }

    consuming func finish() -> String {
        String(decoding: self.bytes, as: UTF8.self)
    }

    private mutating func key(_ key: String) {
        if self.needsComma { self.bytes.append(UInt8(ascii: ",")) }
        self.string(key)
        self.bytes.append(UInt8(ascii: ":"))
        self.needsComma = true
    }

    private mutating func value(_ value: Logger.Metadata.Value) {
        switch value {
        case .string(let string):
            self.string(string)
        case .stringConvertible(let convertible):
            // Numbers and booleans stay JSON numbers and booleans, so log queries can compare them.
            switch convertible {
            case let number as Int: self.bytes.append(contentsOf: String(number).utf8)
            case let number as Double where number.isFinite: self.bytes.append(contentsOf: String(number).utf8)
            case let flag as Bool: self.bytes.append(contentsOf: (flag ? "true" : "false").utf8)
            default: self.string(convertible.description)
            }
        case .array(let array):
            self.bytes.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { self.bytes.append(UInt8(ascii: ",")) }
                self.value(element)
            }
            self.bytes.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            self.beginObject()
            for key in dictionary.keys.sorted() {
                let element = LogRedaction.isSensitive(key) ? LogRedaction.placeholder : dictionary[key]!
                self.field(key, metadata: element)
            }
            self.endObject()
        }
    }

    private mutating func string(_ string: String) {
        self.bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            if !utf8.contains(where: Self.needsEscaping) {
                self.bytes.append(contentsOf: utf8)
                return
            }
            // Bytes of multi-byte characters are all 0x80 or more, so escaping byte by byte is exact.
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): self.bytes.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): self.bytes.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): self.bytes.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): self.bytes.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): self.bytes.append(contentsOf: #"\t"#.utf8)
                case ..<0x20:
                    self.bytes.append(contentsOf: #"\u00"#.utf8)
                    self.bytes.append(Self.hexDigits[Int(byte >> 4)])
                    self.bytes.append(Self.hexDigits[Int(byte & 0x0f)])
                default:
                    self.bytes.append(byte)
                }
            }
        }
        self.bytes.append(UInt8(ascii: "\""))
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
