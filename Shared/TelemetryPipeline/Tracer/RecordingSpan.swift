import Synchronization
import Tracing

/// The state of a span that is sampled: what it records until it ends, behind one lock.
///
/// Ending hands the object itself to the span queue (no copy into another type); the exporter reads its state
/// there, after the last write, so the lock is never contended then.
final class RecordingSpan: Sendable {
    let spanContext: SpanContext
    let parentSpanID: SpanID?
    /// Whether the parent came from another process (OTLP's span flags say so).
    let parentIsRemote: Bool
    let kind: SpanKind
    let startNanoseconds: UInt64
    private let limits: SpanLimits
    private let queue: BatchQueue<RecordingSpan>
    private let state: Mutex<State>

    struct State: Sendable {
        var name: String
        var attributes = SpanAttributes()
        var events: [SpanEvent] = []
        var links: [SpanLink] = []
        var status: SpanStatus?
        var endNanoseconds: UInt64 = 0
        var droppedEvents = 0
        var droppedLinks = 0
    }

    init(
        name: String,
        spanContext: SpanContext,
        parentSpanID: SpanID?,
        parentIsRemote: Bool,
        kind: SpanKind,
        startNanoseconds: UInt64,
        limits: SpanLimits,
        queue: BatchQueue<RecordingSpan>
    ) {
        self.spanContext = spanContext
        self.parentSpanID = parentSpanID
        self.parentIsRemote = parentIsRemote
        self.kind = kind
        self.startNanoseconds = startNanoseconds
        self.limits = limits
        self.queue = queue
        self.state = Mutex(State(name: name))
    }

    var isRecording: Bool { self.state.withLock { $0.endNanoseconds == 0 } }

    var name: String {
        get { self.state.withLock { $0.name } }
        set { self.state.withLock { if $0.endNanoseconds == 0 { $0.name = newValue } } }
    }

    var attributes: SpanAttributes {
        get { self.state.withLock { $0.attributes } }
        set { self.state.withLock { if $0.endNanoseconds == 0 { $0.attributes = newValue } } }
    }

    /// Sets the status by the API's rules: `ok` is final, and an `error` never replaces it.
    func setStatus(_ status: SpanStatus) {
        self.state.withLock { state in
            guard state.endNanoseconds == 0, state.status?.code != .ok else { return }
            state.status = status.code == .error ? status : SpanStatus(code: .ok)
        }
    }

    func addEvent(_ event: SpanEvent) {
        let limit = self.limits.eventCount
        self.state.withLock { state in
            guard state.endNanoseconds == 0 else { return }
            if state.events.count < limit { state.events.append(event) } else { state.droppedEvents += 1 }
        }
    }

    func addLink(_ link: SpanLink) {
        let limit = self.limits.linkCount
        self.state.withLock { state in
            guard state.endNanoseconds == 0 else { return }
            if state.links.count < limit { state.links.append(link) } else { state.droppedLinks += 1 }
        }
    }

    /// Ends the span once (a second end is ignored) and queues it for export.
    func end(at nanoseconds: UInt64) {
        let ended = self.state.withLock { state in
            guard state.endNanoseconds == 0 else { return false }
            state.endNanoseconds = max(nanoseconds, self.startNanoseconds, 1)
            return true
        }
        if ended { self.queue.append(self) }
    }

    /// What was recorded, for the encoder: read after `end`, when nothing writes any more.
    var finished: State { self.state.withLock { $0 } }
}
