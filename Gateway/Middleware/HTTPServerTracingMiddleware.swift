import GRPCObservability
import HTTPTypes
import Hummingbird
import NIOCore
import OTelSemanticConventions
import ObservabilityPrimitives
import ServiceContextModule
import TraceContextPropagation
import Tracing

/// Starts a SERVER span per request, following the stable OpenTelemetry HTTP conventions.
///
/// Hummingbird's own `TracingMiddleware` names spans after the bare path template, records older
/// attribute names, and hands every request header to the tracer; this one reads only `traceparent`,
/// `tracestate` and `baggage`, names the span `{METHOD} {route}` once routing has matched (just
/// `{METHOD}` for an unmatched path, so raw paths never become span names), and answers with
/// `X-Trace-ID` and the W3C Trace Context Level 2 `traceresponse` header.
///
/// The span ends when the response body has been written, so a streamed body is inside it. Only 5xx
/// responses make it an error: a 4xx is the client's mistake, not the server's.
package struct HTTPServerTracingMiddleware<Context: RequestContext>: RouterMiddleware {
    private let propagation: TracePropagation
    private let serverPort: Int

    /// - Parameters:
    ///   - serverPort: The port the gateway listens on, for `server.port` when `Host` has none.
    ///   - tracer: The tracer to use; `nil` uses the one bootstrapped in `InstrumentationSystem`.
    init(serverPort: Int, tracer: (any Tracer)? = nil) {
        self.propagation = TracePropagation(tracer: tracer)
        self.serverPort = serverPort
    }

    package func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let headers = request.headers
        let (span, method) = HTTPServerSpan.start(
            propagation: self.propagation,
            in: ServiceContext.current ?? .topLevel,
            method: request.method.rawValue,
            headers: { name in HTTPField.Name(name).map { headers[values: $0] } ?? [] },
            peer: { (context as? any RemoteAddressRequestContext)?.remoteAddress },
            setAttributes: { attributes, peer, serviceContext in
                self.setRequestAttributes(request, peer: peer, on: &attributes)
                if let correlationID = serviceContext.correlationID { attributes["correlation.id"] = correlationID }
            }
        )

        // Ends once, from whichever of the body-written callback or the error path comes first; a body that is never
        // written (the client went away) still ends it when the response is released. A span that is not recorded
        // (sampled out, or tracing off) has nothing to end: its `end()` does nothing.
        let ending = span.isRecording ? Once(span, onAbandon: { $0.end() }) : nil
        // The calls to CoreEngine count their retries here, and the span says how many there were (`app.rpc.retries`):
        // the attempts are events on each call's CLIENT span, but a list of traces shows only this one.
        var requestContext = span.context
        let retryLog = span.isRecording ? RPCRetryLog() : nil
        if let retryLog { requestContext.rpcRetryLog = retryLog }
        @Sendable func end() {
            guard let span = ending?.take() else { return }
            if let retries = retryLog?.retries, retries > 0 { span.attributes["app.rpc.retries"] = retries }
            span.end()
        }
        do {
            var response = try await ServiceContext.withValue(requestContext) {
                try await next(request, context)
            }
            if span.isRecording {
                let status = Int(response.status.code)
                Self.complete(span, method: method, route: context.endpointPath) { attributes in
                    attributes.http.response.statusCode = status
                    if status >= 500 { attributes.error.type = .init(rawValue: String(status)) }
                }
                if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
            }
            if let traceResponse = self.propagation.traceParentHeaderValue(of: span.context),
                let traceID = TraceResponse.traceID(of: traceResponse)
            {
                // This middleware is the only one to write either header: appended, without a search for earlier ones.
                response.headers.append(HTTPField(name: .traceID, value: traceID))
                response.headers.append(HTTPField(name: .traceResponse, value: traceResponse))
            }
            if ending != nil {
                response.body = response.body.afterWrite { end() }
            }
            return response
        } catch {
            // Only reached when an error escapes the error middleware, which should not happen.
            Self.complete(span, method: method, route: context.endpointPath) {
                $0.error.type = .init(rawValue: String(describing: type(of: error)))
            }
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            end()
            throw error
        }
    }

    /// Names the span after the route routing matched, if any, and sets `http.route` with what `setAttributes` sets
    /// in one attribute update (each update copies the span's attributes: the API's `updateAttributes` is a get and a
    /// set).
    private static func complete(
        _ span: any Span,
        method: String,
        route endpointPath: String?,
        setAttributes: (inout SpanAttributes) -> Void
    ) {
        let route = RouteTemplate.matched(endpointPath)
        if let route { span.operationName = "\(method == "_OTHER" ? "HTTP" : method) \(route)" }
        span.updateAttributes { attributes in
            if let route { attributes.http.route = route }
            setAttributes(&attributes)
        }
    }

    /// What a routed request adds to the attributes every request's span has (`HTTPServerSpan`).
    private func setRequestAttributes(_ request: Request, peer: SocketAddress?, on attributes: inout SpanAttributes) {
        attributes.url.path = request.uri.path
        if let host = request.head.authority {
            let parts = host.split(separator: ":", maxSplits: 1)
            attributes.server.address = parts.first.map(String.init) ?? host
            attributes.server.port = parts.count == 2 ? Int(parts[1]) ?? self.serverPort : self.serverPort
        } else {
            attributes.server.port = self.serverPort
        }
        if let userAgent = request.headers[.userAgent] { attributes.userAgent.original = userAgent }
        if let peer {
            if let ip = peer.ipAddress { attributes.network.peer.address = ip }
            if let port = peer.port { attributes.network.peer.port = port }
        }
    }
}
