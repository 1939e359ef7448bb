import Instrumentation
import ServiceContextModule

/// Propagates W3C `baggage` next to the tracer.
///
/// swift-otel 1.6 stops the process when `OTEL_PROPAGATORS` names `baggage`, yet `tracecontext,baggage`
/// is the default of every other OpenTelemetry SDK. So the tracer propagates trace context only and
/// this instrument, multiplexed with it, carries the baggage.
public struct BaggageInstrument: Instrument {
    public init() {}

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier,
        into context: inout ServiceContext,
        using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: TraceContextCarrier.baggageKey, from: carrier),
            let baggage = W3CBaggage(headerValue: header)
        else { return }
        context[W3CBaggageKey.self] = baggage
    }

    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let baggage = context[W3CBaggageKey.self] else { return }
        injector.inject(baggage.headerValue, forKey: TraceContextCarrier.baggageKey, into: &carrier)
    }
}

/// Where the baggage of the current request lives in a `ServiceContext`.
public enum W3CBaggageKey: ServiceContextKey {
    public typealias Value = W3CBaggage
    public static var nameOverride: String? { "w3c-baggage" }
}
