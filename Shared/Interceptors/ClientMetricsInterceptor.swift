import GRPCCore

/// Records the RPC client metrics: calls started and handled, call duration by status code, messages sent and
/// received, and retries. List it after `ClientTracingInterceptor`, so exemplars point at the CLIENT span.
///
/// Under a retry policy it runs once per attempt, so "calls" here are attempts (each with its own duration and
/// status, as each reached a replica), and `rpc_client_retries_total` counts those after the first: calls made
/// are started minus retries.
package struct ClientMetricsInterceptor: ClientInterceptor {
    /// Per method, made on first use.
    private let metricsByMethod = MadeOnce<MethodDescriptor, RPCMetrics>()

    package init() {}

    package func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        let start = ContinuousClock.now
        let metrics = self.metricsByMethod.value(for: context.descriptor) { RPCMetrics(side: "client", method: $0) }
        metrics.started()
        if let call = ClientCall.current, call.attempt > 1 { metrics.retried() }
        let unfinished = Once(metrics)
        @Sendable func finish(_ error: (any Error)?) {
            unfinished.take()?.finished(error: error, start: start)
        }

        var request = request
        let producer = request.producer
        request.producer = { writer in
            try await producer(RPCWriter(wrapping: CountingWriter(base: writer) { metrics.messageSent() }))
        }
        do {
            var response = try await next(request, context)
            switch response.accepted {
            case .success(var contents):
                // One wrapper counts the messages and sees the end, so each part passes one extra layer, not two.
                let observed = ObservedSequence(
                    base: contents.bodyParts,
                    onElement: { part in
                        if case .message = part { metrics.messageReceived() }
                    },
                    onEnd: finish
                )
                contents.bodyParts = RPCAsyncSequence(wrapping: observed)
                response.accepted = .success(contents)
            case .failure(let error):
                finish(error)
            }
            return response
        } catch {
            finish(error)
            throw error
        }
    }
}
