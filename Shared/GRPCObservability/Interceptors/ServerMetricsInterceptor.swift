import GRPCCore
import ObservabilityPrimitives

/// Records the RPC server metrics: calls started and handled, call duration by status code, and messages
/// received and sent. List it after `ServerTracingInterceptor`, so histogram exemplars point at the RPC's span.
public struct ServerMetricsInterceptor: ServerInterceptor {
    /// Per method, made on first use.
    private let metricsByMethod = MadeOnce<MethodDescriptor, RPCMetrics>()

    public init() {}

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let start = ContinuousClock.now
        let metrics = self.metricsByMethod.value(for: context.descriptor) { RPCMetrics(side: "server", method: $0) }
        metrics.started()
        let unfinished = Once(metrics)
        @Sendable func finish(_ error: (any Error)?) {
            unfinished.take()?.finished(error: error, start: start)
        }

        var request = request
        request.messages = RPCAsyncSequence(
            wrapping: ObservedSequence(base: request.messages, onElement: { _ in metrics.messageReceived() })
        )
        do {
            var response = try await next(request, context)
            switch response.accepted {
            case .success(var contents):
                // One wrapper counts the messages written and sees the end of the producer.
                let producer = contents.producer
                contents.producer = { writer in
                    do {
                        let trailers = try await producer(
                            RPCWriter(wrapping: CountingWriter(base: writer) { metrics.messageSent() })
                        )
                        finish(nil)
                        return trailers
                    } catch {
                        finish(error)
                        throw error
                    }
                }
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
