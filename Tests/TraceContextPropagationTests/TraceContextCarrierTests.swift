import Testing

@testable import TraceContextPropagation

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
            "00-:af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",  // the byte after '9'
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333`-01",  // the byte before 'a'
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b71692033\u{7f}1-01",  // a control byte
        ]
    )
    func rejectsMalformed(value: String) {
        #expect(TraceParent(headerValue: value) == nil)
        #expect(TraceParent.fields(ofHeaderValue: value) == nil)
    }

    @Test(
        "reads a String as it reads any other text",
        arguments: [
            (valid, true), (" \(valid)\t", true),
            ("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03-later", true),
            ("", false), ("00-zzz", false), ("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", false),
            ("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false),
        ]
    )
    func stringAndSubstringAgree(value: String, isValid: Bool) {
        // The `String` overload is the one other modules call; the generic one reads a substring.
        let fields = TraceParent.fields(ofHeaderValue: value)
        #expect((fields != nil) == isValid)
        #expect(fields == TraceParent.fields(ofHeaderValue: value[...]))
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
        let carrier = TraceContextCarrier(validating: { headers[$0].map { [$0] } ?? [] })
        #expect(carrier == TraceContextCarrier(traceParent: Self.valid, traceState: "vendor=1", baggage: "user=alice"))
        #expect(carrier.fields.map(\.name) == ["traceparent", "tracestate", "baggage"])
        var visited: [String] = []
        carrier.forEachField { name, value in visited.append("\(name)=\(value)") }
        #expect(visited == carrier.fields.map { "\($0.name)=\($0.value)" })
    }

    @Test("drops a malformed traceparent and the tracestate that depends on it")
    func dropsMalformed() {
        let headers = ["traceparent": "00-zzz", "tracestate": "vendor=1"]
        let carrier = TraceContextCarrier(validating: { headers[$0].map { [$0] } ?? [] })
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
        let carrier = TraceContextCarrier(validating: { headers[$0].map { [$0] } ?? [] })
        #expect(carrier.traceParent == Self.valid)
        #expect(carrier.traceState == nil)
        #expect(carrier.baggage == nil)
    }

    // MARK: The cases of the W3C trace-context test suite (test/test.py), as rules of our parser and carrier.

    static let traceID = "12345678901234567890123456789012"
    static let parent = "00-12345678901234567890123456789012-1234567890123456-01"

    /// The carrier for headers given as (name, value) pairs in order, a name possibly repeated.
    static func carrier(_ headers: [(String, String)]) -> TraceContextCarrier {
        TraceContextCarrier(validating: { name in headers.filter { $0.0 == name }.map(\.1) })
    }

    @Test(
        "continues a traceparent the spec calls valid, sent on as version 00",
        arguments: [
            (
                "00-12345678901234567890123456789012-1234567890123456-01",
                "00-12345678901234567890123456789012-1234567890123456-01"
            ),
            (
                " 00-12345678901234567890123456789012-1234567890123456-01",
                "00-12345678901234567890123456789012-1234567890123456-01"
            ),
            (
                "\t00-12345678901234567890123456789012-1234567890123456-01 \t",
                "00-12345678901234567890123456789012-1234567890123456-01"
            ),
            (
                "cc-12345678901234567890123456789012-1234567890123456-01",
                "00-12345678901234567890123456789012-1234567890123456-01"
            ),
            (
                "cc-12345678901234567890123456789012-1234567890123456-03-what-the-future-will-be-like",
                "00-12345678901234567890123456789012-1234567890123456-03"
            ),
        ]
    )
    func continuesValidTraceParent(header: String, sentOn: String) {
        #expect(Self.carrier([("traceparent", header)]).traceParent == sentOn)
    }

    @Test(
        "starts a new trace for every traceparent the spec calls invalid",
        arguments: [
            "00-12345678901234567890123456789012-1234567890123456-01.",
            " \u{301}00-12345678901234567890123456789012-1234567890123456-01",  // a mark on the whitespace
            "00-12345678901234567890123456789012-1234567890123456-01 \u{301}",
            "00-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like",
            "cc-12345678901234567890123456789012-1234567890123456-01.what-the-future-will-be-like",
            "ff-12345678901234567890123456789012-1234567890123456-01",
            ".0-12345678901234567890123456789012-1234567890123456-01",
            "0.-12345678901234567890123456789012-1234567890123456-01",
            "000-12345678901234567890123456789012-1234567890123456-01",
            "0000-12345678901234567890123456789012-1234567890123456-01",
            "0-12345678901234567890123456789012-1234567890123456-01",
            "00-00000000000000000000000000000000-1234567890123456-01",
            "00-.2345678901234567890123456789012-1234567890123456-01",
            "00-1234567890123456789012345678901.-1234567890123456-01",
            "00-123456789012345678901234567890123-1234567890123456-01",
            "00-1234567890123456789012345678901-1234567890123456-01",
            "00-12345678901234567890123456789012-0000000000000000-01",
            "00-12345678901234567890123456789012-.234567890123456-01",
            "00-12345678901234567890123456789012-123456789012345.-01",
            "00-12345678901234567890123456789012-12345678901234567-01",
            "00-12345678901234567890123456789012-123456789012345-01",
            "00-12345678901234567890123456789012-1234567890123456-.0",
            "00-12345678901234567890123456789012-1234567890123456-0.",
            "00-12345678901234567890123456789012-1234567890123456-001",
            "00-12345678901234567890123456789012-1234567890123456-1",
        ]
    )
    func dropsInvalidTraceParent(header: String) {
        let carrier = Self.carrier([("traceparent", header), ("tracestate", "foo=1")])
        #expect(carrier.traceParent == nil)
        #expect(carrier.traceState == nil)
    }

    @Test("two traceparent headers start a new trace")
    func dropsDuplicatedTraceParent() {
        let carrier = Self.carrier([
            ("traceparent", "00-12345678901234567890123456789011-1234567890123456-01"),
            ("traceparent", Self.parent),
        ])
        #expect(carrier.traceParent == nil)
    }

    @Test(
        "passes on a valid tracestate, combined across headers, without optional whitespace",
        arguments: [
            ([], nil),
            ([""], nil),
            (["foo=1", ""], "foo=1"),
            (["", "foo=1"], "foo=1"),
            (["foo=1,bar=2"], "foo=1,bar=2"),
            (["foo=1,bar=2", "rojo=1,congo=2", "baz=3"], "foo=1,bar=2,rojo=1,congo=2,baz=3"),
            (["foo=1 \t , \t bar=2, \t baz=3"], "foo=1,bar=2,baz=3"),
            (["foo=1\t \t,\t \tbar=2,\t \tbaz=3"], "foo=1,bar=2,baz=3"),
            (["\t foo=1 \t"], "foo=1"),
            (["foo=1,,bar=2"], "foo=1,bar=2"),
            (
                ["foo=1", String(repeating: "z", count: 256) + "=1"],
                "foo=1," + String(repeating: "z", count: 256) + "=1"
            ),
            (
                ["t" + String(repeating: "t", count: 240) + "@" + String(repeating: "v", count: 14) + "=1"],
                "t" + String(repeating: "t", count: 240) + "@" + String(repeating: "v", count: 14) + "=1"
            ),
            (["0tenant@vendor=a b"], "0tenant@vendor=a b"),
            // Duplicated keys are the sender's business (w3c/trace-context#477): passed on as they came.
            (["foo=1,foo=1"], "foo=1,foo=1"),
            (["foo=1,foo=2"], "foo=1,foo=2"),
            (["foo=1", "foo=2"], "foo=1,foo=2"),
            // `@` is a key character like any other after the first (w3c/trace-context#584).
            (["foo@=1,bar=2"], "foo@=1,bar=2"),
            (["foo@@bar=1,bar=2"], "foo@@bar=1,bar=2"),
            (["foo@bar@baz=1,bar=2"], "foo@bar@baz=1,bar=2"),
            (
                ["foo=1", String(repeating: "t", count: 242) + "@v=1"],
                "foo=1," + String(repeating: "t", count: 242) + "@v=1"
            ),
            (
                ["foo=1", "t@" + String(repeating: "v", count: 15) + "=1"],
                "foo=1,t@" + String(repeating: "v", count: 15) + "=1"
            ),
            (["t@1v=1"], "t@1v=1"),
        ] as [([String], String?)]
    )
    func passesValidTraceState(headers: [String], sentOn: String?) {
        let carrier = Self.carrier([("traceparent", Self.parent)] + headers.map { ("tracestate", $0) })
        #expect(carrier.traceParent == Self.parent)
        #expect(carrier.traceState == sentOn)
    }

    @Test("passes on every character the tracestate grammar allows")
    func passesAllAllowedCharacters() {
        let key = "abcdefghijklmnopqrstuvwxyz0123456789_-*/"
        let value = String(decoding: Array(0x20...0x2B) + Array(0x2D...0x3C) + Array(0x3E...0x7E), as: UTF8.self)
        for member in [key + "=" + value, key + "@a-z0-9_-*/=" + value] {
            #expect(Self.carrier([("traceparent", Self.parent), ("tracestate", member)]).traceState == member)
        }
    }

    static let thirtyTwoMembers = (1...32).map { "bar\($0)=\($0)" }

    @Test(
        "drops an invalid tracestate whole and keeps the trace",
        arguments: [
            ["foo =1"], ["FOO=1"], ["foo.bar=1"], ["@foo=1,bar=2"], ["_foo=1"], ["foo=1", "Foo@bar=1"],
            [thirtyTwoMembers.joined(separator: ",") + ",bar33=33"],
            ["foo=1", String(repeating: "z", count: 257) + "=1"],
            ["foo=1", String(repeating: "t", count: 242) + "@" + String(repeating: "v", count: 14) + "=1"],
            ["foo=bar=baz"], ["foo=,bar=3"], ["foo=1,bar"], ["foo=a\u{7F}"], ["foo=é"],
            ["foo=" + String(repeating: "v", count: 257)],
        ]
    )
    func dropsInvalidTraceState(headers: [String]) {
        let carrier = Self.carrier([("traceparent", Self.parent)] + headers.map { ("tracestate", $0) })
        #expect(carrier.traceParent == Self.parent)
        #expect(carrier.traceState == nil)
    }

    @Test(
        "hands the tracer only a tracestate its older tenant@system grammar takes",
        arguments: [
            ("foo=1,bar@baz=2", true),
            (String(repeating: "t", count: 241) + "@" + String(repeating: "v", count: 14) + "=1", true),
            ("foo=1,foo@bar@baz=1", false),
            (String(repeating: "t", count: 242) + "@v=1", false),
            ("t@" + String(repeating: "v", count: 15) + "=1", false),
        ] as [(String, Bool)]
    )
    func tracerReadsOnlyTheOlderGrammar(traceState: String, readable: Bool) {
        let carrier = Self.carrier([("traceparent", Self.parent), ("tracestate", traceState)])
        #expect(carrier.traceState == traceState)
        let seenByTracer = TraceContextCarrier.Extractor().extract(key: "tracestate", from: carrier)
        #expect(seenByTracer == (readable ? traceState : nil))
    }

    @Test("passes on thirty-two tracestate members")
    func passesThirtyTwoMembers() {
        let headers = stride(from: 0, to: 32, by: 10).map {
            Self.thirtyTwoMembers[$0..<min($0 + 10, 32)].joined(separator: ",")
        }
        let carrier = Self.carrier([("traceparent", Self.parent)] + headers.map { ("tracestate", $0) })
        #expect(carrier.traceState == Self.thirtyTwoMembers.joined(separator: ","))
    }

    @Test("a tracestate without a traceparent is dropped")
    func dropsTraceStateWithoutTraceParent() {
        #expect(Self.carrier([("tracestate", "foo=1")]) == TraceContextCarrier())
    }

    @Test("repeated baggage headers are one list")
    func joinsBaggage() {
        #expect(Self.carrier([("baggage", "a=1"), ("baggage", "b=2")]).baggage == "a=1,b=2")
    }
}
