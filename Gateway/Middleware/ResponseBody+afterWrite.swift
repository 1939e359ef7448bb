import Hummingbird

extension ResponseBody {
    /// This body, followed by `afterWrite` once it has been written or has failed.
    ///
    /// Hummingbird has the same helper (`withPostWriteClosure`) but keeps it to its own package; the
    /// tracing and access-log middleware need it so a streamed body is inside the span and the duration.
    func afterWrite(_ afterWrite: @escaping @Sendable () -> Void) -> ResponseBody {
        let body = self
        return ResponseBody(contentLength: self.contentLength) { writer in
            defer { afterWrite() }
            try await body.write(writer)
        }
    }
}
