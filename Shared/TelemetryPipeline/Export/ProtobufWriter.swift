/// Writes protobuf's wire format from field numbers: what the OTLP encoders use instead of generated code.
///
/// Fields holding their type's default (0, empty) are left out, as proto3 does. A nested message is written in
/// place, behind a one-byte length that is widened afterwards when the message turned out longer than 127 bytes,
/// so nothing is encoded twice.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) {
        self.bytes.reserveCapacity(capacity)
    }

    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    @inline(__always)
    mutating func tag(_ field: Int, _ wireType: WireType) {
        self.varint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// Inlined for the one-byte case, which nearly every tag and length is: a span writes some two hundred.
    @inline(__always)
    mutating func varint(_ value: UInt64) {
        guard value >= 0x80 else {
            self.bytes.append(UInt8(truncatingIfNeeded: value))
            return
        }
        self.multiByteVarint(value)
    }

    /// How many bytes `varint(value)` writes.
    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }

    private mutating func multiByteVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            self.bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        self.bytes.append(UInt8(value))
    }

    mutating func uint64(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        self.tag(field, .varint)
        self.varint(value)
    }

    /// An `int64` or an enum: negative values take ten bytes, as protobuf writes them.
    mutating func int64(_ field: Int, _ value: Int64) {
        self.uint64(field, UInt64(bitPattern: value))
    }

    mutating func bool(_ field: Int, _ value: Bool) {
        self.uint64(field, value ? 1 : 0)
    }

    mutating func fixed64(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        self.tag(field, .fixed64)
        withUnsafeBytes(of: value.littleEndian) { self.bytes.append(contentsOf: $0) }
    }

    mutating func fixed32(_ field: Int, _ value: UInt32) {
        guard value != 0 else { return }
        self.tag(field, .fixed32)
        withUnsafeBytes(of: value.littleEndian) { self.bytes.append(contentsOf: $0) }
    }

    mutating func double(_ field: Int, _ value: Double) {
        guard value != 0 else { return }
        self.tag(field, .fixed64)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { self.bytes.append(contentsOf: $0) }
    }

    mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        self.tag(field, .lengthDelimited)
        self.varint(UInt64(value.utf8.count))
        self.utf8(value)
    }

    /// A string written even when empty: a map key or a value whose presence matters.
    mutating func presentString(_ field: Int, _ value: String) {
        self.tag(field, .lengthDelimited)
        self.varint(UInt64(value.utf8.count))
        self.utf8(value)
    }

    /// Big-endian id bytes (trace and span ids), as OTLP carries them.
    mutating func id(_ field: Int, _ words: UInt64...) {
        self.tag(field, .lengthDelimited)
        self.varint(UInt64(words.count * 8))
        for word in words {
            withUnsafeBytes(of: word.bigEndian) { self.bytes.append(contentsOf: $0) }
        }
    }

    /// A string's UTF-8 as it is (a string whose tag and length are already written): copied from the string's own
    /// storage in one piece (`append(contentsOf: string.utf8)` costs twice as much: it goes through the generic
    /// sequence copy).
    mutating func utf8(_ string: String) {
        var string = string
        string.withUTF8 { self.bytes.append(contentsOf: $0) }
    }

    /// Bytes as they are (a fixed-width value whose tag is already written).
    mutating func append(contentsOf raw: UnsafeRawBufferPointer) {
        self.bytes.append(contentsOf: raw)
    }

    /// Already encoded bytes of a message (a resource or a scope encoded once) as field `field`.
    mutating func encodedMessage(_ field: Int, _ encoded: [UInt8]) {
        self.tag(field, .lengthDelimited)
        self.varint(UInt64(encoded.count))
        self.bytes.append(contentsOf: encoded)
    }

    /// A nested message written by `body`, always present (an empty message still says the field is set).
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        self.tag(field, .lengthDelimited)
        let lengthAt = self.bytes.count
        self.bytes.append(0)
        body(&self)
        let length = self.bytes.count - lengthAt - 1
        guard length >= 0x80 else {
            self.bytes[lengthAt] = UInt8(length)
            return
        }
        var prefix = ProtobufWriter()
        prefix.varint(UInt64(length))
        self.bytes[lengthAt] = prefix.bytes[0]
        self.bytes.insert(contentsOf: prefix.bytes[1...], at: lengthAt + 1)
    }
}

/// Reads protobuf's wire format field by field: only what an export response needs (partial success).
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case bytes([UInt8])
        case fixed
    }

    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next field's number and value; `nil` at the end or at anything malformed.
    mutating func next() -> (Int, Value)? {
        guard let key = self.varint() else { return nil }
        let field = Int(key >> 3)
        switch key & 7 {
        case 0:
            return self.varint().map { (field, .varint($0)) }
        case 1, 5:
            let size = key & 7 == 1 ? 8 : 4
            guard self.index + size <= self.bytes.count else { return nil }
            self.index += size
            return (field, .fixed)
        case 2:
            guard let length = self.varint(), length <= UInt64(self.bytes.count - self.index) else { return nil }
            let value = Array(self.bytes[self.index..<self.index + Int(length)])
            self.index += Int(length)
            return (field, .bytes(value))
        default:
            return nil
        }
    }

    private mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while self.index < self.bytes.count, shift < 64 {
            let byte = self.bytes[self.index]
            self.index += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
