import Instrumentation
import ServiceContextModule
import Tracing

/// The tracer that starts spans and the instrument that moves context across a hop, resolved once.
///
/// By default both come from `InstrumentationSystem`, which `Observability` bootstraps with the pipeline's
/// tracer multiplexed with `BaggageInstrument`. Tests pass their own tracer; baggage then still
/// travels, because the baggage instrument is added next to it.
public struct TracePropagation: Sendable {
    public let tracer: any Tracer
    private let instrument: any Instrument
    /// The tracer, when it keeps `tracestate` and the random-trace-id flag itself and reads its own span context
    /// (`W3CLevel2Tracer`).
    private let level2Tracer: (any W3CLevel2Tracer)?
    private var tracerCarriesLevel2: Bool { self.level2Tracer != nil }
    /// False for the no-op tracer (tracing off, `OTEL_SDK_DISABLED=true`): it propagates no trace, so nothing is kept
    /// beside it and no trace parent is asked of it; baggage still travels.
    private let tracerPropagates: Bool

    public init(tracer: (any Tracer)? = nil) {
        if let tracer {
            self.tracer = tracer
            self.instrument = MultiplexInstrument([tracer, BaggageInstrument()])
        } else {
            self.tracer = InstrumentationSystem.tracer
            self.instrument = InstrumentationSystem.instrument
        }
        self.level2Tracer = self.tracer as? any W3CLevel2Tracer
        self.tracerPropagates = !(self.tracer is NoOpTracer)
    }

    /// Reads trace context and baggage from `carrier` into `context`.
    public func extract(_ carrier: TraceContextCarrier, into context: inout ServiceContext) {
        guard !self.tracerCarriesLevel2 else {
            self.instrument.extract(
                carrier,
                into: &context,
                using: TraceContextCarrier.Extractor(withholdsTraceState: false)
            )
            return
        }
        self.instrument.extract(carrier, into: &context, using: TraceContextCarrier.Extractor())
        guard self.tracerPropagates else { return }
        // What swift-otel does not carry itself, kept next to its span context (one value, one context write):
        // the W3C Level 2 random-trace-id flag (swift-otel keeps only the sampled flag; set when swift-otel's
        // random generator starts a new trace), and the caller's tracestate exactly as it was checked, since
        // swift-otel's parser takes only the older key grammar.
        context[IncomingTraceContextKey.self] = IncomingTraceContext(
            randomTraceID: carrier.traceParent.map(TraceParent.hasRandomTraceIDFlag(headerValue:)) ?? true,
            traceState: carrier.traceState
        )
    }

    /// The carrier to send on for `context`.
    public func inject(_ context: ServiceContext) -> TraceContextCarrier {
        var carrier = TraceContextCarrier()
        self.instrument.inject(context, into: &carrier, using: TraceContextCarrier.Injector())
        // A `W3CLevel2Tracer` carries both itself, and `extract` keeps nothing beside it: no lookup to make.
        if !self.tracerCarriesLevel2, self.tracerPropagates, let incoming = context[IncomingTraceContextKey.self] {
            Self.markRandomTraceID(&carrier, incoming)
            // Only beside a traceparent: where the tracer injects none (no span of its own), no tracestate either.
            if let traceState = incoming.traceState, carrier.traceParent != nil { carrier.traceState = traceState }
        }
        return carrier
    }

    /// The trace and span of `context` as they would be propagated; `nil` outside a trace.
    public func traceParent(of context: ServiceContext) -> TraceParent? {
        if let level2Tracer = self.level2Tracer { return level2Tracer.traceParent(of: context, sampledOnly: false) }
        guard self.tracerPropagates else { return nil }
        var carrier = TraceContextCarrier()
        self.tracer.inject(context, into: &carrier, using: TraceContextCarrier.Injector())
        if let incoming = context[IncomingTraceContextKey.self] { Self.markRandomTraceID(&carrier, incoming) }
        return carrier.traceParent.flatMap { TraceParent(headerValue: $0) }
    }

    /// The `traceparent` header value of `context` as it would be propagated (what `traceresponse` answers with);
    /// `nil` outside a trace. A `W3CLevel2Tracer` writes it from its span context in one string.
    public func traceParentHeaderValue(of context: ServiceContext) -> String? {
        if let level2Tracer = self.level2Tracer { return level2Tracer.traceParentHeaderValue(of: context) }
        return self.traceParent(of: context)?.headerValue
    }

    /// The trace and span of `context` when its trace is sampled; `nil` outside a trace and for one that is not
    /// sampled. What an exemplar needs: a `W3CLevel2Tracer` answers a sampled-out request without formatting ids.
    public func sampledTraceParent(of context: ServiceContext) -> TraceParent? {
        if let level2Tracer = self.level2Tracer { return level2Tracer.traceParent(of: context, sampledOnly: true) }
        return self.traceParent(of: context).flatMap { $0.isSampled ? $0 : nil }
    }

    /// Puts back the random-trace-id flag swift-otel left out, when `extract` found it (or a new trace began).
    private static func markRandomTraceID(_ carrier: inout TraceContextCarrier, _ incoming: IncomingTraceContext) {
        guard incoming.randomTraceID, let traceParent = carrier.traceParent else { return }
        carrier.traceParent = TraceParent.settingRandomTraceIDFlag(headerValue: traceParent)
    }
}

/// What this process propagates beyond the tracer's own span context.
private struct IncomingTraceContext: Sendable {
    /// Whether the current trace's id is random (W3C Trace Context Level 2 `random-trace-id` flag).
    var randomTraceID: Bool
    /// The caller's checked `tracestate`, sent on as it came.
    var traceState: String?
}

private enum IncomingTraceContextKey: ServiceContextKey {
    typealias Value = IncomingTraceContext
}
