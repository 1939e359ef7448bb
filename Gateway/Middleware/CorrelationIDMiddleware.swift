import HTTPTypes
import Hummingbird
import ServiceContextModule
import TraceContextPropagation

/// Gives every request a correlation id, outermost of all middleware.
///
/// The caller's `X-Correlation-ID` is kept when sane, otherwise a new id is made (`CorrelationID`).
/// The id is put into the task's `ServiceContext`, where the tracing middleware, the log metadata
/// provider and the gRPC client interceptor read it, and is returned in the response.
package struct CorrelationIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name(CorrelationID.headerName)! }

    package func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let correlationID = CorrelationID.resolve(request.headers[Self.headerName])
        var serviceContext = ServiceContext.current ?? .topLevel
        serviceContext.correlationID = correlationID
        var response = try await ServiceContext.withValue(serviceContext) {
            try await next(request, context)
        }
        response.headers[Self.headerName] = correlationID
        return response
    }
}
