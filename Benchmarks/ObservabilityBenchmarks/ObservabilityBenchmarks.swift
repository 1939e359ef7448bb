import Benchmark
import CoreEngine
import CoreMetrics
import GRPCCore
import GRPCInProcessTransport
import Gateway
import HTTPTypes
import HummingbirdTesting
import Logging
import Metrics
import PrometheusExemplars
import ServiceContextModule
import ServiceLifecycle
import ServiceTelemetry
import TelemetryPipeline
import TraceContextPropagation
import Tracing

// Allocations of one whole request in process (the gateway's router → the gRPC client → the in-process transport →
// the CoreEngine server, with every layer as main builds it), untraced and traced, and of the pieces every request
// runs (names without spaces: package-benchmark's threshold files are named after them). Malloc counts do not drift with the machine: CI checks them against Benchmarks/Thresholds
// (`scripts/allocation-benchmarks.sh`), so a change that allocates more fails the build.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.mallocCountTotal, .instructions],
        timeUnits: .microseconds,
        warmupIterations: 50,
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 2_000,
        // Whole requests run tasks on several threads, so their count moves by a few.
        thresholds: [.mallocCountTotal: .init(relative: [.p90: 5], absolute: [.p90: 10])]
    )
    // The pieces run a thousand times a sample, so the benchmark's own few allocations per sample wash out:
    // their counts read as allocations per thousand operations.
    let pieces = Benchmark.Configuration(
        metrics: [.mallocCountTotal, .instructions],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 200,
        thresholds: [.mallocCountTotal: .init(relative: [.p90: 5], absolute: [.p90: 50])]
    )
    Telemetry.bootstrapOnce()

    Benchmark("RequestUntraced") { benchmark in
        try await Stack.run(tracer: NoOpTracer(), benchmark: benchmark)
    }

    Benchmark("RequestTraced") { benchmark in
        try await Stack.run(tracer: Telemetry.tracer, benchmark: benchmark)
    }

    // The two deadline owners, a thousand calls a sample: allocations (checked: per thousand calls), and CPU time of
    // the whole process, the threads a timer wakes included (printed only: it depends on the machine, and the
    // kernel here counts it in 10 ms ticks, which a thousand calls make small).
    let deadlines = Benchmark.Configuration(
        metrics: [.mallocCountTotal, .cpuTotal],
        timeUnits: .microseconds,
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(20),
        maxIterations: 40,
        thresholds: [.mallocCountTotal: .init(relative: [.p90: 5], absolute: [.p90: 2_000])]
    )
    Benchmark("GetQuoteCallDeadline", configuration: deadlines) { benchmark in
        try await DeadlineOwners.run(.callDeadline, benchmark: benchmark)
    }

    Benchmark("GetQuoteCallOptionsTimeout", configuration: deadlines) { benchmark in
        try await DeadlineOwners.run(.callOptionsTimeout, benchmark: benchmark)
    }

    Benchmark("TraceparentExtract", configuration: pieces) { benchmark in
        let propagation = TracePropagation(tracer: Telemetry.tracer)
        let carrier = TraceContextCarrier(traceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var context = ServiceContext.topLevel
            propagation.extract(carrier, into: &context)
            blackHole(context)
        }
    }

    Benchmark("TraceparentInject", configuration: pieces) { benchmark in
        let propagation = TracePropagation(tracer: Telemetry.tracer)
        var parent = ServiceContext.topLevel
        propagation.extract(
            TraceContextCarrier(traceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            into: &parent
        )
        let span = Telemetry.tracer.startSpan("hop", context: parent, ofKind: .client)
        defer { span.end() }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(propagation.inject(span.context))
        }
    }

    Benchmark("JSONLogLine", configuration: pieces) { benchmark in
        let logger = Logger(label: "gateway.http") { label in
            ServiceLogHandler(
                lines: JSONLogHandler(label: label, service: "gateway", sink: DiscardingLogSink()),
                pipeline: nil,
                logLevel: .info,
                metadataProvider: nil
            )
        }
        var context = ServiceContext.topLevel
        context.correlationID = "820732953ff49a3d0c9f946d0fcb94d3"
        ServiceContext.withValue(context) {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                logger.info(
                    "request handled",
                    metadata: [
                        "http.request.method": "GET", "http.route": "/api/v1/quotes/{symbol}",
                        "url.path": "/api/v1/quotes/AAPL", "http.response.status_code": "200", "duration_ms": "1.234",
                    ]
                )
            }
        }
    }

    Benchmark("MetricsRecord", configuration: pieces) { benchmark in
        let timer = CoreMetrics.Timer(
            label: "http_server_request_duration_seconds",
            dimensions: [
                ("http_request_method", "GET"), ("http_route", "/api/v1/quotes/{symbol}"),
                ("http_response_status_code", "200"),
            ]
        )
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            timer.recordNanoseconds(1_234_567)
        }
    }
}

/// The pipeline's tracer, recording every span into a queue that nothing drains (its processor does not run, and the
/// queue holds every span of a run): the request path's whole cost, from starting a span to queueing it at its end.
/// Encoding and export happen on the exporter's task, off the request path; `scripts/bench` counts them.
/// Installed once for the process with the exemplar-keeping metrics factory, as the services install them.
enum Telemetry {
    nonisolated(unsafe) static var tracer: any Tracer = NoOpTracer()

    static func bootstrapOnce() {
        guard Self.tracer is NoOpTracer else { return }
        var configuration = TelemetryPipelineConfiguration(resource: ["service.name": "benchmark"])
        configuration.spans.maxQueueSize = 1 << 22
        guard let pipeline = try? TelemetryPipeline(configuration: configuration) else { return }
        Self.tracer = pipeline.tracer
        InstrumentationSystem.bootstrap(pipeline.tracer)
        MetricsSystem.bootstrap(ExemplarMetricsFactory(definitions: MetricCatalog.definitions))
        // As the services log (`Observability.bootstrap`), to a sink that discards the lines.
        LoggingSystem.bootstrap(
            { label, provider in
                ServiceLogHandler(
                    lines: JSONLogHandler(label: label, service: "benchmark", sink: DiscardingLogSink()),
                    pipeline: nil,
                    logLevel: .info,
                    metadataProvider: provider
                )
            },
            metadataProvider: nil
        )
    }
}

/// The gateway and CoreEngine as main builds them, over the in-process transport, with `tracer`.
enum Stack {
    static func run(tracer: any Tracer, benchmark: Benchmark) async throws {
        // The benchmark object is only used from the one task that runs the requests below.
        nonisolated(unsafe) let benchmark = benchmark
        // The service config main uses (its retry policy puts every call through grpc-swift's retry executor).
        let transport = InProcessTransport(serviceConfig: .coreEngine(loadBalancing: .roundRobin))
        let server = Self.coreEngine(on: transport, tracer: tracer)
        let configuration = Self.gatewayConfiguration
        let assembly = GatewayAssembly.standard(configuration: configuration, tracer: tracer)
        let application = buildApplication(
            configuration: configuration,
            engineClient: GRPCClient(transport: transport.client, interceptors: assembly.clientInterceptors),
            assembly: assembly,
            logger: Logger(label: "gateway"),
            tracer: tracer
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            try await application.test(.router) { client in
                // One request first, so that connections, caches and handlers made once are made.
                _ = try await client.execute(uri: "/api/v1/quotes/AAPL", method: .get)
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    let response = try await client.execute(uri: "/api/v1/quotes/AAPL", method: .get)
                    guard response.status == .ok else { throw UnexpectedStatus(status: response.status.code) }
                }
                benchmark.stopMeasurement()
            }
            server.beginGracefulShutdown()
        }
    }

    /// CoreEngine's server as main builds it, on `transport`, its simulated source without latency.
    static func coreEngine(
        on transport: InProcessTransport,
        tracer: any Tracer
    ) -> GRPCServer<InProcessTransport.Server> {
        var engineConfiguration = MarketDataEngine.Configuration()
        engineConfiguration.sourceLatency = .zero
        return buildServer(
            transport: transport.server,
            engine: MarketDataEngine(configuration: engineConfiguration, tracer: tracer, now: { 1_796_000_000_000 }),
            health: HealthService(services: []),
            interceptors: CoreEngineAssembly.standard(logger: Logger(label: "core-engine.rpc"), tracer: tracer)
                .interceptors
        )
    }

    /// The gateway's configuration, with CoreEngine found by name as in compose.
    static var gatewayConfiguration: GatewayConfiguration {
        var configuration = GatewayConfiguration()
        configuration.coreEngineTarget = .dns(host: "core-engine", port: 50051)
        return configuration
    }

    struct UnexpectedStatus: Error {
        var status: Int
    }
}

/// Formats every line, writes none: the benchmark measures the handler, not the terminal.
struct DiscardingLogSink: LogLineSink {
    func write(line: String) {}
}
