import CoreMetrics
import Logging
import PrometheusExemplars

/// Where a service's log records and metrics go. `standard` is what both services run with: JSON lines on stdout and
/// the exemplar-keeping Prometheus factory that `/metrics` renders. The benchmark's ablation (`Benchmarks/Ablation`)
/// leaves the lines out, or puts swift-metrics' no-op in place of the factory, to measure what each costs a request.
package struct TelemetryOutputs: Sendable {
    /// Whether log records are written to stdout as JSON lines.
    package var writesLogLines: Bool
    /// What swift-metrics records through, given the Prometheus factory.
    package var metricsFactory: @Sendable (ExemplarMetricsFactory) -> any MetricsFactory

    package init(
        writesLogLines: Bool = true,
        metricsFactory: @escaping @Sendable (ExemplarMetricsFactory) -> any MetricsFactory = { $0 }
    ) {
        self.writesLogLines = writesLogLines
        self.metricsFactory = metricsFactory
    }

    package static let standard = Self()
}
