import Instrumentation
import ServiceContextModule
import Tracing

/// The tracer that starts spans and the instrument that moves context across a hop, resolved once.
///
/// By default both come from `InstrumentationSystem`, which `Observability` bootstraps with the OTel
/// tracer multiplexed with `BaggageInstrument`. Tests pass their own tracer; baggage then still
/// travels, because the baggage instrument is added next to it.
package struct TracePropagation: Sendable {
    package let tracer: any Tracer
    private let instrument: any Instrument

    package init(tracer: (any Tracer)? = nil) {
        if let tracer {
            self.tracer = tracer
            self.instrument = MultiplexInstrument([tracer, BaggageInstrument()])
        } else {
            self.tracer = InstrumentationSystem.tracer
            self.instrument = InstrumentationSystem.instrument
        }
    }

    /// Reads trace context and baggage from `carrier` into `context`.
    package func extract(_ carrier: TraceContextCarrier, into context: inout ServiceContext) {
        self.instrument.extract(carrier, into: &context, using: TraceContextCarrier.Extractor())
        // swift-otel keeps only the sampled flag on the spans it starts, so the W3C Level 2 random-trace-id
        // flag is remembered here: the caller's when it continues a trace, set when swift-otel's random
        // generator makes a new trace id.
        context[RandomTraceIDKey.self] = carrier.traceParent.map(TraceParent.hasRandomTraceIDFlag(headerValue:)) ?? true
    }

    /// The carrier to send on for `context`.
    package func inject(_ context: ServiceContext) -> TraceContextCarrier {
        var carrier = TraceContextCarrier()
        self.instrument.inject(context, into: &carrier, using: TraceContextCarrier.Injector())
        Self.markRandomTraceID(&carrier, in: context)
        return carrier
    }

    /// The trace and span of `context` as they would be propagated; `nil` outside a trace.
    package func traceParent(of context: ServiceContext) -> TraceParent? {
        var carrier = TraceContextCarrier()
        self.tracer.inject(context, into: &carrier, using: TraceContextCarrier.Injector())
        Self.markRandomTraceID(&carrier, in: context)
        return carrier.traceParent.flatMap { TraceParent(headerValue: $0) }
    }

    /// Puts back the random-trace-id flag swift-otel left out, when `extract` found it (or a new trace began).
    private static func markRandomTraceID(_ carrier: inout TraceContextCarrier, in context: ServiceContext) {
        guard context[RandomTraceIDKey.self] == true, let traceParent = carrier.traceParent else { return }
        carrier.traceParent = TraceParent.settingRandomTraceIDFlag(headerValue: traceParent)
    }
}

/// Whether the current trace's id is random (W3C Trace Context Level 2 `random-trace-id` flag).
private enum RandomTraceIDKey: ServiceContextKey {
    typealias Value = Bool
}
