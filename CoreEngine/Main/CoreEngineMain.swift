import CoreEngine
import Foundation
import ServiceTelemetry

/// CoreEngine: the market-data gRPC service.
@main
struct CoreEngineMain {
    static func main() async {
        do {
            try await runCoreEngine(environment: ProcessInfo.processInfo.environment)
        } catch {
            StartupFailure.exit(service: "core-engine", error: error)
        }
    }
}
