import Hummingbird
import NIOCore

extension MetricsExposition {
    /// The HTTP response to a scrape whose `Accept` header is `accept`.
    package func response(accept: String?) -> Response {
        let format = Format(accept: accept)
        return Response(
            status: .ok,
            headers: [.contentType: format.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: self.render(format)))
        )
    }
}
