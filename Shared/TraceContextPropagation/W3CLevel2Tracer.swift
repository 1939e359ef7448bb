import ServiceContextModule
import Tracing

/// A tracer that carries W3C Trace Context Level 2 itself: the caller's `tracestate` as it came (keys of either
/// grammar) and the random-trace-id flag, in its own span context.
///
/// `TracePropagation` keeps both next to the context of any other tracer (swift-otel 1.6 keeps neither); for a
/// tracer that declares this, it hands the whole checked `tracestate` to the tracer and adds nothing of its own.
public protocol W3CLevel2Tracer: Tracer {
    /// The trace and span of `context` as this tracer propagates them, read from its own span context rather than
    /// written as a header and parsed back (response headers, error bodies and exemplars ask on every request);
    /// `nil` outside a trace, and, when `sampledOnly`, for a trace that is not sampled, without formatting its ids.
    func traceParent(of context: ServiceContext, sampledOnly: Bool) -> TraceParent?

    /// The `traceparent` header value of `context` as this tracer propagates it; `nil` outside a trace.
    func traceParentHeaderValue(of context: ServiceContext) -> String?
}

extension W3CLevel2Tracer {
    /// By default, `traceParent(of:sampledOnly:)`'s, written out.
    public func traceParentHeaderValue(of context: ServiceContext) -> String? {
        self.traceParent(of: context, sampledOnly: false)?.headerValue
    }
}
