/// Which log attributes carry credentials, and what is written instead of their values.
///
/// Applied when a batch of records is encoded, off the request path, to every key at any depth (a value that is a
/// dictionary is searched too): the handler queues what the caller logged, unchanged.
public struct LogAttributeRedaction: Sendable {
    /// Whether the value of the attribute named by the key is a credential.
    public var isSensitive: @Sendable (String) -> Bool
    /// What replaces such a value.
    public var placeholder: String

    public init(placeholder: String = "[REDACTED]", isSensitive: @escaping @Sendable (String) -> Bool) {
        self.placeholder = placeholder
        self.isSensitive = isSensitive
    }

    /// Redacts nothing: the default.
    public static let none = LogAttributeRedaction { _ in false }
}
