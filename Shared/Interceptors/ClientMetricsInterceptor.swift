import GRPCCore

/// Records the RPC client metrics: calls started and handled, call duration by status code, and messages
/// sent and received. List it after `ClientTracingInterceptor`, so exemplars point at the CLIENT span.
package struct ClientMetricsInterceptor: ClientInterceptor {
    package init() {}

    package func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        let start = ContinuousClock.now
        let metrics = RPCMetrics(side: "client", method: context.descriptor)
        metrics.started()
        let once = Once()
        @Sendable func finish(_ error: (any Error)?) {
            once.run { metrics.finished(error: error, start: start) }
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
                let counted = CountingSequence(base: contents.bodyParts) { part in
                    if case .message = part { metrics.messageReceived() }
                }
                contents.bodyParts = RPCAsyncSequence(wrapping: CompletionSequence(base: counted, onEnd: finish))
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

/// Calls `onEnd` when the sequence finishes or fails.
struct CompletionSequence<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element: Sendable {
    typealias Element = Base.Element
    typealias Failure = any Error

    let base: Base
    let onEnd: @Sendable ((any Error)?) -> Void

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: self.base.makeAsyncIterator(), onEnd: self.onEnd)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let onEnd: @Sendable ((any Error)?) -> Void

        mutating func next() async throws -> Element? {
            do {
                guard let element = try await self.base.next() else {
                    self.onEnd(nil)
                    return nil
                }
                return element
            } catch {
                self.onEnd(error)
                throw error
            }
        }
    }
}
