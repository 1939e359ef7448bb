import Logging

/// Encodes log records as one `ExportLogsServiceRequest`
/// (opentelemetry/proto/collector/logs/v1/logs_service.proto and logs/v1/logs.proto), from the field numbers.
struct LogRecordEncoder: Sendable {
    /// The `Resource` message, encoded once.
    let resource: [UInt8]
    /// The `InstrumentationScope` message, encoded once.
    let scope: [UInt8]

    func encode(_ records: [LogRecord]) -> [UInt8] {
        ProtobufWriter.exportRequest(resource: self.resource, scope: self.scope, items: records, bytesPerItem: 200) {
            Self.encode($0, into: &$1)
        }
    }

    /// LogRecord: time_unix_nano 1, severity_number 2, severity_text 3, body 5, attributes 6, flags 8,
    /// trace_id 9, span_id 10, observed_time_unix_nano 11.
    private static func encode(_ record: LogRecord, into writer: inout ProtobufWriter) {
        writer.fixed64(1, record.timeNanoseconds)
        writer.uint64(2, Self.severityNumber(record.level))
        // The data model: "the original string representation of the severity as it is known at the source".
        writer.string(3, record.level.rawValue)
        writer.message(5) { $0.presentString(1, record.message) }  // AnyValue.string_value = 1
        record.forEachAttribute { key, value in
            writer.message(6) { keyValue in
                keyValue.presentString(1, key)
                keyValue.message(2) { $0.metadataValue(value) }
            }
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

extension ProtobufWriter {
    /// A swift-log metadata value as an `AnyValue`: a string, an array (`array_value` = 5) or a key-value list
    /// (`kvlist_value` = 6, KeyValueList: values = 1); a string-convertible value as a number or a boolean when it is
    /// one (`int_value` = 3, `double_value` = 4, `bool_value` = 2, written even when zero: they are a `oneof`), as the
    /// JSON line keeps them, else as its description. A number is not printed and parsed back either.
    mutating func metadataValue(_ value: Logger.MetadataValue) {
        switch value {
        case .string(let string):
            self.presentString(1, string)
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int:
                self.tag(3, .varint)
                self.varint(UInt64(bitPattern: Int64(number)))
            case let number as Double:
                self.tag(4, .fixed64)
                withUnsafeBytes(of: number.bitPattern.littleEndian) { self.append(contentsOf: $0) }
            case let flag as Bool:
                self.tag(2, .varint)
                self.varint(flag ? 1 : 0)
            default:
                self.presentString(1, convertible.description)
            }
        case .array(let values):
            self.message(5) { array in
                for value in values { array.message(1) { $0.metadataValue(value) } }
            }
        case .dictionary(let dictionary):
            self.message(6) { list in
                for (key, value) in dictionary {
                    list.message(1) { keyValue in
                        keyValue.presentString(1, key)
                        keyValue.message(2) { $0.metadataValue(value) }
                    }
                }
            }
        }
    }
}
