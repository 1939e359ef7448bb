import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import Logging
import NIOPosix
import ServiceConfiguration
import ServiceLifecycle
import ServiceLifecycleSupport
import ServiceTelemetry

/// What the gateway's `main` does: reads its configuration, bootstraps logging, tracing and metrics, builds the
/// application and runs it until SIGTERM or SIGINT.
///
/// - Parameters:
///   - environment: The process environment (the configuration and the `OTEL_*` variables).
///   - outputs: Where logs and metrics go; `standard` but in the benchmark's ablation.
///   - assemble: What goes around the routes and the client; `GatewayAssembly.standard` but in the ablation. Called
///     after logging is bootstrapped, so the loggers it makes write where the service's do.
package func runGateway(
    environment: [String: String],
    outputs: TelemetryOutputs = .standard,
    assemble: @Sendable (GatewayConfiguration) -> GatewayAssembly = { GatewayAssembly.standard(configuration: $0) }
) async throws {
    let configuration = try GatewayConfiguration(settings: SettingsReader(environment: environment))
    let observability = try Observability.bootstrap(
        serviceName: "gateway",
        logLevel: configuration.logLevel,
        environment: environment,
        metricDefinitions: HTTPServerMetrics.definitions,
        outputs: outputs
    )
    let logger = Logger(label: "gateway")
    let assembly = assemble(configuration)
    let engineClient = GRPCClient(
        transport: try HTTP2ClientTransport.Posix.coreEngine(
            target: configuration.coreEngineTarget,
            loadBalancing: configuration.coreEngineLoadBalancing
        ),
        interceptors: assembly.clientInterceptors
    )
    let application = buildApplication(
        configuration: configuration,
        engineClient: engineClient,
        assembly: assembly,
        telemetryServices: observability.services,
        metrics: observability.metrics,
        logger: logger
    )
    logger.info(
        "gateway starting",
        metadata: [
            "http.address": "\(configuration.httpHost):\(configuration.httpPort)",
            "core_engine.target": "\(configuration.coreEngineTarget)",
            "core_engine.lb_policy": "\(configuration.coreEngineLoadBalancing.rawValue)",
            "otel.sdk.disabled": "\(observability.settings.sdkDisabled)",
        ]
    )
    try await withTaskExecutorPreference(assembly.taskExecutor) {
        // Hummingbird's `runService` with the shutdown bounded (`ServiceGroupConfiguration.stopGrace`).
        try await ServiceGroup(configuration: .boundedByStopGrace(services: [application], logger: logger)).run()
    }
    logger.info("gateway stopped")
}
