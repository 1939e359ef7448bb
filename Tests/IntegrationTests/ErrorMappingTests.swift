import GRPCCore
import GRPCObservability
import HTTPTypes
import Testing

@testable import Gateway

@Suite("gRPC status → HTTP status")
struct ErrorMappingTests {
    @Test(
        "maps CoreEngine's status codes as documented",
        arguments: [
            (RPCError.Code.invalidArgument, 400),
            (.notFound, 404),
            (.resourceExhausted, 429),
            (.unavailable, 503),
            (.deadlineExceeded, 504),
            (.internalError, 502),
            (.unknown, 502),
            (.dataLoss, 502),
            (.unimplemented, 501),
            (.permissionDenied, 403),
            (.unauthenticated, 401),
        ]
    )
    func table(code: RPCError.Code, status: Int) {
        #expect(APIError.httpStatus(for: code).code == status)
        #expect(APIError(RPCError(code: code, message: "m")).code == code.name)
    }

    @Test("internal failures do not leak CoreEngine's message")
    func noLeak() {
        let error = APIError(RPCError(code: .internalError, message: "stack trace at line 42"))
        #expect(!error.message.contains("line 42"))
        #expect(APIError(from: CancellationError()).status == .internalServerError)
    }
}
