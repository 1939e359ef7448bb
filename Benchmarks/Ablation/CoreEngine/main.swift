import CoreEngine
import Foundation
import Shared

// CoreEngine with the layers named in ABLATE left out (comma-separated names of `ObservabilityLayers.named`, or
// `all`): what `scripts/bench --ablation` measures each layer's cost with. Not shipped; the product is `core-engine`.
let environment = ProcessInfo.processInfo.environment
guard let layers = ObservabilityLayers(excluding: environment["ABLATE"] ?? "") else {
    FileHandle.standardError.write(Data("ABLATE: unknown layer in '\(environment["ABLATE"] ?? "")'\n".utf8))
    exit(2)
}
do {
    try await runCoreEngine(environment: environment, layers: layers)
} catch {
    StartupFailure.exit(service: "core-engine", error: error)
}
