import GRPCCore

/// Builds the CoreEngine gRPC server on any transport: HTTP/2 in `main`, in-process in tests, with `interceptors`
/// around every call (`CoreEngineAssembly`).
package func buildServer<Transport: ServerTransport>(
    transport: Transport,
    engine: MarketDataEngine,
    health: HealthService,
    interceptors: [any ServerInterceptor]
) -> GRPCServer<Transport> {
    GRPCServer(
        transport: transport,
        services: [CoreEngineService(engine: engine), health],
        interceptors: interceptors
    )
}
