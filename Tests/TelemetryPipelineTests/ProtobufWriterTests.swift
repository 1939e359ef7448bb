import Logging
import Testing

@testable import TelemetryPipeline

@Suite("ProtobufWriter: protobuf's wire format from field numbers")
struct ProtobufWriterTests {
    @Test("varints, fixed-width values, and defaults left out as proto3 does")
    func scalars() {
        var writer = ProtobufWriter()
        writer.uint64(1, 150)
        writer.uint64(2, 0)
        writer.fixed32(3, 0x0102_0304)
        writer.string(4, "")
        writer.int64(5, -1)
        #expect(
            writer.bytes == [0x08, 0x96, 0x01, 0x1D, 0x04, 0x03, 0x02, 0x01, 0x28] + [UInt8](repeating: 0xFF, count: 9)
                + [0x01]
        )
    }

    @Test(
        "a nested message longer than 127 bytes gets its length widened in place",
        arguments: [0, 1, 127, 128, 300, 20_000]
    )
    func nestedLengths(length: Int) {
        var writer = ProtobufWriter()
        writer.message(7) { inner in
            inner.presentString(1, String(repeating: "x", count: length))
        }
        writer.uint64(8, 42)
        var reader = ProtobufReader(writer.bytes)
        guard case (7, .bytes(let inner))? = reader.next() else {
            Issue.record("field 7 is not a length-delimited message")
            return
        }
        var innerReader = ProtobufReader(inner)
        guard case (1, .bytes(let text))? = innerReader.next() else {
            Issue.record("no string")
            return
        }
        #expect(text.count == length)
        guard case (8, .varint(42))? = reader.next() else {
            Issue.record("the field after the message is lost")
            return
        }
    }

    @Test(
        "a KeyValue of a scalar, written with its lengths computed first, is byte for byte the nested messages",
        arguments: [0, 1, 120, 127, 128, 300, 20_000]
    )
    func scalarKeyValues(length: Int) {
        let text = String(repeating: "é", count: length / 2) + String(repeating: "x", count: length % 2)
        let values: [ScalarAnyValue] = [.string(text), .int(Int64(length)), .int(-1), .double(1.5), .bool(false)]
        for key in ["", "k", text] {
            for value in values {
                var direct = ProtobufWriter()
                direct.keyValue(6, key: key, value)
                var nested = ProtobufWriter()
                nested.message(6) { keyValue in
                    keyValue.presentString(1, key)
                    keyValue.message(2) { $0.scalar(value) }
                }
                #expect(direct.bytes == nested.bytes, "key of \(key.utf8.count) bytes, \(value)")
            }
        }
    }

    @Test("a sensitive key's value is the placeholder, at any depth; other values are written as they are")
    func redactedMetadata() {
        let redaction = LogAttributeRedaction(placeholder: "[R]") { $0 == "secret" }
        let inner: Logger.Metadata = ["secret": "y", "kept": "z"]
        var written = ProtobufWriter()
        written.metadataAttribute(6, key: "secret", value: ["nested": "x"], redaction: redaction)
        written.metadataAttribute(6, key: "list", value: [.dictionary(inner)], redaction: redaction)
        written.metadataAttribute(6, key: "kept", value: "w", redaction: redaction)

        var expected = ProtobufWriter()
        expected.keyValue(6, key: "secret", .string("[R]"))
        expected.message(6) { keyValue in
            keyValue.presentString(1, "list")
            keyValue.message(2) { anyValue in
                anyValue.message(5) { array in
                    array.message(1) { element in
                        element.message(6) { list in
                            // A dictionary's order is its own: the entries in the order it iterates them.
                            for key in inner.keys {
                                list.keyValue(1, key: key, .string(key == "secret" ? "[R]" : "z"))
                            }
                        }
                    }
                }
            }
        }
        expected.keyValue(6, key: "kept", .string("w"))
        #expect(written.bytes == expected.bytes)
    }

    @Test("varint sizes at every width's edges")
    func varintSizes() {
        for value: UInt64 in [0, 1, 127, 128, 16_383, 16_384, UInt64(UInt32.max), UInt64.max] {
            var writer = ProtobufWriter()
            writer.varint(value)
            #expect(ProtobufWriter.varintSize(value) == writer.bytes.count, "\(value)")
        }
    }

    @Test(
        "an export request's envelope, written after its items, is byte for byte the nested messages",
        arguments: [0, 1, 3, 100, 2_000]
    )
    func exportRequestEnvelope(itemCount: Int) {
        // Items of several sizes, so that the groups' lengths take one, two and three bytes across the arguments;
        // a resource longer than 127 bytes, and an estimate per item far too small, so the buffer grows.
        let items = (0..<itemCount).map { String(repeating: "i", count: $0 % 200) }
        let resource = [UInt8](repeating: 0x2A, count: 300)
        let scope: [UInt8] = [0x0A, 0x01, 0x73]
        let written = ProtobufWriter.exportRequest(resource: resource, scope: scope, items: items, bytesPerItem: 1) {
            $1.presentString(1, $0)
        }
        var nested = ProtobufWriter()
        nested.message(1) { resourceGroup in
            resourceGroup.encodedMessage(1, resource)
            resourceGroup.message(2) { scopeGroup in
                scopeGroup.encodedMessage(1, scope)
                for item in items { scopeGroup.message(2) { $0.presentString(1, item) } }
            }
        }
        #expect(written == nested.bytes)
    }

    @Test("a header goes right before what was written, in the headroom, whatever of the headroom it leaves")
    func prepend() {
        let text = String(repeating: "t", count: 100)  // past the 64 bytes a writer starts with: the buffer grows
        var contents = ProtobufWriter()
        contents.uint64(2, 7)
        contents.presentString(3, text)
        for headroom in [2, 3, 40] {
            var writer = ProtobufWriter(headroom: headroom)
            writer.uint64(2, 7)
            writer.presentString(3, text)
            var header = ProtobufWriter()
            header.uint64(1, 1)
            writer.prepend(header)
            #expect(writer.bytes == [0x08, 0x01] + contents.bytes, "headroom \(headroom)")
        }
    }

    @Test("ids are written big-endian, 16 and 8 bytes")
    func ids() {
        var writer = ProtobufWriter()
        writer.id(1, 0x0102_0304_0506_0708, 0x090A_0B0C_0D0E_0F10)
        #expect(writer.bytes == [0x0A, 16] + Array(1...16))
    }

    @Test("log metadata values: strings, and numbers and booleans typed as the JSON line keeps them, zero included")
    func metadataValues() {
        struct Symbol: CustomStringConvertible, Sendable { var description: String { "AAPL" } }
        func encoded(_ value: Logger.MetadataValue) -> [UInt8] {
            var writer = ProtobufWriter()
            writer.metadataValue(value, redaction: .none)
            return writer.bytes
        }
        #expect(encoded("a") == [0x0A, 1, 0x61])
        #expect(encoded(.stringConvertible(200)) == [0x18, 0xC8, 0x01])
        #expect(encoded(.stringConvertible(0)) == [0x18, 0])
        #expect(encoded(.stringConvertible(-1)) == [0x18] + Array(repeating: 0xFF, count: 9) + [0x01])
        #expect(
            encoded(.stringConvertible(1.5)) == [0x21] + withUnsafeBytes(of: 1.5.bitPattern.littleEndian) { Array($0) }
        )
        #expect(encoded(.stringConvertible(false)) == [0x10, 0])
        #expect(encoded(.stringConvertible(Symbol())) == [0x0A, 4] + Array("AAPL".utf8))
        // array_value (5), each element an AnyValue in ArrayValue.values (1)
        #expect(encoded(["a", .stringConvertible(1)]) == [0x2A, 9, 0x0A, 3, 0x0A, 1, 0x61, 0x0A, 2, 0x18, 1])
    }

    @Test("trace and span ids print and parse as lowercase hex")
    func hex() {
        let traceID = TraceID(high: 0x0af7_6519_16cd_43dd, low: 0x8448_eb21_1c80_319c)
        #expect(traceID.hexString == "0af7651916cd43dd8448eb211c80319c")
        #expect(TraceID(hexString: traceID.hexString) == traceID)
        #expect(SpanID(hexString: "b7ad6b7169203331")?.hexString == "b7ad6b7169203331")
        #expect(TraceID(hexString: "0AF7651916CD43DD8448EB211C80319C") == nil)
        #expect(SpanID(hexString: "0000000000000000") == nil)
        let context = SpanContext(traceID: traceID, spanID: SpanID(value: 0xb7ad_6b71_6920_3331), flags: 3)
        #expect(context.traceParentHeaderValue == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03")
        #expect(
            [0x00, 0x01, 0x03, 0x0a, 0xff].map { context.with(flags: $0).flagsHexString } == [
                "00", "01", "03", "0a", "ff",
            ]
        )
        // Every character that is not a lowercase hex digit is refused, wherever it stands.
        for bad in ["g", "G", "A", "F", ":", "/", "@", "`", " "] {
            for position in [0, 15, 16, 31] {
                var digits = Array("0af7651916cd43dd8448eb211c80319c")
                digits[position] = Character(bad)
                #expect(TraceID(hexString: String(digits)) == nil, "\(bad) at \(position)")
            }
        }
    }
}

extension SpanContext {
    fileprivate func with(flags: UInt8) -> SpanContext {
        SpanContext(traceID: self.traceID, spanID: self.spanID, flags: flags)
    }
}
