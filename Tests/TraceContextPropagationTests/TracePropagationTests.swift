import InMemoryTracing
import ServiceContextModule
import TestSupport
import Testing
import TraceContextPropagation
import Tracing

@Suite("Trace context carried across a hop")
struct TracePropagationTests {
    /// The traceparent sent on from a span started in the context extracted from `incoming`.
    static func sentOn(after incoming: TraceContextCarrier) -> (injected: TraceParent?, reported: TraceParent?) {
        let (carrier, reported) = Self.carried(after: incoming)
        return (carrier.traceParent.flatMap { TraceParent(headerValue: $0) }, reported)
    }

    /// The carrier sent on, and the traceparent reported, from a span started in the context extracted from `incoming`.
    static func carried(after incoming: TraceContextCarrier) -> (carrier: TraceContextCarrier, reported: TraceParent?) {
        let tracer = W3CInMemoryTracer()
        let propagation = TracePropagation(tracer: tracer)
        var context = ServiceContext.topLevel
        propagation.extract(incoming, into: &context)
        let span = tracer.startSpan("hop", context: context, ofKind: .server)
        defer { span.end() }
        return (propagation.inject(span.context), propagation.traceParent(of: span.context))
    }

    @Test(
        "the caller's tracestate travels on exactly as it was checked, whatever the tracer's own parser takes",
        arguments: ["foo=1,bar=2", "foo@=1,bar=2", "foo=1,foo=2", String(repeating: "t", count: 242) + "@v=1"]
    )
    func carriesTraceState(traceState: String) {
        let incoming = Self.carrier(traceState: traceState)
        #expect(incoming.traceState == traceState)
        #expect(Self.carried(after: incoming).carrier.traceState == traceState)
    }

    @Test("with tracing off (a tracer that injects nothing), the caller's tracestate is not sent on alone")
    func noTraceStateWithoutTraceParent() {
        let propagation = TracePropagation(tracer: NoOpTracer())
        var context = ServiceContext.topLevel
        propagation.extract(Self.carrier(traceState: "foo=1"), into: &context)
        let carrier = propagation.inject(context)
        #expect(carrier.traceParent == nil)
        #expect(carrier.traceState == nil)
        #expect(propagation.traceParent(of: context) == nil)
        #expect(propagation.traceParentHeaderValue(of: context) == nil)
    }

    @Test("a tracer that injects no traceparent gets no tracestate sent on alone, though it was carried")
    func traceStateOnlyBesideTraceParent() {
        // A tracestate with no traceparent: the carry keeps it, the tracer extracts no span and injects nothing.
        let propagation = TracePropagation(tracer: W3CInMemoryTracer())
        var context = ServiceContext.topLevel
        propagation.extract(TraceContextCarrier(traceState: "foo=1"), into: &context)
        let carrier = propagation.inject(context)
        #expect(carrier.traceParent == nil)
        #expect(carrier.traceState == nil)
    }

    @Test("with tracing off, extraction keeps nothing beside the context but the caller's baggage")
    func tracingOffKeepsOnlyBaggage() {
        let propagation = TracePropagation(tracer: NoOpTracer())
        var context = ServiceContext.topLevel
        var incoming = Self.carrier(traceState: "foo=1")
        incoming.baggage = "user=alice"
        propagation.extract(incoming, into: &context)
        #expect(context.count == 1)
        #expect(propagation.inject(context) == TraceContextCarrier(baggage: "user=alice"))
    }

    @Test("a trace this service starts sends no tracestate")
    func newTraceHasNoTraceState() {
        #expect(Self.carried(after: TraceContextCarrier()).carrier.traceState == nil)
    }

    static func carrier(traceState: String) -> TraceContextCarrier {
        let headers = [
            "traceparent": "00-12345678901234567890123456789012-1234567890123456-01", "tracestate": traceState,
        ]
        return TraceContextCarrier(validating: { headers[$0].map { [$0] } ?? [] })
    }

    @Test("the traceparent header value of a tracer that is not Level 2 is the one it injects, flag carry included")
    func headerValueOfAnyTracer() throws {
        let tracer = W3CInMemoryTracer()
        let propagation = TracePropagation(tracer: tracer)
        var context = ServiceContext.topLevel
        propagation.extract(TraceContextCarrier(traceParent: Self.randomFlagParent), into: &context)
        let span = tracer.startSpan("hop", context: context, ofKind: .server)
        defer { span.end() }
        let headerValue = try #require(propagation.traceParentHeaderValue(of: span.context))
        #expect(headerValue == propagation.inject(span.context).traceParent)
        #expect(headerValue == propagation.traceParent(of: span.context)?.headerValue)
        #expect(headerValue.hasSuffix("-03"))
        #expect(propagation.traceParentHeaderValue(of: .topLevel) == nil)
    }

    static let randomFlagParent = "00-12345678901234567890123456789012-1234567890123456-03"

    @Test("a caller's random-trace-id flag travels on to the next hop and into traceresponse")
    func keepsRandomFlag() throws {
        let incoming = TraceContextCarrier(traceParent: "00-12345678901234567890123456789012-1234567890123456-03")
        let (injected, reported) = Self.sentOn(after: incoming)
        #expect(try #require(injected).flags == 0x03)
        #expect(try #require(reported).flags == 0x03)
        #expect(injected?.traceID == "12345678901234567890123456789012")
    }

    @Test("a caller without the random flag does not get one")
    func doesNotInventRandomFlag() throws {
        let incoming = TraceContextCarrier(traceParent: "00-12345678901234567890123456789012-1234567890123456-01")
        let (injected, reported) = Self.sentOn(after: incoming)
        #expect(try #require(injected).flags == 0x01)
        #expect(try #require(reported).flags == 0x01)
    }

    @Test("a trace this service starts has a random id, and says so")
    func newTraceIsRandom() throws {
        let (injected, reported) = Self.sentOn(after: TraceContextCarrier())
        #expect(try #require(injected).hasRandomTraceID)
        #expect(try #require(reported).hasRandomTraceID)
    }
}
