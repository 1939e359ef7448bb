import Foundation
import GRPCCore
import GRPCObservability
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceTelemetry

/// An error as the gateway reports it: an HTTP status and a JSON body
/// `{"error":{"code":"NOT_FOUND","message":"…"},"trace_id":"…","correlation_id":"…"}`.
struct APIError: Error, Equatable {
    var status: HTTPResponse.Status
    /// A stable, upper-case code: the gRPC status name, or one of our own for HTTP-level problems.
    var code: String
    var message: String

    init(status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The HTTP status for a CoreEngine gRPC status.
    static func httpStatus(for code: RPCError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidArgument, .outOfRange, .failedPrecondition: .badRequest
        case .notFound: .notFound
        case .alreadyExists, .aborted: .conflict
        case .permissionDenied: .forbidden
        case .unauthenticated: .unauthorized
        case .resourceExhausted: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .deadlineExceeded: .gatewayTimeout
        case .unimplemented: .notImplemented
        case .cancelled: HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
        case .internalError, .dataLoss, .unknown: .badGateway
        default: .badGateway
        }
    }

    init(_ error: RPCError) {
        let status = Self.httpStatus(for: error.code)
        // Server-side failures keep CoreEngine's words out of the response: they may describe internals.
        let message =
            status.code >= 500 && error.code != .unavailable && error.code != .deadlineExceeded
            ? "the core engine failed to answer"
            : error.message
        self.init(status: status, code: error.code.name, message: message)
    }

    /// Any error as an `APIError`: gRPC statuses through the table, Hummingbird's HTTP errors by their
    /// status, everything else as a 500 that does not leak its description.
    init(from error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as RPCError:
            self.init(error)
        case let error as any HTTPResponseError:
            let status = error.status
            let code: String =
                switch status.code {
                case 400: "BAD_REQUEST"
                case 404: "ROUTE_NOT_FOUND"
                case 405: "METHOD_NOT_ALLOWED"
                case 413: "PAYLOAD_TOO_LARGE"
                case 415: "UNSUPPORTED_MEDIA_TYPE"
                default: status.code >= 500 ? RPCError.Code.internalError.name : "BAD_REQUEST"
                }
            let message = (error as? HTTPError)?.body ?? status.reasonPhrase
            self.init(status: status, code: code, message: status.code >= 500 ? "internal error" : message)
        default:
            self.init(status: .internalServerError, code: RPCError.Code.internalError.name, message: "internal error")
        }
    }

    /// The JSON response for this error.
    func response(traceID: String?, correlationID: String?) -> Response {
        Response(
            status: self.status,
            headers: [.contentType: Self.contentType],
            body: ResponseBody(byteBuffer: self.jsonBody(traceID: traceID, correlationID: correlationID))
        )
    }

    static let contentType = "application/json; charset=utf-8"

    /// `{"error":{"code":…,"message":…},"trace_id":…,"correlation_id":…}`, the body of every error the gateway
    /// answers, from the router or from the connection (`HTTP1RequestGuard`).
    func jsonBody(traceID: String?, correlationID: String?) -> ByteBuffer {
        struct Body: Encodable {
            struct Detail: Encodable {
                var code: String
                var message: String
            }

            var error: Detail
            var trace_id: String?
            var correlation_id: String?
        }
        let body = Body(
            error: .init(code: self.code, message: self.message),
            trace_id: traceID,
            correlation_id: correlationID
        )
        let data =
            (try? JSONEncoder.sorted.encode(body))
            ?? Data(#"{"error":{"code":"INTERNAL","message":"internal error"}}"#.utf8)
        return ByteBuffer(bytes: data)
    }
}
