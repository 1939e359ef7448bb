import GRPCCore
import GRPCObservability
import Hummingbird
import HummingbirdCore
import Logging
import PrometheusExemplars
import ServiceLifecycle
import ServiceLifecycleSupport
import ServiceTelemetry
import TraceContextPropagation
import Tracing

/// The gateway's routes and middleware, with CoreEngine behind `engine`.
///
/// Middleware, outermost first: `/metrics` (answered before anything else) → correlation id → tracing
/// (the SERVER span) → HTTP metrics → access log → JSON errors, so the span, the metrics and the log line
/// see the final status, and metrics and logs are recorded inside the span.
///
/// `layers` is everything but in the benchmark's ablation, which leaves one piece out at a time.
func buildRouter(
    configuration: GatewayConfiguration,
    engine: any EngineClient,
    metrics: MetricsExposition? = nil,
    accessLogger: Logger = Logger(label: "gateway.http"),
    tracer: (any Tracer)? = nil,
    layers: ObservabilityLayers = .all
) -> Router<GatewayRequestContext> {
    let propagation = TracePropagation(tracer: tracer)
    // HEAD on every GET route (RFC 9110 §9.3.2), answered by the GET handler without the body.
    let router = Router(context: GatewayRequestContext.self, options: .autoGenerateHeadEndpoints)
    if let metrics {
        router.middlewares.add(MetricsEndpointMiddleware(exposition: metrics))
    }
    if layers.contains(.correlationID) { router.middlewares.add(CorrelationIDMiddleware()) }
    if layers.contains(.httpTracing) {
        router.middlewares.add(HTTPServerTracingMiddleware(serverPort: configuration.httpPort, tracer: tracer))
    }
    if layers.contains(.httpMetrics) { router.middlewares.add(HTTPMetricsMiddleware()) }
    if layers.contains(.accessLog) { router.middlewares.add(AccessLogMiddleware(logger: accessLogger)) }
    if layers.contains(.errorMapping) { router.middlewares.add(ErrorResponseMiddleware(propagation: propagation)) }

    QuotesController(engine: engine).addRoutes(to: router.group("api/v1"))
    HealthController(engine: engine).addRoutes(to: router)
    TraceContextController(propagation: propagation).addRoutes(to: router)
    return router
}

/// The gateway's gRPC client to CoreEngine. Every attempt of every call (a retry policy replays them) goes through
/// the attempt interceptor (its number, and a retry's `grpc-timeout`), the tracing interceptor (the CLIENT span and
/// the propagated context), then the metrics interceptor (whose exemplars point at that span).
package func buildEngineClient<Transport: ClientTransport>(
    transport: Transport,
    configuration: GatewayConfiguration,
    tracer: (any Tracer)? = nil,
    layers: ObservabilityLayers = .all
) -> GRPCClient<Transport> {
    guard layers.contains(.clientInterceptors) else { return GRPCClient(transport: transport) }
    return GRPCClient(
        transport: transport,
        interceptors: [
            ClientAttemptInterceptor(),
            ClientTracingInterceptor(
                serverAddress: configuration.coreEngineTarget.serverName?.address,
                serverPort: configuration.coreEngineTarget.serverName?.port,
                tracer: tracer
            ),
            ClientMetricsInterceptor(),
        ]
    )
}

/// The HTTP application listening on `HTTP_HOST:HTTP_PORT`, calling CoreEngine through `engineClient`, whose
/// connections it runs as one of its services. `main` and the tests build the gateway with this same function.
///
/// Services start in this order and stop in reverse: `telemetryServices` (the tracer, which must flush last),
/// then the gRPC client, then the HTTP server, which drains first.
package func buildApplication<Transport: ClientTransport>(
    configuration: GatewayConfiguration,
    engineClient: GRPCClient<Transport>,
    telemetryServices: [any Service] = [],
    metrics: MetricsExposition? = nil,
    logger: Logger,
    accessLogger: Logger = Logger(label: "gateway.http"),
    tracer: (any Tracer)? = nil,
    layers: ObservabilityLayers = .all
) -> Application<RouterResponder<GatewayRequestContext>> {
    let engine = GRPCEngineClient(
        client: engineClient,
        deadline: layers.contains(.deadline) ? CallDeadline(timeout: configuration.coreEngineDeadline) : nil
    )
    // The idle timeout also bounds how long a client may take to send a request head: Hummingbird counts
    // only whole HTTP parts as activity, so a half-sent or trickled head does not keep the connection open.
    let http1 = HTTP1Channel.Configuration(idleTimeout: .init(configuration.httpIdleTimeout))
    var application = Application(
        router: buildRouter(
            configuration: configuration,
            engine: engine,
            metrics: metrics,
            accessLogger: accessLogger,
            tracer: tracer,
            layers: layers
        ),
        server: layers.contains(.requestGuard)
            ? .guardedHTTP1(configuration: http1, propagation: TracePropagation(tracer: tracer), logger: accessLogger)
            : .http1(configuration: http1),
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
