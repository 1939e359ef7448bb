import GRPCCore
import ObservabilityPrimitives
import ServiceContextModule
import TraceContextPropagation
import Tracing

/// Starts a SERVER span for every RPC, continuing the caller's trace.
///
/// It reads `traceparent`, `tracestate` and `baggage` from the request metadata (nothing else reaches the
/// tracer), takes the caller's `x-correlation-id` when it is sane, and names the span after the method's
/// full name, e.g. `marketintel.v1.CoreEngine/GetQuote`. The span stays current while the handler runs and,
/// for streaming responses, while the response is written, and ends with the RPC's status.
///
/// A SERVER span's status becomes an error only for server faults (`INTERNAL`, `UNAVAILABLE`, …): a caller's
/// `NOT_FOUND` is recorded as `rpc.grpc.status_code` and an exception event, not as the server failing. Attribute
/// names follow `OTEL_SEMCONV_STABILITY_OPT_IN` (`RPCSemanticConventions`).
public struct ServerTracingInterceptor: ServerInterceptor {
    private let propagation: TracePropagation
    private let conventions: RPCSemanticConventions

    /// - Parameters:
    ///   - tracer: The tracer to use; `nil` uses the one bootstrapped in `InstrumentationSystem`.
    ///   - conventions: The names of the RPC conventions to write; by default, as `OTEL_SEMCONV_STABILITY_OPT_IN` says.
    public init(tracer: (any Tracer)? = nil, conventions: RPCSemanticConventions = .fromEnvironment) {
        self.propagation = TracePropagation(tracer: tracer)
        self.conventions = conventions
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        var serviceContext = ServiceContext.current ?? .topLevel
        let metadata = request.metadata
        self.propagation.extract(TraceContextCarrier(validatingMetadata: metadata), into: &serviceContext)
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
                attributes.reserveCapacity(RPCSpanAttributes.expectedCount)
                RPCSpanAttributes.set(method: context.descriptor, conventions: self.conventions, on: &attributes)
                RPCSpanAttributes.set(peer: context.localPeer, as: .server, on: &attributes)
                RPCSpanAttributes.set(peer: context.remotePeer, as: .networkPeer, on: &attributes)
                attributes["correlation.id"] = correlationID
                // A retried attempt says so: the replica that got the retry can tell it from a first call.
                let previousAttempts = Array(metadata[stringValues: ClientAttemptInterceptor.previousAttemptsKey])
                if !previousAttempts.isEmpty {
                    RPCSpanAttributes.set(
                        requestMetadata: ClientAttemptInterceptor.previousAttemptsKey,
                        values: previousAttempts,
                        conventions: self.conventions,
                        on: &attributes
                    )
                }
            }
        }
        let ending = Once(span, onAbandon: { $0.endAbandonedRPC() })

        do {
            let response = try await ServiceContext.withValue(span.context) {
                try await next(request, context)
            }
            return response.onCompletion(in: span.context) {
                ending.take()?.endRPC(kind: .server, conventions: self.conventions, error: $0)
            }
        } catch {
            ending.take()?.endRPC(kind: .server, conventions: self.conventions, error: error)
            throw error
        }
    }
}
