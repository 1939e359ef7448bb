import CoreEngine
import Foundation
import ServiceTelemetry

// CoreEngine with the layers named in ABLATE left out (comma-separated names of `ObservabilityLayers.named`,
// or `all`): what `scripts/bench --ablation` measures each layer's cost with. Not shipped; the product is `core-engine`.
let environment = ProcessInfo.processInfo.environment
do {
    try await runCoreEngine(environment: environment, layers: .excludingAblated(in: environment))
} catch {
    StartupFailure.exit(service: "core-engine", error: error)
}
