import CoreMetrics
import Prometheus

/// A swift-metrics counter on a Prometheus counter that offers each increment as an exemplar.
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
