import GRPCCore
import GRPCNIOTransportHTTP2

/// OTLP/gRPC (`grpc`): the collector's `Export` RPC over grpc-swift-2, carrying the bytes `SpanEncoder` or
/// `LogRecordEncoder` wrote, so no generated collector code is needed.
///
/// Every call waits for the channel to be ready (gRPC's wait-for-ready), within the export timeout: a batch sent
/// before the collector listens is delivered once it does, instead of failing at once.
final class OTLPGRPCTransport: OTLPTransport {
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let method: MethodDescriptor
    private let metadata: Metadata
    private let gzip: Bool

    /// The `Export` method of the trace and the logs services.
    static let traceExport = MethodDescriptor(
        fullyQualifiedService: "opentelemetry.proto.collector.trace.v1.TraceService",
        method: "Export"
    )
    static let logsExport = MethodDescriptor(
        fullyQualifiedService: "opentelemetry.proto.collector.logs.v1.LogsService",
        method: "Export"
    )

    /// - Parameters:
    ///   - host, port: The collector, from the endpoint URL.
    ///   - tls: Whether the endpoint is `https`: TLS with the system's trust roots.
    ///   - headers: `OTEL_EXPORTER_OTLP_HEADERS` and the signal's own, sent as metadata.
    init(host: String, port: Int, tls: Bool, method: MethodDescriptor, headers: [(String, String)], gzip: Bool) throws {
        let transport = try HTTP2ClientTransport.Posix(
            target: .dns(host: host, port: port),
            transportSecurity: tls ? .tls() : .plaintext,
            config: .defaults { config in
                // A collector that comes back is found within about a second, as the gateway finds CoreEngine.
                config.backoff = .init(initial: .milliseconds(100), max: .seconds(1), multiplier: 1.6, jitter: 0.2)
                if gzip { config.compression = .init(algorithm: .gzip, enabledAlgorithms: .gzip) }
            }
        )
        self.client = GRPCClient(transport: transport)
        self.method = method
        var metadata = Metadata()
        for (name, value) in headers { metadata.addString(value, forKey: name.lowercased()) }
        self.metadata = metadata
        self.gzip = gzip
    }

    func send(_ body: [UInt8], timeout: Duration) async -> TransportOutcome {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = true
        if self.gzip { options.compression = .gzip }
        do {
            let response = try await self.client.unary(
                request: ClientRequest(message: body, metadata: self.metadata),
                descriptor: self.method,
                serializer: EncodedMessage(),
                deserializer: EncodedMessage(),
                options: options
            ) { response in try response.message }
            return .accepted(response: response)
        } catch let error as RPCError {
            let reason = "gRPC \(error.code): \(error.message)"
            // The OTLP specification's retryable codes; RESOURCE_EXHAUSTED only with retry information, which this
            // exporter does not read, so it is not retried.
            switch error.code {
            case .cancelled, .deadlineExceeded, .aborted, .outOfRange, .unavailable, .dataLoss:
                return .retryable(reason: reason, retryAfter: nil)
            default:
                return .failed(reason: reason)
            }
        } catch {
            return .retryable(reason: "\(error)", retryAfter: nil)
        }
    }

    func run() async throws {
        try await self.client.runConnections()
    }

    func shutdown() async {
        self.client.beginGracefulShutdown()
    }
}

/// A message that is already protobuf bytes, both ways.
struct EncodedMessage: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
