import HTTPTypes

/// What the gateway answers every traced request with: `traceresponse` (W3C Trace Context Level 2) and the trace id
/// alone in `X-Trace-ID`.
enum TraceResponse {
    /// The trace id of a version-00 `traceparent` value: its second field (`00-<32 hex digits>-…`), copied out of its
    /// bytes (two strings a response, not three); `nil` for a value of another length, which is no version-00 one.
    static func traceID(of headerValue: String) -> String? {
        var headerValue = headerValue
        return headerValue.withUTF8 { bytes in
            bytes.count == 55 ? String(decoding: UnsafeBufferPointer(rebasing: bytes[3..<35]), as: UTF8.self) : nil
        }
    }
}

extension HTTPField.Name {
    /// Made once: a name made from a string is checked and lowercased each time, and these go on every response.
    static let traceID = HTTPField.Name("X-Trace-ID")!
    static let traceResponse = HTTPField.Name("traceresponse")!
}
