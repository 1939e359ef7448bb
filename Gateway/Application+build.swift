import Hummingbird
import Logging
import Shared
import Tracing

/// The gateway's routes and middleware, with CoreEngine behind `engine`.
///
/// Middleware, outermost first: `/metrics` (answered before anything else) → correlation id → tracing
/// (the SERVER span) → HTTP metrics → access log → JSON errors, so the span, the metrics and the log line
/// see the final status, and metrics and logs are recorded inside the span.
func buildRouter(
    configuration: GatewayConfiguration,
    engine: any EngineClient,
    metrics: MetricsExposition? = nil,
    accessLogger: Logger = Logger(label: "gateway.http"),
    tracer: (any Tracer)? = nil
) -> Router<GatewayRequestContext> {
    let propagation = TracePropagation(tracer: tracer)
    // HEAD on every GET route (RFC 9110 §9.3.2), answered by the GET handler without the body.
    let router = Router(context: GatewayRequestContext.self, options: .autoGenerateHeadEndpoints)
    if let metrics {
        router.middlewares.add(MetricsEndpointMiddleware(exposition: metrics))
    }
    router.middlewares.add(CorrelationIDMiddleware())
    router.middlewares.add(HTTPServerTracingMiddleware(serverPort: configuration.httpPort, tracer: tracer))
    router.middlewares.add(HTTPMetricsMiddleware())
    router.middlewares.add(AccessLogMiddleware(logger: accessLogger))
    router.middlewares.add(ErrorResponseMiddleware(propagation: propagation))

    QuotesController(engine: engine).addRoutes(to: router.group("api/v1"))
    HealthController(engine: engine).addRoutes(to: router)
    TraceContextController(propagation: propagation).addRoutes(to: router)
    return router
}

/// The HTTP application listening on `HTTP_HOST:HTTP_PORT`.
func buildApplication(
    configuration: GatewayConfiguration,
    engine: any EngineClient,
    metrics: MetricsExposition,
    logger: Logger
) -> Application<RouterResponder<GatewayRequestContext>> {
    Application(
        router: buildRouter(configuration: configuration, engine: engine, metrics: metrics),
        // The idle timeout also bounds how long a client may take to send a request head: Hummingbird counts
        // only whole HTTP parts as activity, so a half-sent or trickled head does not keep the connection open.
        server: .guardedHTTP1(
            configuration: .init(idleTimeout: .init(configuration.httpIdleTimeout)),
            propagation: TracePropagation(),
            logger: Logger(label: "gateway.http")
        ),
        configuration: .init(
            address: .hostname(configuration.httpHost, port: configuration.httpPort),
            serverName: "gateway"
        ),
        logger: logger
    )
}
