import GRPCCore

extension RPCError.Code {
    /// The status an interceptor records for a call that ended with `error`.
    ///
    /// An `RPCError` keeps its code. A call cut off by its `CallDeadline` ends inside the interceptors with
    /// the transport's cancellation, not with a status: once the deadline has passed, that is
    /// `DEADLINE_EXCEEDED`, as the caller sees it. Anything else is `UNKNOWN`.
    package init(recording error: any Error) {
        if let error = error as? RPCError, error.code != .cancelled && error.code != .unknown {
            self = error.code
        } else if let deadline = CallDeadline.current, ContinuousClock.now >= deadline {
            self = .deadlineExceeded
        } else {
            self = (error as? RPCError)?.code ?? .unknown
        }
    }
}

extension RPCError {
    /// The message recorded with `code`, the status `RPCError.Code(recording:)` gave `error`.
    package static func recordedMessage(of error: any Error, code: RPCError.Code) -> String? {
        if code == .deadlineExceeded, (error as? RPCError)?.code != .deadlineExceeded {
            return "the call did not complete before its deadline"
        }
        return (error as? RPCError)?.message
    }
}
