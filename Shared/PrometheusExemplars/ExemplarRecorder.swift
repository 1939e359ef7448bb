import CoreMetrics
import Prometheus

/// A swift-metrics recorder on a Prometheus value histogram that offers each value as the exemplar of its bucket.
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
