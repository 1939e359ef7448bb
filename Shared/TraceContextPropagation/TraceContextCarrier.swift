import Instrumentation

/// The only fields that cross a service boundary for tracing: `traceparent`, `tracestate` and `baggage`.
///
/// Incoming headers or gRPC metadata are copied into this carrier before the tracer sees them, so
/// an instrument can never log or record anything else (swift-otel logs its whole carrier when a
/// traceparent is malformed, and a carrier of raw headers would include `Authorization`).
/// A malformed `traceparent` is dropped here, which makes the request start a new trace.
public struct TraceContextCarrier: Sendable, Equatable {
    public static let traceParentKey = "traceparent"
    public static let traceStateKey = "tracestate"
    public static let baggageKey = "baggage"

    /// W3C Baggage: at least 8192 bytes must be propagated; more is refused.
    static let maximumBaggageLength = 8192

    public var traceParent: String?
    public var traceState: String?
    public var baggage: String?
    /// Whether the tracer may read `traceState` (see `TraceStateHeader.fitsTenantSystemGrammar`); the list is
    /// passed on by `TracePropagation` either way.
    var tracerReadsTraceState = true

    public init(traceParent: String? = nil, traceState: String? = nil, baggage: String? = nil) {
        self.traceParent = traceParent
        self.traceState = traceState
        self.baggage = baggage
    }

    /// Builds a carrier from the raw values of each field (a header may be repeated), keeping only what the
    /// W3C rules allow through.
    ///
    /// - `traceparent`: exactly one valid value, sent on as version 00; anything else starts a new trace.
    /// - `tracestate`: only with a valid `traceparent`, and only when the whole list is valid (`TraceStateHeader`);
    ///   an empty or invalid one is dropped without touching the trace.
    /// - `baggage`: the repetitions joined into one list, at most `maximumBaggageLength` bytes.
    public init(validating values: (String) -> [String]) {
        let traceParents = values(Self.traceParentKey)
        if traceParents.count == 1, let traceParent = TraceParent.checkedHeaderValue(traceParents[0]) {
            self.traceParent = traceParent
            if let traceState = TraceStateHeader(combining: values(Self.traceStateKey)) {
                self.traceState = traceState.value
                self.tracerReadsTraceState = traceState.fitsTenantSystemGrammar
            }
        }
        let baggage = values(Self.baggageKey)
        if !baggage.isEmpty {
            let joined = baggage.count == 1 ? baggage[0] : baggage.joined(separator: ",")
            if joined.utf8.count <= Self.maximumBaggageLength { self.baggage = joined }
        }
    }

    /// The fields that are set, as header name and value.
    public var fields: [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        self.forEachField { fields.append(($0, $1)) }
        return fields
    }

    /// Calls `body` with each field that is set, as header name and value, in the order of `fields`, without making
    /// an array of them (a client sends them on every call).
    public func forEachField(_ body: (_ name: String, _ value: String) throws -> Void) rethrows {
        if let traceParent = self.traceParent { try body(Self.traceParentKey, traceParent) }
        if let traceState = self.traceState { try body(Self.traceStateKey, traceState) }
        if let baggage = self.baggage { try body(Self.baggageKey, baggage) }
    }

    subscript(key: String) -> String? {
        get {
            switch key {
            case Self.traceParentKey: self.traceParent
            case Self.traceStateKey: self.traceState
            case Self.baggageKey: self.baggage
            default: nil
            }
        }
        set {
            switch key {
            case Self.traceParentKey: self.traceParent = newValue
            case Self.traceStateKey: self.traceState = newValue
            case Self.baggageKey: self.baggage = newValue
            default: break
            }
        }
    }
}

extension TraceContextCarrier {
    struct Extractor: Instrumentation.Extractor {
        /// Whether a `tracestate` the tracer's parser may refuse (see `tracerReadsTraceState`) is kept from it;
        /// a `W3CLevel2Tracer` takes every checked list.
        var withholdsTraceState = true

        func extract(key: String, from carrier: TraceContextCarrier) -> String? {
            if key == TraceContextCarrier.traceStateKey, self.withholdsTraceState, !carrier.tracerReadsTraceState {
                return nil
            }
            return carrier[key]
        }
    }

    struct Injector: Instrumentation.Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout TraceContextCarrier) {
            carrier[key] = value
        }
    }
}
