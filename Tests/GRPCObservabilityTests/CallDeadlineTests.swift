import GRPCCore
import GRPCObservability
import NIOCore
import NIOPosix
import ObservabilityPrimitives
import Testing

@Suite("Client call deadline")
struct CallDeadlineTests {
    @Test(
        "grpc-timeout is the finest unit that fits eight digits, rounded up",
        arguments: [
            (Duration.milliseconds(3000), "3000000u"),
            (.milliseconds(300), "300000u"),
            (.nanoseconds(1), "1n"),
            (.nanoseconds(99_999_999), "99999999n"),
            (.nanoseconds(100_000_001), "100001u"),
            (.seconds(100_000), "100000S"),
            (.seconds(3600 * 24 * 365 * 1000), "8760000H"),
            (.zero, "0n"),
            (.seconds(-1), "0n"),
        ]
    )
    func headerValue(timeout: Duration, expected: String) {
        #expect(GRPCTimeout.headerValue(timeout) == expected)
    }

    @Test(
        "grpc-timeout is read back in each unit; anything else is no timeout",
        arguments: [
            ("1n", Duration.nanoseconds(1)), ("250m", .milliseconds(250)), ("3S", .seconds(3)), ("2M", .seconds(120)),
            ("1H", .seconds(3600)), ("99999999u", .microseconds(99_999_999)), ("0n", .zero),
        ] as [(String, Duration)]
    )
    func readsTimeout(value: String, expected: Duration) {
        #expect(GRPCTimeout.duration(headerValue: value) == expected)
    }

    @Test(
        "a malformed grpc-timeout is no timeout",
        arguments: ["", "S", "5", "5s", "123456789m", "-5S", "+5S", "5 S", "٣S"]
    )
    func rejectsMalformedTimeout(value: String) {
        #expect(GRPCTimeout.duration(headerValue: value) == nil)
    }

    @Test("a call that finishes in time returns its result and sees its deadline and grpc-timeout")
    func inTime() async throws {
        let deadline = CallDeadline(timeout: .seconds(5))
        let (timeout, current) = try await deadline.run { metadata in
            (metadata[stringValues: GRPCTimeout.metadataKey].first(where: { _ in true }), CallDeadline.current)
        }
        #expect(timeout == "5000000u")
        let remaining = ContinuousClock.now.duration(to: try #require(current))
        #expect(remaining > .seconds(4) && remaining <= .seconds(5))
        #expect(CallDeadline.current == nil)
    }

    @Test("a call still running at the deadline is cancelled and fails with DEADLINE_EXCEEDED")
    func expires() async throws {
        let deadline = CallDeadline(timeout: .milliseconds(50))
        let start = ContinuousClock.now
        let error = await #expect(throws: RPCError.self) {
            try await deadline.run { _ in
                // Stands in for a transport waiting on a server that does not answer: only cancellation ends it.
                try await Task.sleep(for: .seconds(30))
            }
        }
        #expect(error?.code == .deadlineExceeded)
        #expect(start.duration(to: .now) < .seconds(10))
    }

    @Test("an error of the call itself is passed on unchanged")
    func ownError() async throws {
        let deadline = CallDeadline(timeout: .seconds(5))
        let error = await #expect(throws: RPCError.self) {
            try await deadline.run { _ in throw RPCError(code: .notFound, message: "unknown symbol") }
        }
        #expect(error?.code == .notFound)
    }

    @Test("a cancelled caller is not reported as an expired deadline")
    func callerCancelled() async throws {
        let deadline = CallDeadline(timeout: .seconds(30))
        let task = Task {
            try await deadline.run { _ in try await Task.sleep(for: .seconds(30)) }
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test(
        "interceptors record a cancellation after the deadline as DEADLINE_EXCEEDED, and nothing else changes",
        arguments: [
            (RPCError(code: .notFound, message: ""), true, RPCError.Code.notFound),
            (RPCError(code: .cancelled, message: ""), true, .deadlineExceeded),
            (RPCError(code: .cancelled, message: ""), false, .cancelled),
            (RPCError(code: .unknown, message: ""), true, .deadlineExceeded),
            (RPCError(code: .unavailable, message: ""), true, .unavailable),
        ]
    )
    func recordedStatus(error: RPCError, deadlinePassed: Bool, expected: RPCError.Code) {
        let deadline = ContinuousClock.now + (deadlinePassed ? .seconds(-1) : .seconds(60))
        let code = ClientCall.$current.withValue(ClientCall(deadline: deadline)) { RPCError.Code(recording: error) }
        #expect(code == expected)
    }

    @Test("outside a call with a deadline, a cancellation error is recorded as UNKNOWN")
    func noDeadline() {
        #expect(RPCError.Code(recording: CancellationError()) == .unknown)
    }
}
