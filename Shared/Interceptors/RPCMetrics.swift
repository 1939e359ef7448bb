import CoreMetrics
import GRPCCore
import Synchronization

/// The OpenTelemetry RPC metrics in Prometheus naming, for one side (`client` or `server`) of one method.
///
/// Labels are the method's identity (`rpc_service`, `rpc_method`) and, once known, `rpc_grpc_status_code`:
/// all bounded by the proto, never by what a caller sends.
struct RPCMetrics: Sendable {
    let side: String
    let dimensions: [(String, String)]

    init(side: String, method: MethodDescriptor) {
        self.side = side
        self.dimensions = [("rpc_service", method.service.fullyQualifiedService), ("rpc_method", method.method)]
    }

    func started() {
        CoreMetrics.Counter(label: "rpc_\(self.side)_calls_started_total", dimensions: self.dimensions).increment()
    }

    func messageSent() {
        CoreMetrics.Counter(label: "rpc_\(self.side)_messages_sent_total", dimensions: self.dimensions).increment()
    }

    func messageReceived() {
        CoreMetrics.Counter(label: "rpc_\(self.side)_messages_received_total", dimensions: self.dimensions).increment()
    }

    /// Records the call's duration and outcome; `error` is `nil` for OK.
    func finished(error: (any Error)?, start: ContinuousClock.Instant) {
        let code = error.map { RPCError.Code(recording: $0).rawValue } ?? 0
        let dimensions = self.dimensions + [("rpc_grpc_status_code", String(code))]
        CoreMetrics.Timer(label: "rpc_\(self.side)_call_duration_seconds", dimensions: dimensions)
            .recordNanoseconds(start.nanosecondsElapsed)
        CoreMetrics.Counter(label: "rpc_\(self.side)_calls_handled_total", dimensions: dimensions).increment()
    }
}

/// Counts messages as they pass through a writer.
struct CountingWriter<Element: Sendable>: RPCWriterProtocol {
    let base: RPCWriter<Element>
    let onMessage: @Sendable () -> Void

    func write(_ element: Element) async throws {
        try await self.base.write(element)
        self.onMessage()
    }

    func write(contentsOf elements: some Sequence<Element>) async throws {
        for element in elements { try await self.write(element) }
    }
}

/// Counts messages as they are read from a sequence.
struct CountingSequence<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element: Sendable {
    typealias Element = Base.Element
    typealias Failure = any Error

    let base: Base
    let onElement: @Sendable (Base.Element) -> Void

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: self.base.makeAsyncIterator(), onElement: self.onElement)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let onElement: @Sendable (Base.Element) -> Void

        mutating func next() async throws -> Element? {
            let element = try await self.base.next()
            if let element { self.onElement(element) }
            return element
        }
    }
}

/// Runs a closure once, whichever path gets there first.
final class Once: Sendable {
    private let done = Mutex(false)

    func run(_ body: () -> Void) {
        let first = self.done.withLock { done in
            defer { done = true }
            return !done
        }
        if first { body() }
    }
}
