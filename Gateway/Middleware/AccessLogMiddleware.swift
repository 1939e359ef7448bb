import Hummingbird
import Logging
import ObservabilityPrimitives
import ServiceContextModule

/// Writes one access log line per request: method, route template, path, status and duration.
///
/// It runs inside the tracing middleware, so the line carries `trace_id`, `span_id` and `correlation_id`.
/// For a streamed body the line is written when the body is complete, with the full duration.
///
/// Why not Hummingbird's `LogRequestsMiddleware` (2.28): it logs a "Request" line when the request arrives (path and
/// method, optionally headers), before there is a status or a duration, so the one line an operator searches for
/// (which request, how it ended, how long it took, in which trace) does not exist; and its fields are
/// `hb.request.*`, not the HTTP conventions' names (`http.request.method`, `http.route`, `http.response.status_code`)
/// that the spans and metrics carry.
package struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    package func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        let logger = self.logger
        let status = Int(response.status.code)
        let method = request.method.rawValue
        let route = RouteTemplate.matched(context.endpointPath) ?? RouteTemplate.unmatchedLabel
        let path = request.uri.path
        let serviceContext = ServiceContext.current
        response.body = response.body.afterWrite {
            // The metadata is built once, when the line is written: nothing is copied or merged per request.
            let metadata: Logger.Metadata = [
                "http.request.method": .string(method),
                "http.route": .string(route),
                "url.path": .string(path),
                "http.response.status_code": .stringConvertible(status),
                "duration_ms": .stringConvertible(start.millisecondsElapsed),
            ]
            // The body may finish outside the request's task: log with the request's context.
            ServiceContext.withValue(serviceContext) {
                logger.log(level: status >= 500 ? .error : .info, "request handled", metadata: metadata)
            }
        }
        return response
    }
}
