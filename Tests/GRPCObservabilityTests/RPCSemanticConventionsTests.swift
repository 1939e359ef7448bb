import GRPCCore
import InMemoryTracing
import Testing
import Tracing

@testable import GRPCObservability

@Suite("OTEL_SEMCONV_STABILITY_OPT_IN: the RPC conventions' names, previous, current or both")
struct RPCSemanticConventionsTests {
    @Test(
        "the variable's value picks the names",
        arguments: [
            (nil, RPCSemanticConventions.previous), ("", .previous), ("http", .previous), ("rpcx", .previous),
            ("rpc", .current), ("http,rpc", .current), (" RPC ", .current), ("rpc/dup", .both), ("rpc,rpc/dup", .both),
            ("http/dup, rpc/dup", .both),
        ] as [(String?, RPCSemanticConventions)]
    )
    func parses(value: String?, expected: RPCSemanticConventions) {
        #expect(RPCSemanticConventions(optIn: value) == expected)
    }

    static let method = MethodDescriptor(fullyQualifiedService: "marketintel.v1.CoreEngine", method: "GetQuote")

    /// The attributes of a span that went through the whole attribute vocabulary once: method, a retry's request
    /// metadata, and a status.
    static func attributes(
        _ conventions: RPCSemanticConventions,
        code: RPCError.Code?
    ) throws -> [String: SpanAttribute] {
        let tracer = InMemoryTracer()
        let span = tracer.startSpan("marketintel.v1.CoreEngine/GetQuote", ofKind: .server)
        span.updateAttributes { attributes in
            RPCSpanAttributes.set(method: Self.method, conventions: conventions, on: &attributes)
            RPCSpanAttributes.set(
                requestMetadata: "grpc-previous-rpc-attempts",
                values: ["1"],
                conventions: conventions,
                on: &attributes
            )
        }
        span.endRPC(kind: .server, conventions: conventions, error: code.map { RPCError(code: $0, message: "m") })
        var all: [String: SpanAttribute] = [:]
        try #require(tracer.finishedSpans.first).attributes.forEach { all[$0] = $1 }
        return all
    }

    @Test("unset: the names written before the switch existed, and none of the current ones")
    func previous() throws {
        let attributes = try Self.attributes(.previous, code: .unavailable)
        #expect(attributes["rpc.system"] == "grpc")
        #expect(attributes["rpc.service"] == "marketintel.v1.CoreEngine")
        #expect(attributes["rpc.method"] == "GetQuote")
        #expect(attributes["rpc.grpc.status_code"] == 14)
        #expect(attributes["rpc.grpc.request.metadata.grpc-previous-rpc-attempts"] == .stringArray(["1"]))
        #expect(attributes["error.type"] == "UNAVAILABLE")
        for current in [
            "rpc.system.name", "rpc.response.status_code", "rpc.request.metadata.grpc-previous-rpc-attempts",
        ] {
            #expect(attributes[current] == nil, "\(current)")
        }
    }

    @Test("rpc: the current names only, the status as the code's name, OK included")
    func current() throws {
        let attributes = try Self.attributes(.current, code: .notFound)
        #expect(attributes["rpc.system.name"] == "grpc")
        #expect(attributes["rpc.method"] == "marketintel.v1.CoreEngine/GetQuote")
        #expect(attributes["rpc.response.status_code"] == "NOT_FOUND")
        #expect(attributes["rpc.request.metadata.grpc-previous-rpc-attempts"] == .stringArray(["1"]))
        #expect(attributes["error.type"] == "NOT_FOUND")
        for previous in [
            "rpc.system", "rpc.service", "rpc.grpc.status_code", "rpc.grpc.request.metadata.grpc-previous-rpc-attempts",
        ] {
            #expect(attributes[previous] == nil, "\(previous)")
        }
        #expect(try Self.attributes(.current, code: nil)["rpc.response.status_code"] == "OK")
    }

    @Test("rpc/dup: both, and rpc.method, the key they share, fully qualified")
    func both() throws {
        let attributes = try Self.attributes(.both, code: nil)
        #expect(attributes["rpc.system"] == "grpc" && attributes["rpc.system.name"] == "grpc")
        #expect(attributes["rpc.service"] == "marketintel.v1.CoreEngine")
        #expect(attributes["rpc.method"] == "marketintel.v1.CoreEngine/GetQuote")
        #expect(attributes["rpc.grpc.status_code"] == 0 && attributes["rpc.response.status_code"] == "OK")
        #expect(attributes["rpc.grpc.request.metadata.grpc-previous-rpc-attempts"] == .stringArray(["1"]))
        #expect(attributes["rpc.request.metadata.grpc-previous-rpc-attempts"] == .stringArray(["1"]))
        #expect(attributes["error.type"] == nil)
    }
}
