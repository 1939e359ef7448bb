import Logging
import ServiceTelemetry
import Testing

@testable import TelemetryPipeline

@Suite("What a log record sent over OTLP carries")
struct OTLPLogHandlerTests {
    /// The pipeline's own handler, over a queue the test reads: each record's attributes as the encoder writes them.
    struct Pipeline {
        let queue = BatchQueue<LogRecord>(capacity: 10, batchSize: 10)

        var handler: PipelineLogHandler { PipelineLogHandler(queue: self.queue) }

        /// The queued records as the exporter sends them: one `ExportLogsServiceRequest`, with the services' redaction.
        func encoded() -> [UInt8] {
            LogRecordEncoder(resource: [], scope: [], redaction: LogRedaction.pipelineRedaction)
                .encode(self.queue.takeBatch())
        }

        func attributes() -> [Logger.Metadata] {
            self.queue.takeBatch().map { record in
                var attributes: Logger.Metadata = [:]
                record.forEachAttribute { key, value in
                    #expect(attributes[key] == nil, "\(key) written twice")
                    attributes[key] = value
                }
                return attributes
            }
        }
    }

    static let provider = Logger.MetadataProvider {
        [
            "trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331", "trace_flags": "1",
            "correlation_id": "abc-123", "shadowed": "from the provider",
        ]
    }

    @Test("has the provider's correlation id as an attribute, and not the ids the record carries as fields")
    func providerMetadata() throws {
        let pipeline = Pipeline()
        var logger = Logger(label: "test") { _ in
            OTLPLogHandler(base: pipeline.handler, metadataProvider: Self.provider)
        }
        logger[metadataKey: "handler.key"] = "kept"
        logger[metadataKey: "shadowed"] = "by the provider"
        logger.info("request handled", metadata: ["http.route": "/health", "correlation_id": "explicit-wins"])
        logger.info("no metadata of its own")
        let records = pipeline.attributes()
        try #require(records.count == 2)
        let metadata = records[0]
        #expect(metadata["correlation_id"] == "explicit-wins")
        #expect(metadata["http.route"] == "/health")
        #expect(metadata["handler.key"] == "kept")
        #expect(metadata["trace_id"] == nil && metadata["span_id"] == nil && metadata["trace_flags"] == nil)
        #expect(records[1] == ["correlation_id": "abc-123", "handler.key": "kept", "shadowed": "from the provider"])
    }

    @Test("replaces credentials as the JSON line does, at any depth and from every source, when encoded")
    func redaction() throws {
        let pipeline = Pipeline()
        let provider = Logger.MetadataProvider { ["x-api-key": "k3y", "correlation_id": "abc-123"] }
        var logger = Logger(label: "test") { _ in OTLPLogHandler(base: pipeline.handler, metadataProvider: provider) }
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
        let logger = Logger(label: "test") { _ in OTLPLogHandler(base: pipeline.handler, metadataProvider: nil) }
        logger.info("login", metadata: ["password": "hunter2"])
        let metadata = try #require(pipeline.attributes().first)
        #expect(metadata["password"] == "hunter2")
    }
}
