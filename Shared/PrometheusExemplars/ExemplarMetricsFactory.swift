import CoreMetrics
import Prometheus
import ServiceContextModule
import TraceContextPropagation

/// A swift-metrics factory over swift-prometheus' registry that also keeps OpenMetrics exemplars.
///
/// swift-prometheus stores and prints the metrics but has no exemplars, and its own factory registers every
/// metric without help text. This factory registers each metric with the help and buckets from its
/// `MetricDefinitions`, and when a counter is incremented or a histogram recorded inside a sampled trace it
/// remembers that trace and span in an `ExemplarStore`, which `MetricsExposition` adds to the OpenMetrics
/// output. The code that records keeps using swift-metrics (`Counter`, `Timer`, `Meter`).
///
/// Handlers are cached by name and label set (`MetricHandlerCache`), so recording per request costs one
/// lookup, and cardinality is guarded: past `maximumSeriesPerMetric` label sets for one name, new label sets
/// are folded into a single series labelled `otel_metric_overflow="true"`.
public struct ExemplarMetricsFactory: MetricsFactory {
    /// The label of the series that label sets past the cardinality limit are folded into.
    public static let overflowLabel = ("otel_metric_overflow", "true")

    /// The registry the metrics live in (what `MetricsExposition` renders).
    public let registry: PrometheusCollectorRegistry
    /// The exemplars taken so far (what `MetricsExposition` adds to the OpenMetrics output).
    public let exemplars: ExemplarStore
    private let definitions: MetricDefinitions
    private let currentTrace: @Sendable () -> TraceParent?
    private let handlers: MetricHandlerCache

    /// - Parameters:
    ///   - definitions: The help text and buckets of the metrics, by name.
    ///   - currentTrace: The trace of the current task, or `nil` outside one; exemplars are taken only
    ///     when it is sampled. Defaults to the sampled trace `TracePropagation` reads from `ServiceContext.current`.
    ///   - maximumSeriesPerMetric: The cardinality guard's limit.
    public init(
        definitions: MetricDefinitions = MetricDefinitions(),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        exemplars: ExemplarStore = ExemplarStore(),
        maximumSeriesPerMetric: Int = 2000,
        currentTrace: (@Sendable () -> TraceParent?)? = nil
    ) {
        self.definitions = definitions
        self.registry = registry
        self.exemplars = exemplars
        self.handlers = MetricHandlerCache(limit: maximumSeriesPerMetric, overflowDimensions: [Self.overflowLabel])
        if let currentTrace {
            self.currentTrace = currentTrace
        } else {
            let propagation = TracePropagation()
            self.currentTrace = { ServiceContext.current.flatMap { propagation.sampledTraceParent(of: $0) } }
        }
    }

    private func exemplarSink(name: String, dimensions: [(String, String)]) -> ExemplarSink {
        ExemplarSink(
            series: .init(name: name, labels: dimensions),
            store: self.exemplars,
            currentTrace: self.currentTrace
        )
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        self.handlers.handler(name: label, dimensions: dimensions) { dimensions in
            let counter = self.registry.makeCounter(
                descriptor: self.definitions.descriptor(for: label),
                labels: dimensions
            )
            return ExemplarCounter(counter: counter, sink: self.exemplarSink(name: label, dimensions: dimensions))
        }
    }

    public func makeFloatingPointCounter(
        label: String,
        dimensions: [(String, String)]
    ) -> any FloatingPointCounterHandler {
        self.handlers.handler(name: label, dimensions: dimensions) { dimensions in
            self.registry.makeCounter(descriptor: self.definitions.descriptor(for: label), labels: dimensions)
        }
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate, let buckets = self.definitions.definition(for: label).buckets else {
            return self.handlers.handler(name: label, dimensions: dimensions) { dimensions in
                self.registry.makeGauge(descriptor: self.definitions.descriptor(for: label), labels: dimensions)
            }
        }
        return self.handlers.handler(name: label, dimensions: dimensions) { dimensions in
            let histogram = self.registry.makeValueHistogram(
                descriptor: self.definitions.descriptor(for: label),
                labels: dimensions,
                buckets: buckets
            )
            return ExemplarRecorder(
                histogram: histogram,
                buckets: buckets,
                sink: self.exemplarSink(name: label, dimensions: dimensions)
            )
        }
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        self.handlers.handler(name: label, dimensions: dimensions) { dimensions in
            self.registry.makeGauge(descriptor: self.definitions.descriptor(for: label), labels: dimensions)
        }
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        self.handlers.handler(name: label, dimensions: dimensions) { dimensions in
            let buckets = self.definitions.definition(for: label).buckets ?? MetricDefinitions.durationBuckets
            let histogram = self.registry.makeDurationHistogram(
                descriptor: self.definitions.descriptor(for: label),
                labels: dimensions,
                buckets: buckets.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
            )
            return ExemplarTimer(
                histogram: histogram,
                buckets: buckets,
                sink: self.exemplarSink(name: label, dimensions: dimensions)
            )
        }
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
}
