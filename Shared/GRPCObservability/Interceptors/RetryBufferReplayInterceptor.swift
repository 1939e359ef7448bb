import GRPCCore
import Synchronization

/// Reads a call's request from the retry buffer once more when an attempt's request stream came out empty, for a
/// method that sends exactly one request message. List it with the other per-attempt interceptors.
///
/// With a retry policy, grpc-swift 2.4 plays the caller's request into a replay buffer (`BroadcastAsyncSequence`)
/// and each attempt reads it from there. That buffer has a race: when a reader finds it empty and, before it has
/// registered to wait, the caller's message arrives and the buffer finishes, the reader is told "finished" although
/// the message is in the buffer (the finished state answers a waiting reader without looking at the buffer). The
/// attempt then ends its request stream after the headers, and the server answers INTERNAL "Empty stream.": a
/// request lost to the transport, which the scale-out drill saw as a 502 about once in twenty runs. A new read of
/// the same buffer starts from its first element and finds the message, so an attempt that wrote nothing reads it
/// again, once. `RetryBufferReplayInterceptorTests` pins the race in grpc-swift's buffer: when it is fixed there,
/// that test says so and this interceptor can go.
///
/// A method whose requests are a stream can mean to send nothing, and a method of unknown type may be one: both pass
/// through untouched.
public struct RetryBufferReplayInterceptor: ClientInterceptor {
    public init() {}

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        guard let type = context.descriptor.type, !type.isRequestStreaming else {
            return try await next(request, context)
        }
        var request = request
        let producer = request.producer
        request.producer = { writer in
            let watched = WriteWatchingWriter(base: writer)
            try await producer(RPCWriter(wrapping: watched))
            if !watched.wrote.load(ordering: .relaxed) {
                try await producer(writer)
            }
        }
        return try await next(request, context)
    }
}

/// Passes writes through and remembers whether there was one. A class, so the writer's existential holds it without
/// a box: one allocation an attempt.
private final class WriteWatchingWriter<Element: Sendable>: RPCWriterProtocol {
    let base: RPCWriter<Element>
    let wrote = Atomic<Bool>(false)

    init(base: RPCWriter<Element>) {
        self.base = base
    }

    func write(_ element: Element) async throws {
        self.wrote.store(true, ordering: .relaxed)
        try await self.base.write(element)
    }

    func write(contentsOf elements: some Sequence<Element>) async throws {
        for element in elements {
            try await self.write(element)
        }
    }
}
