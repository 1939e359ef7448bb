import GRPCCore
import GRPCNIOTransportHTTP2

extension HTTP2ClientTransport.Posix {
    /// The connection to CoreEngine: HTTP/2 over TCP, plaintext, reconnecting soon after CoreEngine comes back.
    ///
    /// grpc-swift's default reconnect backoff starts at 1 s and grows by 1.6× up to 2 minutes, so after a
    /// 5-second CoreEngine restart the gateway kept answering 503 for another 4.5 s. Here it starts at 100 ms
    /// and stops growing at 1 s (±20 % jitter): at most about one connection attempt a second while CoreEngine
    /// is away, and the first request succeeds within about a second of CoreEngine listening again.
    static func coreEngine(host: String, port: Int) throws -> Self {
        try HTTP2ClientTransport.Posix(
            target: .dns(host: host, port: port),
            transportSecurity: .plaintext,
            config: .defaults { config in
                config.backoff = .init(initial: .milliseconds(100), max: .seconds(1), multiplier: 1.6, jitter: 0.2)
            }
        )
    }
}
