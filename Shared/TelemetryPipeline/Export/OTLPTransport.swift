/// Sends one encoded OTLP export request (`ExportTraceServiceRequest` or `ExportLogsServiceRequest`) once.
///
/// Two implementations, one per `OTEL_EXPORTER_OTLP_PROTOCOL`: `OTLPHTTPTransport` (`http/protobuf`) and
/// `OTLPGRPCTransport` (`grpc`). Retrying is `OTLPExporter`'s, so both transports only say whether a failure may
/// be retried, as the OTLP specification classifies it.
protocol OTLPTransport: Sendable {
    /// Sends `body`, waiting at most `timeout`.
    func send(_ body: [UInt8], timeout: Duration) async -> TransportOutcome

    /// Keeps the transport's connections until the task is cancelled or `shutdown()` is called (gRPC's); the HTTP
    /// transport holds none of its own and returns at once.
    func run() async throws

    /// Closes the transport once the exports in flight have finished.
    func shutdown() async
}

/// What one attempt to send an export request came to.
enum TransportOutcome: Sendable, Equatable {
    /// The receiver took the request; its response, which may report a partial success.
    case accepted(response: [UInt8])
    /// A failure the OTLP specification says to retry (HTTP 429, 502, 503, 504; gRPC UNAVAILABLE and the like; a
    /// refused or broken connection), with the wait the receiver asked for, if it asked.
    case retryable(reason: String, retryAfter: Duration?)
    /// A failure that would happen again (a bad request, a missing endpoint): the batch is dropped.
    case failed(reason: String)
}
