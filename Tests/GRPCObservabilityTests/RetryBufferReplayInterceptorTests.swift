import GRPCObservability
import Synchronization
import Testing

@testable import GRPCCore

@Suite("RetryBufferReplayInterceptor: an attempt whose request came out of the retry buffer empty reads it again")
struct RetryBufferReplayInterceptorTests {
    /// The race the interceptor works around, in grpc-swift's own replay buffer: a reader finds the buffer empty and
    /// is about to wait; before it registers, the caller's message arrives and the buffer finishes; the reader is then
    /// answered "finished", and the message, which is in the buffer, is never read. A new reader finds it. If this
    /// test fails, grpc-swift reads the buffer before answering: `RetryBufferReplayInterceptor` can go.
    @Test("grpc-swift 2.4's retry buffer answers a reader 'finished' while the message is still in it")
    func theRaceInGRPCSwiftsRetryBuffer() async throws {
        var buffer = _BroadcastSequenceStateMachine<String>(bufferSize: 64)
        let attempt = buffer.subscribe()
        guard case .suspend = buffer.nextElement(forSubscriber: attempt) else {
            Issue.record("an empty buffer should make its reader wait")
            return
        }
        // The caller's producer writes its one message and finishes, between the reader's look and its wait.
        _ = buffer.yield("AAPL")
        _ = buffer.finish(result: .success(()))
        let read: String? = try await withCheckedThrowingContinuation { continuation in
            switch buffer.setContinuation(continuation, forSubscription: attempt) {
            case .resume(let continuation, let result, _):
                continuation.resume(with: result)
            case .none:
                continuation.resume(returning: "(still waiting)")
            }
        }
        #expect(read == nil, "grpc-swift now hands the waiting reader the buffered message: the interceptor can go")

        // A second reader of the same buffer starts from its first element, which is what the interceptor relies on.
        let replay = buffer.subscribe()
        guard case .return(let next) = buffer.nextElement(forSubscriber: replay) else {
            Issue.record("a finished buffer should answer at once")
            return
        }
        #expect(try next.nextResult.get() == "AAPL")
    }

    static func method(_ type: MethodDescriptor.RPCType?) -> MethodDescriptor {
        MethodDescriptor(fullyQualifiedService: "marketintel.v1.CoreEngine", method: "GetQuote", type: type)
    }

    /// Runs the interceptor on a request whose producer writes, on its n-th run (from 0), the messages `runs[n]`
    /// (nothing past the list's end), as a transport would: the producer into a writer that collects what it gets.
    /// Returns what the transport received and how many times the producer ran.
    static func send(
        _ type: MethodDescriptor.RPCType?,
        runs: [[String]],
    ) async throws -> (written: [String], producerRuns: Int) {
        let count = Mutex(0)
        let request = StreamingClientRequest<String>(metadata: [:]) { writer in
            let run = count.withLock { count in
                defer { count += 1 }
                return count
            }
            try await writer.write(contentsOf: run < runs.count ? runs[run] : [])
        }
        let transport = CollectingWriter()
        let context = ClientContext(descriptor: Self.method(type), remotePeer: "in-process", localPeer: "in-process")
        let _: StreamingClientResponse<String> = try await RetryBufferReplayInterceptor().intercept(
            request: request,
            context: context
        ) { request, _ in
            try await request.producer(RPCWriter(wrapping: transport))
            return StreamingClientResponse(error: RPCError(code: .unavailable, message: "not sent anywhere"))
        }
        return (transport.messages, count.withLock { $0 })
    }

    @Test("A unary attempt that wrote nothing reads its request again, and sends it once")
    func emptyUnaryAttemptReadsAgain() async throws {
        let sent = try await Self.send(.unary, runs: [[], ["AAPL"]])
        #expect(sent.written == ["AAPL"])
        #expect(sent.producerRuns == 2)
    }

    @Test("A server-streaming call sends one request too, so it is read again as well")
    func emptyServerStreamingAttemptReadsAgain() async throws {
        let sent = try await Self.send(.serverStreaming, runs: [[], ["AAPL"]])
        #expect(sent.written == ["AAPL"])
        #expect(sent.producerRuns == 2)
    }

    @Test("An attempt that wrote its request is read once")
    func writtenAttemptIsReadOnce() async throws {
        let sent = try await Self.send(.unary, runs: [["AAPL"], ["AAPL"]])
        #expect(sent.written == ["AAPL"])
        #expect(sent.producerRuns == 1)
    }

    @Test("A request that is empty on the second read too stays empty: the server answers it, nothing loops")
    func emptyTwiceStaysEmpty() async throws {
        let sent = try await Self.send(.unary, runs: [])
        #expect(sent.written.isEmpty)
        #expect(sent.producerRuns == 2)
    }

    @Test("A producer that fails is not run again: its error reaches the transport")
    func failingProducerIsNotRunAgain() async throws {
        let runs = Mutex(0)
        let request = StreamingClientRequest<String>(metadata: [:]) { _ in
            runs.withLock { $0 += 1 }
            throw RPCError(code: .cancelled, message: "the caller went away")
        }
        let context = ClientContext(descriptor: Self.method(.unary), remotePeer: "in-process", localPeer: "in-process")
        await #expect(throws: RPCError.self) {
            let _: StreamingClientResponse<String> = try await RetryBufferReplayInterceptor().intercept(
                request: request,
                context: context
            ) { request, _ in
                try await request.producer(RPCWriter(wrapping: CollectingWriter()))
                return StreamingClientResponse(error: RPCError(code: .internalError, message: "unreachable"))
            }
        }
        #expect(runs.withLock { $0 } == 1)
    }

    @Test(
        "Request streams, and methods of unknown type, may mean to send nothing: they pass through",
        arguments: [MethodDescriptor.RPCType.clientStreaming, .bidirectionalStreaming, nil]
    )
    func streamingRequestsPassThrough(_ type: MethodDescriptor.RPCType?) async throws {
        let sent = try await Self.send(type, runs: [[], ["AAPL"]])
        #expect(sent.written.isEmpty)
        #expect(sent.producerRuns == 1)
    }
}
