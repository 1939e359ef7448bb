import Logging
import ServiceContextModule
import ServiceTelemetry
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

    @Test("log lines get the trace provider's ids and the correlation id in one dictionary")
    func traceAndCorrelationMetadata() {
        let traces = Logger.MetadataProvider { ["trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331"] }
        let provider = Logger.MetadataProvider.traceAndCorrelation(traces)
        #expect(provider.get() == ["trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331"])
        var context = ServiceContext.topLevel
        context.correlationID = "corr-42"
        ServiceContext.withValue(context) {
            #expect(provider.get() == [
                "trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331", "correlation_id": "corr-42",
            ])
        }
        let outsideATrace = Logger.MetadataProvider.traceAndCorrelation(Logger.MetadataProvider { [:] })
        ServiceContext.withValue(context) { #expect(outsideATrace.get() == ["correlation_id": "corr-42"]) }
    }
}
