import GRPCObservability
import Testing

@Suite("gRPC peer descriptions")
struct RPCPeerTests {
    @Test(
        "reads address and port",
        arguments: [
            ("ipv4:127.0.0.1:50051", RPCPeer(address: "127.0.0.1", port: 50051)),
            ("ipv6:[::1]:8080", RPCPeer(address: "::1", port: 8080)),
            ("unix:/tmp/socket", RPCPeer(address: "/tmp/socket", port: nil)),
        ]
    )
    func parses(description: String, expected: RPCPeer) {
        #expect(RPCPeer(description: description) == expected)
    }

    @Test("ignores descriptions it does not know", arguments: ["in-process:1", "nonsense"])
    func ignores(description: String) {
        #expect(RPCPeer(description: description) == nil)
    }
}
