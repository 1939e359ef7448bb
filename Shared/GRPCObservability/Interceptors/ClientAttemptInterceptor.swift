import GRPCCore

/// Numbers the attempts of a call and keeps every retry inside the call's one deadline. List it first.
///
/// With a retry policy in the service config, grpc-swift runs the interceptors once per attempt, replaying the
/// request as the caller made it, `grpc-timeout` included. Here each attempt gets its number (`ClientCall`, read by
/// the tracing and metrics interceptors), and a retry:
/// - carries what is left of the deadline as its `grpc-timeout`, so that the replica serving it gives up when the
///   caller does, not a whole timeout later;
/// - carries `grpc-previous-rpc-attempts`, as gRPC's retry design (A6) has clients send, so that the replica can tell
///   a retry from a first call. grpc-swift 2.4 works the header out but sends the request's metadata without it
///   (`ClientStreamExecutor`), so it is added here.
///
/// Outside `CallDeadline.run` there is no `ClientCall`: the call passes through untouched.
public struct ClientAttemptInterceptor: ClientInterceptor {
    /// The request header that says how many attempts came before this one.
    public static let previousAttemptsKey = "grpc-previous-rpc-attempts"

    public init() {}

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        guard let call = ClientCall.current else { return try await next(request, context) }
        let attempt = call.beginAttempt()
        guard attempt > 1 else { return try await next(request, context) }
        var request = request
        let remaining = ContinuousClock.now.duration(to: call.deadline)
        request.metadata.replaceOrAddString(GRPCTimeout.headerValue(remaining), forKey: GRPCTimeout.metadataKey)
        request.metadata.replaceOrAddString(String(attempt - 1), forKey: Self.previousAttemptsKey)
        return try await next(request, context)
    }
}
