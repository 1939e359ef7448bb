import Hummingbird
import PrometheusExemplars
import PrometheusExemplarsHummingbird

/// Serves `GET /metrics`, outermost of all middleware, so scrapes are not traced, logged or counted
/// as API traffic. Prometheus text by default, OpenMetrics with exemplars when `Accept` asks for it.
struct MetricsEndpointMiddleware<Context: RequestContext>: RouterMiddleware {
    static var path: String { "/metrics" }

    let exposition: MetricsExposition

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.uri.path == Self.path else {
            return try await next(request, context)
        }
        guard request.method == .get || request.method == .head else {
            return try await next(request, context)
        }
        return self.exposition.response(accept: request.headers[.accept])
    }
}
