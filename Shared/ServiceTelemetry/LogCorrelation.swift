import ServiceContextModule
import TelemetryPipeline
import TraceContextPropagation

/// What ties a log record to its request: the current span's context (`TelemetryPipeline`'s) and the correlation id,
/// read from `ServiceContext.current` once a record, for every output.
///
/// They are fields of a JSON line (`trace_id`, `span_id`, `trace_flags`, `correlation_id`) as its timestamp is, not
/// metadata a provider builds: a provider formats both ids into strings and puts four entries into a new dictionary on
/// every line, sampled or not, and the OTLP record carries the span context as fields of its own anyway.
package struct LogCorrelation: Sendable {
    package var spanContext: SpanContext?
    package var correlationID: String?

    package init(spanContext: SpanContext? = nil, correlationID: String? = nil) {
        self.spanContext = spanContext
        self.correlationID = correlationID
    }

    /// Nothing to tie a record to: a line written outside any request.
    package static let none = LogCorrelation()

    /// The current context's.
    package static var current: LogCorrelation {
        guard let context = ServiceContext.current else { return .none }
        return LogCorrelation(spanContext: context.pipelineSpanContext, correlationID: context[CorrelationIDKey.self])
    }

    /// The keys a line names these fields by.
    package static let traceIDKey = "trace_id"
    package static let spanIDKey = "span_id"
    package static let traceFlagsKey = "trace_flags"
    package static let correlationIDKey = "correlation_id"

    /// Whether metadata under `key` is left out, since the field of that name is written from this: the key compared
    /// first (short strings compare inline), for each key of each line.
    func covers(_ key: String) -> Bool {
        switch key {
        case Self.traceIDKey, Self.spanIDKey, Self.traceFlagsKey: self.spanContext != nil
        case Self.correlationIDKey: self.correlationID != nil
        default: false
        }
    }
}
