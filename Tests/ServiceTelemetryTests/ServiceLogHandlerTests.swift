import Foundation
import Logging
import ServiceContextModule
import ServiceTelemetry
import Synchronization
import TestSupport
import Testing
import TraceContextPropagation

@testable import TelemetryPipeline

@Suite("A service's log handler: the JSON line and the record sent over OTLP")
struct ServiceLogHandlerTests {
    /// The pipeline's own handler, over a queue the test reads.
    struct Pipeline {
        let queue = BatchQueue<LogRecord>(capacity: 10, batchSize: 10)

        var handler: PipelineLogHandler { PipelineLogHandler(queue: self.queue) }

        /// The queued records as the exporter sends them: one `ExportLogsServiceRequest`, with the services' redaction.
        func encoded() -> [UInt8] {
            LogRecordEncoder(resource: [], scope: [], redaction: LogRedaction.pipelineRedaction)
                .encode(self.queue.takeBatch())
        }
    }

    static let provider = Logger.MetadataProvider {
        [
            "trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331", "trace_flags": "01",
            "correlation_id": "abc-123", "shadowed": "from the provider",
        ]
    }

    /// A logger whose handler writes lines to `sink` (when given) and records to `pipeline` (when given).
    static func logger(
        lines sink: InMemoryLogSink?,
        pipeline: Pipeline?,
        provider: Logger.MetadataProvider? = Self.provider
    ) -> Logger {
        Logger(label: "test") { label in
            ServiceLogHandler(
                lines: sink.map { JSONLogHandler(label: label, service: "unit", sink: $0) },
                pipeline: pipeline?.handler,
                logLevel: .info,
                metadataProvider: provider
            )
        }
    }

    /// The context of a span the records below are written in.
    static let spanContext = SpanContext(
        traceID: TraceID(high: 0x0af7_6519_16cd_43dd, low: 0x8448_eb21_1c80_319c),
        spanID: SpanID(value: 0xb7ad_6b71_6920_3331),
        flags: 1
    )

    static func inSpan(_ body: () -> Void) {
        var context = ServiceContext.topLevel
        context.pipelineSpanContext = Self.spanContext
        ServiceContext.withValue(context, operation: body)
    }

    @Test("has the provider's correlation id as an attribute, and not the ids the record carries as fields")
    func providerMetadata() throws {
        let pipeline = Pipeline()
        var logger = Self.logger(lines: nil, pipeline: pipeline)
        logger[metadataKey: "handler.key"] = "kept"
        logger[metadataKey: "shadowed"] = "by the provider"
        Self.inSpan {
            logger.info("request handled", metadata: ["http.route": "/health", "correlation_id": "explicit-wins"])
            logger.info("no metadata of its own")
        }
        let records = pipeline.queue.takeBatch()
        try #require(records.count == 2)
        #expect(records.allSatisfy { $0.spanContext == Self.spanContext })
        let attributes = records.map(Self.attributes)
        #expect(attributes[0]["correlation_id"] == "explicit-wins")
        #expect(attributes[0]["http.route"] == "/health")
        #expect(attributes[0]["handler.key"] == "kept")
        #expect(attributes[0]["trace_id"] == nil && attributes[0]["span_id"] == nil)
        #expect(attributes[0]["trace_flags"] == nil)
        #expect(attributes[1] == ["correlation_id": "abc-123", "handler.key": "kept", "shadowed": "from the provider"])
    }

    @Test("in a request, the span's ids and flags and the correlation id are fields of the line and of the record")
    func correlationFromTheContext() throws {
        let pipeline = Pipeline()
        let sink = InMemoryLogSink()
        let logger = Self.logger(lines: sink, pipeline: pipeline, provider: nil)
        let correlationID = CorrelationID.generate()
        var context = ServiceContext.topLevel
        context.pipelineSpanContext = Self.spanContext
        context.correlationID = correlationID
        ServiceContext.withValue(context) {
            logger.info(
                "request handled",
                metadata: ["http.route": "/health", "correlation_id": "spoofed", "trace_id": "spoofed"]
            )
        }

        // Right after the logger's name, in this order, from the context: metadata of their names is left out.
        let line = try #require(sink.lines.first)
        #expect(
            line.contains(
                #""logger":"test","trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","#
                    + #""trace_flags":"01","correlation_id":"\#(correlationID)","http.route":"/health""#
            ),
            "\(line)"
        )
        #expect(!line.contains("spoofed"))

        let records = pipeline.queue.takeBatch()
        try #require(records.count == 1)
        #expect(records[0].spanContext == Self.spanContext)
        #expect(Self.attributes(records[0]) == ["correlation_id": .string(correlationID), "http.route": "/health"])
    }

    @Test(
        "a line's ids and flags are the same hex digits as the pipeline's own formatting, leading zeros kept",
        arguments: [
            (UInt64(0), UInt64(1), UInt64(0x0F), UInt8(0)),
            (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210, 0x8000_0000_0000_0000, 0x03),
            (1, 0, 1, 0xA1),
        ]
    )
    func hexIDs(high: UInt64, low: UInt64, span: UInt64, flags: UInt8) throws {
        let sink = InMemoryLogSink()
        let logger = Self.logger(lines: sink, pipeline: nil, provider: nil)
        let spanContext = SpanContext(traceID: TraceID(high: high, low: low), spanID: SpanID(value: span), flags: flags)
        var context = ServiceContext.topLevel
        context.pipelineSpanContext = spanContext
        ServiceContext.withValue(context) { logger.info("hex") }
        let line = try #require(sink.lines.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["trace_id"] as? String == spanContext.traceID.hexString)
        #expect(object["span_id"] as? String == spanContext.spanID.hexString)
        #expect(object["trace_flags"] as? String == spanContext.flagsHexString)
        #expect((object["trace_flags"] as? String)?.count == 2)
    }

    @Test("outside any request, a line and a record have no correlation fields")
    func noCorrelation() throws {
        let pipeline = Pipeline()
        let sink = InMemoryLogSink()
        Self.logger(lines: sink, pipeline: pipeline, provider: nil).info("started")
        let line = try #require(sink.lines.first)
        for key in ["trace_id", "span_id", "trace_flags", "correlation_id"] { #expect(!line.contains(key)) }
        let record = try #require(pipeline.queue.takeBatch().first)
        #expect(record.spanContext == nil)
        #expect(Self.attributes(record).isEmpty)
    }

    @Test("keeps a provider's trace ids as attributes of a record written outside any span of this pipeline")
    func providerTraceIDsOutsideASpan() throws {
        let pipeline = Pipeline()
        let logger = Self.logger(lines: nil, pipeline: pipeline)
        logger.info("at start-up")
        let record = try #require(pipeline.queue.takeBatch().first)
        #expect(record.spanContext == nil)
        #expect(Self.attributes(record)["trace_id"] == "0af7651916cd43dd8448eb211c80319c")
    }

    @Test("writes one JSON line and queues one record a call, both with the logger's metadata and the provider's")
    func bothOutputs() throws {
        let pipeline = Pipeline()
        let sink = InMemoryLogSink()
        var logger = Self.logger(lines: sink, pipeline: pipeline)
        logger[metadataKey: "hb.request.id"] = "42"
        Self.inSpan { logger.info("request handled", metadata: ["http.route": "/health"]) }
        logger.debug("below the level: neither output")

        let lines = sink.lines
        try #require(lines.count == 1)
        let line = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(line["message"] as? String == "request handled")
        #expect(line["hb.request.id"] as? String == "42")
        #expect(line["http.route"] as? String == "/health")
        #expect(line["trace_id"] as? String == "0af7651916cd43dd8448eb211c80319c")
        #expect(line["correlation_id"] as? String == "abc-123")

        let records = pipeline.queue.takeBatch()
        try #require(records.count == 1)
        #expect(records[0].message == "request handled")
        #expect(
            Self.attributes(records[0]) == [
                "hb.request.id": "42", "http.route": "/health", "correlation_id": "abc-123",
                "shadowed": "from the provider",
            ]
        )
    }

    @Test("with one output left out, writes to the other alone; with neither, runs no provider")
    func oneOutput() throws {
        let sink = InMemoryLogSink()
        Self.logger(lines: sink, pipeline: nil).info("line only")
        #expect(sink.lines.count == 1)

        let pipeline = Pipeline()
        Self.logger(lines: nil, pipeline: pipeline).info("record only")
        #expect(pipeline.queue.takeBatch().map(\.message) == ["record only"])

        let calls = CallCounter()
        let provider = Logger.MetadataProvider {
            calls.increment()
            return [:]
        }
        Self.logger(lines: nil, pipeline: nil, provider: provider).info("nowhere")
        Self.logger(lines: sink, pipeline: pipeline, provider: provider).info("both")
        #expect(calls.value == 1, "the provider runs once a record, for both outputs, and not at all for none")
    }

    /// A record's attributes as the encoder writes them, each key once.
    static func attributes(_ record: LogRecord) -> Logger.Metadata {
        var attributes: Logger.Metadata = [:]
        record.forEachAttribute { key, value in
            #expect(attributes[key] == nil, "\(key) written twice")
            attributes[key] = value
        }
        return attributes
    }

    @Test("replaces credentials as the JSON line does, at any depth and from every source, when encoded")
    func redaction() throws {
        let pipeline = Pipeline()
        let provider = Logger.MetadataProvider { ["x-api-key": "k3y", "correlation_id": "abc-123"] }
        var logger = Self.logger(lines: nil, pipeline: pipeline, provider: provider)
        logger[metadataKey: "password"] = "hunter2"
        logger.warning(
            "login",
            metadata: [
                "http.request.header.authorization": "Bearer s3cret",
                "request": ["headers": ["Cookie": "session=1", "accept": "json"]],
                "tokens": [["token": "t0ken"], "b"],
            ]
        )
        let bytes = pipeline.encoded()
        func occurrences(_ text: String) -> Int {
            let needle = Array(text.utf8)
            guard bytes.count >= needle.count else { return 0 }
            return (0...(bytes.count - needle.count)).filter { Array(bytes[$0..<$0 + needle.count]) == needle }.count
        }
        for secret in ["s3cret", "hunter2", "session=1", "k3y", "t0ken"] {
            #expect(occurrences(secret) == 0, "\(secret) went out")
        }
        // password, authorization, Cookie, x-api-key, and the token inside an array's dictionary
        #expect(occurrences("[REDACTED]") == 5)
        for kept in ["accept", "json", "correlation_id", "abc-123", "tokens", "login"] {
            #expect(occurrences(kept) == 1, "\(kept) is not in the record once")
        }
    }

    @Test("queues what the caller logged unchanged: redaction is the encoder's, off the request path")
    func queuedAsLogged() throws {
        let pipeline = Pipeline()
        let logger = Self.logger(lines: nil, pipeline: pipeline, provider: nil)
        logger.info("login", metadata: ["password": "hunter2"])
        let metadata = try #require(pipeline.queue.takeBatch().first.map(Self.attributes))
        #expect(metadata["password"] == "hunter2")
    }
}

/// How many times a metadata provider ran.
private final class CallCounter: Sendable {
    private let count = Mutex(0)

    var value: Int { self.count.withLock { $0 } }

    func increment() { self.count.withLock { $0 += 1 } }
}
