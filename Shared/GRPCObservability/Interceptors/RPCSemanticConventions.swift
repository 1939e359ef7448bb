import Foundation

/// Which names of the OpenTelemetry RPC conventions the tracing interceptors write, as `OTEL_SEMCONV_STABILITY_OPT_IN`
/// says: the migration switch the conventions ask every RPC instrumentation to read.
///
/// | `OTEL_SEMCONV_STABILITY_OPT_IN` | names written |
/// |---|---|
/// | unset, or without `rpc` | the names written before the switch existed: `rpc.system`, `rpc.service`, the method's short name in `rpc.method`, `rpc.grpc.status_code` (a number), `rpc.grpc.request.metadata.<key>` |
/// | `rpc` | the current names: `rpc.system.name`, the fully qualified `rpc.method`, `rpc.response.status_code` (the code's name, e.g. `UNAVAILABLE`), `rpc.request.metadata.<key>` |
/// | `rpc/dup` | both; `rpc.method`, the one key the two share, takes the current (fully qualified) value |
///
/// The conventions name the status attribute `rpc.response.status_code` (semantic-conventions #2920). The metrics are
/// named by the current conventions in every mode already (`rpc_server_call_duration_seconds`,
/// `rpc_client_call_duration_seconds`: seconds); their labels stay the ones the dashboards and SLO rules read.
public struct RPCSemanticConventions: Sendable, Hashable {
    /// Whether the names written before the switch existed are written.
    public var writesPrevious: Bool
    /// Whether the current names are written.
    public var writesCurrent: Bool

    /// The names written before the switch existed (the default).
    public static let previous = Self(writesPrevious: true, writesCurrent: false)
    /// The current names only (`rpc`).
    public static let current = Self(writesPrevious: false, writesCurrent: true)
    /// Both (`rpc/dup`).
    public static let both = Self(writesPrevious: true, writesCurrent: true)

    /// The environment variable that switches them.
    public static let environmentVariable = "OTEL_SEMCONV_STABILITY_OPT_IN"

    private init(writesPrevious: Bool, writesCurrent: Bool) {
        self.writesPrevious = writesPrevious
        self.writesCurrent = writesCurrent
    }

    /// The conventions `value` (a comma-separated list, as in `OTEL_SEMCONV_STABILITY_OPT_IN`) asks for: `rpc/dup`
    /// wins over `rpc`; other entries (`http`, `database`, …) are for other instrumentations.
    public init(optIn value: String?) {
        let entries = Set(
            (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        )
        if entries.contains("rpc/dup") {
            self = .both
        } else if entries.contains("rpc") {
            self = .current
        } else {
            self = .previous
        }
    }

    /// The conventions this process's environment asks for.
    public static var fromEnvironment: Self {
        Self(optIn: ProcessInfo.processInfo.environment[Self.environmentVariable])
    }
}
