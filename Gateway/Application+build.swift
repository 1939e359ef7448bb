import Hummingbird
import Logging
import Shared
import Tracing

/// The gateway's routes and middleware, with CoreEngine behind `engine`.
///
/// Middleware, outermost first: correlation id → tracing (the SERVER span) → access log → JSON errors,
/// so the span and the log line see the final status and every line is written inside the span.
func buildRouter(
    configuration: GatewayConfiguration,
    engine: any EngineClient,
    accessLogger: Logger = Logger(label: "gateway.http"),
    tracer: (any Tracer)? = nil
) -> Router<GatewayRequestContext> {
    let propagation = TracePropagation(tracer: tracer)
    let router = Router(context: GatewayRequestContext.self)
    router.middlewares.add(CorrelationIDMiddleware())
    router.middlewares.add(HTTPServerTracingMiddleware(serverPort: configuration.httpPort, tracer: tracer))
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
    logger: Logger
) -> Application<RouterResponder<GatewayRequestContext>> {
    Application(
        router: buildRouter(configuration: configuration, engine: engine),
        configuration: .init(
            address: .hostname(configuration.httpHost, port: configuration.httpPort),
            serverName: "gateway"
        ),
        logger: logger
    )
}
