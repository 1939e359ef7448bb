import GRPCCore

/// Stops a server call's work when gRPC cancels the RPC, and ends it with the status the caller sees.
///
/// grpc-swift signals a cancelled RPC (the caller's `grpc-timeout` passed, or the caller reset the stream)
/// through `ServerContext.cancellation`, not by cancelling the handler's task: left alone, a handler sleeps on
/// and a stream keeps writing into a closed channel until a write fails with UNKNOWN ("I/O on closed
/// channel"). Here the handler, and the response producer after it, run in a `CancellableTask` that the
/// cancellation cancels, and the call then fails with `DEADLINE_EXCEEDED` when its deadline had passed, or
/// `CANCELLED` when the caller gave up earlier; `CallerEndedCall` is the cause, so that the call does not
/// count as the server failing.
///
/// List it last, innermost: the tracing, metrics and access-log interceptors outside it then record that
/// status, at the moment of cancellation.
public struct ServerCancellationInterceptor: ServerInterceptor {
    /// How close to the deadline a cancellation counts as the deadline: a fifth of the timeout, at least 20 ms.
    ///
    /// The caller's clock started before the request left it, so its deadline passes (and its reset arrives)
    /// a little before the deadline this interceptor computes from `grpc-timeout` on arrival; under load that
    /// gap grows. grpc-go's server has the same race between the caller's reset and its own timer.
    static func deadlineTolerance(for timeout: Duration) -> Duration {
        max(.milliseconds(20), timeout / 5)
    }

    public init() {}

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let deadline = request.metadata[stringValues: GRPCTimeout.metadataKey].first(where: { _ in true })
            .flatMap { GRPCTimeout.duration(headerValue: $0) }
            .map { ContinuousClock.now.advanced(by: $0 - Self.deadlineTolerance(for: $0)) }
        let cancellation = context.cancellation
        var response = try await Self.run(cancellation, deadline: deadline) { try await next(request, context) }
        if case .success(var contents) = response.accepted {
            let producer = contents.producer
            contents.producer = { writer in
                try await Self.run(cancellation, deadline: deadline) { try await producer(writer) }
            }
            response.accepted = .success(contents)
        }
        return response
    }

    /// Runs `body` until it ends or the RPC is cancelled; `deadline` is the moment from which a cancellation is
    /// the deadline passing (tolerance included).
    private static func run<Result>(
        _ cancellation: ServerContext.RPCCancellationHandle,
        deadline: ContinuousClock.Instant?,
        _ body: () async throws -> Result
    ) async throws -> Result {
        // A cancellation before the handler below is registered would not reach it.
        if cancellation.isCancelled { throw Self.error(cancelledAt: .now, deadline: deadline) }
        let task = CancellableTask()
        do {
            return try await withRPCCancellationHandler {
                try await task.run(body)
            } onCancelRPC: {
                task.cancel()
            }
        } catch {
            guard let cancelledAt = task.cancelledAt else { throw error }
            throw Self.error(cancelledAt: cancelledAt, deadline: deadline)
        }
    }

    static func error(cancelledAt: ContinuousClock.Instant, deadline: ContinuousClock.Instant?) -> RPCError {
        if let deadline, cancelledAt >= deadline {
            return RPCError(code: .deadlineExceeded, message: "the caller's deadline passed", cause: CallerEndedCall())
        }
        return RPCError(code: .cancelled, message: "the caller cancelled the call", cause: CallerEndedCall())
    }
}

/// The cause of an RPC that ended because the caller's deadline passed or the caller went away: nothing the
/// server did wrong.
package struct CallerEndedCall: Error {}
