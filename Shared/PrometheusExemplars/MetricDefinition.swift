import Prometheus

/// The help text and histogram buckets of one metric.
///
/// swift-metrics has no place for help text, and Prometheus wants it (`promtool check metrics` warns without);
/// `ExemplarMetricsFactory` looks each name up in its `MetricDefinitions` when the metric is first made.
public struct MetricDefinition: Sendable {
    /// The `# HELP` text.
    public var help: String
    /// Histogram bucket upper bounds, in the metric's base unit (seconds for durations); `nil` records a
    /// non-aggregating `Recorder` as a gauge.
    public var buckets: [Double]?

    /// A metric with `help` as its `# HELP` text and, for a histogram, `buckets` as its upper bounds.
    public init(help: String, buckets: [Double]? = nil) {
        self.help = help
        self.buckets = buckets
    }
}

/// The definitions of a service's metrics, by Prometheus name, with a fallback for names they do not list.
public struct MetricDefinitions: Sendable {
    /// OpenTelemetry's semantic-convention buckets for HTTP and RPC durations, in seconds: what a timer gets when
    /// its definition names no buckets.
    public static let durationBuckets: [Double] = [
        0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
    ]

    /// The definitions, by Prometheus metric name.
    public var definitions: [String: MetricDefinition]

    /// The given definitions, by Prometheus name (`http_server_request_duration_seconds`, `orders_total`).
    public init(_ definitions: [String: MetricDefinition] = [:]) {
        self.definitions = definitions
    }

    /// These definitions and `other`'s; where both define a name, `other`'s.
    public func merging(_ other: MetricDefinitions) -> MetricDefinitions {
        MetricDefinitions(self.definitions.merging(other.definitions) { _, theirs in theirs })
    }

    /// The definition of `name`; for a name not listed, help text made from the name, so that the exposition stays
    /// lint-clean.
    public func definition(for name: String) -> MetricDefinition {
        self.definitions[name] ?? MetricDefinition(help: "\(name.replacing("_", with: " ")).")
    }

    /// The swift-prometheus descriptor of a metric: its full name and help text.
    func descriptor(for name: String, help: String? = nil) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help ?? self.definition(for: name).help)
    }
}
