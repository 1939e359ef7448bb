import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import Logging
import NIOPosix
import ServiceLifecycle
import Shared
import UnixSignals

/// Gateway: the HTTP front door that calls CoreEngine over gRPC.
@main
struct GatewayMain {
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        do {
            let configuration = try GatewayConfiguration(settings: SettingsReader(environment: environment))
            let observability = try Observability.bootstrap(
                serviceName: "gateway",
                logLevel: configuration.logLevel,
                environment: environment
            )
            let logger = Logger(label: "gateway")
            let engineClient = buildEngineClient(
                transport: try HTTP2ClientTransport.Posix.coreEngine(
                    host: configuration.coreEngineHost,
                    port: configuration.coreEnginePort
                ),
                configuration: configuration
            )
            let application = buildApplication(
                configuration: configuration,
                engineClient: engineClient,
                telemetryServices: observability.services,
                metrics: observability.metrics,
                logger: logger
            )
            logger.info(
                "gateway starting",
                metadata: [
                    "http.address": "\(configuration.httpHost):\(configuration.httpPort)",
                    "core_engine.address": "\(configuration.coreEngineHost):\(configuration.coreEnginePort)",
                    "otel.sdk.disabled": "\(observability.settings.sdkDisabled)",
                ]
            )
            // Handlers run on the event loops that do the I/O, not on the global pool (see EventLoopTaskExecutor).
            try await withTaskExecutorPreference(EventLoopTaskExecutor(group: .singletonMultiThreadedEventLoopGroup)) {
                try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
            }
            logger.info("gateway stopped")
        } catch {
            StartupFailure.exit(service: "gateway", error: error)
        }
    }
}
