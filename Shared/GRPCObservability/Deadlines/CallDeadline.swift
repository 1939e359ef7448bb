import GRPCCore
import NIOCore
import NIOPosix
import ObservabilityPrimitives

/// The deadline of a client call, enforced by a timer on an event loop rather than by grpc-swift's
/// `CallOptions.timeout`.
///
/// grpc-swift enforces `CallOptions.timeout` by racing the call against `Task.sleep` in a task group of two
/// child tasks; on Linux every such sleep arms a Dispatch timer, which wakes Dispatch's timer thread and
/// then a worker thread on every call (see BENCHMARKS.md). Here the call runs in one child task, and a
/// callback scheduled on the caller's event loop (a heap entry on a thread that is awake anyway) cancels it
/// when the deadline passes. The deadline still reaches the server as `grpc-timeout`, and the call fails
/// with `DEADLINE_EXCEEDED`, as with grpc-swift's own deadline. A retried attempt carries what is left of the
/// deadline (`ClientAttemptInterceptor`): a retry never extends the call. <doc:CallDeadlines> follows a call's
/// deadline from the HTTP request to CoreEngine's handler, and says why this and not `CallOptions.timeout`.
public struct CallDeadline: Sendable {
    /// How long a call may take, from the moment it starts.
    public let timeout: Duration
    private let eventLoopGroup: any EventLoopGroup
    /// The same for every call: the deadline is `timeout` from the moment the call starts.
    private let metadata: Metadata

    /// The deadline of the call the current task is making, for interceptors that report its status.
    package static var current: ContinuousClock.Instant? { ClientCall.current?.deadline }

    /// - Parameters:
    ///   - timeout: How long a call may take.
    ///   - eventLoopGroup: Where the timers run: the group whose loops run the calling tasks, so that
    ///     arming and cancelling a timer stays on the current thread.
    public init(timeout: Duration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.timeout = timeout
        self.eventLoopGroup = eventLoopGroup
        self.metadata = [GRPCTimeout.metadataKey: .string(GRPCTimeout.headerValue(timeout))]
    }

    /// Runs `call` (given the metadata that carries `grpc-timeout`) and cancels it when the timeout passes,
    /// then throwing `DEADLINE_EXCEEDED`.
    public func run<Result: Sendable>(
        _ call: @escaping @Sendable (_ metadata: Metadata) async throws -> Result
    ) async throws -> Result {
        let deadline = ContinuousClock.now.advanced(by: self.timeout)
        let metadata = self.metadata
        let task = CancellableTask()
        let timer = try self.eventLoopGroup.any().scheduleCallback(
            in: .nanoseconds(self.timeout.nanoseconds),
            handler: task
        )
        defer { timer.cancel() }
        let clientCall = ClientCall(deadline: deadline)
        async let result = task.run {
            try await ClientCall.$current.withValue(clientCall) { try await call(metadata) }
        }
        do {
            let value = try await result
            clientCall.finish(error: nil)
            return value
        } catch _ where task.cancelledAt != nil {
            let error = RPCError(code: .deadlineExceeded, message: "the call did not complete within \(self.timeout)")
            clientCall.finish(error: error)
            throw error
        } catch {
            clientCall.finish(error: error)
            throw error
        }
    }
}
