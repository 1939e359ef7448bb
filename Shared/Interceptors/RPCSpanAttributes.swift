import GRPCCore
import Tracing

/// The OpenTelemetry RPC semantic conventions for gRPC spans, shared by the client and server interceptors.
enum RPCSpanAttributes {
    /// `rpc.system`, `rpc.service` and `rpc.method` for one method.
    static func set(method descriptor: MethodDescriptor, on attributes: inout SpanAttributes) {
        attributes["rpc.system"] = "grpc"
        attributes["rpc.service"] = descriptor.service.fullyQualifiedService
        attributes["rpc.method"] = descriptor.method
    }

    /// `{prefix}.address` and `{prefix}.port` from a grpc-swift peer description.
    static func set(peer description: String, prefix: String, on attributes: inout SpanAttributes) {
        guard let peer = RPCPeer(description: description) else { return }
        attributes["\(prefix).address"] = peer.address
        if let port = peer.port { attributes["\(prefix).port"] = port }
    }

    /// `rpc.grpc.status_code`, and `error.type` for a failure.
    static func set(status code: RPCError.Code?, on attributes: inout SpanAttributes) {
        guard let code else {
            attributes["rpc.grpc.status_code"] = 0
            return
        }
        attributes["rpc.grpc.status_code"] = code.rawValue
        attributes["error.type"] = code.name
    }

    /// Codes that mean the server itself failed, as opposed to the caller asking for something wrong:
    /// only these make a SERVER span's status an error (OpenTelemetry gRPC conventions). One exception: a
    /// `DEADLINE_EXCEEDED` because the caller's own deadline passed (`CallerEndedCall`) is the caller's budget
    /// running out, not the server failing; a deadline the handler itself ran into still is a fault.
    static func isServerFault(_ code: RPCError.Code, error: (any Error)?) -> Bool {
        if (error as? RPCError)?.cause is CallerEndedCall { return false }
        switch code {
        case .unknown, .deadlineExceeded, .unimplemented, .internalError, .unavailable, .dataLoss: return true
        default: return false
        }
    }
}

extension RPCError.Code {
    /// The canonical upper-case name, e.g. `NOT_FOUND`.
    package var name: String {
        switch self {
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internalError: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        default: "UNKNOWN"
        }
    }
}
