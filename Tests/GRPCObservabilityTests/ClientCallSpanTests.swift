import GRPCCore
import InMemoryTracing
import Testing
import Tracing

@testable import GRPCObservability

@Suite("One CLIENT span per logical call")
struct ClientCallSpanTests {
    let tracer = InMemoryTracer()

    func start() -> any Span {
        self.tracer.startSpan("marketintel.v1.CoreEngine/GetQuote", context: .topLevel, ofKind: .client)
    }

    @Test("every attempt gets the span the first one started; each ends as an event; the span ends once, with the call")
    func attemptsShareTheSpan() throws {
        let callSpan = ClientCall(deadline: .now + .seconds(5))
        let first = callSpan.span(conventions: .previous, startingWith: self.start)
        let second = callSpan.span(
            conventions: .previous,
            startingWith: {
                Issue.record("a second span was started")
                return self.start()
            }
        )
        #expect(first.isNew && !second.isNew)
        #expect(first.span.context.inMemorySpanContext == second.span.context.inMemorySpanContext)

        let started = ContinuousClock.now
        #expect(callSpan.delayBeforeAttempt(startingAt: started) == nil)
        callSpan.recordAttempt(
            number: 1,
            peer: "ipv4:10.0.0.5:50051",
            started: started,
            delay: nil,
            error: RPCError(code: .unavailable, message: "going away")
        )
        let retried = ContinuousClock.now
        let delay = try #require(callSpan.delayBeforeAttempt(startingAt: retried))
        #expect(delay >= .zero)
        callSpan.recordAttempt(number: 2, peer: "ipv4:10.0.0.6:50051", started: retried, delay: delay, error: nil)
        #expect(self.tracer.finishedSpans.isEmpty, "the span outlives its attempts")

        callSpan.finish(error: nil)
        callSpan.finish(error: RPCError(code: .internalError, message: "too late"))
        let span = try #require(self.tracer.finishedSpans.only)
        #expect(span.status == nil)
        #expect(span.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 0)
        // The last address contacted.
        #expect(span.attributes["network.peer.address"]?.toSpanAttribute() == "10.0.0.6")

        let attempts = span.events.filter { $0.name == ClientCall.attemptEventName }
        try #require(attempts.count == 2)
        #expect(attempts[0].attributes["grpc.attempt.number"]?.toSpanAttribute() == 1)
        #expect(attempts[0].attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 14)
        #expect(attempts[0].attributes["error.type"]?.toSpanAttribute() == "UNAVAILABLE")
        #expect(attempts[0].attributes["network.peer.address"]?.toSpanAttribute() == "10.0.0.5")
        #expect(attempts[0].attributes["grpc.attempt.delay_ms"] == nil)
        #expect(attempts[0].attributes["rpc.grpc.request.metadata.grpc-previous-rpc-attempts"] == nil)
        #expect(attempts[1].attributes["grpc.attempt.number"]?.toSpanAttribute() == 2)
        #expect(attempts[1].attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 0)
        #expect(attempts[1].attributes["grpc.attempt.delay_ms"] != nil)
        #expect(
            attempts[1].attributes["rpc.grpc.request.metadata.grpc-previous-rpc-attempts"]?.toSpanAttribute()
                == .stringArray(["1"])
        )
    }

    @Test("a call whose last attempt failed ends its span with that status, an error")
    func failedCall() throws {
        let callSpan = ClientCall(deadline: .now + .seconds(5))
        _ = callSpan.span(conventions: .previous, startingWith: self.start)
        for number in 1...3 {
            callSpan.recordAttempt(
                number: number,
                peer: "ipv4:10.0.0.5:50051",
                started: .now,
                delay: nil,
                error: RPCError(code: .unavailable, message: "going away")
            )
        }
        callSpan.finish(error: RPCError(code: .unavailable, message: "going away"))
        let span = try #require(self.tracer.finishedSpans.only)
        #expect(span.status?.code == .error)
        #expect(span.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 14)
        #expect(span.events.filter { $0.name == ClientCall.attemptEventName }.count == 3)
    }

    @Test("a call of one attempt gets no event: the span is the attempt, with its replica")
    func oneAttempt() throws {
        let callSpan = ClientCall(deadline: .now + .seconds(5))
        _ = callSpan.span(conventions: .previous, startingWith: self.start)
        callSpan.recordAttempt(number: 1, peer: "ipv4:10.0.0.5:50051", started: .now, delay: nil, error: nil)
        callSpan.finish(error: nil)
        let span = try #require(self.tracer.finishedSpans.only)
        #expect(span.events.isEmpty)
        #expect(span.attributes["network.peer.address"]?.toSpanAttribute() == "10.0.0.5")
        #expect(span.attributes["network.peer.port"]?.toSpanAttribute() == 50051)
    }

    @Test("a call that never started an attempt has no span to end")
    func noAttempt() {
        ClientCall(deadline: .now).finish(error: RPCError(code: .deadlineExceeded, message: "too late"))
        #expect(self.tracer.finishedSpans.isEmpty)
    }

    @Test("the call's deadline passing mid-attempt ends the call span DEADLINE_EXCEEDED")
    func deadlinePassed() async throws {
        let deadline = CallDeadline(timeout: .milliseconds(50))
        await #expect(throws: RPCError.self) {
            try await deadline.run { _ in
                _ = try #require(ClientCall.current).span(conventions: .previous, startingWith: self.start)
                try await Task.sleep(for: .seconds(10))
            }
        }
        let span = try #require(self.tracer.finishedSpans.only)
        #expect(span.status?.code == .error)
        #expect(span.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 4)
    }
}

extension Collection {
    /// The one element, or `nil` when there are none or several.
    fileprivate var only: Element? { self.count == 1 ? self.first : nil }
}
