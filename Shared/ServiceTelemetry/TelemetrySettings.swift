import ServiceConfiguration
import TelemetryPipeline
import TraceContextPropagation

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The standard `OTEL_*` environment variables, read and checked before anything starts: every value the stack
/// cannot honour is a `ConfigurationError` naming the variable.
///
/// Read here: `OTEL_SDK_DISABLED`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_PROPAGATORS`; and, through
/// `TelemetryPipelineConfiguration(environment:resource:)`, the sampler, the exporters, the batch processors
/// (`OTEL_BSP_*`, `OTEL_BLRP_*`), the OTLP exporter settings (`OTEL_EXPORTER_OTLP_[TRACES_|LOGS_]ENDPOINT`,
/// `…PROTOCOL`, `…HEADERS`, `…COMPRESSION`, `…TIMEOUT`) and the span limits.
package struct TelemetrySettings: Sendable {
    /// `OTEL_SDK_DISABLED=true`: no spans are recorded or exported; context still passes through.
    package var sdkDisabled: Bool
    /// Whether W3C trace context is propagated (`tracecontext` in `OTEL_PROPAGATORS`).
    package var propagatesTraceContext: Bool
    /// The service name on spans and log lines: `OTEL_SERVICE_NAME`, else `service.name` in
    /// `OTEL_RESOURCE_ATTRIBUTES`, else the binary's own name.
    package var serviceName: String
    /// `service.instance.id`: who this process is among the replicas of its service, on its spans' resource, its log
    /// lines and its metrics (`target_info`). From `OTEL_RESOURCE_ATTRIBUTES` when set there (Kubernetes: the pod's
    /// name, from the downward API), else a random UUID, as the semantic conventions recommend: unique per process.
    package var serviceInstanceID: String
    /// The resource every span and log record carries, as the exporters send it: our attributes with
    /// `OTEL_RESOURCE_ATTRIBUTES` over them, and `service.name`.
    package var resourceAttributes: [String: String]
    /// `OTEL_LOGS_EXPORTER=otlp`: every log record also goes out over OTLP, next to the JSON line on stdout.
    package var exportsLogs: Bool
    /// Whether W3C baggage is propagated (`baggage` in `OTEL_PROPAGATORS`).
    package var propagatesBaggage: Bool
    /// What the span and log pipeline is built from: the resource, the sampler, the processors, the exporters.
    package var pipeline: TelemetryPipelineConfiguration

    package init(environment: [String: String], defaultServiceName: String) throws(ConfigurationError) {
        func value(_ name: String) -> String? {
            guard let value = environment[name].map({ String($0.trimmingOptionalWhitespace()) }), !value.isEmpty else {
                return nil
            }
            return value
        }
        func fail(_ name: String, _ message: String) -> ConfigurationError {
            ConfigurationError(variable: name, message: message)
        }

        switch value("OTEL_SDK_DISABLED")?.lowercased() {
        case nil, "false": self.sdkDisabled = false
        case "true": self.sdkDisabled = true
        case let other?: throw fail("OTEL_SDK_DISABLED", "must be 'true' or 'false', got '\(other)'")
        }

        // Propagators: the pipeline's tracer does trace context; baggage is ours (BaggageInstrument).
        let propagators = (value("OTEL_PROPAGATORS") ?? "tracecontext,baggage")
            .split(separator: ",").map { $0.trimmingOptionalWhitespace().lowercased() }
        for propagator in propagators where !["tracecontext", "baggage", "none"].contains(propagator) {
            throw fail(
                "OTEL_PROPAGATORS",
                "unsupported propagator '\(propagator)'; supported: tracecontext, baggage, none"
            )
        }
        self.propagatesTraceContext = propagators.contains("tracecontext")
        self.propagatesBaggage = propagators.contains("baggage")

        // OTEL_SERVICE_NAME, else `service.name` in OTEL_RESOURCE_ATTRIBUTES, else the binary's own name.
        for pair in (value("OTEL_RESOURCE_ATTRIBUTES") ?? "").split(separator: ",") where !Self.isKeyValuePair(pair) {
            throw fail("OTEL_RESOURCE_ATTRIBUTES", "must be a comma-separated list of key=value pairs, got '\(pair)'")
        }
        let resourceAttributes = Self.keyValuePairs(value("OTEL_RESOURCE_ATTRIBUTES") ?? "")
        self.serviceName = value("OTEL_SERVICE_NAME") ?? resourceAttributes["service.name"] ?? defaultServiceName
        self.serviceInstanceID = resourceAttributes["service.instance.id"] ?? UUID().uuidString.lowercased()

        // What every span's and log record's resource says: ours, with OTEL_RESOURCE_ATTRIBUTES over it, and the
        // service's name over both.
        let ownAttributes = [
            "service.version": Observability.version,
            "service.instance.id": self.serviceInstanceID,
            "telemetry.sdk.name": Self.sdkName,
            "telemetry.sdk.language": "swift",
            "telemetry.sdk.version": Self.sdkVersion,
        ]
        self.resourceAttributes = ownAttributes.merging(resourceAttributes) { _, fromEnvironment in fromEnvironment }
        self.resourceAttributes["service.name"] = self.serviceName

        do {
            self.pipeline = try TelemetryPipelineConfiguration(
                environment: environment,
                resource: self.resourceAttributes
            )
        } catch {
            throw fail(error.variable, error.message)
        }
        // The OTLP log records replace credentials as the JSON lines do.
        self.pipeline.logAttributeRedaction = LogRedaction.pipelineRedaction
        // Logs are JSON lines on stdout; OTEL_LOGS_EXPORTER=otlp sends them over OTLP as well.
        self.exportsLogs = self.pipeline.logsExporter != nil
    }

    /// The telemetry SDK (semantic conventions: a non-official SDK names its own module) and its release.
    package static let sdkName = TelemetryPipeline.scopeName
    package static let sdkVersion = TelemetryPipeline.version

    private static func keyValuePairs(_ list: String) -> [String: String] {
        var pairs: [String: String] = [:]
        for pair in list.split(separator: ",") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            pairs[String(pair[..<equals].trimmingOptionalWhitespace())] = String(
                pair[pair.index(after: equals)...].trimmingOptionalWhitespace()
            )
        }
        return pairs
    }

    private static func isKeyValuePair(_ pair: Substring) -> Bool {
        guard let equals = pair.firstIndex(of: "=") else { return false }
        return !pair[..<equals].trimmingOptionalWhitespace().isEmpty
    }
}
