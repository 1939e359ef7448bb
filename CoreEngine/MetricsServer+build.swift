import Hummingbird
import Logging
import PrometheusExemplars
import PrometheusExemplarsHummingbird

/// CoreEngine's metrics over plain HTTP on `METRICS_HOST:METRICS_PORT`, next to its gRPC port: one route,
/// `GET /metrics`, Prometheus text or OpenMetrics by `Accept`.
func buildMetricsServer(
    host: String,
    port: Int,
    exposition: MetricsExposition,
    logger: Logger
) -> some ApplicationProtocol {
    let router = Router()
    router.get("metrics") { request, _ in
        exposition.response(accept: request.headers[.accept])
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(host, port: port), serverName: "core-engine-metrics"),
        logger: logger
    )
}
