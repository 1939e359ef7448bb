import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOPosix
import ServiceLifecycle
import Shared
import UnixSignals
import Tracing

/// CoreEngine: the market-data gRPC service.
@main
struct CoreEngineMain {
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        do {
            let configuration = try CoreEngineConfiguration(settings: SettingsReader(environment: environment))
            let observability = try Observability.bootstrap(
                serviceName: "core-engine",
                logLevel: configuration.logLevel,
                environment: environment
            )
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
                    transportSecurity: .plaintext
                ),
                engine: engine,
                health: health,
                logger: Logger(label: "core-engine.rpc")
            )
            // Started in this order, stopped in reverse: the tracer flushes after the server has drained.
            let group = ServiceGroup(
                configuration: .init(
                    services: observability.services.map { .init(service: $0) } + [
                        .init(
                            service: buildMetricsServer(
                                host: configuration.metricsHost,
                                port: configuration.metricsPort,
                                exposition: observability.metrics,
                                logger: logger
                            )
                        ),
                        .init(service: GRPCServerService(server: server, onShutdown: health.markAllNotServing)),
                    ],
                    gracefulShutdownSignals: [.sigterm, .sigint],
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
            // Handlers run on the event loops that do the I/O, not on the global pool (see EventLoopTaskExecutor).
            try await withTaskExecutorPreference(EventLoopTaskExecutor(group: .singletonMultiThreadedEventLoopGroup)) {
                try await group.run()
            }
            logger.info("core engine stopped")
        } catch {
            StartupFailure.exit(service: "core-engine", error: error)
        }
    }
}
