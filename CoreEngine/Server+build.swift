import GRPCCore
import GRPCObservability
import Logging
import ServiceTelemetry
import Tracing

/// Builds the CoreEngine gRPC server on any transport: HTTP/2 in `main`, in-process in tests.
///
/// Interceptors, outermost first: tracing (the SERVER span and correlation id), then metrics and the
/// access log, so exemplars and log lines belong to the span. `layers` is everything but in the benchmark's
/// ablation, which leaves one piece out at a time.
package func buildServer<Transport: ServerTransport>(
    transport: Transport,
    engine: MarketDataEngine,
    health: HealthService,
    logger: Logger,
    tracer: (any Tracer)? = nil,
    layers: ObservabilityLayers = .all
) -> GRPCServer<Transport> {
    var interceptors: [any ServerInterceptor] = []
    if layers.contains(.serverInterceptors) {
        interceptors += [
            ServerTracingInterceptor(tracer: tracer),
            ServerMetricsInterceptor(),
            ServerAccessLogInterceptor(logger: logger),
        ]
    }
    // Innermost: a cancelled or expired call ends at once, with the status the others record.
    if layers.contains(.serverCancellation) { interceptors.append(ServerCancellationInterceptor()) }
    return GRPCServer(
        transport: transport,
        services: [CoreEngineService(engine: engine), health],
        interceptors: interceptors
    )
}
