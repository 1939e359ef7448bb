import GRPCCore
import Hummingbird
import HummingbirdCore
import Logging
import PrometheusExemplars
import ServiceLifecycle
import ServiceLifecycleSupport
import TraceContextPropagation
import Tracing

/// The gateway's routes, behind `/metrics` (answered before anything else) and then `middlewares`.
///
/// - Parameter tracer: What the trace-context endpoint extracts and injects with; `nil`, the bootstrapped tracer.
func buildRouter(
    engine: any EngineClient,
    middlewares: [any MiddlewareProtocol<Request, Response, GatewayRequestContext>],
    metrics: MetricsExposition? = nil,
    tracer: (any Tracer)? = nil
) -> Router<GatewayRequestContext> {
    // HEAD on every GET route (RFC 9110 §9.3.2), answered by the GET handler without the body.
    let router = Router(context: GatewayRequestContext.self, options: .autoGenerateHeadEndpoints)
    if let metrics {
        router.middlewares.add(MetricsEndpointMiddleware(exposition: metrics))
    }
    for middleware in middlewares {
        router.middlewares.add(middleware)
    }
    QuotesController(engine: engine).addRoutes(to: router.group("api/v1"))
    HealthController(engine: engine).addRoutes(to: router)
    TraceContextController(propagation: TracePropagation(tracer: tracer)).addRoutes(to: router)
    return router
}

/// The HTTP application listening on `HTTP_HOST:HTTP_PORT`, calling CoreEngine through `engineClient` (made with
/// `assembly.clientInterceptors`), whose connections it runs as one of its services. `main` and the tests build the
/// gateway with this same function.
///
/// Services start in this order and stop in reverse: `telemetryServices` (the tracer, which must flush last),
/// then the gRPC client, then the HTTP server, which drains first.
package func buildApplication<Transport: ClientTransport>(
    configuration: GatewayConfiguration,
    engineClient: GRPCClient<Transport>,
    assembly: GatewayAssembly,
    telemetryServices: [any Service] = [],
    metrics: MetricsExposition? = nil,
    logger: Logger,
    tracer: (any Tracer)? = nil
) -> Application<RouterResponder<GatewayRequestContext>> {
    let engine = GRPCEngineClient(client: engineClient, deadline: assembly.deadline)
    // The idle timeout also bounds how long a client may take to send a request head: Hummingbird counts
    // only whole HTTP parts as activity, so a half-sent or trickled head does not keep the connection open.
    let http1 = HTTP1Channel.Configuration(idleTimeout: .init(configuration.httpIdleTimeout))
    var application = Application(
        router: buildRouter(engine: engine, middlewares: assembly.middlewares, metrics: metrics, tracer: tracer),
        server: assembly.server(http1),
        configuration: .init(
            address: .hostname(configuration.httpHost, port: configuration.httpPort),
            serverName: "gateway"
        ),
        logger: logger
    )
    application.addServices(telemetryServices)
    application.addServices(GRPCClientService(client: engineClient))
    return application
}
