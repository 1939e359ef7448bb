import Logging

/// One log record as the log pipeline queues it: what swift-log handed the handler, the span it was written in,
/// and nothing formatted yet (the exporter encodes it, off the request path).
struct LogRecord: Sendable {
    var timeNanoseconds: UInt64
    var level: Logger.Level
    var message: String
    /// The handler's, the provider's and the call's metadata, merged in that order of precedence (last wins).
    var attributes: Logger.Metadata
    /// The span the record was written in, if any: its ids and flags become the record's own fields.
    var spanContext: SpanContext?
}
