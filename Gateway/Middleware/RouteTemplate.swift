/// The route template a request matched, as the tracing, metrics and access-log middleware all name it.
enum RouteTemplate {
    /// What Hummingbird's router puts in `endpointPath` when no route matched.
    static let unmatchedEndpoint = "NotFound"
    /// The `http_route` label and `http.route` log field of a request no route matched: raw paths never become
    /// labels, so one value stands for all of them.
    static let unmatchedLabel = "unmatched"

    /// The route template that matched, or `nil` when none did.
    static func matched(_ endpointPath: String?) -> String? {
        endpointPath == Self.unmatchedEndpoint ? nil : endpointPath
    }
}
