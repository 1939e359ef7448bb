/// Everything `TelemetryPipeline` needs, usually read from the standard `OTEL_*` variables with
/// `init(environment:resource:)`.
public struct TelemetryPipelineConfiguration: Sendable {
    /// The resource every span and log record carries (`service.name`, `service.instance.id`, …).
    public var resource: [String: String]
    public var sampler: Sampler
    public var spanLimits: SpanLimits
    /// The span processor (`OTEL_BSP_*`).
    public var spans: BatchSettings
    /// The log-record processor (`OTEL_BLRP_*`).
    public var logRecords: BatchSettings
    /// Where spans go (`OTEL_TRACES_EXPORTER=otlp`, the default); `nil` for `none`: spans are sampled and
    /// propagated but not recorded.
    public var tracesExporter: OTLPEndpoint?
    /// Where log records go (`OTEL_LOGS_EXPORTER=otlp`); `nil` (the default, `none`) makes no log handler.
    public var logsExporter: OTLPEndpoint?
    /// How long both processors may take to flush at shutdown, counted from its start: with the default 5 s a
    /// process exits within Docker's 10-second stop grace even when the collector is away.
    public var flushBudget: Duration = .seconds(5)
    /// Log attributes whose values are replaced when a record is encoded (`LogAttributeRedaction`); none by default.
    public var logAttributeRedaction: LogAttributeRedaction = .none

    public init(
        resource: [String: String],
        sampler: Sampler = .parentBased(root: .alwaysOn),
        spanLimits: SpanLimits = SpanLimits(),
        spans: BatchSettings = .spans,
        logRecords: BatchSettings = .logRecords,
        tracesExporter: OTLPEndpoint? = OTLPEndpoint(signal: .traces),
        logsExporter: OTLPEndpoint? = nil
    ) {
        self.resource = resource
        self.sampler = sampler
        self.spanLimits = spanLimits
        self.spans = spans
        self.logRecords = logRecords
        self.tracesExporter = tracesExporter
        self.logsExporter = logsExporter
    }
}

/// One signal's OTLP exporter: `OTEL_EXPORTER_OTLP_[TRACES_|LOGS_]ENDPOINT`, `…PROTOCOL`, `…HEADERS`,
/// `…COMPRESSION` and `…TIMEOUT`.
public struct OTLPEndpoint: Sendable {
    public enum Signal: Sendable {
        case traces
        case logs

        var path: String { self == .traces ? "v1/traces" : "v1/logs" }
    }

    public enum TransportProtocol: String, Sendable {
        case grpc
        case httpProtobuf = "http/protobuf"
    }

    public var signal: Signal
    /// For `http/protobuf` the full URL of the signal (`…/v1/traces`); for `grpc` the collector's `http://` or
    /// `https://` address.
    public var url: String
    public var transportProtocol: TransportProtocol
    public var headers: [(String, String)]
    public var gzip: Bool
    /// How long one attempt may take (`…TIMEOUT`, default 10 s); the processor's export timeout bounds the retries.
    public var attemptTimeout: Duration

    /// The specification's defaults: OTLP/HTTP to `http://localhost:4318/v1/<signal>`.
    public init(
        signal: Signal,
        url: String? = nil,
        transportProtocol: TransportProtocol = .httpProtobuf,
        headers: [(String, String)] = [],
        gzip: Bool = false,
        attemptTimeout: Duration = .seconds(10)
    ) {
        self.signal = signal
        self.transportProtocol = transportProtocol
        self.url =
            url ?? (transportProtocol == .grpc ? "http://localhost:4317" : "http://localhost:4318/\(signal.path)")
        self.headers = headers
        self.gzip = gzip
        self.attemptTimeout = attemptTimeout
    }

    /// Scheme, host and port of `url` (80 or 443 when it names none); `nil` when it is not an http(s) URL.
    public var hostAndPort: (tls: Bool, host: String, port: Int)? {
        let lowercased = self.url.lowercased()
        let tls = lowercased.hasPrefix("https://")
        guard tls || lowercased.hasPrefix("http://") else { return nil }
        let authority = self.url.dropFirst(tls ? 8 : 7).prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
        let defaultPort = tls ? 443 : 80
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            guard let port = rest.hasPrefix(":") ? Int(rest.dropFirst()) : defaultPort, !host.isEmpty else {
                return nil
            }
            return (tls, String(host), port)
        }
        let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let host = parts.first, !host.isEmpty,
            let port = parts.count == 2 ? Int(parts[1]) : defaultPort
        else { return nil }
        return (tls, String(host), port)
    }
}
