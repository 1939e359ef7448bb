import Tracing

/// OTLP's `KeyValue` and `AnyValue` (opentelemetry/proto/common/v1/common.proto): the attribute encoding every
/// signal shares.
///
/// KeyValue: key = 1, value = 2. AnyValue: string_value = 1, bool_value = 2, int_value = 3, double_value = 4,
/// array_value = 5 (ArrayValue: values = 1), kvlist_value = 6, bytes_value = 7.
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
            self.message(field) { keyValue in
                keyValue.presentString(1, key)
                keyValue.message(2) { $0.anyValue(value, valueLength: valueLength) }
            }
        }
        return dropped
    }

    /// One string attribute (resource attributes, log metadata).
    mutating func stringAttribute(_ field: Int, key: String, value: String) {
        self.message(field) { keyValue in
            keyValue.presentString(1, key)
            keyValue.message(2) { $0.presentString(1, value) }
        }
    }

    mutating func anyValue(_ value: SpanAttribute, valueLength: Int?) {
        func text(_ string: String) -> String {
            guard let valueLength, string.count > valueLength else { return string }
            return String(string.prefix(valueLength))
        }
        func array(_ write: (inout ProtobufWriter) -> Void) {
            self.message(5) { array in write(&array) }
        }
        switch value {
        case .string(let string): self.presentString(1, text(string))
        case .bool(let bool):
            self.tag(2, .varint)
            self.varint(bool ? 1 : 0)
        case .int64(let int):
            self.tag(3, .varint)
            self.varint(UInt64(bitPattern: int))
        case .int32(let int):
            self.tag(3, .varint)
            self.varint(UInt64(bitPattern: Int64(int)))
        case .double(let double):
            self.tag(4, .fixed64)
            withUnsafeBytes(of: double.bitPattern.littleEndian) { self.append(contentsOf: $0) }
        case .stringArray(let strings):
            array { writer in for string in strings { writer.message(1) { $0.presentString(1, text(string)) } } }
        case .int64Array(let ints):
            array { writer in for int in ints { writer.message(1) { $0.anyValue(.int64(int), valueLength: nil) } } }
        case .int32Array(let ints):
            array { writer in for int in ints { writer.message(1) { $0.anyValue(.int32(int), valueLength: nil) } } }
        case .doubleArray(let doubles):
            array { writer in
                for double in doubles { writer.message(1) { $0.anyValue(.double(double), valueLength: nil) } }
            }
        case .boolArray(let bools):
            array { writer in for bool in bools { writer.message(1) { $0.anyValue(.bool(bool), valueLength: nil) } } }
        case .stringConvertibleArray(let values):
            array { writer in for value in values { writer.message(1) { $0.presentString(1, text(value.description)) } }
            }
        case .stringConvertible(let value): self.presentString(1, text(value.description))
        default: self.presentString(1, text("\(value)"))
        }
    }
}
