import CoreMetrics
import Prometheus

/// A swift-metrics timer on a Prometheus duration histogram that offers each value as the exemplar of its bucket.
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
