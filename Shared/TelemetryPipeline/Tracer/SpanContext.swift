import TraceContextPropagation

/// What identifies a span across processes (W3C Trace Context): its trace, its own id, the trace flags and the
/// vendors' `tracestate`. The tracer keeps it (as `CompactSpanContext`) in the `ServiceContext` of every span it
/// starts and of every request whose `traceparent` it extracts.
public struct SpanContext: Sendable, Hashable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// The W3C trace flags: bit 0 sampled, bit 1 random trace id (Level 2).
    public var flags: UInt8
    /// The caller's `tracestate`, already checked by `TraceContextCarrier`, passed on as it came.
    public var traceState: String?
    /// Whether this context came from another process (`traceparent`) rather than from a span started here.
    public var isRemote: Bool

    public init(traceID: TraceID, spanID: SpanID, flags: UInt8, traceState: String? = nil, isRemote: Bool = false) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
        self.traceState = traceState
        self.isRemote = isRemote
    }

    public static let sampledFlag: UInt8 = 0x01
    public static let randomTraceIDFlag: UInt8 = 0x02

    public var isSampled: Bool { Self.isSampled(self.flags) }

    /// Whether trace flags have the sampled bit set.
    static func isSampled(_ flags: UInt8) -> Bool { flags & Self.sampledFlag != 0 }

    /// The trace flags as two lowercase hex digits, as `traceparent` and the log lines carry them.
    public var flagsHexString: String { TraceParent.hexDigits(of: self.flags) }

    /// The `traceparent` header value, version 00, written straight into one string (it goes on every call out).
    public var traceParentHeaderValue: String {
        Self.traceParentHeaderValue(traceID: self.traceID, spanID: self.spanID, flags: self.flags)
    }

    static func traceParentHeaderValue(traceID: TraceID, spanID: SpanID, flags: UInt8) -> String {
        String(unsafeUninitializedCapacity: 55) { buffer in
            var index = 0
            func write(_ byte: UInt8) {
                buffer[index] = byte
                index += 1
            }
            for byte in "00-".utf8 { write(byte) }
            HexEncoding.write(traceID.high, digits: 16, into: buffer, at: &index)
            HexEncoding.write(traceID.low, digits: 16, into: buffer, at: &index)
            write(UInt8(ascii: "-"))
            HexEncoding.write(spanID.value, digits: 16, into: buffer, at: &index)
            write(UInt8(ascii: "-"))
            HexEncoding.write(UInt64(flags), digits: 2, into: buffer, at: &index)
            return index
        }
    }
}
