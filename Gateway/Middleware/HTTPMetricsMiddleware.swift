import CoreMetrics
import Hummingbird
import ObservabilityPrimitives
import ServiceContextModule

/// Records `http_server_request_duration_seconds` (by method, route template and status) and
/// `http_server_active_requests`. Runs inside the tracing middleware, so exemplars point at the SERVER span.
///
/// The route label is the matched template or `unmatched`: a raw path never becomes a label, and the
/// method is one of the standard ones or `_OTHER`, as the HTTP semantic conventions say.
///
/// Why not Hummingbird's `MetricsMiddleware` (2.28), which records the same two conventions' metrics: it labels the
/// method as sent (every made-up method a series of its own, where the conventions ask for `_OTHER`) and a request
/// no route matched as `Unknown` or `NotFound`, where the dashboards, the SLO rules and the access line read one
/// `unmatched`; and it adds two counters of its own (`hb.requests`, `hb.request.errors`) that the histogram's count
/// already gives.
package struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let metrics = HTTPServerMetrics()

    package func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let method = HTTPMethodLabel.label(for: request.method.rawValue)
        let active = self.metrics.activeRequests(method: method)
        active.increment()
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            active.decrement()
            throw error
        }
        let duration = self.metrics.duration(
            method: method,
            route: RouteTemplate.matched(context.endpointPath) ?? RouteTemplate.unmatchedLabel,
            status: Int(response.status.code)
        )
        let serviceContext = ServiceContext.current
        response.body = response.body.afterWrite {
            active.decrement()
            // Recorded in the request's context, so the exemplar is the SERVER span even for a stream.
            ServiceContext.withValue(serviceContext) {
                duration.recordNanoseconds(start.nanosecondsElapsed)
            }
        }
        return response
    }
}
