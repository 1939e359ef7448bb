import GRPCCore
import ServiceContextModule

extension StreamingServerResponse {
    /// This response, calling `completion` once when the RPC ends: after the producer has written the last
    /// message (`nil`, or the error it threw), or at once for a rejected response. With `serviceContext`,
    /// the producer runs in it, since it runs after the interceptor that set the task-local has returned.
    func onCompletion(
        in serviceContext: ServiceContext? = nil,
        _ completion: @escaping @Sendable ((any Error)?) -> Void
    ) -> Self {
        var response = self
        switch response.accepted {
        case .success(var contents):
            let producer = contents.producer
            contents.producer = { writer in
                try await ServiceContext.withValue(serviceContext ?? ServiceContext.current) {
                    do {
                        let trailers = try await producer(writer)
                        completion(nil)
                        return trailers
                    } catch {
                        completion(error)
                        throw error
                    }
                }
            }
            response.accepted = .success(contents)
        case .failure(let error):
            completion(error)
        }
        return response
    }
}

extension StreamingClientResponse {
    /// This response, calling `completion` once the caller has read its last part (`nil`, or the error that
    /// ended it), or at once for a failed response.
    func onCompletion(_ completion: @escaping @Sendable ((any Error)?) -> Void) -> Self {
        var response = self
        switch response.accepted {
        case .success(var contents):
            contents.bodyParts = RPCAsyncSequence(
                wrapping: ObservedSequence(base: contents.bodyParts, onEnd: completion)
            )
            response.accepted = .success(contents)
        case .failure(let error):
            completion(error)
        }
        return response
    }
}
