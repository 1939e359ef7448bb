import AblationSupport
import Foundation
import Gateway
import Hummingbird
import ServiceTelemetry

// The gateway with the pieces named in ABLATE left out (`Ablation`): what `scripts/bench --ablation` measures each
// piece's cost with. Not shipped; the product is `gateway`.
let environment = ProcessInfo.processInfo.environment
do {
    let ablation = try Ablation(environment: environment)
    try await runGateway(environment: environment, outputs: ablation.outputs) { configuration in
        var assembly = GatewayAssembly.standard(configuration: configuration)
        let middlewares:
            [(name: String, isIt: (any MiddlewareProtocol<Request, Response, GatewayRequestContext>) -> Bool)] = [
                ("correlation-id", { $0 is CorrelationIDMiddleware<GatewayRequestContext> }),
                ("http-tracing", { $0 is HTTPServerTracingMiddleware<GatewayRequestContext> }),
                ("http-metrics", { $0 is HTTPMetricsMiddleware<GatewayRequestContext> }),
                ("access-log", { $0 is AccessLogMiddleware<GatewayRequestContext> }),
                ("error-mapping", { $0 is ErrorResponseMiddleware<GatewayRequestContext> }),
            ]
        for (name, isIt) in middlewares where ablation.leavesOut(name) {
            assembly.middlewares.removeAll(where: isIt)
        }
        if ablation.leavesOut("request-guard") { assembly.server = { .http1(configuration: $0) } }
        if ablation.leavesOut("client-interceptors") { assembly.clientInterceptors = [] }
        if ablation.leavesOut("deadline") { assembly.deadline = nil }
        if ablation.leavesOut("executor-preference") { assembly.taskExecutor = nil }
        return assembly
    }
} catch {
    StartupFailure.exit(service: "gateway", error: error)
}
