import Shared
import Testing

@Suite("W3C traceparent parsing and the trace-context carrier")
struct TraceContextCarrierTests {
    static let valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    @Test("parses a valid version-00 traceparent")
    func parsesValid() throws {
        let parent = try #require(TraceParent(headerValue: Self.valid))
        #expect(parent.traceID == "0af7651916cd43dd8448eb211c80319c")
        #expect(parent.spanID == "b7ad6b7169203331")
        #expect(parent.isSampled)
        #expect(parent.headerValue == Self.valid)
    }

    @Test(
        "rejects malformed traceparents",
        arguments: [
            "",
            "garbage",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",  // no flags
            "00-00000000000000000000000000000000-b7ad6b7169203331-01",  // zero trace id
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",  // zero span id
            "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",  // upper case
            "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",  // forbidden version
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",  // v00 with extra field
            "00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01",  // not hex
        ]
    )
    func rejectsMalformed(value: String) {
        #expect(TraceParent(headerValue: value) == nil)
    }

    @Test("accepts a future version with extra fields")
    func acceptsFutureVersion() {
        #expect(TraceParent(headerValue: "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-abcd") != nil)
    }

    @Test("keeps only trace context and baggage, never other headers")
    func keepsOnlyPropagationFields() {
        let headers = [
            "traceparent": Self.valid,
            "tracestate": "vendor=1",
            "baggage": "user=alice",
            "authorization": "Bearer secret",
            "cookie": "session=1",
        ]
        let carrier = TraceContextCarrier(validating: { headers[$0] })
        #expect(carrier == TraceContextCarrier(traceParent: Self.valid, traceState: "vendor=1", baggage: "user=alice"))
        #expect(carrier.fields.map(\.name) == ["traceparent", "tracestate", "baggage"])
    }

    @Test("drops a malformed traceparent and the tracestate that depends on it")
    func dropsMalformed() {
        let headers = ["traceparent": "00-zzz", "tracestate": "vendor=1"]
        let carrier = TraceContextCarrier(validating: { headers[$0] })
        #expect(carrier.traceParent == nil)
        #expect(carrier.traceState == nil)
    }

    @Test("drops over-long tracestate and baggage")
    func dropsOverLong() {
        let headers = [
            "traceparent": Self.valid,
            "tracestate": String(repeating: "a", count: 2000),
            "baggage": "k=" + String(repeating: "v", count: 9000),
        ]
        let carrier = TraceContextCarrier(validating: { headers[$0] })
        #expect(carrier.traceParent == Self.valid)
        #expect(carrier.traceState == nil)
        #expect(carrier.baggage == nil)
    }
}
