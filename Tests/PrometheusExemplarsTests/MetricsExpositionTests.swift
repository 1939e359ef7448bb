import CoreMetrics
import Prometheus
import PrometheusExemplars
import Synchronization
import Testing
import TraceContextPropagation

@Suite("Metrics exposition and exemplars")
struct MetricsExpositionTests {
    static let sampled = TraceParent(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", flags: 1)
    static let unsampled = TraceParent(
        traceID: "4bf92f3577b34da6a3ce929d0e0e4736",
        spanID: "00f067aa0ba902b7",
        flags: 0
    )

    /// A factory whose "current span" the test sets.
    final class Fixture: Sendable {
        final class CurrentTrace: Sendable {
            let value = Mutex<TraceParent?>(nil)
        }

        let trace = CurrentTrace()
        let factory: ExemplarMetricsFactory
        let exposition: MetricsExposition

        init(maximumSeriesPerMetric: Int = 100) {
            let trace = self.trace
            let definitions = MetricDefinitions([
                "marketdata_quotes_served_total": .init(help: "Quotes served, by symbol.")
            ])
            self.factory = ExemplarMetricsFactory(
                definitions: definitions,
                maximumSeriesPerMetric: maximumSeriesPerMetric
            ) {
                trace.value.withLock { $0 }
            }
            self.exposition = MetricsExposition(factory: self.factory)
        }

        func inTrace(_ parent: TraceParent?, _ body: () -> Void) {
            self.trace.value.withLock { $0 = parent }
            body()
            self.trace.value.withLock { $0 = nil }
        }
    }

    @Test("writes each metric type in the Prometheus text format, with help and type")
    func prometheusText() {
        let fixture = Fixture()
        fixture.factory.makeCounter(label: "marketdata_quotes_served_total", dimensions: [("symbol", "AAPL")])
            .increment(by: 2)
        fixture.factory.makeMeter(label: "http_server_active_requests", dimensions: [("http_request_method", "GET")])
            .set(3.0 as Double)
        fixture.factory.makeTimer(label: "rpc_server_call_duration_seconds", dimensions: [("rpc_method", "GetQuote")])
            .recordNanoseconds(30_000_000)
        let text = fixture.exposition.render(.prometheusText)
        #expect(text.contains("# HELP marketdata_quotes_served_total Quotes served, by symbol.\n"))
        #expect(text.contains("# TYPE marketdata_quotes_served_total counter\n"))
        #expect(text.contains(#"marketdata_quotes_served_total{symbol="AAPL"} 2"#))
        #expect(text.contains("# TYPE http_server_active_requests gauge\n"))
        #expect(text.contains("# TYPE rpc_server_call_duration_seconds histogram\n"))
        #expect(text.contains(#"rpc_server_call_duration_seconds_bucket{rpc_method="GetQuote",le="0.025"} 0"#))
        #expect(text.contains(#"rpc_server_call_duration_seconds_bucket{rpc_method="GetQuote",le="0.05"} 1"#))
        #expect(!text.contains("# EOF"))
        #expect(!text.contains("trace_id"))
    }

    @Test("writes OpenMetrics: counter families without _total, exemplars, and # EOF")
    func openMetrics() throws {
        let fixture = Fixture()
        fixture.inTrace(Self.sampled) {
            fixture.factory.makeCounter(label: "marketdata_quotes_served_total", dimensions: [("symbol", "AAPL")])
                .increment(by: 1)
            fixture.factory.makeTimer(
                label: "rpc_server_call_duration_seconds",
                dimensions: [("rpc_method", "GetQuote")]
            )
            .recordNanoseconds(30_000_000)
        }
        let text = fixture.exposition.render(.openMetrics)
        #expect(text.hasSuffix("# EOF\n"))
        #expect(text.contains("# TYPE marketdata_quotes_served counter\n"))
        #expect(text.contains("# HELP marketdata_quotes_served Quotes served, by symbol.\n"))
        let exemplar = #"# {trace_id="4bf92f3577b34da6a3ce929d0e0e4736",span_id="00f067aa0ba902b7"}"#
        let counterLine = try #require(
            text.split(separator: "\n").first { $0.hasPrefix("marketdata_quotes_served_total{") }
        )
        #expect(counterLine.contains(#"marketdata_quotes_served_total{symbol="AAPL"} 1 "# + exemplar + " 1.0 "))
        let bucketLine = try #require(text.split(separator: "\n").first { $0.contains(#"le="0.05""#) })
        #expect(bucketLine.contains(exemplar + " 0.03 "))
        // Only the bucket the value fell in carries it.
        let otherBuckets = text.split(separator: "\n").filter { $0.contains("_bucket{") && !$0.contains(#"le="0.05""#) }
        #expect(otherBuckets.allSatisfy { !$0.contains("trace_id") })
    }

    @Test("takes no exemplar outside a span or from an unsampled trace", arguments: [nil, Self.unsampled])
    func noExemplar(parent: TraceParent?) {
        let fixture = Fixture()
        fixture.inTrace(parent) {
            fixture.factory.makeCounter(label: "marketdata_quotes_served_total", dimensions: []).increment(by: 1)
            fixture.factory.makeTimer(label: "rpc_server_call_duration_seconds", dimensions: []).recordNanoseconds(
                1_000_000
            )
        }
        #expect(!fixture.exposition.render(.openMetrics).contains("trace_id"))
    }

    @Test("keeps exemplar labels within OpenMetrics' 128-character limit")
    func exemplarLength() {
        let labels = #"trace_id="\#(Self.sampled.traceID)",span_id="\#(Self.sampled.spanID)""#
        #expect(labels.utf8.count - 8 <= MetricsExposition.maximumExemplarLabelLength)  // quotes, = and , do not count
    }

    @Test("escapes label values and still finds their exemplars")
    func escaping() throws {
        let fixture = Fixture()
        fixture.inTrace(Self.sampled) {
            fixture.factory.makeCounter(
                label: "test_events_total",
                dimensions: [("reason", "a \"quoted\" \\ back\nslash")]
            )
            .increment(by: 1)
        }
        let text = fixture.exposition.render(.openMetrics)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("test_events_total{") })
        #expect(line.hasPrefix(#"test_events_total{reason="a \"quoted\" \\ back\nslash"} 1 # {trace_id="#))
    }

    @Test("folds label sets past the cardinality limit into one overflow series")
    func cardinalityGuard() {
        let fixture = Fixture(maximumSeriesPerMetric: 3)
        for index in 0..<10 {
            fixture.factory.makeCounter(label: "test_requests_total", dimensions: [("path", "/item/\(index)")])
                .increment(by: 1)
        }
        let lines = fixture.exposition.render(.prometheusText).split(separator: "\n").filter {
            $0.hasPrefix("test_requests_total{")
        }
        #expect(lines.count == 4)
        #expect(lines.contains(#"test_requests_total{otel_metric_overflow="true"} 7"#))
    }

    @Test("hands out one handler per name and label set, and keeps counting through it")
    func handlerCache() {
        let fixture = Fixture()
        let first = fixture.factory.makeCounter(label: "test_events_total", dimensions: [("kind", "a")])
        let again = fixture.factory.makeCounter(label: "test_events_total", dimensions: [("kind", "a")])
        let other = fixture.factory.makeCounter(label: "test_events_total", dimensions: [("kind", "b")])
        #expect(first === again)
        #expect(first !== other)
        first.increment(by: 2)
        again.increment(by: 3)
        #expect(fixture.exposition.render(.prometheusText).contains(#"test_events_total{kind="a"} 5"#))
    }

    @Test("looks for an exemplar at most once per interval for each series and bucket")
    func exemplarInterval() throws {
        let fixture = Fixture()
        let later = TraceParent(traceID: "0af7651916cd43dd8448eb211c80319c", spanID: "b7ad6b7169203331", flags: 1)
        let timer = fixture.factory.makeTimer(label: "rpc_server_call_duration_seconds", dimensions: [])
        fixture.inTrace(Self.sampled) { timer.recordNanoseconds(30_000_000) }
        // Same bucket within the interval: counted, but the first exemplar stays.
        fixture.inTrace(later) { timer.recordNanoseconds(31_000_000) }
        // Another bucket has its own interval.
        fixture.inTrace(later) { timer.recordNanoseconds(2_000_000_000) }
        let lines = fixture.exposition.render(.openMetrics).split(separator: "\n")
        let busy = try #require(lines.first { $0.contains(#"le="0.05""#) })
        #expect(busy.contains(" 2 # {trace_id=\"\(Self.sampled.traceID)\""))
        let slow = try #require(lines.first { $0.contains(#"le="2.5""#) })
        #expect(slow.contains("trace_id=\"\(later.traceID)\""))
    }

    @Test("gives a metric its definitions do not list help made from its name, and a recorder without buckets a gauge")
    func undefinedMetric() {
        let fixture = Fixture()
        fixture.factory.makeCounter(label: "orders_rejected_total", dimensions: []).increment(by: 1)
        fixture.factory.makeRecorder(label: "queue_depth", dimensions: [], aggregate: true).record(Int64(3))
        let text = fixture.exposition.render(.prometheusText)
        #expect(text.contains("# HELP orders_rejected_total orders rejected total.\n"))
        #expect(text.contains("# TYPE queue_depth gauge\nqueue_depth 3"))
    }

    @Test("chooses the format from the Accept header")
    func negotiation() {
        #expect(MetricsExposition.Format(accept: nil) == .prometheusText)
        #expect(MetricsExposition.Format(accept: "text/plain;version=0.0.4") == .prometheusText)
        let prometheus =
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        #expect(MetricsExposition.Format(accept: prometheus) == .openMetrics)
        #expect(
            MetricsExposition.Format.openMetrics.contentType.hasPrefix("application/openmetrics-text; version=1.0.0")
        )
    }

    @Test("reads the process metrics from /proc")
    func process() throws {
        let registry = PrometheusCollectorRegistry()
        _ = ProcessMetrics(registry: registry, service: "core-engine", version: "1.2.3")
        let text = registry.emitToString()
        for name in [
            "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
            "process_open_fds", "process_max_fds", "process_start_time_seconds",
        ] {
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(name + " ") }, "\(name) missing")
            let value = try #require(Double(line.split(separator: " ")[1]))
            #expect(value > 0, "\(name) is \(value)")
        }
        #expect(text.contains(#"core_engine_build_info{version="1.2.3"} 1"#))
    }

    @Test("target_info carries the resource, service.instance.id as service_instance_id")
    func targetInfo() throws {
        let registry = PrometheusCollectorRegistry()
        _ = ProcessMetrics(
            registry: registry,
            service: "core-engine",
            version: "1.2.3",
            resource: [
                "service.instance.id": "replica-1", "service.name": "core-engine", "k8s.pod.name": "core-engine-0",
            ]
        )
        let text = registry.emitToString()
        #expect(
            text.contains(
                #"target_info{k8s_pod_name="core-engine-0",service_instance_id="replica-1",service_name="core-engine"} 1"#
            )
        )
        #expect(text.contains("# HELP target_info "))
    }
}
