import Logging

/// One log record as the log pipeline queues it: what swift-log handed the handler, the span it was written in,
/// and nothing formatted yet (the exporter encodes it, off the request path).
struct LogRecord: Sendable {
    var timeNanoseconds: UInt64
    var level: Logger.Level
    var message: String
    /// The call's metadata: these win.
    var attributes: Logger.Metadata
    /// The handler's and the provider's, for the keys `attributes` has not. Kept apart rather than merged on the
    /// request path: a merge hashes every key of the call's again; the encoder looks up only these few.
    var defaultAttributes: Logger.Metadata = [:]
    /// The span the record was written in, if any: its ids and flags become the record's own fields.
    var spanContext: SpanContext?

    /// Every attribute of the record once, the call's first, then the defaults it does not override.
    func forEachAttribute(_ body: (String, Logger.MetadataValue) -> Void) {
        for (key, value) in self.attributes { body(key, value) }
        for (key, value) in self.defaultAttributes where self.attributes[key] == nil { body(key, value) }
    }
}
