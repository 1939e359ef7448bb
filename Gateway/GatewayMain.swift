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
            let grpcClient = GRPCClient(
                transport: try HTTP2ClientTransport.Posix.coreEngine(host: configuration.coreEngineHost, port: configuration.coreEnginePort),
                interceptors: [
                    ClientTracingInterceptor(
                        serverAddress: configuration.coreEngineHost,
                        serverPort: configuration.coreEnginePort
                    ),
                    ClientMetricsInterceptor(),
                ]
            )
            let engine = GRPCEngineClient(client: grpcClient, deadline: configuration.coreEngineDeadline)
            var application = buildApplication(
                configuration: configuration,
                engine: engine,
                metrics: observability.metrics,
                logger: logger
            )
            // Started in this order, stopped in reverse: HTTP drains first, then the gRPC client,
            // and the tracer flushes last.
            let services: [any Service] = observability.services + [GRPCClientService(client: grpcClient)]
            application.addServices(services)
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
