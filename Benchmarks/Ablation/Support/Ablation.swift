import CoreMetrics
import Logging
import ServiceConfiguration
import ServiceTelemetry
import TraceContextPropagation

/// Which pieces the ablation binaries leave out: the names in the `ABLATE` variable, comma-separated, or `all`.
///
/// `scripts/bench --ablation` gives both services the same list, so each binary knows every service's names and
/// acts on its own; an unknown name is refused, as any bad setting is.
package struct Ablation: Sendable {
    /// Each service's pieces, by the names the benchmark's table prints.
    package static let gatewayPieces = [
        "correlation-id", "http-tracing", "http-metrics", "access-log", "error-mapping", "request-guard",
        "client-interceptors", "deadline",
    ]
    package static let coreEnginePieces = ["server-interceptors", "server-cancellation"]
    /// Both services: the event-loop executor preference, JSON lines on stdout, the Prometheus registry.
    package static let sharedPieces = ["executor-preference", "json-logs", "metrics"]
    package static let everyPiece = gatewayPieces + coreEnginePieces + sharedPieces

    private let leftOut: Set<String>

    package init(environment: [String: String]) throws {
        let list = environment["ABLATE"] ?? ""
        var leftOut = Set<String>()
        for name in list.split(separator: ",").map({ String($0.trimmingOptionalWhitespace()) }) where !name.isEmpty {
            if name == "all" {
                leftOut.formUnion(Self.everyPiece)
            } else if Self.everyPiece.contains(name) {
                leftOut.insert(name)
            } else {
                throw ConfigurationError(
                    variable: "ABLATE",
                    message: "unknown piece '\(name)'; known: \(Self.everyPiece)"
                )
            }
        }
        self.leftOut = leftOut
    }

    /// Whether the piece called `name` is left out.
    package func leavesOut(_ name: String) -> Bool {
        self.leftOut.contains(name)
    }

    /// Production's outputs, without JSON lines or with swift-metrics' no-op in place of the factory when left out.
    package var outputs: TelemetryOutputs {
        var outputs = TelemetryOutputs.standard
        if self.leavesOut("json-logs") {
            outputs.writesLogLines = false
        }
        if self.leavesOut("metrics") {
            outputs.metricsFactory = { _ in NOOPMetricsHandler.instance }
        }
        return outputs
    }
}
