import GRPCCore
import InMemoryTracing
import Testing
import Tracing

@testable import GRPCObservability

@Suite("RPC span status by the OpenTelemetry gRPC conventions")
struct RPCSpanStatusTests {
    /// The conventions' table (semantic-conventions, rpc/grpc.md, "gRPC Status"): the codes that make a SERVER span
    /// an ERROR. A CLIENT span is an ERROR for every code but OK.
    static let serverErrorCodes: Set<RPCError.Code> = [
        .unknown, .deadlineExceeded, .unimplemented, .internalError, .unavailable, .dataLoss,
    ]

    static let allCodes: [RPCError.Code] = [
        .cancelled, .unknown, .invalidArgument, .deadlineExceeded, .notFound, .alreadyExists, .permissionDenied,
        .resourceExhausted, .failedPrecondition, .aborted, .outOfRange, .unimplemented, .internalError, .unavailable,
        .dataLoss, .unauthenticated,
    ]

    /// The status a span of `kind` ends with after `error` (`nil` for OK).
    static func status(kind: SpanKind, error: (any Error)?) throws -> SpanStatus? {
        let tracer = InMemoryTracer()
        tracer.startSpan("rpc", ofKind: kind).endRPC(kind: kind, conventions: .previous, error: error)
        return try #require(tracer.finishedSpans.first).status
    }

    @Test("every status code on both sides", arguments: [SpanKind.client, .server])
    func everyCode(kind: SpanKind) throws {
        #expect(try Self.status(kind: kind, error: nil) == nil, "OK leaves the status unset")
        for code in Self.allCodes {
            let expectError = kind == .client || Self.serverErrorCodes.contains(code)
            let status = try Self.status(kind: kind, error: RPCError(code: code, message: "m"))
            #expect((status?.code == .error) == expectError, "\(kind) span, \(code.name)")
        }
    }

    @Test("a server call its caller's deadline ended is an ERROR too, as every backend reads DEADLINE_EXCEEDED")
    func callerDeadline() throws {
        let error = RPCError(code: .deadlineExceeded, message: "the caller's deadline passed", cause: CallerEndedCall())
        #expect(try Self.status(kind: .server, error: error)?.code == .error)
        let cancelled = RPCError(code: .cancelled, message: "the caller cancelled the call", cause: CallerEndedCall())
        #expect(try Self.status(kind: .server, error: cancelled) == nil)
    }
}
