/// The `Resource` and `InstrumentationScope` messages every export request of a process carries.
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
