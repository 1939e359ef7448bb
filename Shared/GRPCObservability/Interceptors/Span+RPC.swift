import GRPCCore
import Tracing

extension Span {
    /// Ends an RPC span with its gRPC status: `rpc.grpc.status_code` or `rpc.response.status_code` (`conventions`;
    /// and `error.type` when not OK), the error as an event, and the ERROR status the gRPC conventions give `code` on
    /// this side (`RPCSpanAttributes.isError`). What `setAttributes` sets goes in the same attribute update: each update
    /// copies the span's attributes (the API's `updateAttributes` is a get and a set).
    func endRPC(
        kind: SpanKind,
        conventions: RPCSemanticConventions,
        error: (any Error)?,
        setAttributes: (inout SpanAttributes) -> Void = { _ in }
    ) {
        guard self.isRecording else {
            self.end()
            return
        }
        guard let error else {
            self.updateAttributes { attributes in
                setAttributes(&attributes)
                RPCSpanAttributes.set(status: nil, conventions: conventions, on: &attributes)
            }
            self.end()
            return
        }
        let code = RPCError.Code(recording: error)
        self.updateAttributes { attributes in
            setAttributes(&attributes)
            RPCSpanAttributes.set(status: code, conventions: conventions, on: &attributes)
        }
        self.recordError(error)
        if RPCSpanAttributes.isError(code, kind: kind) {
            self.setStatus(SpanStatus(code: .error, message: RPCError.recordedMessage(of: error, code: code)))
        }
        self.end()
    }

    /// Ends an RPC span whose call was abandoned before a status was known.
    func endAbandonedRPC() {
        self.updateAttributes { $0["error.type"] = RPCError.Code.cancelled.name }
        self.end()
    }
}
