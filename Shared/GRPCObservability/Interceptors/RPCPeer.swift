/// An address and port read from grpc-swift's peer descriptions (`ipv4:127.0.0.1:50051`,
/// `ipv6:[::1]:50051`, `unix:/path`, `in-process:1234`), for the `server.*`, `client.*` and
/// `network.peer.*` span attributes.
package struct RPCPeer: Sendable, Equatable {
    package var address: String
    package var port: Int?

    package init(address: String, port: Int?) {
        self.address = address
        self.port = port
    }

    package init?(description: String) {
        guard let colon = description.firstIndex(of: ":") else { return nil }
        let scheme = description[..<colon]
        let rest = description[description.index(after: colon)...]
        switch scheme {
        case "ipv4":
            guard let portColon = rest.lastIndex(of: ":") else { return nil }
            self.address = String(rest[..<portColon])
            self.port = Int(rest[rest.index(after: portColon)...])
        case "ipv6":
            // "[::1]:50051"
            guard rest.first == "[", let close = rest.lastIndex(of: "]") else { return nil }
            self.address = String(rest[rest.index(after: rest.startIndex)..<close])
            let afterClose = rest[rest.index(after: close)...]
            self.port = afterClose.first == ":" ? Int(afterClose.dropFirst()) : nil
        case "unix":
            self.address = String(rest)
            self.port = nil
        default:
            return nil
        }
    }
}
