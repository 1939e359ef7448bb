import NIOCore
import OTelSemanticConventions
import ServiceContextModule
import TraceContextPropagation
import Tracing

/// The SERVER span of one HTTP request, started the same way wherever the gateway answers one: by the router's
/// tracing middleware, and by the HTTP/1.1 guard for a request it refuses before routing.
///
/// It continues the caller's trace from `traceparent`, `tracestate` and `baggage` (nothing else reaches the tracer),
/// names the span after the method (`HTTP` for a method that is not a standard one, which is `_OTHER`, as the HTTP
/// conventions say) and sets the attributes every request has.
enum HTTPServerSpan {
    /// Room for the attributes the span ends with (the request's, the peer's, the route, the status), reserved by its
    /// first update: the dictionary is allocated once instead of growing four times.
    static let expectedAttributeCount = 16

    /// - Parameters:
    ///   - method: The method as sent; `nil` when a request could not even be parsed.
    ///   - headers: The values of a request header, by name.
    ///   - peer: The connection's remote address; asked only when the span is recorded.
    ///   - setAttributes: What the caller adds to the attributes, given the peer and the context the span was started
    ///     in; called only when the span is recorded, inside the one attribute update the span gets here.
    /// - Returns: The span (its context holds the caller's trace and baggage); the method's label.
    static func start(
        propagation: TracePropagation,
        in parent: ServiceContext,
        method: String?,
        headers: @escaping (String) -> [String],
        peer: () -> SocketAddress?,
        setAttributes: (inout SpanAttributes, _ peer: SocketAddress?, _ context: ServiceContext) -> Void
    ) -> (span: any Span, method: String) {
        var serviceContext = parent
        propagation.extract(TraceContextCarrier(validating: headers), into: &serviceContext)
        let label = method.map(HTTPMethodLabel.label(for:)) ?? "_OTHER"
        let span = propagation.tracer.startSpan(
            label == "_OTHER" ? "HTTP" : label,
            context: serviceContext,
            ofKind: .server
        )
        // A span that is not recorded (sampled out, or tracing off) would drop the attributes: skip the work. One
        // update, since each one copies the span's attributes (the API's `updateAttributes` is a get and a set).
        if span.isRecording {
            let peer = peer()
            span.updateAttributes { attributes in
                attributes.reserveCapacity(Self.expectedAttributeCount)
                attributes.http.request.method = .init(rawValue: label)
                if let method, method != label { attributes.http.request.methodOriginal = method }
                attributes.url.scheme = "http"
                attributes.network.protocol.name = "http"
                if let clientAddress = peer?.ipAddress { attributes.client.address = clientAddress }
                setAttributes(&attributes, peer, serviceContext)
            }
        }
        return (span, label)
    }
}
