import GRPCCore
import Testing
import TraceContextPropagation

@testable import GRPCObservability

@Suite("The trace-context carrier of gRPC metadata, read in one pass")
struct TraceContextCarrierMetadataTests {
    static let traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    /// The carrier the one-pass reading must equal: one `stringValues` search a name, as before it.
    static func searchedByName(_ metadata: Metadata) -> TraceContextCarrier {
        TraceContextCarrier(validating: { name in Array(metadata[stringValues: name]) })
    }

    @Test(
        "reads what a search by each name reads",
        arguments: [
            [("traceparent", traceParent)],
            [("traceparent", traceParent), ("tracestate", "a=1"), ("tracestate", "b=2"), ("baggage", "k=v")],
            [("baggage", "k=v"), ("user-agent", "grpc-swift"), ("baggage", "l=w"), ("traceparent", traceParent)],
            [("traceparent", traceParent), ("traceparent", traceParent)],
            [("traceparent", "00-zzz"), ("tracestate", "a=1")],
            [("x-correlation-id", "abc"), ("grpc-timeout", "1S")],
            [],
        ]
    )
    func equalsSearchByName(fields: [(String, String)]) {
        var metadata = Metadata()
        for (name, value) in fields { metadata.addString(value, forKey: name) }
        #expect(TraceContextCarrier(validatingMetadata: metadata) == Self.searchedByName(metadata))
    }

    @Test("finds the names in any ASCII case, as gRPC's own search does")
    func ignoresCase() {
        var metadata = Metadata()
        metadata.addString(Self.traceParent, forKey: "TraceParent")
        metadata.addString("a=1", forKey: "TRACESTATE")
        metadata.addString("k=v", forKey: "Baggage")
        let carrier = TraceContextCarrier(validatingMetadata: metadata)
        #expect(carrier == TraceContextCarrier(traceParent: Self.traceParent, traceState: "a=1", baggage: "k=v"))
        #expect(carrier == Self.searchedByName(metadata))
    }

    @Test("takes no other name of the same length, and no binary value")
    func takesNothingElse() {
        var metadata = Metadata()
        // `_` with bit 5 set is DEL, not `t`; a name one letter off is another name.
        metadata.addString(Self.traceParent, forKey: "traceparen_")
        metadata.addString(Self.traceParent, forKey: "traceparenx")
        metadata.addString("k=v", forKey: "baggagE-")
        metadata.addBinary([1, 2, 3], forKey: "traceparent-bin")
        #expect(TraceContextCarrier(validatingMetadata: metadata) == TraceContextCarrier())
    }
}
