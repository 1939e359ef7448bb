import Logging

/// Encodes log records as one `ExportLogsServiceRequest`
/// (opentelemetry/proto/collector/logs/v1/logs_service.proto and logs/v1/logs.proto), from the field numbers.
struct LogRecordEncoder: Sendable {
    /// The `Resource` message, encoded once.
    let resource: [UInt8]
    /// The `InstrumentationScope` message, encoded once.
    let scope: [UInt8]
    /// Which attributes' values are replaced as they are written.
    let redaction: LogAttributeRedaction

    func encode(_ records: [LogRecord]) -> [UInt8] {
        ProtobufWriter.exportRequest(resource: self.resource, scope: self.scope, items: records, bytesPerItem: 320) {
            Self.encode($0, redaction: self.redaction, into: &$1)
        }
    }

    /// LogRecord: time_unix_nano 1, severity_number 2, severity_text 3, body 5, attributes 6, flags 8,
    /// trace_id 9, span_id 10, observed_time_unix_nano 11.
    private static func encode(
        _ record: LogRecord,
        redaction: LogAttributeRedaction,
        into writer: inout ProtobufWriter
    ) {
        writer.fixed64(1, record.timeNanoseconds)
        writer.uint64(2, Self.severityNumber(record.level))
        // The data model: "the original string representation of the severity as it is known at the source".
        writer.string(3, record.level.rawValue)
        writer.message(5) { $0.presentString(1, record.message) }  // AnyValue.string_value = 1
        record.forEachAttribute { key, value in
            writer.metadataAttribute(6, key: key, value: value, redaction: redaction)
        }
        if let context = record.spanContext {
            writer.fixed32(8, UInt32(context.flags))
            writer.id(9, context.traceID.high, context.traceID.low)
            writer.id(10, context.spanID.value)
        }
        writer.fixed64(11, record.timeNanoseconds)
    }

    /// The log data model's severity numbers for swift-log's levels (notice sits between INFO and WARN).
    static func severityNumber(_ level: Logger.Level) -> UInt64 {
        switch level {
        case .trace: 1
        case .debug: 5
        case .info: 9
        case .notice: 10
        case .warning: 13
        case .error: 17
        case .critical: 21
        }
    }
}

extension ScalarAnyValue {
    /// A swift-log metadata value's scalar: a string, or a string-convertible value as a number or a boolean when it
    /// is one, as the JSON line keeps them (a number is not printed and parsed back), else as its description; `nil`
    /// for an array or a dictionary.
    init?(_ value: Logger.MetadataValue) {
        switch value {
        case .string(let string): self = .string(string)
        case .stringConvertible(let convertible): self = Self.scalar(of: convertible)
        case .array, .dictionary: return nil
        }
    }

    /// The value opened from its existential and told apart by its type, a comparison of two pointers: a dynamic
    /// cast (`as? Int`) from the existential costs some 300 instructions each, and a duration tried two.
    private static func scalar<Value: CustomStringConvertible & Sendable>(of value: Value) -> ScalarAnyValue {
        if Value.self == Int.self { return .int(Int64(unsafeBitCast(value, to: Int.self))) }
        if Value.self == Double.self { return .double(unsafeBitCast(value, to: Double.self)) }
        if Value.self == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
        return .string(value.description)
    }
}

extension ProtobufWriter {
    /// One metadata entry as a `KeyValue`, field `field`; a sensitive key's value (at any depth) as the placeholder.
    mutating func metadataAttribute(
        _ field: Int,
        key: String,
        value: Logger.MetadataValue,
        redaction: LogAttributeRedaction
    ) {
        if redaction.isSensitive(key) {
            self.keyValue(field, key: key, .string(redaction.placeholder))
        } else if let scalar = ScalarAnyValue(value) {
            self.keyValue(field, key: key, scalar)
        } else {
            self.message(field) { keyValue in
                keyValue.presentString(1, key)
                keyValue.message(2) { $0.metadataValue(value, redaction: redaction) }
            }
        }
    }

    /// A swift-log metadata value as an `AnyValue`: a scalar (`ScalarAnyValue`), an array (`array_value` = 5) or a
    /// key-value list (`kvlist_value` = 6, KeyValueList: values = 1).
    mutating func metadataValue(_ value: Logger.MetadataValue, redaction: LogAttributeRedaction) {
        if let scalar = ScalarAnyValue(value) {
            self.scalar(scalar)
            return
        }
        switch value {
        case .string, .stringConvertible: break  // a scalar, written above
        case .array(let values):
            self.message(5) { array in
                for value in values { array.message(1) { $0.metadataValue(value, redaction: redaction) } }
            }
        case .dictionary(let dictionary):
            self.message(6) { list in
                for (key, value) in dictionary {
                    list.metadataAttribute(1, key: key, value: value, redaction: redaction)
                }
            }
        }
    }
}
