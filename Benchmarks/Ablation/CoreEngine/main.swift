import AblationSupport
import CoreEngine
import Foundation
import GRPCObservability
import ServiceTelemetry

// CoreEngine with the pieces named in ABLATE left out (`Ablation`): what `scripts/bench --ablation` measures each
// piece's cost with. Not shipped; the product is `core-engine`.
let environment = ProcessInfo.processInfo.environment
do {
    let ablation = try Ablation(environment: environment)
    try await runCoreEngine(environment: environment, outputs: ablation.outputs) {
        var assembly = CoreEngineAssembly.standard()
        if ablation.leavesOut("server-interceptors") {
            assembly.interceptors.removeAll {
                $0 is ServerTracingInterceptor || $0 is ServerMetricsInterceptor || $0 is ServerAccessLogInterceptor
            }
        }
        if ablation.leavesOut("server-cancellation") {
            assembly.interceptors.removeAll { $0 is ServerCancellationInterceptor }
        }
        if ablation.leavesOut("executor-preference") { assembly.taskExecutor = nil }
        return assembly
    }
} catch {
    StartupFailure.exit(service: "core-engine", error: error)
}
