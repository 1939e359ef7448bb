import Foundation
import Logging
import OTel
import ServiceConfiguration
import ServiceLifecycleSupport
import ServiceTelemetry
import Testing

@Suite("OTEL_* environment variables")
struct TelemetrySettingsTests {
    @Test("defaults: enabled, trace context and baggage, the service's own name")
    func defaults() throws {
        let settings = try TelemetrySettings(environment: [:], defaultServiceName: "gateway")
        #expect(!settings.sdkDisabled)
        #expect(settings.propagatesTraceContext)
        #expect(settings.propagatesBaggage)
        #expect(settings.otel.serviceName == "gateway")
    }

    @Test("service.instance.id: a random UUID per process, or the one OTEL_RESOURCE_ATTRIBUTES gives (a pod's name)")
    func serviceInstanceID() throws {
        let first = try TelemetrySettings(environment: [:], defaultServiceName: "core-engine")
        let second = try TelemetrySettings(environment: [:], defaultServiceName: "core-engine")
        #expect(first.serviceInstanceID != second.serviceInstanceID)
        #expect(first.serviceInstanceID.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil)
        #expect(first.otel.resourceAttributes["service.instance.id"] == first.serviceInstanceID)
        #expect(first.resourceAttributes["service.name"] == "core-engine")

        let pod = try TelemetrySettings(
            environment: ["OTEL_RESOURCE_ATTRIBUTES": "service.instance.id=core-engine-7d9f-x2x,k8s.pod.name=core-engine-7d9f-x2x"],
            defaultServiceName: "core-engine"
        )
        #expect(pod.serviceInstanceID == "core-engine-7d9f-x2x")
        #expect(pod.resourceAttributes["k8s.pod.name"] == "core-engine-7d9f-x2x")
        #expect(pod.resourceAttributes["service.instance.id"] == "core-engine-7d9f-x2x")
    }

    @Test(
        "the collector the exporters wait for: per signal, then shared, then the protocol's default port",
        arguments: [
            ([:], ["localhost:4318"]),
            (["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"], ["localhost:4317"]),
            (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"], ["collector:4318"]),
            (["OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector.example"], ["collector.example:443"]),
            (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://[::1]:4318/"], ["::1:4318"]),
            (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:1", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b:2"], ["b:2"]),
            (["OTEL_LOGS_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://logs:3100/otlp"], ["localhost:4318", "logs:3100"]),
            (["OTEL_LOGS_EXPORTER": "otlp"], ["localhost:4318"]),
            (["OTEL_TRACES_EXPORTER": "none"], []),
            (["OTEL_SDK_DISABLED": "true"], []),
        ] as [([String: String], [String])]
    )
    func collectorAddresses(environment: [String: String], expected: [String]) throws {
        let settings = try TelemetrySettings(environment: environment, defaultServiceName: "gateway")
        #expect(settings.collectorAddresses.map { "\($0.host):\($0.port)" } == expected)
    }

    @Test("the resource names the service's version and the telemetry SDK")
    func resource() throws {
        let settings = try TelemetrySettings(environment: [:], defaultServiceName: "gateway")
        #expect(settings.otel.resourceAttributes["service.version"] == Observability.version)
        #expect(settings.otel.resourceAttributes["telemetry.sdk.name"] == "swift-otel")
        #expect(settings.otel.resourceAttributes["telemetry.sdk.language"] == "swift")
        #expect(settings.otel.resourceAttributes["telemetry.sdk.version"] == TelemetrySettings.sdkVersion)
    }

    @Test("telemetry.sdk.version is the swift-otel release the package resolved")
    func sdkVersionIsResolved() throws {
        // Package.resolved is written by every build (and never committed); the root is three folders up.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let resolved = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("Package.resolved")))
        let pins = try #require((resolved as? [String: Any])?["pins"] as? [[String: Any]])
        let otel = try #require(pins.first { $0["identity"] as? String == "swift-otel" })
        #expect((otel["state"] as? [String: Any])?["version"] as? String == TelemetrySettings.sdkVersion)
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
        #expect(settings.otel.serviceName == expected)
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

    @Test("a bad value is an error naming the variable", arguments: [("HTTP_PORT", "http.port"), ("CORE_ENGINE_PORT", "core.engine.port")])
    func rejects(variable: String, key: String) {
        for bad in ["abc", "0", "70000"] {
            let settings = SettingsReader(environment: [variable: bad])
            #expect(throws: ConfigurationError(variable: variable, message: "must be a port number between 1 and 65535, got '\(bad)'")) {
                try settings.port(key, default: 8080)
            }
        }
        #expect(throws: ConfigurationError.self) {
            try SettingsReader(environment: ["LOG_LEVEL": "loud"]).logLevel("log.level", default: .info)
        }
    }
}
