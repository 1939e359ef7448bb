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
    static func exportRequest<Item>(
        resource: [UInt8],
        scope: [UInt8],
        items: [Item],
        bytesPerItem: Int,
        encode: (Item, inout ProtobufWriter) -> Void
    ) -> [UInt8] {
        var writer = ProtobufWriter(reservingCapacity: 64 + resource.count + items.count * bytesPerItem)
        writer.message(1) { resourceGroup in
            resourceGroup.encodedMessage(1, resource)
            resourceGroup.message(2) { scopeGroup in
                scopeGroup.encodedMessage(1, scope)
                for item in items {
                    scopeGroup.message(2) { encode(item, &$0) }
                }
            }
        }
        return writer.bytes
    }
}
