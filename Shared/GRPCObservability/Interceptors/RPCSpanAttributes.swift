import GRPCCore
import Tracing

/// The OpenTelemetry RPC semantic conventions for gRPC spans, shared by the client and server interceptors.
enum RPCSpanAttributes {
    /// Room for the attributes an RPC span ends with (method, server, peer, correlation id, status, error type),
    /// reserved by its first update: the dictionary is allocated once instead of growing three or four times.
    static let expectedCount = 12

    /// `rpc.system`, `rpc.service` and `rpc.method` for one method, or their current names (`conventions`).
    static func set(
        method descriptor: MethodDescriptor,
        conventions: RPCSemanticConventions,
        on attributes: inout SpanAttributes
    ) {
        if conventions.writesPrevious {
            attributes["rpc.system"] = "grpc"
            attributes["rpc.service"] = descriptor.service.fullyQualifiedService
            attributes["rpc.method"] = descriptor.method
        }
        if conventions.writesCurrent {
            attributes["rpc.system.name"] = "grpc"
            attributes["rpc.method"] = descriptor.fullyQualifiedMethod
        }
    }

    /// Request metadata on a span, as the conventions name it: `rpc.grpc.request.metadata.<key>`, or
    /// `rpc.request.metadata.<key>` (a string array either way).
    static func set(
        requestMetadata key: String,
        values: [String],
        conventions: RPCSemanticConventions,
        on attributes: inout SpanAttributes
    ) {
        if conventions.writesPrevious { attributes["rpc.grpc.request.metadata.\(key)"] = values }
        if conventions.writesCurrent { attributes["rpc.request.metadata.\(key)"] = values }
    }

    /// `server.*` or `network.peer.*` (`role`) from a grpc-swift peer description.
    static func set(peer description: String, as role: PeerRole, on attributes: inout SpanAttributes) {
        guard let peer = RPCPeer(description: description) else { return }
        Self.set(peer: peer, as: role, on: &attributes)
    }

    /// `server.*` or `network.peer.*` (`role`) of a peer already read.
    static func set(peer: RPCPeer, as role: PeerRole, on attributes: inout SpanAttributes) {
        attributes[role.addressKey] = peer.address
        if let port = peer.port { attributes[role.portKey] = port }
    }

    /// What a peer is to the span: the server it called or answered for, or the other end of the connection.
    ///
    /// The keys are literals, not built from a prefix: `network.peer.address` is longer than a string Swift keeps
    /// inline, so building it would allocate on every span.
    enum PeerRole {
        /// `server.address` and `server.port`.
        case server
        /// `network.peer.address` and `network.peer.port`.
        case networkPeer

        var addressKey: String {
            switch self {
            case .server: "server.address"
            case .networkPeer: "network.peer.address"
            }
        }

        var portKey: String {
            switch self {
            case .server: "server.port"
            case .networkPeer: "network.peer.port"
            }
        }
    }

    /// `rpc.grpc.status_code` (a number) or `rpc.response.status_code` (the code's name), and `error.type` for a
    /// failure.
    static func set(
        status code: RPCError.Code?,
        conventions: RPCSemanticConventions,
        on attributes: inout SpanAttributes
    ) {
        if conventions.writesPrevious { attributes["rpc.grpc.status_code"] = code?.rawValue ?? 0 }
        if conventions.writesCurrent { attributes["rpc.response.status_code"] = code?.name ?? "OK" }
        if let code { attributes["error.type"] = code.name }
    }

    /// Whether a span of `kind` that ended with `code` has status ERROR, as OpenTelemetry's gRPC conventions say:
    /// a CLIENT span for every code but OK; a SERVER span only for the codes that mean the server failed (UNKNOWN,
    /// DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS), not for a caller asking for something
    /// wrong. The caller's deadline passing is DEADLINE_EXCEEDED, and so an error, like every backend reads it;
    /// that the caller ended the call is told by the access log (`CallerEndedCall`), not by the status.
    static func isError(_ code: RPCError.Code, kind: SpanKind) -> Bool {
        guard kind == .server else { return true }
        switch code {
        case .unknown, .deadlineExceeded, .unimplemented, .internalError, .unavailable, .dataLoss: return true
        default: return false
        }
    }

    /// Whether `error` ended a server call because its caller's deadline passed or the caller went away.
    static func callerEnded(_ error: (any Error)?) -> Bool {
        (error as? RPCError)?.cause is CallerEndedCall
    }
}
