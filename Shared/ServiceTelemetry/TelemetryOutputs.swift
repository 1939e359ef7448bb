import CoreMetrics
import Logging
import PrometheusExemplars

/// Where a service's log records and metrics go. `standard` is what both services run with: JSON lines on stdout and
/// the exemplar-keeping Prometheus factory that `/metrics` renders. The benchmark's ablation (`Benchmarks/Ablation`)
/// puts swift-log's or swift-metrics' no-op in either place to measure what it costs a request.
package struct TelemetryOutputs: Sendable {
    /// The handler a logger writes to stdout through, given the JSON one.
    package var stdoutLogHandler: @Sendable (JSONLogHandler) -> any LogHandler
    /// What swift-metrics records through, given the Prometheus factory.
    package var metricsFactory: @Sendable (ExemplarMetricsFactory) -> any MetricsFactory

    package init(
        stdoutLogHandler: @escaping @Sendable (JSONLogHandler) -> any LogHandler = { $0 },
        metricsFactory: @escaping @Sendable (ExemplarMetricsFactory) -> any MetricsFactory = { $0 }
    ) {
        self.stdoutLogHandler = stdoutLogHandler
        self.metricsFactory = metricsFactory
    }

    package static let standard = Self()
}
