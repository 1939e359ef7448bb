import Logging
import ServiceConfiguration
import ServiceTelemetry
import TelemetryPipeline
import Testing

@Suite("OTEL_* environment variables")
struct TelemetrySettingsTests {
    @Test("defaults: enabled, trace context and baggage, the service's own name")
    func defaults() throws {
        let settings = try TelemetrySettings(environment: [:], defaultServiceName: "gateway")
        #expect(!settings.sdkDisabled)
        #expect(settings.propagatesTraceContext)
        #expect(settings.propagatesBaggage)
        #expect(settings.pipeline.resource["service.name"] == "gateway")
    }

    @Test("service.instance.id: a random UUID per process, or the one OTEL_RESOURCE_ATTRIBUTES gives (a pod's name)")
    func serviceInstanceID() throws {
        let first = try TelemetrySettings(environment: [:], defaultServiceName: "core-engine")
        let second = try TelemetrySettings(environment: [:], defaultServiceName: "core-engine")
        #expect(first.serviceInstanceID != second.serviceInstanceID)
        #expect(
            first.serviceInstanceID.wholeMatch(
                of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/
            ) != nil
        )
        #expect(first.pipeline.resource["service.instance.id"] == first.serviceInstanceID)
        #expect(first.resourceAttributes["service.name"] == "core-engine")

        let pod = try TelemetrySettings(
            environment: [
                "OTEL_RESOURCE_ATTRIBUTES": "service.instance.id=core-engine-7d9f-x2x,k8s.pod.name=core-engine-7d9f-x2x"
            ],
            defaultServiceName: "core-engine"
        )
        #expect(pod.serviceInstanceID == "core-engine-7d9f-x2x")
        #expect(pod.resourceAttributes["k8s.pod.name"] == "core-engine-7d9f-x2x")
        #expect(pod.resourceAttributes["service.instance.id"] == "core-engine-7d9f-x2x")
    }

    @Test(
        "where each signal is exported: its own endpoint, else the shared one (OTLP/HTTP appends the signal's path), else the default",
        arguments: [
            ([:], "http://localhost:4318/v1/traces", nil),
            (["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"], "http://localhost:4317", nil),
            (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"], "http://collector:4318/v1/traces", nil),
            (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"], "http://collector:4318/v1/traces", nil),
            (
                ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"],
                "http://collector:4317", nil
            ),
            (
                [
                    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:1",
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b:2/traces",
                ], "http://b:2/traces", nil
            ),
            (
                ["OTEL_LOGS_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://logs:3100/otlp/v1/logs"],
                "http://localhost:4318/v1/traces", "http://logs:3100/otlp/v1/logs"
            ),
            (
                ["OTEL_LOGS_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector.example"],
                "https://collector.example/v1/traces", "https://collector.example/v1/logs"
            ),
            (["OTEL_TRACES_EXPORTER": "none"], nil, nil),
        ] as [([String: String], String?, String?)]
    )
    func endpoints(environment: [String: String], traces: String?, logs: String?) throws {
        let settings = try TelemetrySettings(environment: environment, defaultServiceName: "gateway")
        #expect(settings.pipeline.tracesExporter?.url == traces)
        #expect(settings.pipeline.logsExporter?.url == logs)
        #expect(settings.exportsLogs == (logs != nil))
    }

    @Test("exporter headers (percent-decoded, the signal's own over the shared ones), compression and timeout")
    func exporterSettings() throws {
        let settings = try TelemetrySettings(
            environment: [
                "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20abc, x-tenant = demo",
                "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "x-tenant=traces",
                "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
                "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "2500",
            ],
            defaultServiceName: "gateway"
        )
        let exporter = try #require(settings.pipeline.tracesExporter)
        #expect(exporter.headers.map { "\($0.0)=\($0.1)" } == ["authorization=Bearer abc", "x-tenant=traces"])
        #expect(exporter.gzip)
        #expect(exporter.attemptTimeout == .milliseconds(2500))
    }

    @Test("the sampler, the batch processors and the span limits from their variables, with the spec's defaults")
    func pipelineSettings() throws {
        let defaults = try TelemetrySettings(environment: [:], defaultServiceName: "gateway").pipeline
        #expect(defaults.sampler == .parentBased(root: .alwaysOn))
        #expect(defaults.spans == .spans && defaults.logRecords == .logRecords)
        #expect(defaults.spanLimits == SpanLimits())
        let set = try TelemetrySettings(
            environment: [
                "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1",
                "OTEL_BSP_SCHEDULE_DELAY": "200", "OTEL_BSP_MAX_QUEUE_SIZE": "100", "OTEL_BLRP_EXPORT_TIMEOUT": "1000",
                "OTEL_ATTRIBUTE_COUNT_LIMIT": "16", "OTEL_SPAN_EVENT_COUNT_LIMIT": "4",
                "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT": "64",
            ],
            defaultServiceName: "gateway"
        ).pipeline
        #expect(set.sampler == .parentBased(root: .traceIDRatio(0.1)))
        #expect(set.spans.scheduleDelay == .milliseconds(200))
        #expect(set.spans.maxQueueSize == 100 && set.spans.maxExportBatchSize == 100)
        #expect(set.logRecords.exportTimeout == .milliseconds(1000))
        #expect(set.spanLimits.attributeCount == 16 && set.spanLimits.attributesPerEvent == 16)
        #expect(set.spanLimits.eventCount == 4 && set.spanLimits.attributeValueLength == 64)
    }

    @Test("OTLP log records are redacted by the JSON line's rule: the pipeline is given it")
    func logRedaction() throws {
        let redaction = try TelemetrySettings(environment: [:], defaultServiceName: "gateway").pipeline
            .logAttributeRedaction
        #expect(redaction.placeholder == "[REDACTED]")
        for key in ["authorization", "http.request.header.Cookie", "password", "x-api-key"] {
            #expect(redaction.isSensitive(key), "\(key)")
        }
        #expect(!redaction.isSensitive("http.route") && !redaction.isSensitive("correlation_id"))
    }

    @Test("the resource names the service's version and the telemetry SDK")
    func resource() throws {
        let settings = try TelemetrySettings(environment: [:], defaultServiceName: "gateway")
        #expect(settings.pipeline.resource["service.version"] == Observability.version)
        #expect(settings.pipeline.resource["telemetry.sdk.name"] == "TelemetryPipeline")
        #expect(settings.pipeline.resource["telemetry.sdk.language"] == "swift")
        #expect(settings.pipeline.resource["telemetry.sdk.version"] == TelemetryPipeline.version)
    }

    @Test(
        "the service name: OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else the binary's",
        arguments: [
            ([:], "gateway"),
            (["OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=demo, service.name=edge"], "edge"),
            (["OTEL_RESOURCE_ATTRIBUTES": "service.name=edge", "OTEL_SERVICE_NAME": "front"], "front"),
        ]
    )
    func serviceName(environment: [String: String], expected: String) throws {
        let settings = try TelemetrySettings(environment: environment, defaultServiceName: "gateway")
        #expect(settings.serviceName == expected)
        #expect(settings.pipeline.resource["service.name"] == expected)
    }

    @Test("accepts the standard values other SDKs use")
    func acceptsStandard() throws {
        let settings = try TelemetrySettings(
            environment: [
                "OTEL_PROPAGATORS": "tracecontext,baggage",
                "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
                "OTEL_TRACES_SAMPLER_ARG": "0.1",
                "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://jaeger:4318",
                "OTEL_BSP_SCHEDULE_DELAY": "200",
                "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=demo,service.version=1.0",
                "OTEL_SDK_DISABLED": "false",
            ],
            defaultServiceName: "core-engine"
        )
        #expect(settings.propagatesBaggage)
    }

    @Test(
        "rejects unsupported values with an error naming the variable",
        arguments: [
            ("OTEL_PROPAGATORS", "b3"),
            ("OTEL_TRACES_SAMPLER", "jaeger_remote"),
            ("OTEL_TRACES_SAMPLER", "xray"),
            ("OTEL_TRACES_SAMPLER_ARG", "1.5"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "thrift"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%zz"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "-1"),
            ("OTEL_LOGS_EXPORTER", "console"),
            ("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "0"),
            ("OTEL_SPAN_EVENT_COUNT_LIMIT", "many"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "jaeger:4317"),
            ("OTEL_BSP_SCHEDULE_DELAY", "soon"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "0"),
            ("OTEL_SDK_DISABLED", "maybe"),
            ("OTEL_TRACES_EXPORTER", "zipkin"),
            ("OTEL_RESOURCE_ATTRIBUTES", "novalue"),
        ]
    )
    func rejects(variable: String, value: String) {
        var environment = [variable: value]
        if variable == "OTEL_TRACES_SAMPLER_ARG" { environment["OTEL_TRACES_SAMPLER"] = "traceidratio" }
        #expect(throws: ConfigurationError.self) {
            try TelemetrySettings(environment: environment, defaultServiceName: "gateway")
        }
        do {
            _ = try TelemetrySettings(environment: environment, defaultServiceName: "gateway")
        } catch {
            #expect(error.variable == variable)
            #expect(error.description.hasPrefix(variable))
        }
    }

    @Test("never echoes exporter header values, which may be credentials")
    func headersNotEchoed() {
        do {
            _ = try TelemetrySettings(
                environment: ["OTEL_EXPORTER_OTLP_HEADERS": "Authorization"],
                defaultServiceName: "gateway"
            )
            Issue.record("expected an error")
        } catch {
            #expect(!error.message.contains("Authorization"))
        }
    }

    @Test("rejects an export batch larger than the queue")
    func batchLargerThanQueue() {
        #expect(throws: ConfigurationError.self) {
            try TelemetrySettings(
                environment: ["OTEL_BSP_MAX_QUEUE_SIZE": "10", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "20"],
                defaultServiceName: "gateway"
            )
        }
    }
}

@Suite("Service settings")
struct SettingsReaderTests {
    @Test("reads dotted keys from upper-case environment variables")
    func reads() throws {
        let settings = SettingsReader(environment: ["HTTP_PORT": "9090", "LOG_LEVEL": "DEBUG"])
        #expect(try settings.port("http.port", default: 8080) == 9090)
        #expect(try settings.port("grpc.port", default: 50051) == 50051)
        #expect(try settings.logLevel("log.level", default: .info) == .debug)
    }

    @Test(
        "a bad value is an error naming the variable",
        arguments: [("HTTP_PORT", "http.port"), ("CORE_ENGINE_PORT", "core.engine.port")]
    )
    func rejects(variable: String, key: String) {
        for bad in ["abc", "0", "70000"] {
            let settings = SettingsReader(environment: [variable: bad])
            #expect(
                throws: ConfigurationError(
                    variable: variable,
                    message: "must be a port number between 1 and 65535, got '\(bad)'"
                )
            ) {
                try settings.port(key, default: 8080)
            }
        }
        #expect(throws: ConfigurationError.self) {
            try SettingsReader(environment: ["LOG_LEVEL": "loud"]).logLevel("log.level", default: .info)
        }
    }
}
