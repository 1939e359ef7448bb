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
    }

    /// The carrier to send on for `context`.
    package func inject(_ context: ServiceContext) -> TraceContextCarrier {
        var carrier = TraceContextCarrier()
        self.instrument.inject(context, into: &carrier, using: TraceContextCarrier.Injector())
        return carrier
    }

    /// The trace and span of `context` as they would be propagated; `nil` outside a trace.
    package func traceParent(of context: ServiceContext) -> TraceParent? {
        var carrier = TraceContextCarrier()
        self.tracer.inject(context, into: &carrier, using: TraceContextCarrier.Injector())
        return carrier.traceParent.flatMap { TraceParent(headerValue: $0) }
    }
}
