/// How much one span may hold: the SDK's span limits, from `OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT`,
/// `OTEL_SPAN_EVENT_COUNT_LIMIT`, `OTEL_SPAN_LINK_COUNT_LIMIT`, `OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`,
/// `OTEL_LINK_ATTRIBUTE_COUNT_LIMIT` and `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT` (with `OTEL_ATTRIBUTE_COUNT_LIMIT` as
/// the general attribute limit). What is over a limit is dropped and counted in the span's dropped counts.
///
/// Events and links are limited as they are added (so a runaway loop cannot grow a span without bound);
/// attributes and value lengths when the span is encoded, off the request path.
public struct SpanLimits: Sendable, Equatable {
    public var attributeCount: Int = 128
    public var attributeValueLength: Int? = nil
    public var eventCount: Int = 128
    public var linkCount: Int = 128
    public var attributesPerEvent: Int = 128
    public var attributesPerLink: Int = 128

    public init() {}
}
