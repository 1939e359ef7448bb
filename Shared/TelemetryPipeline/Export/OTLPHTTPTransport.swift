import AsyncHTTPClient
import CompressNIO
import NIOCore
import NIOHTTP1

/// OTLP/HTTP with binary protobuf (`http/protobuf`, the specification's default protocol): a POST of the encoded
/// request to the signal's URL, over AsyncHTTPClient (http and https; https trusts the system's roots).
///
/// Its own client, with tracing off: AsyncHTTPClient traces its requests through `InstrumentationSystem.tracer`
/// by default, and an export that traced itself would make a span for every batch of spans.
final class OTLPHTTPTransport: OTLPTransport {
    private let url: String
    private let headers: HTTPHeaders
    private let gzip: Bool
    private let client: HTTPClient

    /// - Parameters:
    ///   - url: The signal's full URL (`…/v1/traces` or `…/v1/logs`).
    ///   - headers: `OTEL_EXPORTER_OTLP_HEADERS` and the signal's own.
    ///   - gzip: `OTEL_EXPORTER_OTLP_COMPRESSION=gzip`.
    init(url: String, headers: [(String, String)], gzip: Bool) {
        self.url = url
        var httpHeaders = HTTPHeaders(headers)
        httpHeaders.replaceOrAdd(name: "content-type", value: "application/x-protobuf")
        if gzip { httpHeaders.replaceOrAdd(name: "content-encoding", value: "gzip") }
        self.headers = httpHeaders
        self.gzip = gzip
        var configuration = HTTPClient.Configuration()
        configuration.tracing.tracer = nil
        configuration.redirectConfiguration = .disallow
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func send(_ body: [UInt8], timeout: Duration) async -> TransportOutcome {
        var request = HTTPClientRequest(url: self.url)
        request.method = .POST
        request.headers = self.headers
        var buffer = ByteBuffer(bytes: body)
        if self.gzip {
            do {
                buffer = try buffer.compress(with: .gzip())
            } catch {
                return .failed(reason: "gzip failed: \(error)")
            }
        }
        request.body = .bytes(buffer)
        do {
            let response = try await self.client.execute(request, deadline: .now() + TimeAmount(timeout))
            // The response is small (a partial success at most); more than 64 KiB is not a collector's.
            let responseBody = try await response.body.collect(upTo: 65536)
            let status = response.status.code
            switch status {
            case 200..<300:
                return .accepted(response: Array(buffer: responseBody))
            case 429, 502, 503, 504:
                return .retryable(
                    reason: "HTTP \(status)",
                    retryAfter: response.headers.first(name: "retry-after").flatMap(Self.retryAfter)
                )
            default:
                return .failed(reason: "HTTP \(status)")
            }
        } catch {
            // No answer at all: refused, reset, timed out. The specification retries transient network failures.
            return .retryable(reason: "\(error)", retryAfter: nil)
        }
    }

    func run() async throws {}

    func shutdown() async {
        try? await self.client.shutdown()
    }

    /// `Retry-After` as a number of seconds (the form a collector sends; an HTTP date is ignored).
    static func retryAfter(_ value: String) -> Duration? {
        Int(value.filter { $0 != " " && $0 != "\t" }).map { .seconds(max(0, $0)) }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
