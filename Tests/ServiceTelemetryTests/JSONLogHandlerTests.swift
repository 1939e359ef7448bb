import Foundation
import Logging
import ServiceTelemetry
import TestSupport
import Testing

@Suite("JSON log handler")
struct JSONLogHandlerTests {
    private func log(
        provider: Logger.MetadataProvider? = nil,
        _ body: (inout Logger) -> Void
    ) throws -> [[String: Any]] {
        let sink = InMemoryLogSink()
        var logger = Logger(label: "test.logger") { label in
            JSONLogHandler(label: label, service: "unit", logLevel: .debug, metadataProvider: provider, sink: sink)
        }
        body(&logger)
        return try sink.lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test("names the replica that wrote the line, after the service")
    func instance() throws {
        let sink = InMemoryLogSink()
        let logger = Logger(label: "l") {
            JSONLogHandler(label: $0, service: "core-engine", instance: "replica-1", sink: sink)
        }
        logger.info("hello")
        let line = try #require(sink.lines.first)
        #expect(line.contains(#""service":"core-engine","service_instance_id":"replica-1","logger":"l""#))
    }

    @Test("writes one JSON object per line with the standard fields")
    func standardFields() throws {
        let lines = try self.log {
            $0.info("request handled", metadata: ["http.response.status_code": .stringConvertible(200)])
        }
        let line = try #require(lines.first)
        #expect(line["level"] as? String == "info")
        #expect(line["message"] as? String == "request handled")
        #expect(line["service"] as? String == "unit")
        #expect(line["logger"] as? String == "test.logger")
        #expect(line["http.response.status_code"] as? Int == 200)
        let timestamp = try #require(line["timestamp"] as? String)
        #expect(timestamp.count == 24 && timestamp.hasSuffix("Z"))
        #expect(ISO8601DateFormatter.withFractionalSeconds.date(from: timestamp) != nil)
    }

    @Test("puts provider metadata such as trace_id first and lets explicit metadata win")
    func providerMetadata() throws {
        let provider = Logger.MetadataProvider { ["trace_id": "abc", "span_id": "def", "shared": "provider"] }
        let sink = InMemoryLogSink()
        let logger = Logger(label: "l") {
            JSONLogHandler(label: $0, service: "s", metadataProvider: provider, sink: sink)
        }
        logger.info("m", metadata: ["shared": "explicit"])
        let line = try #require(sink.lines.first)
        #expect(line.contains(#""logger":"l","trace_id":"abc","span_id":"def""#))
        #expect(line.contains(#""shared":"explicit""#))
    }

    @Test("escapes control characters and quotes")
    func escaping() throws {
        let lines = try self.log { $0.warning("a \"quoted\"\nline\u{01}", metadata: ["k": "tab\there"]) }
        let line = try #require(lines.first)
        #expect(line["message"] as? String == "a \"quoted\"\nline\u{01}")
        #expect(line["k"] as? String == "tab\there")
    }

    @Test("redacts credentials wherever they appear in metadata")
    func redaction() throws {
        let lines = try self.log {
            $0.info(
                "m",
                metadata: [
                    "http.request.header.authorization": "Bearer secret",
                    "headers": ["Cookie": "session=1", "accept": "json", "X-API-Key": "k"],
                    "user.PASSWORD": "hunter2",
                    "tokenizer": "kept",
                    "secret.name": "kept too",
                ]
            )
        }
        let line = try #require(lines.first)
        #expect(line["http.request.header.authorization"] as? String == "[REDACTED]")
        let headers = try #require(line["headers"] as? [String: Any])
        #expect(headers["Cookie"] as? String == "[REDACTED]")
        #expect(headers["accept"] as? String == "json")
        #expect(headers["X-API-Key"] as? String == "[REDACTED]")
        #expect(line["user.PASSWORD"] as? String == "[REDACTED]")
        // Only the last dotted component counts, and only as a whole word.
        #expect(line["tokenizer"] as? String == "kept")
        #expect(line["secret.name"] as? String == "kept too")
    }

    @Test("respects the log level")
    func level() throws {
        let sink = InMemoryLogSink()
        let logger = Logger(label: "l") { JSONLogHandler(label: $0, service: "s", logLevel: .warning, sink: sink) }
        logger.info("dropped")
        logger.error("kept")
        #expect(sink.lines.count == 1)
        #expect(sink.lines.first?.contains("\"source\":") == true)
    }
}

extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
