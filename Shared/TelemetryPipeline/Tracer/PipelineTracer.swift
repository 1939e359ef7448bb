import Instrumentation
import ServiceContextModule
import TraceContextPropagation
import Tracing

/// A swift-distributed-tracing `Tracer` whose sampled spans go to a `BatchQueue` that `TelemetryPipeline`
/// exports over OTLP.
///
/// It propagates W3C Trace Context itself (`traceparent`, `tracestate`, the Level 2 random-trace-id flag); pair it
/// with `BaggageInstrument` for W3C Baggage. Bootstrap it once (`InstrumentationSystem.bootstrap`), or hand it to
/// code that takes a tracer.
public struct PipelineTracer: W3CLevel2Tracer {
    public typealias Span = PipelineSpan

    let sampler: Sampler
    let limits: SpanLimits
    let queue: BatchQueue<RecordingSpan>
    let ids: IDGenerator
    /// False with `OTEL_TRACES_EXPORTER=none`: spans are sampled and propagated, but nothing is recorded.
    let recordsSpans: Bool

    init(
        sampler: Sampler,
        limits: SpanLimits,
        queue: BatchQueue<RecordingSpan>,
        recordsSpans: Bool = true,
        ids: IDGenerator = IDGenerator()
    ) {
        self.sampler = sampler
        self.limits = limits
        self.queue = queue
        self.recordsSpans = recordsSpans
        self.ids = ids
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> PipelineSpan {
        var context = context()
        let parent = context.compactSpanContext
        // A span under a parent shares its trace's identity: writing its context into `context` allocates nothing.
        let trace = parent?.trace ?? TraceIdentity(traceID: self.ids.traceID(), traceState: nil)
        let sampled = self.sampler.shouldSample(traceID: trace.traceID, parentFlags: parent?.flags)
        // A new trace's id is all random (Level 2 flag set); a continued trace keeps the flag it came with.
        let randomFlag = parent.map { $0.flags & SpanContext.randomTraceIDFlag } ?? SpanContext.randomTraceIDFlag
        let spanContext = CompactSpanContext(
            trace: trace,
            spanID: self.ids.spanID(),
            flags: randomFlag | (sampled ? SpanContext.sampledFlag : 0)
        )
        context.compactSpanContext = spanContext
        guard sampled, self.recordsSpans else { return PipelineSpan(context: context, recording: nil) }
        let recording = RecordingSpan(
            name: operationName,
            spanContext: spanContext.spanContext,
            parentSpanID: parent?.spanID,
            parentIsRemote: parent?.isRemote ?? false,
            kind: kind,
            startNanoseconds: instant().nanosecondsSinceEpoch,
            limits: self.limits,
            queue: self.queue
        )
        return PipelineSpan(context: context, recording: recording)
    }

    /// Exporting is `TelemetryPipeline`'s: at shutdown it flushes what is queued.
    public func forceFlush() {}

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier,
        into context: inout ServiceContext,
        using extractor: Extract
    ) where Extract.Carrier == Carrier {
        // The ids as numbers, checked by the same rules as `TraceParent`, without a string of their own.
        guard let header = extractor.extract(key: TraceContextCarrier.traceParentKey, from: carrier),
            let fields = TraceParent.fields(ofHeaderValue: header)
        else { return }
        context.compactSpanContext = CompactSpanContext(
            trace: TraceIdentity(
                traceID: TraceID(high: fields.traceIDHigh, low: fields.traceIDLow),
                traceState: extractor.extract(key: TraceContextCarrier.traceStateKey, from: carrier)
            ),
            spanID: SpanID(value: fields.spanID),
            flags: fields.flags & (SpanContext.sampledFlag | SpanContext.randomTraceIDFlag),
            isRemote: true
        )
    }

    public func traceParent(of context: ServiceContext, sampledOnly: Bool) -> TraceParent? {
        guard let spanContext = context.compactSpanContext, spanContext.isSampled || !sampledOnly else { return nil }
        return TraceParent(
            traceID: spanContext.trace.traceID.hexString,
            spanID: spanContext.spanID.hexString,
            flags: spanContext.flags
        )
    }

    public func traceParentHeaderValue(of context: ServiceContext) -> String? {
        context.compactSpanContext?.traceParentHeaderValue
    }

    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let spanContext = context.compactSpanContext else { return }
        injector.inject(spanContext.traceParentHeaderValue, forKey: TraceContextCarrier.traceParentKey, into: &carrier)
        if let traceState = spanContext.trace.traceState {
            injector.inject(traceState, forKey: TraceContextCarrier.traceStateKey, into: &carrier)
        }
    }
}
