import Tracing

/// Encodes finished spans as one `ExportTraceServiceRequest`
/// (opentelemetry/proto/collector/trace/v1/trace_service.proto and trace/v1/trace.proto), from the field numbers.
struct SpanEncoder: Sendable {
    /// The `Resource` message, encoded once.
    let resource: [UInt8]
    /// The `InstrumentationScope` message, encoded once.
    let scope: [UInt8]
    let limits: SpanLimits

    func encode(_ spans: [RecordingSpan]) -> [UInt8] {
        ProtobufWriter.exportRequest(resource: self.resource, scope: self.scope, items: spans, bytesPerItem: 320) {
            self.encode($0, into: &$1)
        }
    }

    /// Span: trace_id 1, span_id 2, trace_state 3, parent_span_id 4, name 5, kind 6, start_time_unix_nano 7,
    /// end_time_unix_nano 8, attributes 9, dropped_attributes_count 10, events 11, dropped_events_count 12,
    /// links 13, dropped_links_count 14, status 15, flags 16.
    private func encode(_ span: RecordingSpan, into writer: inout ProtobufWriter) {
        let context = span.spanContext
        let state = span.finished
        writer.id(1, context.traceID.high, context.traceID.low)
        writer.id(2, context.spanID.value)
        writer.string(3, context.traceState ?? "")
        if let parent = span.parentSpanID { writer.id(4, parent.value) }
        writer.presentString(5, state.name)
        writer.uint64(6, Self.kind(span.kind))
        writer.fixed64(7, span.startNanoseconds)
        writer.fixed64(8, state.endNanoseconds)
        let droppedAttributes = writer.attributes(
            9,
            state.attributes,
            limit: self.limits.attributeCount,
            valueLength: self.limits.attributeValueLength
        )
        writer.uint64(10, UInt64(droppedAttributes))
        for event in state.events {
            writer.message(11) { eventWriter in
                eventWriter.fixed64(1, event.nanosecondsSinceEpoch)
                eventWriter.presentString(2, event.name)
                let dropped = eventWriter.attributes(
                    3,
                    event.attributes,
                    limit: self.limits.attributesPerEvent,
                    valueLength: self.limits.attributeValueLength
                )
                eventWriter.uint64(4, UInt64(dropped))
            }
        }
        writer.uint64(12, UInt64(state.droppedEvents))
        for link in state.links {
            guard let linked = link.context.pipelineSpanContext else { continue }
            writer.message(13) { linkWriter in
                linkWriter.id(1, linked.traceID.high, linked.traceID.low)
                linkWriter.id(2, linked.spanID.value)
                linkWriter.string(3, linked.traceState ?? "")
                let dropped = linkWriter.attributes(
                    4,
                    link.attributes,
                    limit: self.limits.attributesPerLink,
                    valueLength: self.limits.attributeValueLength
                )
                linkWriter.uint64(5, UInt64(dropped))
                linkWriter.fixed32(6, Self.flags(linked.flags, remote: linked.isRemote))
            }
        }
        writer.uint64(14, UInt64(state.droppedLinks))
        if let status = state.status {
            // Status: message 2, code 3 (UNSET 0, OK 1, ERROR 2).
            writer.message(15) { statusWriter in
                if status.code == .error { statusWriter.string(2, status.message ?? "") }
                statusWriter.uint64(3, status.code == .ok ? 1 : 2)
            }
        }
        writer.fixed32(16, Self.flags(context.flags, remote: span.parentIsRemote))
    }

    /// SpanFlags: the W3C trace flags in bits 0-7; bit 8 says bit 9 is known, bit 9 that the parent is remote.
    static func flags(_ traceFlags: UInt8, remote: Bool) -> UInt32 {
        UInt32(traceFlags) | 0x100 | (remote ? 0x200 : 0)
    }

    /// SpanKind: INTERNAL 1, SERVER 2, CLIENT 3, PRODUCER 4, CONSUMER 5.
    static func kind(_ kind: SpanKind) -> UInt64 {
        switch kind {
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }
}
