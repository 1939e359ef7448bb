import GRPCCore
import InMemoryTracing
import Synchronization
import Testing
import Tracing

@testable import GRPCObservability

@Suite("ServerCancellationInterceptor: a cancelled RPC stops the handler and ends with the caller's status")
struct ServerCancellationInterceptorTests {
    typealias Next =
        @Sendable (StreamingServerRequest<String>, ServerContext) async throws -> StreamingServerResponse<
            String
        >

    static let method = MethodDescriptor(fullyQualifiedService: "test.Quotes", method: "Get")

    /// Runs the interceptor (behind `outer`, if given; on an RPC already cancelled, if `cancelledBeforehand`) on one
    /// request, then the response's producer, and returns what
    /// it wrote. The call runs in a task of its own with a cancellation handle that `whileRunning` gets, as
    /// grpc-swift's server runs each RPC: the interceptor cancels that task, never the test's.
    static func call(
        timeout: String? = nil,
        cancelledBeforehand: Bool = false,
        outer: (any ServerInterceptor)? = nil,
        handler: @escaping Next,
        whileRunning body: @escaping @Sendable (ServerContext.RPCCancellationHandle) async -> Void = { _ in }
    ) async throws -> [String] {
        var metadata: Metadata = [:]
        if let timeout { metadata.addString(timeout, forKey: GRPCTimeout.metadataKey) }
        let request = StreamingServerRequest(single: ServerRequest(metadata: metadata, message: "AAPL"))
        let rpc = Task {
            try await withServerContextRPCCancellationHandle { handle in
                let context = ServerContext(
                    descriptor: Self.method,
                    remotePeer: "in-process",
                    localPeer: "in-process",
                    cancellation: handle
                )
                if cancelledBeforehand { handle.cancel() }
                async let watcher: Void = body(handle)
                let interceptor = ServerCancellationInterceptor()
                let writer = CollectingWriter()
                do {
                    let response: StreamingServerResponse<String>
                    if let outer {
                        response = try await outer.intercept(request: request, context: context) { request, context in
                            try await interceptor.intercept(request: request, context: context, next: handler)
                        }
                    } else {
                        response = try await interceptor.intercept(request: request, context: context, next: handler)
                    }
                    _ = try await response.accepted.get().producer(RPCWriter(wrapping: writer))
                } catch {
                    await watcher
                    throw error
                }
                await watcher
                return writer.messages
            }
        }
        return try await rpc.value
    }

    /// A handler that says when it starts and then waits for cancellation.
    static func waitingHandler(started: AsyncStream<Void>.Continuation) -> Next {
        { _, _ in
            started.yield()
            try await Task.sleep(for: .seconds(30))
            return StreamingServerResponse(
                of: String.self,
                error: RPCError(code: .internalError, message: "not cancelled")
            )
        }
    }

    @Test("a handler that finishes is passed through untouched")
    func passesThrough() async throws {
        let written = try await Self.call { _, _ in StreamingServerResponse(single: ServerResponse(message: "quote")) }
        #expect(written == ["quote"])
    }

    @Test("a cancellation while the handler runs ends it at once with CANCELLED, caused by the caller")
    func cancelledWhileHandling() async throws {
        let (started, continuation) = AsyncStream<Void>.makeStream()
        let begun = ContinuousClock.now
        let error = await #expect(throws: RPCError.self) {
            _ = try await Self.call(handler: Self.waitingHandler(started: continuation)) { handle in
                for await _ in started { break }
                handle.cancel()
            }
        }
        #expect(error?.code == .cancelled)
        #expect(error?.cause is CallerEndedCall)
        #expect(begun.duration(to: .now) < .seconds(10))
    }

    @Test("a cancellation once the caller's grpc-timeout has passed is DEADLINE_EXCEEDED")
    func cancelledAtTheDeadline() async throws {
        let (started, continuation) = AsyncStream<Void>.makeStream()
        let error = await #expect(throws: RPCError.self) {
            _ = try await Self.call(timeout: "50m", handler: Self.waitingHandler(started: continuation)) { handle in
                for await _ in started { break }
                // What the transport does when grpc-timeout passes: cancel the RPC, after the deadline.
                try? await Task.sleep(until: .now + .milliseconds(60), clock: .continuous)
                handle.cancel()
            }
        }
        #expect(error?.code == .deadlineExceeded)
        #expect(error?.cause is CallerEndedCall)
    }

    @Test("an RPC cancelled before the interceptor runs never reaches the handler")
    func alreadyCancelled() async throws {
        let reached = CollectingWriter()
        let error = await #expect(throws: RPCError.self) {
            _ = try await Self.call(cancelledBeforehand: true) { _, _ in
                try await reached.write("handler")
                return StreamingServerResponse(single: ServerResponse(message: "quote"))
            }
        }
        #expect(error?.code == .cancelled)
        #expect(reached.messages.isEmpty)
    }

    @Test("a cancellation while the response is produced ends the producer too")
    func cancelledWhileProducing() async throws {
        let (started, continuation) = AsyncStream<Void>.makeStream()
        let error = await #expect(throws: RPCError.self) {
            _ = try await Self.call(
                handler: { _, _ in
                    StreamingServerResponse(of: String.self) { writer in
                        try await writer.write("first")
                        continuation.yield()
                        try await Task.sleep(for: .seconds(30))
                        return [:]
                    }
                },
                whileRunning: { handle in
                    for await _ in started { break }
                    handle.cancel()
                }
            )
        }
        #expect(error?.code == .cancelled)
    }

    // CancellableTask cancels the server's own task, and that flag stays set after the handler returns: the
    // interceptors outside run the rest of the call in a cancelled task. That is safe because what they do after
    // `next` (end the span, count, log) is synchronous: nothing there awaits or checks for cancellation.
    @Test("the tracing interceptor outside still ends its span, with the caller's status, in the cancelled task")
    func outerInterceptorsStillRecord() async throws {
        let tracer = InMemoryTracer()
        let (started, continuation) = AsyncStream<Void>.makeStream()
        let recording = RecordingInterceptor(base: ServerTracingInterceptor(tracer: tracer))
        let error = await #expect(throws: RPCError.self) {
            _ = try await Self.call(outer: recording, handler: Self.waitingHandler(started: continuation)) { handle in
                for await _ in started { break }
                handle.cancel()
            }
        }
        #expect(error?.code == .cancelled)
        #expect(recording.wasCancelled == true)
        let span = try #require(tracer.finishedSpans.first)
        #expect(span.kind == .server)
        #expect(span.attributes.get("rpc.grpc.status_code") == .int64(Int64(RPCError.Code.cancelled.rawValue)))
    }
}

/// The base interceptor, noting whether its task was cancelled once the call inside it had ended.
private final class RecordingInterceptor: ServerInterceptor {
    let base: any ServerInterceptor
    private let cancelled = Mutex<Bool?>(nil)

    init(base: any ServerInterceptor) {
        self.base = base
    }

    var wasCancelled: Bool? { self.cancelled.withLock { $0 } }

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        defer { self.cancelled.withLock { $0 = Task.isCancelled } }
        return try await self.base.intercept(request: request, context: context, next: next)
    }
}
