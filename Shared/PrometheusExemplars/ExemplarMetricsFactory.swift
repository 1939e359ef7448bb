import CoreMetrics
import ObservabilityPrimitives
import Prometheus
import ServiceContextModule
import Synchronization
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
    ///     when it is sampled. Defaults to what `TracePropagation` reads from `ServiceContext.current`.
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
            self.currentTrace = { ServiceContext.current.flatMap { propagation.traceParent(of: $0) } }
        }
    }

    private func exemplarSink(name: String, dimensions: [(String, String)]) -> ExemplarSink {
        ExemplarSink(series: .init(name: name, labels: dimensions), store: self.exemplars, currentTrace: self.currentTrace)
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        self.handlers.handler(name: label, dimensions: dimensions) { dimensions in
            let counter = self.registry.makeCounter(descriptor: self.definitions.descriptor(for: label), labels: dimensions)
            return ExemplarCounter(counter: counter, sink: self.exemplarSink(name: label, dimensions: dimensions))
        }
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
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
            return ExemplarRecorder(histogram: histogram, buckets: buckets, sink: self.exemplarSink(name: label, dimensions: dimensions))
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
            return ExemplarTimer(histogram: histogram, buckets: buckets, sink: self.exemplarSink(name: label, dimensions: dimensions))
        }
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
}

/// Records the current sampled trace as the exemplar of one series.
///
/// Working out the current trace goes through the tracer's propagation, a few microseconds, so it is done
/// at most once per `minimumInterval` for each series and bucket; the values in between are counted as
/// usual, only not offered as exemplars. Prometheus keeps at most one exemplar per series per scrape
/// (every few seconds), so an exemplar at most 100 ms old is as good as the latest one.
struct ExemplarSink: Sendable {
    static let minimumInterval = Duration.milliseconds(100)

    let series: ExemplarStore.SeriesKey
    let store: ExemplarStore
    let currentTrace: @Sendable () -> TraceParent?
    private let lastAttempt = ExemplarAttempts()

    init(series: ExemplarStore.SeriesKey, store: ExemplarStore, currentTrace: @escaping @Sendable () -> TraceParent?) {
        self.series = series
        self.store = store
        self.currentTrace = currentTrace
    }

    func record(value: Double, bucket: Double? = nil) {
        guard self.lastAttempt.begin(bucket: bucket, interval: Self.minimumInterval) else { return }
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

/// When an exemplar was last looked for, per bucket of one series (`nil` for a counter).
final class ExemplarAttempts: Sendable {
    private let attempts = Mutex<[Double?: ContinuousClock.Instant]>([:])

    /// Whether to look for an exemplar now: true when none was looked for in the last `interval`.
    func begin(bucket: Double?, interval: Duration) -> Bool {
        let now = ContinuousClock.now
        return self.attempts.withLock { attempts in
            if let last = attempts[bucket], now - last < interval { return false }
            attempts[bucket] = now
            return true
        }
    }
}
