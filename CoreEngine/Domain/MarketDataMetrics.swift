import CoreMetrics
import ObservabilityPrimitives
import PrometheusExemplars

/// The engine's own metrics (`marketdata_*`), each handler made once and kept, as the interceptors keep theirs: a
/// quote pays a dictionary lookup, not a factory lookup by name and labels.
struct MarketDataMetrics: Sendable {
    /// Their help text and buckets, which CoreEngine's metrics registry is made with.
    static let definitions = MetricDefinitions([
        "marketdata_quotes_served_total": .init(help: "Quotes served, by symbol."),
        "marketdata_cache_requests_total": .init(help: "Quote cache lookups, by result (hit or miss)."),
        "marketdata_source_fetch_duration_seconds": .init(
            help: "Duration of fetches from the simulated market-data source.",
            buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
        ),
        "marketdata_faults_injected_total": .init(help: "Faults injected by the demo knobs, by kind."),
    ])

    /// `marketdata_cache_requests_total{result="hit"}` and `{result="miss"}`.
    let cacheHits = CoreMetrics.Counter(label: "marketdata_cache_requests_total", dimensions: [("result", "hit")])
    let cacheMisses = CoreMetrics.Counter(label: "marketdata_cache_requests_total", dimensions: [("result", "miss")])
    /// `marketdata_faults_injected_total{kind}`: made at start, so the faults panel shows a flat line until a knob is
    /// turned.
    let injectedLatency = CoreMetrics.Counter(
        label: "marketdata_faults_injected_total",
        dimensions: [("kind", "latency")]
    )
    let injectedErrors = CoreMetrics.Counter(label: "marketdata_faults_injected_total", dimensions: [("kind", "error")])
    let sourceFetchDuration = CoreMetrics.Timer(label: "marketdata_source_fetch_duration_seconds")
    /// `marketdata_quotes_served_total{symbol}`: symbols are labels only because they come from the fixed universe,
    /// never from the request as sent.
    private let quotesServed = MadeOnce<String, CoreMetrics.Counter>()

    func served(_ instrument: SymbolUniverse.Instrument) {
        self.quotesServed.value(for: instrument.symbol) {
            CoreMetrics.Counter(label: "marketdata_quotes_served_total", dimensions: [("symbol", $0)])
        }.increment()
    }
}
