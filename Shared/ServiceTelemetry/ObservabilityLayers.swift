import ServiceConfiguration
import TraceContextPropagation

/// The pieces of observability (and the plumbing around them) that the services install: all of them, always.
///
/// The benchmark's ablation (`Benchmarks/Ablation`) runs the services with one piece left out at a time to measure
/// what each costs a request; nothing else leaves any out, and no setting does. Tracing and OTLP logs are not here:
/// the standard `OTEL_*` variables switch them.
package struct ObservabilityLayers: OptionSet, Sendable {
    package let rawValue: Int

    package init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// Gateway: `CorrelationIDMiddleware`.
    package static let correlationID = Self(rawValue: 1 << 0)
    /// Gateway: `HTTPServerTracingMiddleware` (the SERVER span, `traceresponse`).
    package static let httpTracing = Self(rawValue: 1 << 1)
    /// Gateway: `HTTPMetricsMiddleware`.
    package static let httpMetrics = Self(rawValue: 1 << 2)
    /// Gateway: `AccessLogMiddleware`.
    package static let accessLog = Self(rawValue: 1 << 3)
    /// Gateway: `ErrorResponseMiddleware`.
    package static let errorMapping = Self(rawValue: 1 << 4)
    /// Gateway: `HTTP1RequestGuard` (plain HTTP/1.1 without it).
    package static let requestGuard = Self(rawValue: 1 << 5)
    /// Gateway: the client tracing and metrics interceptors.
    package static let clientInterceptors = Self(rawValue: 1 << 6)
    /// Gateway: `CallDeadline` on every call.
    package static let deadline = Self(rawValue: 1 << 7)
    /// CoreEngine: the server tracing, metrics and access-log interceptors.
    package static let serverInterceptors = Self(rawValue: 1 << 8)
    /// CoreEngine: `ServerCancellationInterceptor`.
    package static let serverCancellation = Self(rawValue: 1 << 9)
    /// Both: handlers on the event loops (`EventLoopTaskExecutor`).
    package static let executorPreference = Self(rawValue: 1 << 10)
    /// Both: JSON lines on stdout (a handler that drops every record without it).
    package static let jsonLogs = Self(rawValue: 1 << 11)
    /// Both: the exemplar-keeping Prometheus factory (swift-metrics' no-op handlers without it).
    package static let metrics = Self(rawValue: 1 << 12)

    package static let all = Self(rawValue: (1 << 13) - 1)

    /// Every layer by the name the benchmark uses for it.
    package static let named: [(name: String, layers: Self)] = [
        ("correlation-id", .correlationID), ("http-tracing", .httpTracing), ("http-metrics", .httpMetrics),
        ("access-log", .accessLog), ("error-mapping", .errorMapping), ("request-guard", .requestGuard),
        ("client-interceptors", .clientInterceptors), ("deadline", .deadline),
        ("server-interceptors", .serverInterceptors), ("server-cancellation", .serverCancellation),
        ("executor-preference", .executorPreference), ("json-logs", .jsonLogs), ("metrics", .metrics),
    ]

    /// All layers but those named in `list` (comma-separated names of `named`, or `all`); `nil` for an unknown name.
    package init?(excluding list: String) {
        var layers = Self.all
        for name in list.split(separator: ",").map({ $0.trimmingOptionalWhitespace() }) where !name.isEmpty {
            if name == "all" {
                layers = []
                continue
            }
            guard let named = Self.named.first(where: { $0.name == name }) else { return nil }
            layers.remove(named.layers)
        }
        self = layers
    }

    /// What the ablation binaries run with: all layers but those named in the `ABLATE` variable. An unknown name stops
    /// the process with a message, as any bad setting does.
    package static func excludingAblated(in environment: [String: String]) -> Self {
        let list = environment["ABLATE"] ?? ""
        guard let layers = Self(excluding: list) else {
            StartupFailure.exit(
                service: "ablation",
                error: ConfigurationError(variable: "ABLATE", message: "unknown layer in '\(list)'; known: \(Self.named.map(\.name))")
            )
        }
        return layers
    }
}
