#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes protobuf's wire format from field numbers: what the OTLP encoders use instead of generated code.
///
/// Fields holding their type's default (0, empty) are left out, as proto3 does. A nested message is written in
/// place, behind a one-byte length that is widened afterwards when the message turned out longer than 127 bytes,
/// so nothing is encoded twice.
///
/// The bytes go into a buffer of its own rather than an `Array`: a span writes some two hundred small pieces, and
/// each append to an array checks that its storage is not shared. The writer owns its buffer and cannot be copied;
/// `bytes` copies what was written out once, at the end.
///
/// An envelope whose lengths are those of everything inside it (an export request around a batch) is written last,
/// into headroom left before the contents (`init(reservingCapacity:headroom:)`, `prepend(_:)`): as nested messages
/// around a batch longer than 127 bytes, each level would move the whole batch up once.
struct ProtobufWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Where the bytes end: the headroom and what has been written.
    private(set) var count = 0
    /// Where the bytes start: the headroom not taken by a prepended header.
    private var start = 0

    /// A writer with room for `capacity` bytes, after `headroom` bytes left for `prepend(_:)`.
    init(reservingCapacity capacity: Int = 0, headroom: Int = 0) {
        self.capacity = max(headroom + capacity, 64)
        self.base = .allocate(capacity: self.capacity)
        self.count = headroom
        self.start = headroom
    }

    deinit {
        self.base.deallocate()
    }

    /// What has been written, with a prepended header first.
    var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: self.base + self.start, count: self.count - self.start))
    }

    /// Puts what `header` wrote right before what this writer has written, in the headroom left at `init`.
    mutating func prepend(_ header: borrowing ProtobufWriter) {
        let size = header.count - header.start
        precondition(size <= self.start, "a header of \(size) bytes does not fit a headroom of \(self.start)")
        self.start -= size
        (self.base + self.start).initialize(from: header.base + header.start, count: size)
    }

    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    /// Room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if self.count + extra > self.capacity { self.grow(toAtLeast: self.count + extra) }
    }

    private mutating func grow(toAtLeast minimum: Int) {
        let capacity = max(minimum, 2 * self.capacity)
        let base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        (base + self.start).initialize(from: self.base + self.start, count: self.count - self.start)
        self.base.deallocate()
        self.base = base
        self.capacity = capacity
    }

    @inline(__always)
    private mutating func byte(_ value: UInt8) {
        self.reserve(1)
        self.base[self.count] = value
        self.count += 1
    }

    @inline(__always)
    mutating func tag(_ field: Int, _ wireType: WireType) {
        self.varint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// Inlined for the one-byte case, which nearly every tag and length is: a span writes some two hundred.
    @inline(__always)
    mutating func varint(_ value: UInt64) {
        guard value >= 0x80 else {
            self.byte(UInt8(truncatingIfNeeded: value))
            return
        }
        self.reserve(10)
        self.count = Self.writeVarint(value, at: self.base + self.count) - self.base
    }

    /// Writes `value` as a varint at `position`; returns the position after it.
    private static func writeVarint(
        _ value: UInt64,
        at position: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        var value = value
        var position = position
        while value >= 0x80 {
            position.pointee = UInt8(truncatingIfNeeded: value) | 0x80
            position += 1
            value >>= 7
        }
        position.pointee = UInt8(value)
        return position + 1
    }

    /// How many bytes `varint(value)` writes.
    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
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
        withUnsafeBytes(of: value.littleEndian) { self.append(contentsOf: $0) }
    }

    mutating func fixed32(_ field: Int, _ value: UInt32) {
        guard value != 0 else { return }
        self.tag(field, .fixed32)
        withUnsafeBytes(of: value.littleEndian) { self.append(contentsOf: $0) }
    }

    mutating func double(_ field: Int, _ value: Double) {
        guard value != 0 else { return }
        self.tag(field, .fixed64)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { self.append(contentsOf: $0) }
    }

    mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        self.presentString(field, value)
    }

    /// A string written even when empty: a map key or a value whose presence matters.
    mutating func presentString(_ field: Int, _ value: String) {
        self.tag(field, .lengthDelimited)
        self.varint(UInt64(value.utf8.count))
        self.utf8(value)
    }

    /// A string's UTF-8 as it is (a string whose tag and length are already written), copied from the string's own
    /// storage in one piece.
    mutating func utf8(_ string: String) {
        var string = string
        string.withUTF8 { self.append(contentsOf: UnsafeRawBufferPointer($0)) }
    }

    /// Big-endian id bytes (trace and span ids), as OTLP carries them.
    mutating func id(_ field: Int, _ high: UInt64, _ low: UInt64) {
        self.tag(field, .lengthDelimited)
        self.byte(16)
        withUnsafeBytes(of: high.bigEndian) { self.append(contentsOf: $0) }
        withUnsafeBytes(of: low.bigEndian) { self.append(contentsOf: $0) }
    }

    /// A span id's eight big-endian bytes.
    mutating func id(_ field: Int, _ value: UInt64) {
        self.tag(field, .lengthDelimited)
        self.byte(8)
        withUnsafeBytes(of: value.bigEndian) { self.append(contentsOf: $0) }
    }

    /// Bytes as they are (a fixed-width value whose tag is already written).
    mutating func append(contentsOf raw: UnsafeRawBufferPointer) {
        guard let source = raw.baseAddress, !raw.isEmpty else { return }
        self.reserve(raw.count)
        UnsafeMutableRawPointer(self.base + self.count).copyMemory(from: source, byteCount: raw.count)
        self.count += raw.count
    }

    /// Already encoded bytes of a message (a resource or a scope encoded once) as field `field`.
    mutating func encodedMessage(_ field: Int, _ encoded: [UInt8]) {
        self.tag(field, .lengthDelimited)
        self.varint(UInt64(encoded.count))
        encoded.withUnsafeBytes { self.append(contentsOf: $0) }
    }

    /// A nested message written by `body`, always present (an empty message still says the field is set).
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        self.tag(field, .lengthDelimited)
        let lengthAt = self.count
        self.byte(0)
        body(&self)
        let length = self.count - lengthAt - 1
        guard length >= 0x80 else {
            self.base[lengthAt] = UInt8(length)
            return
        }
        // The length takes more than its one byte: move the message up by the difference, then write the length.
        let extra = Self.varintSize(UInt64(length)) - 1
        self.reserve(extra)
        let message = self.base + lengthAt + 1
        memmove(message + extra, message, length)  // the two ranges overlap
        self.count += extra
        _ = Self.writeVarint(UInt64(length), at: self.base + lengthAt)
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
