import ObservabilityPrimitives
import TraceContextPropagation

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
