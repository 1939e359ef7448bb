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

    @Test("replaces credentials as the JSON line does, at any depth and from every source")
    func redaction() throws {
        let pipeline = Pipeline()
        var logger = Logger(label: "test") { _ in OTLPLogHandler(base: pipeline.handler, metadataProvider: nil) }
        logger[metadataKey: "password"] = "hunter2"
        logger.warning(
            "login",
            metadata: [
                "http.request.header.authorization": "Bearer s3cret",
                "request": ["headers": ["Cookie": "session=1", "accept": "json"]],
                "tokens": ["a", "b"],
            ]
        )
        let metadata = try #require(pipeline.attributes().first)
        #expect(metadata["password"] == "[REDACTED]")
        #expect(metadata["http.request.header.authorization"] == "[REDACTED]")
        #expect(metadata["request"] == ["headers": ["Cookie": "[REDACTED]", "accept": "json"]])
        #expect(
            !"\(metadata)".contains("s3cret") && !"\(metadata)".contains("hunter2")
                && !"\(metadata)".contains("session=1")
        )
    }
}
