// swift-tools-version:6.2
import PackageDescription

/// One set of settings for every target: Swift 6 language mode, the upcoming features that make
/// dependencies and existentials explicit, and warnings as errors (for our targets only, not the dependencies).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-observability-stack",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gateway", targets: ["GatewayExecutable"]),
        .executable(name: "core-engine", targets: ["CoreEngineExecutable"]),
        // For your own service: W3C trace context and baggage, checked by the official suite (see the README).
        .library(name: "TraceContextPropagation", targets: ["TraceContextPropagation"]),
        // For your own gRPC clients and servers: tracing, metrics, access-log, attempt and cancellation interceptors.
        .library(name: "GRPCObservability", targets: ["GRPCObservability"]),
        // For your own service's metrics: swift-metrics on swift-prometheus with help text, exemplars and process
        // metrics, and the Hummingbird route that serves them.
        .library(name: "PrometheusExemplars", targets: ["PrometheusExemplars"]),
        .library(name: "PrometheusExemplarsHummingbird", targets: ["PrometheusExemplarsHummingbird"]),
        // For your own service's spans and log records: a swift-distributed-tracing tracer and a swift-log handler
        // exporting OTLP over gRPC or HTTP, configured by the standard OTEL_* variables.
        .library(name: "TelemetryPipeline", targets: ["TelemetryPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel-semantic-conventions.git", from: "1.44.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-service-context.git", from: "1.5.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // OTLP/HTTP export (TelemetryPipeline): the client, and gzip for OTEL_EXPORTER_OTLP_COMPRESSION.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    // Targets bottom up: the contract and the small libraries in Shared/ (each imports only the ones above it and the
    // packages it lists; scripts/check-dependencies.py holds them to it), then the two services, then benchmarks
    // and tests.
    targets: [
        // What both sides of the hop agree on: the protos, their generated code, the shared limits.
        .target(
            name: "MarketDataContract",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Shared/MarketDataContract",
            exclude: ["Protos"],
            swiftSettings: swiftSettings
        ),
        // W3C Trace Context (traceparent, tracestate) and Baggage, and correlation ids: parsing, checking, carrying them
        // in a ServiceContext, and handing them to the tracer. The tracing API only: no transport, no HTTP framework,
        // no SDK.
        .target(
            name: "TraceContextPropagation",
            dependencies: [
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "ServiceContextModule", package: "swift-service-context"),
            ],
            path: "Shared/TraceContextPropagation",
            swiftSettings: swiftSettings
        ),
        // Small pieces every layer uses: a value handed out once, values made once per key, elapsed time.
        .target(
            name: "ObservabilityPrimitives",
            path: "Shared/ObservabilityPrimitives",
            swiftSettings: swiftSettings
        ),
        // gRPC observability: the client and server interceptors (tracing, metrics, access log, attempts,
        // cancellation) and the client's deadline. gRPC core, the tracing and metrics APIs, swift-log and NIO's event
        // loops; no transport, no HTTP framework, no SDK.
        .target(
            name: "GRPCObservability",
            dependencies: [
                "ObservabilityPrimitives",
                "TraceContextPropagation",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceContextModule", package: "swift-service-context"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Shared/GRPCObservability",
            swiftSettings: swiftSettings
        ),
        // Prometheus with exemplars: the swift-metrics factory (help text, cardinality guard, exemplars from the
        // current trace), the text and OpenMetrics exposition, process metrics. No HTTP framework, no SDK.
        .target(
            name: "PrometheusExemplars",
            dependencies: [
                "TraceContextPropagation",
                "ObservabilityPrimitives",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceContextModule", package: "swift-service-context"),
            ],
            path: "Shared/PrometheusExemplars",
            swiftSettings: swiftSettings
        ),
        // The thin adapter that serves the exposition from a Hummingbird route.
        .target(
            name: "PrometheusExemplarsHummingbird",
            dependencies: [
                "PrometheusExemplars",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Shared/PrometheusExemplarsHummingbird",
            swiftSettings: swiftSettings
        ),
        // Typed settings from the environment (swift-configuration) and the error that names a bad variable.
        .target(
            name: "ServiceConfiguration",
            dependencies: [
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/ServiceConfiguration",
            swiftSettings: swiftSettings
        ),
        // Services for swift-service-lifecycle: the gRPC server, the bounded flush at shutdown, the wait for the
        // collector, the event-loop task executor, and the way a process stops on a bad start.
        .target(
            name: "ServiceLifecycleSupport",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Shared/ServiceLifecycleSupport",
            swiftSettings: swiftSettings
        ),
        // The span and log pipeline behind swift-distributed-tracing and swift-log: a tracer, a log handler, batch
        // processors, OTLP encoded from the field numbers and sent over gRPC or HTTP. No service, no HTTP framework.
        .target(
            name: "TelemetryPipeline",
            dependencies: [
                "TraceContextPropagation",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceContextModule", package: "swift-service-context"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Shared/TelemetryPipeline",
            swiftSettings: swiftSettings
        ),
        // The services' telemetry bootstrap: OTEL_* settings, the pipeline's tracer and log exporter, the JSON and OTLP
        // log handlers, the metric catalog, the exemplar-keeping metrics. No HTTP framework, no gRPC.
        .target(
            name: "ServiceTelemetry",
            dependencies: [
                "ObservabilityPrimitives",
                "PrometheusExemplars",
                "ServiceConfiguration",
                "TelemetryPipeline",
                "TraceContextPropagation",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceContextModule", package: "swift-service-context"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Shared/ServiceTelemetry",
            swiftSettings: swiftSettings
        ),
        // CoreEngine: the gRPC service as a library (what main and the tests build), and its executable.
        .target(
            name: "CoreEngine",
            dependencies: [
                "ObservabilityPrimitives",
                "GRPCObservability",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                "MarketDataContract",
                "PrometheusExemplars",
                "PrometheusExemplarsHummingbird",
                "ServiceConfiguration",
                "ServiceLifecycleSupport",
                "ServiceTelemetry",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "CoreEngine",
            exclude: ["Main"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CoreEngineExecutable",
            dependencies: ["CoreEngine", "ServiceTelemetry"],
            path: "CoreEngine/Main",
            swiftSettings: swiftSettings
        ),
        // Gateway: the HTTP service as a library (what main and the tests build), and its executable.
        .target(
            name: "Gateway",
            dependencies: [
                "ObservabilityPrimitives",
                "GRPCObservability",
                "TraceContextPropagation",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                "MarketDataContract",
                "PrometheusExemplars",
                "PrometheusExemplarsHummingbird",
                "ServiceConfiguration",
                "ServiceLifecycleSupport",
                "ServiceTelemetry",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ServiceContextModule", package: "swift-service-context"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "OTelSemanticConventions", package: "swift-otel-semantic-conventions"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            path: "Gateway",
            exclude: ["Main"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "GatewayExecutable",
            dependencies: ["Gateway", "ServiceTelemetry"],
            path: "Gateway/Main",
            swiftSettings: swiftSettings
        ),
        // Benchmarks only, never shipped (scripts/bench): the floor (the bare stack on the same protos) and the
        // services with one observability layer left out at a time.
        .executableTarget(
            name: "FloorCoreEngine",
            dependencies: [
                "MarketDataContract",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Benchmarks/Floor/CoreEngine",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FloorGateway",
            dependencies: [
                "MarketDataContract",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/Floor/Gateway",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AblationSupport",
            dependencies: [
                "ServiceConfiguration",
                "ServiceTelemetry",
                "TraceContextPropagation",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Ablation/Support",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AblationCoreEngine",
            dependencies: ["AblationSupport", "CoreEngine", "GRPCObservability", "ServiceTelemetry"],
            path: "Benchmarks/Ablation/CoreEngine",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AblationGateway",
            dependencies: [
                "AblationSupport",
                "Gateway",
                "ServiceTelemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks/Ablation/Gateway",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "ServiceTelemetry",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AblationSupportTests",
            dependencies: ["AblationSupport", "ServiceConfiguration"],
            path: "Tests/AblationSupportTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TelemetryPipelineTests",
            dependencies: [
                "TelemetryPipeline",
                "TraceContextPropagation",
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceContextModule", package: "swift-service-context"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/TelemetryPipelineTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceTelemetryTests",
            dependencies: [
                "TestSupport",
                "TraceContextPropagation",
                "ServiceConfiguration",
                "ServiceTelemetry",
                "TelemetryPipeline",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceContextModule", package: "swift-service-context"),
            ],
            path: "Tests/ServiceTelemetryTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceConfigurationTests",
            dependencies: [
                "ServiceConfiguration",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ServiceConfigurationTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceLifecycleSupportTests",
            dependencies: [
                "ServiceLifecycleSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/ServiceLifecycleSupportTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ObservabilityPrimitivesTests",
            dependencies: ["ObservabilityPrimitives"],
            path: "Tests/ObservabilityPrimitivesTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GRPCObservabilityTests",
            dependencies: [
                "GRPCObservability",
                "ObservabilityPrimitives",
                "TraceContextPropagation",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/GRPCObservabilityTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PrometheusExemplarsTests",
            dependencies: [
                "PrometheusExemplars",
                "TraceContextPropagation",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Tests/PrometheusExemplarsTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TraceContextPropagationTests",
            dependencies: [
                "TraceContextPropagation",
                "TestSupport",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceContextModule", package: "swift-service-context"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/TraceContextPropagationTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway",
                "ServiceConfiguration",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
            ],
            path: "Tests/GatewayTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CoreEngineTests",
            dependencies: [
                "GRPCObservability",
                "CoreEngine",
                "MarketDataContract",
                "TestSupport",
                "ServiceTelemetry",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/CoreEngineTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "GRPCObservability",
                "TraceContextPropagation",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                "Gateway",
                "CoreEngine",
                "MarketDataContract",
                "TestSupport",
                "ServiceTelemetry",
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            path: "Tests/IntegrationTests",
            swiftSettings: swiftSettings
        ),
    ]
)

// The allocation benchmarks (Benchmarks/ObservabilityBenchmarks, package-benchmark with its malloc interposer) only
// when ENABLE_OBSERVABILITY_STACK_BENCHMARKS is set, as Hummingbird (ENABLE_HB_BENCHMARKS) and swift-otel
// (OTEL_ENABLE_BENCHMARKS) do: a service that adds one of the library products does not resolve, fetch or build
// ordo-one/benchmark. scripts/allocation-benchmarks.sh and .ci/run set it.
if Context.environment["ENABLE_OBSERVABILITY_STACK_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "ObservabilityBenchmarks",
            dependencies: [
                "TraceContextPropagation",
                "CoreEngine",
                "Gateway",
                "GRPCObservability",
                "MarketDataContract",
                "PrometheusExemplars",
                "ServiceTelemetry",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                "TelemetryPipeline",
                .product(name: "ServiceContextModule", package: "swift-service-context"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Benchmarks/ObservabilityBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}
