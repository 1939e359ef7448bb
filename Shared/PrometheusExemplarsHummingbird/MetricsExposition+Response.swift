import Hummingbird
import NIOCore
import PrometheusExemplars

extension MetricsExposition {
    /// The Hummingbird response to a scrape whose `Accept` header is `accept`: OpenMetrics with exemplars when
    /// the scraper asks for it, the Prometheus text format otherwise.
    public func response(accept: String?) -> Response {
        let format = Format(accept: accept)
        return Response(
            status: .ok,
            headers: [.contentType: format.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: self.render(format)))
        )
    }
}
