import Hummingbird
import ServiceContextModule
import TraceContextPropagation

/// Turns every error below it into a JSON error response (`APIError`), innermost of all middleware,
/// so the access log, metrics and span see the real status and no error escapes as a bare 500.
package struct ErrorResponseMiddleware<Context: RequestContext>: RouterMiddleware {
    let propagation: TracePropagation

    package func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let serviceContext = ServiceContext.current ?? .topLevel
            return APIError(from: error).response(
                traceID: self.propagation.traceParent(of: serviceContext)?.traceID,
                correlationID: serviceContext.correlationID
            )
        }
    }
}
