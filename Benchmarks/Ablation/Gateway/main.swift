import Gateway
import Foundation
import ServiceTelemetry

// The gateway with the layers named in ABLATE left out (comma-separated names of `ObservabilityLayers.named`,
// or `all`): what `scripts/bench --ablation` measures each layer's cost with. Not shipped; the product is `gateway`.
let environment = ProcessInfo.processInfo.environment
do {
    try await runGateway(environment: environment, layers: .excludingAblated(in: environment))
} catch {
    StartupFailure.exit(service: "gateway", error: error)
}
