import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import OTelSemanticConventions
import ServiceContextModule
import TraceContextPropagation
import Tracing

/// Answers the requests that never reach the router with the gateway's JSON error, a SERVER span and a log line.
///
/// Two kinds: what NIO's HTTP/1 parser rejects (an unknown or lowercase method, a space in a header name,
/// NUL or a bare CR/LF in a header, headers over the decoder's limits, conflicting `Content-Length` and
/// `Transfer-Encoding`), which Hummingbird would answer with an empty 400; and an HTTP/1.1 request without
/// exactly one `Host` header, which RFC 9112 §3.2 says a server must refuse with 400 and which Hummingbird
/// would serve. Either way the connection is closed after the answer: after a parse error the rest of the
/// byte stream cannot be trusted.
///
/// It sits right before Hummingbird's HTTP-types codec, where NIO's own `HTTPServerProtocolErrorHandler` would
/// (Hummingbird leaves that one out), because only there are the HTTP version and the raw header list visible.
final class HTTP1RequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let propagation: TracePropagation
    private let logger: Logger
    /// A response has begun and not ended: a 400 can no longer be written on this connection.
    private var hasUnterminatedResponse = false
    /// A request was refused: its remaining parts, and anything after them, are dropped.
    private var isRefusing = false

    init(propagation: TracePropagation, logger: Logger) {
        self.propagation = propagation
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.isRefusing else { return }
        if case .head(let head) = self.unwrapInboundIn(data), let problem = Self.hostProblem(head) {
            self.refuse(context: context, message: problem, head: head)
            return
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !self.isRefusing else { return }
        if self.hasUnterminatedResponse {
            // Mid-response there is no way to answer: end the connection, as NIO's own handler would.
            self.isRefusing = true
            context.close(promise: nil)
        } else {
            self.refuse(context: context, message: "malformed HTTP/1.1 request (\(parserError))", head: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(let head) where head.status.code < 200: break  // 1xx: the final response is still to come
        case .head: self.hasUnterminatedResponse = true
        case .body: break
        case .end: self.hasUnterminatedResponse = false
        }
        context.write(data, promise: promise)
    }

    /// Why an HTTP/1.1 request head must be refused for its `Host` header; `nil` when it need not be.
    static func hostProblem(_ head: HTTPRequestHead) -> String? {
        // HTTP/1.0 predates Host; 1.1 and later must send exactly one.
        guard head.version.major > 1 || head.version.minor >= 1 else { return nil }
        // Counted in place: `headers["host"]` would build an array of strings for every request.
        var hosts = 0
        for (name, _) in head.headers where name.utf8.count == 4 && name.lowercased() == "host" { hosts += 1 }
        switch hosts {
        case 1: return nil
        case 0: return "an HTTP/1.1 request must carry a Host header"
        default: return "an HTTP/1.1 request must carry exactly one Host header"
        }
    }

    private func refuse(context: ChannelHandlerContext, message: String, head: HTTPRequestHead?) {
        self.isRefusing = true
        let error = APIError(status: .badRequest, code: "BAD_REQUEST", message: message)

        // The span the router would have started, with what is known of the request; a parse error has no method.
        let span = HTTPServerSpan.start(
            propagation: self.propagation,
            in: .topLevel,
            method: head?.method.rawValue,
            headers: { name in head?.headers[name] ?? [] },
            peer: { context.channel.remoteAddress },
            setAttributes: { attributes, _, _ in attributes.http.response.statusCode = 400 }
        ).span
        let traceID = self.propagation.traceParent(of: span.context)?.traceID
        span.end()
        ServiceContext.withValue(span.context) {
            self.logger.info("http.request.refused", metadata: ["error.message": "\(message)"])
        }

        let body = error.jsonBody(traceID: traceID, correlationID: nil)
        var headers = HTTPHeaders([
            ("Content-Type", APIError.contentType),
            ("Content-Length", String(body.readableBytes)),
            ("Connection", "close"),
        ])
        if let traceID { headers.add(name: "X-Trace-ID", value: traceID) }
        context.write(
            self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))),
            promise: nil
        )
        context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: written)
        let channel = context.channel
        written.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }
}
