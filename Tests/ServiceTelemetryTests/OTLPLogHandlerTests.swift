import Logging
import ServiceTelemetry
import Synchronization
import Testing

@Suite("What a log record sent over OTLP carries")
struct OTLPLogHandlerTests {
    /// Stands in for the pipeline's handler: keeps the events it is given.
    final class CapturingLogHandler: LogHandler, @unchecked Sendable {
        // Only touched from the test's own task.
        var events: [LogEvent] = []
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }
        func log(event: LogEvent) { self.events.append(event) }
    }

    static let provider = Logger.MetadataProvider {
        [
            "trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331", "trace_flags": "1",
            "correlation_id": "abc-123",
        ]
    }

    @Test("has the provider's correlation id as an attribute, and not the ids the record carries as fields")
    func providerMetadata() throws {
        let base = CapturingLogHandler()
        var logger = Logger(label: "test") { _ in OTLPLogHandler(base: base, metadataProvider: Self.provider) }
        logger[metadataKey: "handler.key"] = "kept"
        logger.info("request handled", metadata: ["http.route": "/health", "correlation_id": "explicit-wins"])
        let metadata = try #require(base.events.first?.metadata)
        #expect(metadata["correlation_id"] == "explicit-wins")
        #expect(metadata["http.route"] == "/health")
        #expect(metadata["handler.key"] == "kept")
        #expect(metadata["trace_id"] == nil && metadata["span_id"] == nil && metadata["trace_flags"] == nil)
        #expect(base.metadata.isEmpty, "the handler's own metadata stays here, where it is redacted")
    }

    @Test("replaces credentials as the JSON line does, at any depth and from every source")
    func redaction() throws {
        let base = CapturingLogHandler()
        var logger = Logger(label: "test") { _ in OTLPLogHandler(base: base, metadataProvider: nil) }
        logger[metadataKey: "password"] = "hunter2"
        logger.warning(
            "login",
            metadata: [
                "http.request.header.authorization": "Bearer s3cret",
                "request": ["headers": ["Cookie": "session=1", "accept": "json"]],
                "tokens": ["a", "b"],
            ]
        )
        let metadata = try #require(base.events.first?.metadata)
        #expect(metadata["password"] == "[REDACTED]")
        #expect(metadata["http.request.header.authorization"] == "[REDACTED]")
        #expect(metadata["request"] == ["headers": ["Cookie": "[REDACTED]", "accept": "json"]])
        #expect(
            !"\(metadata)".contains("s3cret") && !"\(metadata)".contains("hunter2")
                && !"\(metadata)".contains("session=1")
        )
    }
}
