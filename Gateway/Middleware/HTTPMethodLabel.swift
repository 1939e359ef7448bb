/// The request method as the HTTP semantic conventions record it, in the span's name and the metrics' label: the
/// standard methods as they are, anything else `_OTHER`, so a client cannot grow either without bound.
enum HTTPMethodLabel {
    static func label(for method: String) -> String {
        Self.knownMethods.contains(method) ? method : "_OTHER"
    }

    private static let knownMethods: Set<String> = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ]
}
