import GRPCCore
import ObservabilityPrimitives

/// Records the RPC client metrics: calls started and handled, call duration by status code, messages sent and
/// received, and retries. List it after `ClientTracingInterceptor`, so exemplars point at the CLIENT span.
///
/// Each attempt is labelled with the replica it went to (`network_peer_address`, `network_peer_port`): a slow or
/// failing replica shows in the gateway's own latency and errors, one series per replica (bounded by the replicas
/// there are, never by what a caller sends).
///
/// Under a retry policy it runs once per attempt, so "calls" here are attempts (each with its own duration and
/// status, as each reached a replica), and `rpc_client_retries_total` counts those after the first: calls made
/// are started minus retries.
public struct ClientMetricsInterceptor: ClientInterceptor {
    /// Per method and replica, made on first use.
    private let metricsByMethod = MadeOnce<MethodAndPeer, RPCMetrics>()

    /// A method called on one replica (its grpc-swift peer description, e.g. `ipv4:10.0.0.7:50051`).
    private struct MethodAndPeer: Hashable, Sendable {
        var method: MethodDescriptor
        var peer: String
    }

    public init() {}

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        let start = ContinuousClock.now
        let key = MethodAndPeer(method: context.descriptor, peer: context.remotePeer)
        let metrics = self.metricsByMethod.value(for: key) {
            RPCMetrics(side: "client", method: $0.method, peer: $0.peer)
        }
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
