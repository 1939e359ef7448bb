import Instrumentation
import ServiceContextModule
import Testing
import TraceContextPropagation
import Tracing

@testable import TelemetryPipeline

@Suite("PipelineTracer: ids, sampling, propagation")
struct TracerTests {
    static func tracer(
        sampler: Sampler = .parentBased(root: .alwaysOn),
        recordsSpans: Bool = true,
        queue: BatchQueue<RecordingSpan> = BatchQueue(capacity: 100, batchSize: 10)
    ) -> PipelineTracer {
        PipelineTracer(sampler: sampler, limits: SpanLimits(), queue: queue, recordsSpans: recordsSpans)
    }

    @Test("a root span starts a new random trace (Level 2 flag set), sampled, and its child continues it")
    func rootAndChild() throws {
        let queue = BatchQueue<RecordingSpan>(capacity: 100, batchSize: 10)
        let tracer = Self.tracer(queue: queue)
        let root = tracer.startSpan("root", context: .topLevel)
        let rootContext = try #require(root.context.pipelineSpanContext)
        #expect(rootContext.flags == SpanContext.sampledFlag | SpanContext.randomTraceIDFlag)
        #expect(root.isRecording)
        let child = tracer.startSpan("child", context: root.context, ofKind: .client)
        let childContext = try #require(child.context.pipelineSpanContext)
        #expect(childContext.traceID == rootContext.traceID)
        #expect(childContext.spanID != rootContext.spanID)
        #expect(child.recording?.parentSpanID == rootContext.spanID)
        #expect(root.recording?.parentSpanID == nil)
        child.end()
        root.end()
        #expect(queue.takeBatch().map { $0.finished.name } == ["child", "root"])
    }

    @Test("a span's context fits a ServiceContext's inline storage, and the spans of a trace share its identity")
    func compactStorage() throws {
        // `any Sendable` holds up to three words without a box: the reason `CompactSpanContext` exists.
        #expect(MemoryLayout<CompactSpanContext>.size <= 3 * MemoryLayout<Int>.size)
        #expect(MemoryLayout<CompactSpanContext>.alignment <= MemoryLayout<Int>.alignment)
        let tracer = Self.tracer(sampler: .alwaysOff)
        var context = ServiceContext.topLevel
        context.pipelineSpanContext = SpanContext(
            traceID: TraceID(high: 7, low: 9),
            spanID: SpanID(value: 3),
            flags: 0x02,
            traceState: "k=v",
            isRemote: true
        )
        let remote = try #require(context.compactSpanContext)
        #expect(context.pipelineSpanContext?.traceState == "k=v" && context.pipelineSpanContext?.isRemote == true)
        let span = tracer.startSpan("server", context: context)
        let child = tracer.startSpan("internal", context: span.context)
        let spanTrace = try #require(span.context.compactSpanContext).trace
        let childContext = try #require(child.context.compactSpanContext)
        #expect(spanTrace === remote.trace && childContext.trace === remote.trace)
        #expect(!childContext.isRemote && childContext.flags == 0x02, "sampled out, the random flag kept")
        let root = tracer.startSpan("root", context: .topLevel)
        #expect(try #require(root.context.compactSpanContext).trace !== remote.trace, "a new trace, a new identity")
    }

    @Test(
        "the trace parent read from the span context is what inject writes, and for exemplars only a sampled one"
    )
    func traceParentWithoutAHeader() throws {
        for sampler in [Sampler.alwaysOn, .alwaysOff] {
            let span = Self.tracer(sampler: sampler).startSpan("request", context: .topLevel)
            let propagation = TracePropagation(tracer: Self.tracer(sampler: sampler))
            var headers: [String: String] = [:]
            for field in propagation.inject(span.context).fields { headers[field.name] = field.value }
            let read = try #require(propagation.traceParent(of: span.context))
            #expect(read.headerValue == headers["traceparent"])
            #expect(propagation.traceParentHeaderValue(of: span.context) == headers["traceparent"])
            #expect(read == TraceParent(headerValue: try #require(headers["traceparent"])))
            #expect((propagation.sampledTraceParent(of: span.context) != nil) == (sampler == .alwaysOn))
        }
        let propagation = TracePropagation(tracer: Self.tracer())
        #expect(propagation.traceParent(of: .topLevel) == nil)
        #expect(propagation.traceParentHeaderValue(of: .topLevel) == nil)
        #expect(propagation.sampledTraceParent(of: .topLevel) == nil)
    }

    @Test("two root spans never share a trace id")
    func distinctTraces() {
        let tracer = Self.tracer()
        let ids = Set(
            (0..<1000).map { _ in tracer.startSpan("r", context: .topLevel).context.pipelineSpanContext!.traceID }
        )
        #expect(ids.count == 1000)
    }

    @Test("a span the sampler drops has a context (sampled flag clear) but records and queues nothing")
    func sampledOut() throws {
        let queue = BatchQueue<RecordingSpan>(capacity: 100, batchSize: 10)
        let tracer = Self.tracer(sampler: .alwaysOff, queue: queue)
        let span = tracer.startSpan("dropped", context: .topLevel)
        let context = try #require(span.context.pipelineSpanContext)
        #expect(!context.isSampled && context.flags & SpanContext.randomTraceIDFlag != 0)
        #expect(!span.isRecording && span.recording == nil)
        span.attributes["key"] = "value"
        span.setStatus(.init(code: .error))
        span.end()
        #expect(queue.count == 0)
    }

    @Test("with no traces exporter spans are sampled and propagated, but not recorded")
    func notRecorded() throws {
        let queue = BatchQueue<RecordingSpan>(capacity: 100, batchSize: 10)
        let span = Self.tracer(recordsSpans: false, queue: queue).startSpan("x", context: .topLevel)
        #expect(try #require(span.context.pipelineSpanContext).isSampled)
        span.end()
        #expect(queue.count == 0)
    }

    @Test("extract reads traceparent and tracestate; the child span continues the caller's trace")
    func extract() throws {
        let tracer = Self.tracer()
        var context = ServiceContext.topLevel
        let carrier = [
            "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "tracestate": "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
        ]
        tracer.extract(carrier, into: &context, using: DictionaryExtractor())
        let remote = try #require(context.pipelineSpanContext)
        #expect(remote.isRemote && remote.traceID.hexString == "0af7651916cd43dd8448eb211c80319c")
        #expect(remote.spanID.hexString == "b7ad6b7169203331" && remote.flags == 0x01)
        let span = tracer.startSpan("server", context: context, ofKind: .server)
        let local = try #require(span.context.pipelineSpanContext)
        #expect(local.traceID == remote.traceID && local.traceState == "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7")
        #expect(local.flags == 0x01, "a continued trace keeps the caller's flags: not marked random")
        #expect(span.recording?.parentSpanID == remote.spanID && span.recording?.parentIsRemote == true)

        var injected: [String: String] = [:]
        tracer.inject(span.context, into: &injected, using: DictionaryInjector())
        #expect(injected["traceparent"] == "00-0af7651916cd43dd8448eb211c80319c-\(local.spanID.hexString)-01")
        #expect(injected["tracestate"] == "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7")
    }

    @Test(
        "extract ignores a malformed traceparent (the request starts a new trace)",
        arguments: [
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
            "00-00000000000000000000000000000000-b7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
            "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
            "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        ]
    )
    func malformed(traceParent: String) {
        var context = ServiceContext.topLevel
        Self.tracer().extract(["traceparent": traceParent], into: &context, using: DictionaryExtractor())
        #expect(context.pipelineSpanContext == nil)
    }

    @Test("a sampled-out caller (flags 00) is followed by the parent-based sampler")
    func parentBased() throws {
        var context = ServiceContext.topLevel
        let tracer = Self.tracer(sampler: .parentBased(root: .alwaysOn))
        tracer.extract(
            ["traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"],
            into: &context,
            using: DictionaryExtractor()
        )
        let span = tracer.startSpan("server", context: context)
        #expect(try #require(span.context.pipelineSpanContext).flags == 0x00)
        #expect(!span.isRecording)
    }
}

@Suite("Sampler")
struct SamplerTests {
    static let lowID = TraceID(high: 1, low: 0x0000_0000_0000_0001)
    static let highID = TraceID(high: 1, low: 0x00FF_FFFF_FFFF_FFFE)
    static let sampledParent = SpanContext(traceID: lowID, spanID: SpanID(value: 1), flags: 1, isRemote: true)
    static let droppedParent = SpanContext(traceID: lowID, spanID: SpanID(value: 1), flags: 0, isRemote: true)

    @Test("each name OTEL_TRACES_SAMPLER takes, and nothing else")
    func names() {
        #expect(Sampler(name: "always_on", argument: nil) == .alwaysOn)
        #expect(Sampler(name: "traceidratio", argument: nil) == .traceIDRatio(1))
        #expect(Sampler(name: "parentbased_traceidratio", argument: 0.25) == .parentBased(root: .traceIDRatio(0.25)))
        #expect(Sampler(name: "jaeger_remote", argument: nil) == nil)
        #expect(Sampler.names.allSatisfy { Sampler(name: $0, argument: nil) != nil })
    }

    @Test("the ratio compares the trace id's random right-most 56 bits, so every service decides alike")
    func ratio() {
        #expect(Sampler.traceIDRatio(0.5).shouldSample(traceID: Self.lowID, parentFlags: nil))
        #expect(!Sampler.traceIDRatio(0.5).shouldSample(traceID: Self.highID, parentFlags: nil))
        #expect(!Sampler.traceIDRatio(0).shouldSample(traceID: Self.lowID, parentFlags: nil))
        #expect(Sampler.traceIDRatio(1).shouldSample(traceID: Self.highID, parentFlags: nil))
        // The share sampled is the ratio, over many random ids.
        let ids = IDGenerator(seed: 42)
        let sampled = (0..<20_000).filter { _ in
            Sampler.traceIDRatio(0.1).shouldSample(traceID: ids.traceID(), parentFlags: nil)
        }
        #expect((1800...2200).contains(sampled.count), "\(sampled.count) of 20000")
    }

    @Test("parent-based: the parent's flag decides, remote or local; the root sampler only for a new trace")
    func parentBasedRules() {
        let sampler = Sampler.parentBased(root: .alwaysOff)
        #expect(sampler.shouldSample(traceID: Self.lowID, parentFlags: Self.sampledParent.flags))
        #expect(!sampler.shouldSample(traceID: Self.lowID, parentFlags: Self.droppedParent.flags))
        #expect(!sampler.shouldSample(traceID: Self.lowID, parentFlags: nil))
        let dropped = Self.droppedParent.flags
        #expect(Sampler.alwaysOn.shouldSample(traceID: Self.lowID, parentFlags: dropped), "not parent-based")
    }
}

struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}
