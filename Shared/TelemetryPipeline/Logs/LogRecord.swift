import Logging

/// One log record as the log pipeline queues it: what swift-log handed the handler, the span it was written in,
/// and nothing formatted yet (the exporter encodes it, off the request path).
struct LogRecord: Sendable {
    var timeNanoseconds: UInt64
    var level: Logger.Level
    var message: String
    /// The call's metadata: these win over the provider's and the handler's.
    var attributes: Logger.Metadata
    /// One string a handler read from the context (a correlation id): it wins over metadata of the same key, as the
    /// context's span ids do.
    var contextAttribute: StringAttribute? = nil
    /// A metadata provider's (the current context's), for the keys `attributes` has not. Its span context keys are
    /// left out when the record has a span context (`isSpanContextKey`).
    var providedAttributes: Logger.Metadata = [:]
    /// The handler's own (`logger[metadataKey:]`), for the keys neither of the others has. The three are kept apart
    /// rather than merged on the request path: a merge hashes every key again; the encoder looks up only the few
    /// keys of the last two.
    var handlerAttributes: Logger.Metadata = [:]
    /// The span the record was written in, if any: its ids and flags become the record's own fields.
    var spanContext: SpanContext?

    /// Every attribute of the record once: the context's, then the call's, then the provider's, then the handler's,
    /// each only where the ones before do not have its key.
    func forEachAttribute(_ body: (String, Logger.MetadataValue) -> Void) {
        let contextKey = self.contextAttribute?.key
        if let contextAttribute = self.contextAttribute {
            body(contextAttribute.key, .string(contextAttribute.value))
        }
        let hasSpanContext = self.spanContext != nil
        for (key, value) in self.attributes where key != contextKey && !(hasSpanContext && Self.isSpanContextKey(key)) {
            body(key, value)
        }
        for (key, value) in self.providedAttributes
        where !(hasSpanContext && Self.isSpanContextKey(key)) && key != contextKey && self.attributes[key] == nil {
            body(key, value)
        }
        for (key, value) in self.handlerAttributes
        where key != contextKey && self.attributes[key] == nil && self.providedAttributes[key] == nil {
            body(key, value)
        }
    }

    /// An attribute whose value is one string.
    struct StringAttribute: Sendable {
        var key: String
        var value: String
    }

    /// The keys a metadata provider puts the current span's ids and flags under (swift-otel's and this project's JSON
    /// lines'): a record written in a span carries them as its own fields, so metadata of these names is not also an
    /// attribute. Compared as they are (short strings compare inline), off the request path.
    static func isSpanContextKey(_ key: String) -> Bool {
        key == "trace_id" || key == "span_id" || key == "trace_flags"
    }
}
