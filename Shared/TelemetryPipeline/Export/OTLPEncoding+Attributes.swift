import Tracing

/// OTLP's `KeyValue` and `AnyValue` (opentelemetry/proto/common/v1/common.proto): the attribute encoding every
/// signal shares.
///
/// KeyValue: key = 1, value = 2. AnyValue: string_value = 1, bool_value = 2, int_value = 3, double_value = 4,
/// array_value = 5 (ArrayValue: values = 1), kvlist_value = 6, bytes_value = 7.
/// An `AnyValue` holding one scalar: what nearly every attribute is. Its encoded length is known before its bytes,
/// so a `KeyValue` of one is written straight through, without the nested-message bookkeeping of `message(_:_:)`
/// (two nested messages per attribute, a length patched after each).
enum ScalarAnyValue {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)

    /// The bytes of the `AnyValue` message.
    var encodedLength: Int {
        switch self {
        case .string(let string):
            let count = string.utf8.count
            return 1 + ProtobufWriter.varintSize(UInt64(count)) + count
        case .int(let int): return 1 + ProtobufWriter.varintSize(UInt64(bitPattern: int))
        case .double: return 9
        case .bool: return 2
        }
    }

    /// A span attribute's scalar, each string cut to `valueLength` characters; `nil` for an array.
    init?(_ attribute: SpanAttribute, valueLength: Int?) {
        func text(_ string: String) -> String { Self.truncated(string, to: valueLength) }
        switch attribute {
        case .string(let string): self = .string(text(string))
        case .bool(let bool): self = .bool(bool)
        case .int64(let int): self = .int(int)
        case .int32(let int): self = .int(Int64(int))
        case .double(let double): self = .double(double)
        case .stringConvertible(let value): self = .string(text(value.description))
        case .stringArray, .int64Array, .int32Array, .doubleArray, .boolArray, .stringConvertibleArray: return nil
        default: self = .string(text("\(attribute)"))
        }
    }

    /// `string` cut to `valueLength` characters (the span limits' `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`).
    static func truncated(_ string: String, to valueLength: Int?) -> String {
        guard let valueLength, string.count > valueLength else { return string }
        return String(string.prefix(valueLength))
    }
}

extension ProtobufWriter {
    /// Writes at most `limit` of `attributes` as repeated field `field`, each string cut to `valueLength`
    /// characters; returns how many were left out.
    mutating func attributes(
        _ field: Int,
        _ attributes: SpanAttributes,
        limit: Int,
        valueLength: Int?
    ) -> Int {
        var written = 0
        var dropped = 0
        attributes.forEach { key, value in
            guard written < limit else {
                dropped += 1
                return
            }
            written += 1
            if let scalar = ScalarAnyValue(value, valueLength: valueLength) {
                self.keyValue(field, key: key, scalar)
                return
            }
            self.message(field) { keyValue in
                keyValue.presentString(1, key)
                keyValue.message(2) { $0.anyValue(value, valueLength: valueLength) }
            }
        }
        return dropped
    }

    /// A `KeyValue` (key = 1, value = 2) whose value is a scalar, as field `field`: every length computed first.
    mutating func keyValue(_ field: Int, key: String, _ value: ScalarAnyValue) {
        let keyCount = key.utf8.count
        let valueLength = value.encodedLength
        self.tag(field, .lengthDelimited)
        let length =
            2 + Self.varintSize(UInt64(keyCount)) + keyCount + Self.varintSize(UInt64(valueLength)) + valueLength
        self.varint(UInt64(length))
        self.tag(1, .lengthDelimited)
        self.varint(UInt64(keyCount))
        self.utf8(key)
        self.tag(2, .lengthDelimited)
        self.varint(UInt64(valueLength))
        self.scalar(value)
    }

    /// The fields of an `AnyValue` holding `value`. Numbers and booleans are written even when zero: they are a
    /// `oneof`, whose presence is the value.
    mutating func scalar(_ value: ScalarAnyValue) {
        switch value {
        case .string(let string): self.presentString(1, string)
        case .bool(let bool):
            self.tag(2, .varint)
            self.varint(bool ? 1 : 0)
        case .int(let int):
            self.tag(3, .varint)
            self.varint(UInt64(bitPattern: int))
        case .double(let double):
            self.tag(4, .fixed64)
            withUnsafeBytes(of: double.bitPattern.littleEndian) { self.append(contentsOf: $0) }
        }
    }

    /// One string attribute (resource attributes).
    mutating func stringAttribute(_ field: Int, key: String, value: String) {
        self.keyValue(field, key: key, .string(value))
    }

    mutating func anyValue(_ value: SpanAttribute, valueLength: Int?) {
        if let scalar = ScalarAnyValue(value, valueLength: valueLength) {
            self.scalar(scalar)
            return
        }
        func text(_ string: String) -> String { ScalarAnyValue.truncated(string, to: valueLength) }
        func array(_ write: (inout ProtobufWriter) -> Void) {
            self.message(5) { array in write(&array) }
        }
        switch value {
        case .stringArray(let strings):
            array { writer in for string in strings { writer.message(1) { $0.presentString(1, text(string)) } } }
        case .int64Array(let ints):
            array { writer in for int in ints { writer.message(1) { $0.scalar(.int(int)) } } }
        case .int32Array(let ints):
            array { writer in for int in ints { writer.message(1) { $0.scalar(.int(Int64(int))) } } }
        case .doubleArray(let doubles):
            array { writer in for double in doubles { writer.message(1) { $0.scalar(.double(double)) } } }
        case .boolArray(let bools):
            array { writer in for bool in bools { writer.message(1) { $0.scalar(.bool(bool)) } } }
        case .stringConvertibleArray(let values):
            array { writer in for value in values { writer.message(1) { $0.presentString(1, text(value.description)) } }
            }
        default: self.presentString(1, text("\(value)"))
        }
    }
}
