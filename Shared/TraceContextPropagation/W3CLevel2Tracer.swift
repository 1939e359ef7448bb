import Tracing

/// A tracer that carries W3C Trace Context Level 2 itself: the caller's `tracestate` as it came (keys of either
/// grammar) and the random-trace-id flag, in its own span context.
///
/// `TracePropagation` keeps both next to the context of any other tracer (swift-otel 1.6 keeps neither); for a
/// tracer that declares this, it hands the whole checked `tracestate` to the tracer and adds nothing of its own.
public protocol W3CLevel2Tracer: Tracer {}
