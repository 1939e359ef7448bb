import Testing

@testable import Gateway

@Suite("The trace id the gateway answers with")
struct TraceResponseTests {
    @Test("is the second field of a version-00 traceparent value")
    func secondField() {
        #expect(
            TraceResponse.traceID(of: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03")
                == "0af7651916cd43dd8448eb211c80319c"
        )
    }

    @Test(
        "is nothing for a value that is not version 00's 55 bytes, rather than a trap or a wrong slice",
        arguments: ["", "00-zzz", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03-extra"]
    )
    func otherLengths(value: String) {
        #expect(TraceResponse.traceID(of: value) == nil)
    }
}
