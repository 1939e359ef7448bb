import GRPCCore
import ObservabilityPrimitives
import ServiceContextModule
import TraceContextPropagation
import Tracing

/// Starts a CLIENT span for every outgoing RPC and puts the trace context into the request metadata.
///
/// It writes `traceparent`, `tracestate` and `baggage` (W3C) and `x-correlation-id` into the metadata,
/// names the span after the method's full name, and ends it when the call is over, so a server stream is inside its
/// span. Any non-OK status makes the span an error.
///
/// Inside `CallDeadline.run` (a `ClientCall`), one span covers the logical call with all its retries, as the RPC
/// conventions ask: a retry policy runs this interceptor once per attempt, and each attempt sends the same span's
/// context (so the SERVER span of every replica it reached is the call span's child, which is how the collector's
/// service graph pairs them) and sets `network.peer.address` / `network.peer.port` (the span keeps the last address
/// contacted); a call that retries gets a `grpc.attempt` event per attempt (see `ClientCall+span.swift`); the span ends with
/// the call's final status. Outside a `ClientCall` every run is a call of its own, with its own span. The span names the
/// replica beside the name the client dialled (`server.address`, `server.port`). Attribute names follow
/// `OTEL_SEMCONV_STABILITY_OPT_IN` (`RPCSemanticConventions`).
public struct ClientTracingInterceptor: ClientInterceptor {
    private let propagation: TracePropagation
    private let serverAddress: String?
    private let serverPort: Int?
    private let conventions: RPCSemanticConventions

    /// - Parameters:
    ///   - serverAddress: The name the client dials, for `server.address`; `nil` when it dials a list of addresses,
    ///     and then each attempt's peer is the server.
    ///   - serverPort: The port it dials, for `server.port`.
    ///   - tracer: The tracer to use; `nil` uses the one bootstrapped in `InstrumentationSystem`.
    ///   - conventions: The names of the RPC conventions to write; by default, as `OTEL_SEMCONV_STABILITY_OPT_IN` says.
    public init(
        serverAddress: String?,
        serverPort: Int?,
        tracer: (any Tracer)? = nil,
        conventions: RPCSemanticConventions = .fromEnvironment
    ) {
        self.propagation = TracePropagation(tracer: tracer)
        self.serverAddress = serverAddress
        self.serverPort = serverPort
        self.conventions = conventions
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        let parentContext = ServiceContext.current ?? .topLevel
        let call = ClientCall.current
        let startSpan = {
            self.propagation.tracer.startSpan(
                context.descriptor.fullyQualifiedMethod,
                context: parentContext,
                ofKind: .client
            )
        }
        let (span, isNew) = call?.span(conventions: self.conventions, startingWith: startSpan) ?? (startSpan(), true)
        var request = request
        self.propagation.inject(span.context).forEachField { name, value in
            request.metadata.replaceOrAddString(value, forKey: name)
        }
        if let correlationID = parentContext.correlationID {
            request.metadata.replaceOrAddString(correlationID, forKey: CorrelationID.metadataKey)
        }
        // A span that is not recorded (sampled out, or tracing off) has nothing to record and nothing to end (its
        // `end()` does nothing): its context has gone out in the metadata above, and that is all it needs.
        guard span.isRecording else { return try await next(request, context) }

        let attempt = call?.attempt ?? 1
        if attempt > 1 { parentContext.rpcRetryLog?.recordRetry() }
        if isNew {
            span.updateAttributes { attributes in
                attributes.reserveCapacity(RPCSpanAttributes.expectedCount)
                RPCSpanAttributes.set(method: context.descriptor, conventions: self.conventions, on: &attributes)
                if let address = self.serverAddress {
                    attributes["server.address"] = address
                    if let port = self.serverPort { attributes["server.port"] = port }
                } else {
                    RPCSpanAttributes.set(peer: context.remotePeer, as: .server, on: &attributes)
                }
                if let correlationID = parentContext.correlationID { attributes["correlation.id"] = correlationID }
            }
        }
        guard let call else {
            return try await self.callAlone(span: span, request: request, context: context, next: next)
        }

        let started = ContinuousClock.now
        let delay = call.delayBeforeAttempt(startingAt: started)
        do {
            let response = try await ServiceContext.withValue(span.context) {
                try await next(request, context)
            }
            return response.onCompletion { error in
                call.recordAttempt(
                    number: attempt,
                    peer: context.remotePeer,
                    started: started,
                    delay: delay,
                    error: error
                )
            }
        } catch {
            call.recordAttempt(number: attempt, peer: context.remotePeer, started: started, delay: delay, error: error)
            throw error
        }
    }

    /// A call outside a `ClientCall`: this run is the whole call, and its span ends with it.
    private func callAlone<Input: Sendable, Output: Sendable>(
        span: any Span,
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        let peer = context.remotePeer
        @Sendable func setPeer(_ attributes: inout SpanAttributes) {
            RPCSpanAttributes.set(peer: peer, as: .networkPeer, on: &attributes)
        }
        let ending = Once(span, onAbandon: { $0.endAbandonedRPC() })
        do {
            let response = try await ServiceContext.withValue(span.context) {
                try await next(request, context)
            }
            return response.onCompletion {
                ending.take()?.endRPC(kind: .client, conventions: self.conventions, error: $0, setAttributes: setPeer)
            }
        } catch {
            ending.take()?.endRPC(kind: .client, conventions: self.conventions, error: error, setAttributes: setPeer)
            throw error
        }
    }
}
