import GRPCNIOTransportHTTP2
import ServiceConfiguration

/// Where CoreEngine is, in gRPC's name syntax (grpc/grpc doc/naming.md), so that one setting names one replica or
/// many:
///
/// - `dns:///core-engine:50051` (or `dns:core-engine:50051`, or just `core-engine:50051`): every address the name
///   resolves to is a backend, and the name is resolved again when connections fail, so replicas that come and go
///   (compose's `deploy.replicas`, a Kubernetes headless Service) are found;
/// - `ipv4:127.0.0.1:50051,127.0.0.1:50061` and `ipv6:[::1]:50051,[::1]:50061`: a fixed list;
/// - `unix:/path/to/socket` (or `unix:///path`).
///
/// Unlike gRPC's default (443), a port is required: CoreEngine does not listen on 443, and a target without one is a
/// mistake to report, not to dial.
package enum CoreEngineTarget: Equatable, Sendable {
    case dns(host: String, port: Int)
    case ipv4([Endpoint])
    case ipv6([Endpoint])
    case unix(path: String)

    package struct Endpoint: Equatable, Sendable {
        package var host: String
        package var port: Int
    }

    /// - Parameter variable: The setting the text came from, named in the error.
    package init(parsing text: String, variable: String) throws(ConfigurationError) {
        func fail(_ message: String) -> ConfigurationError {
            ConfigurationError(variable: variable, message: "\(message), got '\(text)'")
        }
        let (scheme, rest): (String, Substring)
        if let colon = text.firstIndex(of: ":"), ["dns", "ipv4", "ipv6", "unix"].contains(text[..<colon].lowercased()) {
            (scheme, rest) = (text[..<colon].lowercased(), text[text.index(after: colon)...])
        } else {
            (scheme, rest) = ("dns", text[...])  // gRPC: an unknown scheme means the whole text is a DNS name
        }
        switch scheme {
        case "dns":
            var name = rest
            if name.hasPrefix("//") {
                name = name.dropFirst(2)
                guard name.first == "/" else {
                    throw fail("a DNS server in the target is not supported (use dns:///host:port)")
                }
                name = name.dropFirst()
            }
            guard let endpoint = Self.endpoint(name, bracketed: name.hasPrefix("[")) else {
                throw fail("must be host:port")
            }
            self = .dns(host: endpoint.host, port: endpoint.port)
        case "ipv4":
            let endpoints = try rest.split(separator: ",", omittingEmptySubsequences: false).map {
                part throws(ConfigurationError) in
                guard let endpoint = Self.endpoint(part, bracketed: false), Self.isIPv4(endpoint.host) else {
                    throw fail("must be ipv4:address:port[,address:port…]")
                }
                return endpoint
            }
            self = .ipv4(endpoints)
        case "ipv6":
            let endpoints = try rest.split(separator: ",", omittingEmptySubsequences: false).map {
                part throws(ConfigurationError) in
                guard let endpoint = Self.endpoint(part, bracketed: true), endpoint.host.contains(":") else {
                    throw fail("must be ipv6:[address]:port[,[address]:port…]")
                }
                return endpoint
            }
            self = .ipv6(endpoints)
        default:
            let path = rest.hasPrefix("//") ? rest.dropFirst(2) : rest
            guard path.hasPrefix("/"), path.count > 1 else { throw fail("must be unix:/absolute/path") }
            self = .unix(path: String(path))
        }
    }

    /// The target for grpc-swift's resolvers.
    var resolvable: any ResolvableTarget {
        switch self {
        case .dns(let host, let port): ResolvableTargets.DNS.dns(host: host, port: port)
        case .ipv4(let endpoints): ResolvableTargets.IPv4.ipv4(pairs: endpoints.map { ($0.host, $0.port) })
        case .ipv6(let endpoints): ResolvableTargets.IPv6.ipv6(pairs: endpoints.map { ($0.host, $0.port) })
        case .unix(let path): ResolvableTargets.UnixDomainSocket.unixDomainSocket(path: path)
        }
    }

    /// What CLIENT spans record as `server.address` and `server.port`: the name dialled; `nil` for a list of
    /// addresses, where each attempt's peer is the server.
    var serverName: (address: String, port: Int?)? {
        switch self {
        case .dns(let host, let port): (host, port)
        case .ipv4(let endpoints), .ipv6(let endpoints):
            endpoints.count == 1 ? (endpoints[0].host, endpoints[0].port) : nil
        case .unix(let path): (path, nil)
        }
    }

    /// `host:port` (an IPv6 host in brackets), with a port from 1 to 65535.
    private static func endpoint(_ text: Substring, bracketed: Bool) -> Endpoint? {
        let host: Substring
        let afterHost: Substring
        if bracketed {
            guard text.hasPrefix("["), let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            afterHost = text[text.index(after: close)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            afterHost = text[colon...]
        }
        guard !host.isEmpty, !host.contains(where: { $0 == "/" || $0 == " " || $0 == "," }), afterHost.hasPrefix(":"),
            let port = Int(afterHost.dropFirst()), (1...65535).contains(port)
        else { return nil }
        return Endpoint(host: String(host), port: port)
    }

    private static func isIPv4(_ host: String) -> Bool {
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { $0.count <= 3 && UInt8($0) != nil }
    }
}

extension CoreEngineTarget: CustomStringConvertible {
    package var description: String {
        switch self {
        case .dns(let host, let port): "dns:///\(host):\(port)"
        case .ipv4(let endpoints): "ipv4:" + endpoints.map { "\($0.host):\($0.port)" }.joined(separator: ",")
        case .ipv6(let endpoints): "ipv6:" + endpoints.map { "[\($0.host)]:\($0.port)" }.joined(separator: ",")
        case .unix(let path): "unix:\(path)"
        }
    }
}
