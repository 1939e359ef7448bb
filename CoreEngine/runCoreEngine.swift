import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import MarketDataContract
import NIOPosix
import ServiceConfiguration
import ServiceLifecycle
import ServiceLifecycleSupport
import ServiceTelemetry
import Tracing

/// What CoreEngine's `main` does: reads its configuration, bootstraps logging, tracing and metrics, builds the gRPC
/// server and the metrics endpoint and runs them until SIGTERM or SIGINT.
///
/// - Parameters:
///   - environment: The process environment (the configuration and the `OTEL_*` variables).
///   - outputs: Where logs and metrics go; `standard` but in the benchmark's ablation.
///   - assemble: What goes around the gRPC services; `CoreEngineAssembly.standard` but in the ablation. Called after
///     logging is bootstrapped, so the loggers it makes write where the service's do.
package func runCoreEngine(
    environment: [String: String],
    outputs: TelemetryOutputs = .standard,
    assemble: @Sendable () -> CoreEngineAssembly = { CoreEngineAssembly.standard() }
) async throws {
    let configuration = try CoreEngineConfiguration(settings: SettingsReader(environment: environment))
    let observability = try Observability.bootstrap(
        serviceName: "core-engine",
        logLevel: configuration.logLevel,
        environment: environment,
        metricDefinitions: MarketDataMetrics.definitions,
        outputs: outputs
    )
    let assembly = assemble()
    let logger = Logger(label: "core-engine")
    let engine = MarketDataEngine(
        configuration: configuration.engine,
        tracer: InstrumentationSystem.tracer,
        now: { Int64(Date().timeIntervalSince1970 * 1000) }
    )
    let health = HealthService(services: [Marketintel_V1_CoreEngine.descriptor.fullyQualifiedService])
    let server = buildServer(
        transport: HTTP2ServerTransport.Posix(
            address: .ipv4(host: configuration.grpcHost, port: configuration.grpcPort),
            transportSecurity: .plaintext,
            config: .defaults { config in
                // Connections are closed gracefully after five minutes, so that clients resolve the name again and
                // spread over replicas added since (gRPC's MAX_CONNECTION_AGE): a gateway resolving
                // dns:///core-engine would otherwise keep its first replicas for as long as they live. Calls in
                // flight get 30 s to finish.
                config.connection.maxAge = .seconds(300)
                config.connection.maxGraceTime = .seconds(30)
            }
        ),
        engine: engine,
        health: health,
        interceptors: assembly.interceptors
    )
    // Started in this order, stopped in reverse: the tracer flushes after the server has drained.
    let group = ServiceGroup(
        configuration: .boundedByStopGrace(
            services: observability.services + [
                buildMetricsServer(
                    host: configuration.metricsHost,
                    port: configuration.metricsPort,
                    exposition: observability.metrics,
                    logger: logger
                ),
                GRPCServerService(server: server, onShutdown: health.markAllNotServing),
            ],
            logger: logger
        )
    )
    logger.info(
        "core engine starting",
        metadata: [
            "grpc.address": "\(configuration.grpcHost):\(configuration.grpcPort)",
            "metrics.address": "\(configuration.metricsHost):\(configuration.metricsPort)",
            "otel.sdk.disabled": "\(observability.settings.sdkDisabled)",
        ]
    )
    try await withTaskExecutorPreference(assembly.taskExecutor) {
        try await group.run()
    }
    logger.info("core engine stopped")
}
