/// Sends an encoded batch through a transport, retrying what the OTLP specification says to retry, with
/// exponential backoff and jitter (or the receiver's `Retry-After`), always inside the export timeout.
struct OTLPExporter: Sendable {
    let transport: any OTLPTransport
    /// How long one attempt may take (`OTEL_EXPORTER_OTLP_TIMEOUT`); the deadline bounds all of them.
    var attemptTimeout: Duration = .seconds(10)
    /// The first wait before a retry; each later one doubles, up to `maximumBackoff`.
    var initialBackoff: Duration = .milliseconds(500)
    var maximumBackoff: Duration = .seconds(5)

    /// What an export came to, after its retries.
    enum Result: Sendable, Equatable {
        /// Delivered; `rejected` records the receiver refused (OTLP partial success), with its message.
        case exported(rejected: Int, message: String?)
        /// Not delivered: the batch is dropped.
        case failed(reason: String, attempts: Int)
    }

    /// Sends `body` until it is delivered, fails for good, or `deadline` leaves no time for another attempt.
    func export(_ body: [UInt8], until deadline: ContinuousClock.Instant) async -> Result {
        var backoff = self.initialBackoff
        var attempts = 0
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { return .failed(reason: "the export timeout ran out", attempts: attempts) }
            attempts += 1
            switch await self.transport.send(body, timeout: min(remaining, self.attemptTimeout)) {
            case .accepted(let response):
                let partial = PartialSuccess(decoding: response)
                return .exported(rejected: partial.rejected, message: partial.message)
            case .failed(let reason):
                return .failed(reason: reason, attempts: attempts)
            case .retryable(let reason, let retryAfter):
                // Equal jitter: somewhere in the upper half of the backoff, so that exporters that failed together
                // do not come back together.
                let wait = retryAfter ?? backoff * Double.random(in: 0.5...1.0)
                backoff = min(backoff * 2, self.maximumBackoff)
                guard ContinuousClock.now + wait < deadline else {
                    return .failed(reason: "\(reason); no time left for a retry", attempts: attempts)
                }
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    return .failed(reason: "\(reason); cancelled before the retry", attempts: attempts)
                }
            }
        }
    }
}

/// An OTLP export response's `partial_success`: how many records the receiver rejected, and why.
struct PartialSuccess: Equatable {
    var rejected = 0
    var message: String?

    /// Reads field 1 (`partial_success`) of an `Export…ServiceResponse`, and in it field 1 (`rejected_spans` or
    /// `rejected_log_records`) and field 2 (`error_message`). An empty or unreadable response is a full success.
    init(decoding response: [UInt8]) {
        var reader = ProtobufReader(response)
        while let (field, value) = reader.next() {
            guard field == 1, case .bytes(let partial) = value else { continue }
            var inner = ProtobufReader(partial)
            while let (innerField, innerValue) = inner.next() {
                switch (innerField, innerValue) {
                case (1, .varint(let count)): self.rejected = Int(truncatingIfNeeded: count)
                case (2, .bytes(let text)): self.message = text.isEmpty ? nil : String(decoding: text, as: UTF8.self)
                default: break
                }
            }
        }
    }
}
