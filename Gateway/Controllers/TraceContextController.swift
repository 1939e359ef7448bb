import Hummingbird
import ServiceContextModule
import TraceContextPropagation

/// `GET /trace-context`: the trace this very request is part of, for debugging propagation.
struct TraceContextController<Context: RequestContext> {
    let propagation: TracePropagation

    func addRoutes(to router: Router<Context>) {
        router.get("trace-context", use: self.traceContext)
    }

    struct TraceContextResponse: ResponseEncodable {
        var trace_id: String?
        var span_id: String?
        var traceparent: String?
        var sampled: Bool
        var correlation_id: String?
        var baggage: String?
    }

    @Sendable func traceContext(request: Request, context: Context) async throws -> TraceContextResponse {
        let serviceContext = ServiceContext.current ?? .topLevel
        let traceParent = self.propagation.traceParent(of: serviceContext)
        return TraceContextResponse(
            trace_id: traceParent?.traceID,
            span_id: traceParent?.spanID,
            traceparent: traceParent?.headerValue,
            sampled: traceParent?.isSampled ?? false,
            correlation_id: serviceContext.correlationID,
            baggage: serviceContext[W3CBaggageKey.self]?.headerValue
        )
    }
}
