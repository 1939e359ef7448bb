import CoreMetrics
import GRPCCore
import ObservabilityPrimitives
import Synchronization

/// The OpenTelemetry RPC metrics in Prometheus naming, for one side (`client` or `server`) of one method.
///
/// Labels are the method's identity (`rpc_service`, `rpc_method`), on the client the replica called
/// (`network_peer_address`, `network_peer_port`), and, once known, `rpc_grpc_status_code`: all bounded by the proto
/// and the replicas, never by what a caller sends. The handlers are made once per method (and per
/// status code), not looked up by name on every call: five lookups per call were a visible share of a hop.
final class RPCMetrics: Sendable {
    private typealias Outcome = (duration: CoreMetrics.Timer, handled: CoreMetrics.Counter)

    private let side: String
    private let dimensions: [(String, String)]
    private let callsStarted: CoreMetrics.Counter
    private let messagesSent: CoreMetrics.Counter
    private let messagesReceived: CoreMetrics.Counter
    /// Client side only: attempts after the first (a retry policy's), so that a retry storm shows.
    private let retries: CoreMetrics.Counter?
    /// By gRPC status code; at most seventeen entries.
    private let outcomes = MadeOnce<Int, Outcome>()

    /// - Parameter peer: The replica called, as grpc-swift describes it (client side); its address and port become
    ///   labels.
    init(side: String, method: MethodDescriptor, peer: String? = nil) {
        self.side = side
        var dimensions = [("rpc_service", method.service.fullyQualifiedService), ("rpc_method", method.method)]
        if let peer = peer.flatMap(RPCPeer.init(description:)) {
            dimensions.append(("network_peer_address", peer.address))
            if let port = peer.port { dimensions.append(("network_peer_port", String(port))) }
        }
        self.dimensions = dimensions
        self.callsStarted = CoreMetrics.Counter(label: "rpc_\(side)_calls_started_total", dimensions: self.dimensions)
        self.messagesSent = CoreMetrics.Counter(label: "rpc_\(side)_messages_sent_total", dimensions: self.dimensions)
        self.messagesReceived = CoreMetrics.Counter(
            label: "rpc_\(side)_messages_received_total",
            dimensions: self.dimensions
        )
        self.retries =
            side == "client" ? CoreMetrics.Counter(label: "rpc_client_retries_total", dimensions: self.dimensions) : nil
    }

    func started() {
        self.callsStarted.increment()
    }

    func retried() {
        self.retries?.increment()
    }

    func messageSent() {
        self.messagesSent.increment()
    }

    func messageReceived() {
        self.messagesReceived.increment()
    }

    /// Records the call's duration and outcome; `error` is `nil` for OK.
    func finished(error: (any Error)?, start: ContinuousClock.Instant) {
        let code = error.map { RPCError.Code(recording: $0).rawValue } ?? 0
        let outcome = self.outcomes.value(for: code) { code in
            let dimensions = self.dimensions + [("rpc_grpc_status_code", String(code))]
            return (
                CoreMetrics.Timer(label: "rpc_\(self.side)_call_duration_seconds", dimensions: dimensions),
                CoreMetrics.Counter(label: "rpc_\(self.side)_calls_handled_total", dimensions: dimensions)
            )
        }
        outcome.duration.recordNanoseconds(start.nanosecondsElapsed)
        outcome.handled.increment()
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
