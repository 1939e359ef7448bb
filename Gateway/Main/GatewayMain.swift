import Foundation
import Gateway
import ServiceTelemetry

/// Gateway: the HTTP front door that calls CoreEngine over gRPC.
@main
struct GatewayMain {
    static func main() async {
        do {
            try await runGateway(environment: ProcessInfo.processInfo.environment)
        } catch {
            StartupFailure.exit(service: "gateway", error: error)
        }
    }
}
