import ServiceContextModule
import Tracing

/// The span `PipelineTracer` hands out: its context, and the recording state when it is sampled.
///
/// A value, not an object: a span the sampler drops is only its context (no allocation of its own, no lock), and
/// every operation on it returns at once.
public struct PipelineSpan: Span {
    public let context: ServiceContext
    let recording: RecordingSpan?

    init(context: ServiceContext, recording: RecordingSpan?) {
        self.context = context
        self.recording = recording
    }

    public var operationName: String {
        get { self.recording?.name ?? "" }
        nonmutating set { self.recording?.name = newValue }
    }

    public var attributes: SpanAttributes {
        get { self.recording?.attributes ?? [:] }
        nonmutating set { self.recording?.attributes = newValue }
    }

    public var isRecording: Bool { self.recording?.isRecording ?? false }

    public func setStatus(_ status: SpanStatus) {
        self.recording?.setStatus(status)
    }

    public func addEvent(_ event: SpanEvent) {
        self.recording?.addEvent(event)
    }

    /// An `exception` event, as the semantic conventions name it: the error's type and description.
    public func recordError<Instant: TracerInstant>(
        _ error: any Error,
        attributes: SpanAttributes,
        at instant: @autoclosure () -> Instant
    ) {
        guard let recording = self.recording else { return }
        var eventAttributes = attributes
        eventAttributes["exception.type"] = String(reflecting: type(of: error))
        eventAttributes["exception.message"] = String(describing: error)
        recording.addEvent(SpanEvent(name: "exception", at: instant(), attributes: eventAttributes))
    }

    public func addLink(_ link: SpanLink) {
        self.recording?.addLink(link)
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        self.recording?.end(at: instant().nanosecondsSinceEpoch)
    }
}
