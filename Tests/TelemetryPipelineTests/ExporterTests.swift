import Synchronization
import Testing

@testable import TelemetryPipeline

/// A transport that answers from a script, one outcome per attempt, and keeps what it was sent.
final class ScriptedTransport: OTLPTransport {
    private let state: Mutex<(outcomes: [TransportOutcome], sent: [[UInt8]])>
    /// When set, every send waits this long first (a collector that never answers).
    let hang: Duration?

    init(_ outcomes: [TransportOutcome], hang: Duration? = nil) {
        self.state = Mutex((outcomes, []))
        self.hang = hang
    }

    var sent: [[UInt8]] { self.state.withLock { $0.sent } }

    func send(_ body: [UInt8], timeout: Duration) async -> TransportOutcome {
        if let hang = self.hang {
            do { try await Task.sleep(for: min(hang, timeout)) } catch {
                return .retryable(reason: "cancelled", retryAfter: nil)
            }
        }
        return self.state.withLock { state in
            state.sent.append(body)
            return state.outcomes.isEmpty ? .accepted(response: []) : state.outcomes.removeFirst()
        }
    }

    func run() async throws {}
    func shutdown() async {}
}

@Suite("OTLPExporter: retries as the OTLP specification says, inside the export timeout")
struct ExporterTests {
    static func exporter(_ transport: ScriptedTransport) -> OTLPExporter {
        OTLPExporter(transport: transport, initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(40))
    }

    @Test("a retryable failure is retried until the receiver takes the batch")
    func retriesUntilAccepted() async {
        let transport = ScriptedTransport([
            .retryable(reason: "HTTP 503", retryAfter: nil),
            .retryable(reason: "HTTP 429", retryAfter: .milliseconds(5)),
        ])
        let result = await Self.exporter(transport).export([1, 2, 3], until: .now + .seconds(5))
        #expect(result == .exported(rejected: 0, message: nil))
        #expect(transport.sent == [[1, 2, 3], [1, 2, 3], [1, 2, 3]])
    }

    @Test("a failure that would happen again is not retried")
    func permanentFailure() async {
        let transport = ScriptedTransport([.failed(reason: "HTTP 400")])
        let result = await Self.exporter(transport).export([1], until: .now + .seconds(5))
        #expect(result == .failed(reason: "HTTP 400", attempts: 1))
    }

    @Test("retries stop when the next wait would pass the deadline (a Retry-After longer than the time left)")
    func deadline() async {
        let transport = ScriptedTransport([.retryable(reason: "HTTP 503", retryAfter: .seconds(60))])
        let started = ContinuousClock.now
        let result = await Self.exporter(transport).export([1], until: .now + .milliseconds(500))
        #expect(result == .failed(reason: "HTTP 503; no time left for a retry", attempts: 1))
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test("a partial success reports the records the receiver rejected, and its message")
    func partialSuccess() async {
        // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1): 3, error_message (2): "bad" } }
        let response: [UInt8] = [0x0A, 0x07, 0x08, 0x03, 0x12, 0x03] + Array("bad".utf8)
        let transport = ScriptedTransport([.accepted(response: response)])
        #expect(
            await Self.exporter(transport).export([1], until: .now + .seconds(1))
                == .exported(rejected: 3, message: "bad")
        )
        #expect(
            PartialSuccess(decoding: []) == PartialSuccess(decoding: [0xFF]),
            "an unreadable response is a full success"
        )
    }
}
