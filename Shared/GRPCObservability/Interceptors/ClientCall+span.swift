import GRPCCore
import Synchronization
import Tracing

/// The CLIENT span of one logical call, shared by all its attempts.
///
/// A retry policy runs the client interceptors once per attempt, but the RPC conventions want one CLIENT span for
/// the logical call, retries included, ending with the call's final status, and the collector's service graph pairs
/// each SERVER span with the CLIENT span that is its parent. So the first attempt starts this span, and every attempt:
/// - sends its context, so that the SERVER span of each replica that got an attempt is its child;
/// - notes its peer, so that the span ends with the last address contacted (`network.peer.address` and
///   `network.peer.port`, set with the status in one update);
/// - once the call has a second attempt, is a `grpc.attempt` event on the span: its number, the replica it went to,
///   its status, how long it took and how long it waited after the attempt before it (the retry policy's backoff).
///   A call of one attempt gets no event: the span itself says all of it, and the common case costs nothing more.
///
/// The span ends once, when the call does (`finish(error:)`), with the call's status. Its state is a stored property
/// of the `ClientCall` (`spanState`), so a call still costs one allocation.
extension ClientCall {
    /// The name of the event each attempt of a retried call adds.
    package static let attemptEventName = "grpc.attempt"

    /// What the call's attempts share about its span.
    struct SpanState {
        var span: (any Span)?
        var conventions = RPCSemanticConventions.previous
        var previousAttemptEnd: ContinuousClock.Instant?
        /// The peer of the last attempt that had one, for `network.peer.*` when the span ends.
        var lastPeer: RPCPeer?
        /// The first attempt, written as an event only when a second one ends.
        var first: SpanAttempt?
    }

    /// An attempt that has ended, kept until it is known whether the call retries.
    struct SpanAttempt: Sendable {
        var number: Int
        var peer: RPCPeer?
        var duration: Duration
        var delay: Duration?
        var code: RPCError.Code?
        var ended: DefaultTracerClock.Instant
    }

    /// The call's span: started by `start` on the first attempt, the same span on every later one. Its attributes
    /// and events get the names of `conventions`.
    package func span(
        conventions: RPCSemanticConventions,
        startingWith start: () -> any Span
    ) -> (span: any Span, isNew: Bool) {
        self.spanState.withLock { state in
            if let span = state.span { return (span, false) }
            let span = start()
            state.span = span
            state.conventions = conventions
            return (span, true)
        }
    }

    /// How long the attempt starting now waited after the previous one ended; `nil` for the first.
    package func delayBeforeAttempt(startingAt start: ContinuousClock.Instant) -> Duration? {
        self.spanState.withLock { state in state.previousAttemptEnd.map { $0.duration(to: start) } }
    }

    /// Records an attempt that has ended: the span's peer, and the attempt's event once the call has retried.
    package func recordAttempt(
        number: Int,
        peer: String,
        started: ContinuousClock.Instant,
        delay: Duration?,
        error: (any Error)?
    ) {
        let ended = ContinuousClock.now
        let attempt = SpanAttempt(
            number: number,
            peer: RPCPeer(description: peer),
            duration: started.duration(to: ended),
            delay: delay,
            code: error.map { RPCError.Code(recording: $0) },
            ended: DefaultTracerClock.now
        )
        let (span, conventions, first) = self.spanState.withLock { state in
            state.previousAttemptEnd = ended
            if let peer = attempt.peer { state.lastPeer = peer }
            if number == 1 { state.first = attempt }
            return (state.span, state.conventions, number == 1 ? nil : state.first.take())
        }
        guard let span, span.isRecording, number > 1 else { return }
        if let first { span.addEvent(Self.event(first, conventions: conventions)) }
        span.addEvent(Self.event(attempt, conventions: conventions))
    }

    /// Ends the span, if an attempt started one, with the call's final outcome.
    func endSpan(error: (any Error)?) {
        let (span, conventions, peer) = self.spanState.withLock { state in
            defer { state.span = nil }
            return (state.span, state.conventions, state.lastPeer)
        }
        span?.endRPC(kind: .client, conventions: conventions, error: error) { attributes in
            if let peer { RPCSpanAttributes.set(peer: peer, as: .networkPeer, on: &attributes) }
        }
    }

    private static func event(_ attempt: SpanAttempt, conventions: RPCSemanticConventions) -> SpanEvent {
        var attributes: SpanAttributes = [:]
        attributes["grpc.attempt.number"] = attempt.number
        attributes["grpc.attempt.duration_ms"] = attempt.duration.milliseconds
        if let delay = attempt.delay { attributes["grpc.attempt.delay_ms"] = delay.milliseconds }
        if attempt.number > 1 {
            RPCSpanAttributes.set(
                requestMetadata: ClientAttemptInterceptor.previousAttemptsKey,
                values: [String(attempt.number - 1)],
                conventions: conventions,
                on: &attributes
            )
        }
        if let peer = attempt.peer { RPCSpanAttributes.set(peer: peer, as: .networkPeer, on: &attributes) }
        RPCSpanAttributes.set(status: attempt.code, conventions: conventions, on: &attributes)
        return SpanEvent(name: Self.attemptEventName, at: attempt.ended, attributes: attributes)
    }
}

extension Duration {
    /// This duration in milliseconds, with a fraction.
    fileprivate var milliseconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
