import Testing
import TraceContextPropagation

@Suite("W3C baggage")
struct W3CBaggageTests {
    @Test("parses members with properties and writes them back")
    func roundTrip() throws {
        let baggage = try #require(W3CBaggage(headerValue: "user=alice, tenant = acme;ttl=1,bad key=x,=novalue"))
        #expect(baggage.entries.map(\.key) == ["user", "tenant"])
        #expect(baggage.headerValue == "user=alice,tenant=acme;ttl=1")
    }

    @Test("refuses a header over 8192 bytes")
    func tooLong() {
        #expect(W3CBaggage(headerValue: "k=" + String(repeating: "v", count: 8200)) == nil)
    }

    @Test("keeps at most 180 members")
    func maximumMembers() throws {
        let header = (0..<200).map { "k\($0)=v" }.joined(separator: ",")
        #expect(try #require(W3CBaggage(headerValue: header)).entries.count == 180)
    }
}
