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
///   - layers: Everything, except in the benchmark's ablation, which leaves one piece out at a time.
package func runGateway(environment: [String: String], layers: ObservabilityLayers = .all) async throws {
    let configuration = try GatewayConfiguration(settings: SettingsReader(environment: environment))
    let observability = try Observability.bootstrap(
        serviceName: "gateway",
        logLevel: configuration.logLevel,
        environment: environment,
        layers: layers
    )
    let logger = Logger(label: "gateway")
    let engineClient = buildEngineClient(
        transport: try HTTP2ClientTransport.Posix.coreEngine(
            target: configuration.coreEngineTarget,
            loadBalancing: configuration.coreEngineLoadBalancing
        ),
        configuration: configuration,
        layers: layers
    )
    let application = buildApplication(
        configuration: configuration,
        engineClient: engineClient,
        telemetryServices: observability.services,
        metrics: observability.metrics,
        logger: logger,
        layers: layers
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
    try await withEventLoopExecutor(if: layers.contains(.executorPreference)) {
        // Hummingbird's `runService` with the shutdown bounded (`ServiceGroupConfiguration.stopGrace`).
        try await ServiceGroup(configuration: .boundedByStopGrace(services: [application], logger: logger)).run()
    }
    logger.info("gateway stopped")
}
