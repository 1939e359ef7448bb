import ServiceContextModule
import ServiceTelemetry
import TelemetryPipeline
import Testing
import TraceContextPropagation

@Suite("Correlation id rules")
struct CorrelationIDTests {
    @Test("keeps a sane caller id", arguments: ["abc-123", "req_42.retry:1", String(repeating: "x", count: 64)])
    func keepsSane(value: String) {
        #expect(CorrelationID.resolve(value) == value)
    }

    @Test(
        "replaces an unsafe or over-long id",
        arguments: ["", "has space", "new\nline", "quote\"", "<script>", String(repeating: "x", count: 65), "é"]
    )
    func replacesUnsafe(value: String) {
        let resolved = CorrelationID.resolve(value)
        #expect(resolved != value)
        #expect(CorrelationID.sanitized(resolved) == resolved)
    }

    @Test("generates 32 lowercase hex characters, different each time")
    func generates() {
        let first = CorrelationID.generate()
        let second = CorrelationID.generate()
        #expect(first.count == 32)
        #expect(first.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(first != second)
    }

    @Test("a missing id is generated")
    func missing() {
        #expect(CorrelationID.resolve(nil).count == 32)
    }

    @Test("a record's correlation: the current span's context and the correlation id, each when there is one")
    func logCorrelation() {
        #expect(LogCorrelation.current.spanContext == nil && LogCorrelation.current.correlationID == nil)
        var context = ServiceContext.topLevel
        context.correlationID = "corr-42"
        ServiceContext.withValue(context) {
            #expect(LogCorrelation.current.correlationID == "corr-42")
            #expect(LogCorrelation.current.spanContext == nil)
        }
        let spanContext = SpanContext(
            traceID: TraceID(hexString: "0af7651916cd43dd8448eb211c80319c")!,
            spanID: SpanID(hexString: "b7ad6b7169203331")!,
            flags: 0x03
        )
        context.pipelineSpanContext = spanContext
        ServiceContext.withValue(context) {
            #expect(LogCorrelation.current.spanContext == spanContext)
            #expect(LogCorrelation.current.correlationID == "corr-42")
        }
    }
}
