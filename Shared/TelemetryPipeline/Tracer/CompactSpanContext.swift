import ServiceContextModule

/// A span context as the tracer stores it in a `ServiceContext`: small enough for the context to hold inline.
///
/// Every span, sampled or not, writes its span context into a new `ServiceContext`, whose storage is a dictionary of
/// `any Sendable`. A value of more than three words is boxed there: one allocation a span. `SpanContext` is 42
/// bytes; this is 18, because the trace's id and `tracestate`, the same for every span of the trace, live in one
/// `TraceIdentity` that the spans share. So a new trace, or a `traceparent` extracted, allocates once; a span
/// started under a parent allocates nothing for its context.
struct CompactSpanContext: Sendable {
    let trace: TraceIdentity
    let spanID: SpanID
    let flags: UInt8
    let isRemote: Bool

    init(trace: TraceIdentity, spanID: SpanID, flags: UInt8, isRemote: Bool = false) {
        self.trace = trace
        self.spanID = spanID
        self.flags = flags
        self.isRemote = isRemote
    }

    init(_ spanContext: SpanContext) {
        self.init(
            trace: TraceIdentity(traceID: spanContext.traceID, traceState: spanContext.traceState),
            spanID: spanContext.spanID,
            flags: spanContext.flags,
            isRemote: spanContext.isRemote
        )
    }

    var isSampled: Bool { SpanContext.isSampled(self.flags) }

    /// Written from the stored fields: no `SpanContext` made on the way (it goes on every call out).
    var traceParentHeaderValue: String {
        SpanContext.traceParentHeaderValue(traceID: self.trace.traceID, spanID: self.spanID, flags: self.flags)
    }

    var spanContext: SpanContext {
        SpanContext(
            traceID: self.trace.traceID,
            spanID: self.spanID,
            flags: self.flags,
            traceState: self.trace.traceState,
            isRemote: self.isRemote
        )
    }
}

/// What the spans of one trace share in this process: the trace id and the `tracestate` the trace came with.
final class TraceIdentity: Sendable {
    let traceID: TraceID
    let traceState: String?

    init(traceID: TraceID, traceState: String?) {
        self.traceID = traceID
        self.traceState = traceState
    }
}

extension ServiceContext {
    /// The span context the pipeline's tracer put here: the current span's, or the caller's until a span starts.
    public var pipelineSpanContext: SpanContext? {
        get { self.compactSpanContext?.spanContext }
        set { self.compactSpanContext = newValue.map(CompactSpanContext.init) }
    }

    /// The same, as stored: what the tracer reads and writes for every span.
    var compactSpanContext: CompactSpanContext? {
        get { self[PipelineSpanContextKey.self] }
        set { self[PipelineSpanContextKey.self] = newValue }
    }
}

private enum PipelineSpanContextKey: ServiceContextKey {
    typealias Value = CompactSpanContext
    static var nameOverride: String? { "span-context" }
}
