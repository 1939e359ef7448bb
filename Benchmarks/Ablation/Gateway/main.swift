import Foundation
import Gateway
import Shared

// The gateway with the layers named in ABLATE left out (comma-separated names of `ObservabilityLayers.named`, or
// `all`): what `scripts/bench --ablation` measures each layer's cost with. Not shipped; the product is `gateway`.
let environment = ProcessInfo.processInfo.environment
guard let layers = ObservabilityLayers(excluding: environment["ABLATE"] ?? "") else {
    FileHandle.standardError.write(Data("ABLATE: unknown layer in '\(environment["ABLATE"] ?? "")'\n".utf8))
    exit(2)
}
do {
    try await runGateway(environment: environment, layers: layers)
} catch {
    StartupFailure.exit(service: "gateway", error: error)
}
