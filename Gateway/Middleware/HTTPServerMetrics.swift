import CoreMetrics
import ObservabilityPrimitives
import PrometheusExemplars

/// The handlers of the HTTP server metrics, made once per label set and then reused: looking a handler up by
/// name and labels on every request was a visible share of the gateway's cost per request.
///
/// Every label is bounded: the method is one of the standard ones or `_OTHER`, the route a template of the
/// router or `unmatched`, the status a three-digit code.
final class HTTPServerMetrics: Sendable {
    /// Their help text and buckets, which the gateway's metrics registry is made with.
    static let definitions = MetricDefinitions([
        "http_server_request_duration_seconds": .init(
            help: "Duration of HTTP server requests.",
            buckets: MetricDefinitions.durationBuckets
        ),
        "http_server_active_requests": .init(help: "Number of HTTP server requests in flight."),
    ])

    private struct DurationKey: Hashable, Sendable {
        var method: String
        var route: String
        var status: Int
    }

    private let activeRequests = MadeOnce<String, CoreMetrics.Meter>()
    private let durations = MadeOnce<DurationKey, CoreMetrics.Timer>()

    /// `http_server_active_requests` for `method`.
    func activeRequests(method: String) -> CoreMetrics.Meter {
        self.activeRequests.value(for: method) { method in
            CoreMetrics.Meter(label: "http_server_active_requests", dimensions: [("http_request_method", method)])
        }
    }

    /// `http_server_request_duration_seconds` for one method, route and status.
    func duration(method: String, route: String, status: Int) -> CoreMetrics.Timer {
        self.durations.value(for: DurationKey(method: method, route: route, status: status)) { key in
            CoreMetrics.Timer(
                label: "http_server_request_duration_seconds",
                dimensions: [
                    ("http_request_method", key.method), ("http_route", key.route),
                    ("http_response_status_code", String(key.status)),
                ]
            )
        }
    }
}
