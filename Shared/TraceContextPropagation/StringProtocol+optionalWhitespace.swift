extension StringProtocol {
    /// Without the spaces and tabs HTTP allows around a header value or list member (RFC 9110 `OWS`).
    package func trimmingOptionalWhitespace() -> SubSequence {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = self.firstIndex(where: { !isWhitespace($0) }) else { return self[self.endIndex...] }
        let last = self.lastIndex(where: { !isWhitespace($0) })!
        return self[first...last]
    }
}
