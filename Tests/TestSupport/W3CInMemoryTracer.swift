import InMemoryTracing
import Instrumentation
import Tracing

/// swift-distributed-tracing's `InMemoryTracer`, propagating through W3C `traceparent` instead of its own
/// `in-memory-*` keys, so spans recorded in tests cross our trace-context carriers as OTel's would.
package struct W3CInMemoryTracer: Tracer {
    package let recorder: InMemoryTracer

    package init() {
        self.recorder = InMemoryTracer(idGenerator: .w3c)
    }

    package var finishedSpans: [FinishedInMemorySpan] { self.recorder.finishedSpans }

    package func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> InMemorySpan {
        self.recorder.startSpan(
            operationName,
            context: context(),
            ofKind: kind,
            at: instant(),
            function: function,
            file: fileID,
            line: line
        )
    }

    package func forceFlush() {
        self.recorder.forceFlush()
    }

    package func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let spanContext = context.inMemorySpanContext else { return }
        injector.inject("00-\(spanContext.traceID)-\(spanContext.spanID)-01", forKey: "traceparent", into: &carrier)
    }

    package func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier,
        into context: inout ServiceContext,
        using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier) else { return }
        let parts = header.split(separator: "-")
        guard parts.count == 4 else { return }
        context.inMemorySpanContext = InMemorySpanContext(
            traceID: String(parts[1]),
            spanID: String(parts[2]),
            parentSpanID: nil
        )
    }
}

extension InMemoryTracer.IDGenerator {
    /// Random ids in W3C shape: 32 and 16 lowercase hex characters.
    static var w3c: Self {
        .init(
            nextTraceID: { randomHex(bytes: 16) },
            nextSpanID: { randomHex(bytes: 8) }
        )
    }
}

private func randomHex(bytes: Int) -> String {
    var result = ""
    for _ in 0..<bytes {
        let byte = UInt8.random(in: 0...255)
        result += (byte < 16 ? "0" : "") + String(byte, radix: 16)
    }
    return result
}
