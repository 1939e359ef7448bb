import GRPCCore
import Logging
import ObservabilityPrimitives
import Tracing

/// Writes one access log line per RPC when it completes: method, status, duration and peer.
///
/// List it after `ServerTracingInterceptor` so the line is written inside the RPC's span and carries
/// its `trace_id`, `span_id` and `correlation_id`.
public struct ServerAccessLogInterceptor: ServerInterceptor {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let start = ContinuousClock.now
        let logger = self.logger
        let method = context.descriptor.fullyQualifiedMethod
        let peer = context.remotePeer
        @Sendable func log(_ error: (any Error)?) {
            let code = error.map { RPCError.Code(recording: $0) }
            var metadata: Logger.Metadata = [
                "rpc.method": .string(method),
                "rpc.grpc.status_code": .stringConvertible(code?.rawValue ?? 0),
                "rpc.grpc.status": .string(code?.name ?? "OK"),
                "duration_ms": .stringConvertible(start.millisecondsElapsed),
                "network.peer": .string(peer),
            ]
            if let error { metadata["error.message"] = .string((error as? RPCError)?.message ?? "\(error)") }
            // The caller's deadline passing (or the caller going away) is an ERROR on the span, as the conventions
            // say; here it is told apart from the server failing: a warning, ended by the caller.
            let callerEnded = RPCSpanAttributes.callerEnded(error)
            if callerEnded { metadata["rpc.ended_by"] = "caller" }
            let level: Logger.Level =
                code.map { !callerEnded && RPCSpanAttributes.isError($0, kind: .server) ? .error : .warning } ?? .info
            logger.log(level: level, "rpc handled", metadata: metadata)
        }

        do {
            return try await next(request, context).onCompletion(log)
        } catch {
            log(error)
            throw error
        }
    }
}
