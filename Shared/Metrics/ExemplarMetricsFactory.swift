import CoreMetrics
import Prometheus
import ServiceContextModule
import Synchronization

/// A swift-metrics factory over swift-prometheus' registry that also keeps OpenMetrics exemplars.
///
/// swift-prometheus stores and prints the metrics but has no exemplars, and its own factory registers every
/// metric without help text. This factory registers each metric with the help and buckets from
/// `MetricCatalog`, and when a counter is incremented or a histogram recorded inside a sampled trace it
/// remembers that trace and span in an `ExemplarStore`, which `MetricsExposition` adds to the OpenMetrics
/// output. The code that records keeps using swift-metrics (`Counter`, `Timer`, `Meter`).
///
/// It also guards cardinality: past `maximumSeriesPerMetric` label sets for one name, new label sets are
/// folded into a single series labelled `otel_metric_overflow="true"`.
package struct ExemplarMetricsFactory: MetricsFactory {
    package static let overflowLabel = ("otel_metric_overflow", "true")

    package let registry: PrometheusCollectorRegistry
    package let exemplars: ExemplarStore
    private let currentTrace: @Sendable () -> TraceParent?
    private let seriesCounts: SeriesLimiter

    /// - Parameters:
    ///   - currentTrace: The trace of the current task, or `nil` outside one; exemplars are taken only
    ///     when it is sampled. Defaults to what `TracePropagation` reads from `ServiceContext.current`.
    ///   - maximumSeriesPerMetric: The cardinality guard's limit.
    package init(
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        exemplars: ExemplarStore = ExemplarStore(),
        maximumSeriesPerMetric: Int = 2000,
        currentTrace: (@Sendable () -> TraceParent?)? = nil
    ) {
        self.registry = registry
        self.exemplars = exemplars
        self.seriesCounts = SeriesLimiter(limit: maximumSeriesPerMetric)
        if let currentTrace {
            self.currentTrace = currentTrace
        } else {
            let propagation = TracePropagation()
            self.currentTrace = { ServiceContext.current.flatMap { propagation.traceParent(of: $0) } }
        }
    }

    private func guarded(_ name: String, _ dimensions: [(String, String)]) -> [(String, String)] {
        self.seriesCounts.admit(name: name, dimensions: dimensions) ? dimensions : [Self.overflowLabel]
    }

    private func exemplarSink(name: String, dimensions: [(String, String)]) -> ExemplarSink {
        ExemplarSink(series: .init(name: name, labels: dimensions), store: self.exemplars, currentTrace: self.currentTrace)
    }

    package func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let dimensions = self.guarded(label, dimensions)
        let counter = self.registry.makeCounter(descriptor: MetricCatalog.descriptor(for: label), labels: dimensions)
        return ExemplarCounter(counter: counter, sink: self.exemplarSink(name: label, dimensions: dimensions))
    }

    package func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        let dimensions = self.guarded(label, dimensions)
        return self.registry.makeCounter(descriptor: MetricCatalog.descriptor(for: label), labels: dimensions)
    }

    package func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let dimensions = self.guarded(label, dimensions)
        let definition = MetricCatalog.definition(for: label)
        guard aggregate, let buckets = definition.buckets else {
            return self.registry.makeGauge(descriptor: MetricCatalog.descriptor(for: label), labels: dimensions)
        }
        let histogram = self.registry.makeValueHistogram(descriptor: MetricCatalog.descriptor(for: label), labels: dimensions, buckets: buckets)
        return ExemplarRecorder(histogram: histogram, buckets: buckets, sink: self.exemplarSink(name: label, dimensions: dimensions))
    }

    package func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        let dimensions = self.guarded(label, dimensions)
        return self.registry.makeGauge(descriptor: MetricCatalog.descriptor(for: label), labels: dimensions)
    }

    package func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let dimensions = self.guarded(label, dimensions)
        let definition = MetricCatalog.definition(for: label)
        let buckets = definition.buckets ?? MetricCatalog.durationBuckets
        let histogram = self.registry.makeDurationHistogram(
            descriptor: MetricCatalog.descriptor(for: label),
            labels: dimensions,
            buckets: buckets.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        )
        return ExemplarTimer(histogram: histogram, buckets: buckets, sink: self.exemplarSink(name: label, dimensions: dimensions))
    }

    package func destroyCounter(_ handler: any CounterHandler) {}
    package func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    package func destroyRecorder(_ handler: any RecorderHandler) {}
    package func destroyMeter(_ handler: any MeterHandler) {}
    package func destroyTimer(_ handler: any TimerHandler) {}
}

/// Records the current sampled trace as the exemplar of one series.
struct ExemplarSink: Sendable {
    let series: ExemplarStore.SeriesKey
    let store: ExemplarStore
    let currentTrace: @Sendable () -> TraceParent?

    func record(value: Double, bucket: Double? = nil) {
        guard let trace = self.currentTrace(), trace.isSampled else { return }
        let exemplar = Exemplar(
            traceID: trace.traceID,
            spanID: trace.spanID,
            value: value,
            timestamp: (WallClock.secondsSinceEpoch() * 1000).rounded(.down) / 1000
        )
        self.store.record(exemplar, series: self.series, bucket: bucket)
    }

    /// The upper bound of the bucket `value` falls in (`+Inf` past the last).
    static func bucket(for value: Double, in buckets: [Double]) -> Double {
        buckets.first { value <= $0 } ?? .infinity
    }
}

final class ExemplarCounter: CounterHandler {
    let counter: Prometheus.Counter
    let sink: ExemplarSink

    init(counter: Prometheus.Counter, sink: ExemplarSink) {
        self.counter = counter
        self.sink = sink
    }

    func increment(by amount: Int64) {
        self.counter.increment(by: amount)
        self.sink.record(value: Double(amount))
    }

    func reset() {
        self.counter.reset()
    }
}

final class ExemplarTimer: TimerHandler {
    let histogram: DurationHistogram
    let buckets: [Double]
    let sink: ExemplarSink

    init(histogram: DurationHistogram, buckets: [Double], sink: ExemplarSink) {
        self.histogram = histogram
        self.buckets = buckets
        self.sink = sink
    }

    func recordNanoseconds(_ duration: Int64) {
        self.histogram.recordNanoseconds(duration)
        let seconds = Double(duration) / 1e9
        self.sink.record(value: seconds, bucket: ExemplarSink.bucket(for: seconds, in: self.buckets))
    }
}

final class ExemplarRecorder: RecorderHandler {
    let histogram: ValueHistogram
    let buckets: [Double]
    let sink: ExemplarSink

    init(histogram: ValueHistogram, buckets: [Double], sink: ExemplarSink) {
        self.histogram = histogram
        self.buckets = buckets
        self.sink = sink
    }

    func record(_ value: Int64) {
        self.record(Double(value))
    }

    func record(_ value: Double) {
        self.histogram.record(value)
        self.sink.record(value: value, bucket: ExemplarSink.bucket(for: value, in: self.buckets))
    }
}

/// Counts the label sets seen per metric name, for the cardinality guard.
final class SeriesLimiter: Sendable {
    private let limit: Int
    private let seen = Mutex<[String: Set<[String]>]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    func admit(name: String, dimensions: [(String, String)]) -> Bool {
        let key = dimensions.flatMap { [$0.0, $0.1] }
        return self.seen.withLock { seen in
            if seen[name, default: []].contains(key) { return true }
            guard seen[name, default: []].count < self.limit else { return false }
            seen[name, default: []].insert(key)
            return true
        }
    }
}
