import GRPCCore
import ObservabilityPrimitives
import ServiceContextModule
import TraceContextPropagation
import Tracing

/// Starts a CLIENT span for every outgoing RPC and puts the trace context into the request metadata.
///
/// It writes `traceparent`, `tracestate` and `baggage` (W3C) and `x-correlation-id` into the metadata,
/// names the span after the method's full name, and ends it when the last response part has been read,
/// so a server stream is inside its span. Any non-OK status makes the span an error.
///
/// It runs once per attempt (a gRPC retry policy replays the interceptors), so every attempt is a span of its own,
/// with the replica that served it (`network.peer.address`, `network.peer.port`) beside the name the client dialled
/// (`server.address`, `server.port`), and a retry says how many attempts came before it
/// (`rpc.grpc.request.metadata.grpc-previous-rpc-attempts`, the header sent with it; the attempt number comes from
/// `ClientAttemptInterceptor`, listed before this one).
public struct ClientTracingInterceptor: ClientInterceptor {
    private let propagation: TracePropagation
    private let serverAddress: String?
    private let serverPort: Int?

    /// - Parameters:
    ///   - serverAddress: The name the client dials, for `server.address`; `nil` when it dials a list of addresses,
    ///     and then each attempt's peer is the server.
    ///   - serverPort: The port it dials, for `server.port`.
    ///   - tracer: The tracer to use; `nil` uses the one bootstrapped in `InstrumentationSystem`.
    public init(serverAddress: String?, serverPort: Int?, tracer: (any Tracer)? = nil) {
        self.propagation = TracePropagation(tracer: tracer)
        self.serverAddress = serverAddress
        self.serverPort = serverPort
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        let parentContext = ServiceContext.current ?? .topLevel
        let span = self.propagation.tracer.startSpan(
            context.descriptor.fullyQualifiedMethod,
            context: parentContext,
            ofKind: .client
        )
        var request = request
        for field in self.propagation.inject(span.context).fields {
            request.metadata.replaceOrAddString(field.value, forKey: field.name)
        }
        if let correlationID = parentContext.correlationID {
            request.metadata.replaceOrAddString(correlationID, forKey: CorrelationID.metadataKey)
        }
        // A span that is not recorded (sampled out, or tracing off) has nothing to record and nothing to end (its
        // `end()` does nothing): its context has gone out in the metadata above, and that is all it needs.
        guard span.isRecording else { return try await next(request, context) }

        let attempt = ClientCall.current?.attempt ?? 1
        if attempt > 1 { parentContext.rpcRetryLog?.recordRetry() }
        span.updateAttributes { attributes in
            RPCSpanAttributes.set(method: context.descriptor, on: &attributes)
            if let address = self.serverAddress {
                attributes["server.address"] = address
                if let port = self.serverPort { attributes["server.port"] = port }
            } else {
                RPCSpanAttributes.set(peer: context.remotePeer, prefix: "server", on: &attributes)
            }
            RPCSpanAttributes.set(peer: context.remotePeer, prefix: "network.peer", on: &attributes)
            if attempt > 1 { attributes[RPCSpanAttributes.previousAttemptsKey] = [String(attempt - 1)] }
            if let correlationID = parentContext.correlationID { attributes["correlation.id"] = correlationID }
        }
        let ending = Once(span, onAbandon: { $0.endAbandonedRPC() })
        do {
            let response = try await ServiceContext.withValue(span.context) {
                try await next(request, context)
            }
            return response.onCompletion { ending.take()?.endRPC(kind: .client, error: $0) }
        } catch {
            ending.take()?.endRPC(kind: .client, error: error)
            throw error
        }
    }
}
