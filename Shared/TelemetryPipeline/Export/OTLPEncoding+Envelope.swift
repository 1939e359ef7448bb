/// What wraps the spans or log records of every export request: the `Resource` and `InstrumentationScope` messages
/// (encoded once per process) and the request envelope around them.
enum ResourceEncoding {
    /// Resource: attributes = 1 (string attributes), sorted by key so the bytes are the same every time.
    static func resource(_ attributes: [String: String]) -> [UInt8] {
        var writer = ProtobufWriter()
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
            writer.stringAttribute(1, key: key, value: value)
        }
        return writer.bytes
    }

    /// InstrumentationScope: name = 1, version = 2.
    static func scope(name: String, version: String) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.string(1, name)
        writer.string(2, version)
        return writer.bytes
    }
}

extension ProtobufWriter {
    /// An `ExportTraceServiceRequest` or `ExportLogsServiceRequest`: both have the same shape and field numbers, a
    /// resource group (1) holding the resource (1) and one scope group (2), which holds the scope (1) and the items
    /// (2: spans or log records).
    ///
    /// The items are written first, after headroom for the rest; the groups' tags and lengths (known once the items
    /// are) and the resource and scope then go into the headroom, right before them. Written as nested messages, a
    /// batch would be moved up once per group, each of whose lengths takes more than one byte.
    static func exportRequest<Item>(
        resource: [UInt8],
        scope: [UInt8],
        items: [Item],
        bytesPerItem: Int,
        encode: (Item, inout ProtobufWriter) -> Void
    ) -> [UInt8] {
        // Two tags and lengths around each of the resource and the scope: a tag of a field below 16 takes one byte,
        // a length at most ten.
        let headerCapacity = 4 * (1 + 10) + resource.count + scope.count
        var writer = ProtobufWriter(reservingCapacity: items.count * bytesPerItem, headroom: headerCapacity)
        let itemsStart = writer.count
        for item in items {
            writer.message(2) { encode(item, &$0) }
        }
        let scopeGroupLength = Self.lengthDelimitedSize(scope.count) + (writer.count - itemsStart)
        let resourceGroupLength = Self.lengthDelimitedSize(resource.count) + Self.lengthDelimitedSize(scopeGroupLength)

        var header = ProtobufWriter(reservingCapacity: headerCapacity)
        header.tag(1, .lengthDelimited)
        header.varint(UInt64(resourceGroupLength))
        header.encodedMessage(1, resource)
        header.tag(2, .lengthDelimited)
        header.varint(UInt64(scopeGroupLength))
        header.encodedMessage(1, scope)
        writer.prepend(header)
        return writer.bytes
    }

    /// The bytes of a field (numbered below 16) holding `length` bytes: its tag, its length and them.
    static func lengthDelimitedSize(_ length: Int) -> Int {
        1 + Self.varintSize(UInt64(length)) + length
    }
}
