import ServiceContextModule
import Testing
import Tracing

@testable import TelemetryPipeline

@Suite("A recorded span follows the tracing API's rules")
struct SpanTests {
    static func span(limits: SpanLimits = SpanLimits()) -> (PipelineSpan, BatchQueue<RecordingSpan>) {
        let queue = BatchQueue<RecordingSpan>(capacity: 10, batchSize: 10)
        let tracer = PipelineTracer(sampler: .alwaysOn, limits: limits, queue: queue)
        return (tracer.startSpan("operation", context: .topLevel), queue)
    }

    @Test("ending twice queues the span once; after its end nothing changes it")
    func endOnce() throws {
        let (span, queue) = Self.span()
        span.attributes["before"] = "kept"
        span.end()
        span.end()
        span.attributes["after"] = "ignored"
        span.operationName = "renamed"
        span.addEvent("late")
        #expect(!span.isRecording)
        let queued = queue.takeBatch()
        #expect(queued.count == 1)
        let state = try #require(queued.first).finished
        #expect(state.name == "operation" && state.events.isEmpty)
        #expect(state.attributes["before"]?.toSpanAttribute() == .string("kept") && state.attributes["after"] == nil)
    }

    @Test("ok is final: a later error does not replace it; an ok status keeps no message")
    func statusRules() throws {
        let (span, queue) = Self.span()
        span.setStatus(.init(code: .error, message: "first"))
        span.setStatus(.init(code: .ok, message: "ignored"))
        span.setStatus(.init(code: .error, message: "too late"))
        span.end()
        let status = try #require(queue.takeBatch().first?.finished.status)
        #expect(status.code == .ok && status.message == nil)
    }

    @Test("recordError adds an exception event with the error's type and message")
    func recordError() throws {
        struct QuoteUnavailable: Error, CustomStringConvertible { var description: String { "no quote for NOPE" } }
        let (span, queue) = Self.span()
        span.recordError(QuoteUnavailable())
        span.end()
        let event = try #require(queue.takeBatch().first?.finished.events.first)
        #expect(event.name == "exception")
        #expect(event.attributes["exception.message"]?.toSpanAttribute() == .string("no quote for NOPE"))
        #expect("\(event.attributes["exception.type"]!)".contains("QuoteUnavailable"))
    }

    @Test("events and links over their limits are dropped and counted")
    func limits() throws {
        var limits = SpanLimits()
        limits.eventCount = 2
        limits.linkCount = 1
        let (span, queue) = Self.span(limits: limits)
        for index in 0..<5 { span.addEvent(SpanEvent(name: "event \(index)")) }
        span.addLink(SpanLink(context: span.context, attributes: [:]))
        span.addLink(SpanLink(context: span.context, attributes: [:]))
        span.end()
        let state = try #require(queue.takeBatch().first).finished
        #expect(state.events.map(\.name) == ["event 0", "event 1"] && state.droppedEvents == 3)
        #expect(state.links.count == 1 && state.droppedLinks == 1)
    }
}
