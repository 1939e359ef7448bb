/// Which spans are recorded and exported: the OpenTelemetry SDK's samplers, as `OTEL_TRACES_SAMPLER` names them.
///
/// A span the sampler drops still gets a span context (so the trace id reaches logs and the next service, with
/// the sampled flag clear) but records nothing and costs next to nothing.
public enum Sampler: Sendable, Equatable {
    case alwaysOn
    case alwaysOff
    /// Samples this fraction of traces, decided by the trace id alone, so every service decides alike.
    case traceIDRatio(Double)
    /// Follows the parent's sampled flag when there is a parent (remote or local); `root` decides new traces.
    indirect case parentBased(root: Sampler)

    /// `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`, as the SDK environment specification reads them
    /// (the default is `parentbased_always_on`; a ratio defaults to 1.0). `nil` for a name it does not know.
    public init?(name: String, argument: Double?) {
        switch name {
        case "always_on": self = .alwaysOn
        case "always_off": self = .alwaysOff
        case "traceidratio": self = .traceIDRatio(argument ?? 1.0)
        case "parentbased_always_on": self = .parentBased(root: .alwaysOn)
        case "parentbased_always_off": self = .parentBased(root: .alwaysOff)
        case "parentbased_traceidratio": self = .parentBased(root: .traceIDRatio(argument ?? 1.0))
        default: return nil
        }
    }

    /// The names `init(name:argument:)` knows.
    public static let names = [
        "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
        "parentbased_traceidratio",
    ]

    /// Whether a span of `traceID` under a parent with `parentFlags` (nil for a root span) is recorded and sampled.
    func shouldSample(traceID: TraceID, parentFlags: UInt8?) -> Bool {
        switch self {
        case .alwaysOn:
            return true
        case .alwaysOff:
            return false
        case .traceIDRatio(let ratio):
            return Self.sampled(traceID, ratio: ratio)
        case .parentBased(let root):
            guard let parentFlags else { return root.shouldSample(traceID: traceID, parentFlags: nil) }
            return SpanContext.isSampled(parentFlags)
        }
    }

    /// The trace id's right-most 56 bits (the random part W3C Level 2 promises) against the ratio's share of them.
    static func sampled(_ traceID: TraceID, ratio: Double) -> Bool {
        if ratio >= 1 { return true }
        if ratio <= 0 { return false }
        let randomBits = traceID.low & 0x00FF_FFFF_FFFF_FFFF
        return randomBits < UInt64(ratio * 0x1p56)
    }
}
