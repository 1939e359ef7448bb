import GRPCCore
import ServiceContextModule
import Synchronization
import Tracing

/// Starts a SERVER span for every RPC, continuing the caller's trace.
///
/// It reads `traceparent`, `tracestate` and `baggage` from the request metadata (nothing else reaches the
/// tracer), takes the caller's `x-correlation-id` when it is sane, and names the span after the method's
/// full name, e.g. `marketintel.v1.CoreEngine/GetQuote`. The span stays current while the handler runs and,
/// for streaming responses, while the response is written, and ends with the RPC's status.
///
/// A SERVER span's status becomes an error only for server faults (`INTERNAL`, `UNAVAILABLE`, …): a caller's
/// `NOT_FOUND` is recorded as `rpc.grpc.status_code` and an exception event, not as the server failing.
package struct ServerTracingInterceptor: ServerInterceptor {
    private let propagation: TracePropagation

    /// - Parameter tracer: The tracer to use; `nil` uses the one bootstrapped in `InstrumentationSystem`.
    package init(tracer: (any Tracer)? = nil) {
        self.propagation = TracePropagation(tracer: tracer)
    }

    package func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        var serviceContext = ServiceContext.current ?? .topLevel
        let metadata = request.metadata
        let carrier = TraceContextCarrier(validating: { key in Array(metadata[stringValues: key]) })
        self.propagation.extract(carrier, into: &serviceContext)
        let correlationID = CorrelationID.resolve(
            metadata[stringValues: CorrelationID.metadataKey].first(where: { _ in true })
        )
        serviceContext.correlationID = correlationID

        let span = self.propagation.tracer.startSpan(
            context.descriptor.fullyQualifiedMethod,
            context: serviceContext,
            ofKind: .server
        )
        // A span that is not recorded (sampled out, or tracing off) would drop the attributes: skip the work.
        if span.isRecording {
            span.updateAttributes { attributes in
                RPCSpanAttributes.set(method: context.descriptor, on: &attributes)
                RPCSpanAttributes.set(peer: context.localPeer, prefix: "server", on: &attributes)
                RPCSpanAttributes.set(peer: context.remotePeer, prefix: "network.peer", on: &attributes)
                attributes["correlation.id"] = correlationID
            }
        }
        let ending = SpanEnding(span: span, kind: .server)

        do {
            let response = try await ServiceContext.withValue(span.context) {
                try await next(request, context)
            }
            return response.onCompletion(in: span.context) { ending.end(error: $0) }
        } catch {
            ending.end(error: error)
            throw error
        }
    }
}

/// Ends an RPC span exactly once with its gRPC status, whichever path finishes the call.
///
/// A class so that a response producer that is never run (the transport dropped the stream) still
/// ends the span when the response is released.
final class SpanEnding: Sendable {
    enum Kind {
        case server
        case client
    }

    private let span: Mutex<(any Span)?>
    private let kind: Kind

    init(span: any Span, kind: Kind) {
        self.span = Mutex(span)
        self.kind = kind
    }

    /// Sets the status attributes and ends the span; later calls do nothing.
    func end(error: (any Error)?) {
        guard let span = self.span.withLock({ span in defer { span = nil }; return span }) else { return }
        guard span.isRecording else {
            span.end()
            return
        }
        guard let error else {
            span.updateAttributes { RPCSpanAttributes.set(status: nil, on: &$0) }
            span.end()
            return
        }
        let code = RPCError.Code(recording: error)
        span.updateAttributes { RPCSpanAttributes.set(status: code, on: &$0) }
        span.recordError(error)
        switch self.kind {
        case .client:
            span.setStatus(SpanStatus(code: .error, message: RPCError.recordedMessage(of: error, code: code)))
        case .server where RPCSpanAttributes.isServerFault(code, error: error):
            span.setStatus(SpanStatus(code: .error, message: RPCError.recordedMessage(of: error, code: code)))
        case .server:
            break
        }
        span.end()
    }

    deinit {
        // The call was abandoned before a status was known.
        if let span = self.span.withLock({ $0 }) {
            span.updateAttributes { $0["error.type"] = "CANCELLED" }
            span.end()
        }
    }
}
