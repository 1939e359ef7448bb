#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OTel
import ServiceConfiguration
import ServiceLifecycleSupport
import TraceContextPropagation

/// The standard `OTEL_*` environment variables, checked before swift-otel reads them.
///
/// swift-otel ignores some bad values with a warning and stops the process on others (`baggage`,
/// `b3` or `jaeger` propagators, the `jaeger_remote` and `xray` samplers). Here every value the
/// stack cannot honour is a `ConfigurationError` naming the variable, reported before anything starts.
///
/// Read: `OTEL_SDK_DISABLED`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_PROPAGATORS`,
/// `OTEL_TRACES_EXPORTER`, `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`, `OTEL_BSP_SCHEDULE_DELAY`,
/// `OTEL_BSP_EXPORT_TIMEOUT`, `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`,
/// `OTEL_LOGS_EXPORTER`, `OTEL_BLRP_SCHEDULE_DELAY`, `OTEL_BLRP_EXPORT_TIMEOUT`, `OTEL_BLRP_MAX_QUEUE_SIZE`,
/// `OTEL_BLRP_MAX_EXPORT_BATCH_SIZE`, and `OTEL_EXPORTER_OTLP_[TRACES_|LOGS_]ENDPOINT`, `…PROTOCOL`,
/// `…TIMEOUT`, `…HEADERS`.
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
    /// The configuration handed to swift-otel, with the service's default name.
    package var otel: OTel.Configuration
    /// Where the OTLP exporters send (traces, and logs when they are exported): what `CollectorGatedService`
    /// waits for before the exporters start.
    package var collectorAddresses: [CollectorGatedService.Address] = []

    package init(environment: [String: String], defaultServiceName: String) throws(ConfigurationError) {
        func value(_ name: String) -> String? {
            guard let value = environment[name].map({ String($0.trimmingOptionalWhitespace()) }), !value.isEmpty else { return nil }
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

        // Propagators: swift-otel's tracer does trace context; baggage is ours (BaggageInstrument).
        let propagators = (value("OTEL_PROPAGATORS") ?? "tracecontext,baggage")
            .split(separator: ",").map { $0.trimmingOptionalWhitespace().lowercased() }
        for propagator in propagators where !["tracecontext", "baggage", "none"].contains(propagator) {
            throw fail("OTEL_PROPAGATORS", "unsupported propagator '\(propagator)'; supported: tracecontext, baggage, none")
        }
        self.propagatesTraceContext = propagators.contains("tracecontext")
        self.propagatesBaggage = propagators.contains("baggage")

        // OTEL_SERVICE_NAME, else `service.name` in OTEL_RESOURCE_ATTRIBUTES, else the binary's own name.
        let resourceAttributes = Self.keyValuePairs(value("OTEL_RESOURCE_ATTRIBUTES") ?? "")
        self.serviceName = value("OTEL_SERVICE_NAME") ?? resourceAttributes["service.name"] ?? defaultServiceName

        self.serviceInstanceID = resourceAttributes["service.instance.id"] ?? UUID().uuidString.lowercased()

        var otel = OTel.Configuration.default
        otel.serviceName = self.serviceName
        // What every span's resource says besides its service; swift-otel merges OTEL_RESOURCE_ATTRIBUTES over it.
        otel.resourceAttributes = [
            "service.version": Observability.version,
            "service.instance.id": self.serviceInstanceID,
            "telemetry.sdk.name": Self.sdkName,
            "telemetry.sdk.language": "swift",
            "telemetry.sdk.version": Self.sdkVersion,
        ]
        self.resourceAttributes = otel.resourceAttributes.merging(resourceAttributes) { _, fromEnvironment in fromEnvironment }
        self.resourceAttributes["service.name"] = self.serviceName
        otel.metrics.enabled = false  // metrics are served to Prometheus by swift-prometheus
        // Logs are JSON lines on stdout; OTEL_LOGS_EXPORTER=otlp sends them over OTLP as well.
        switch value("OTEL_LOGS_EXPORTER")?.lowercased() {
        case nil, "none": self.exportsLogs = false
        case "otlp": self.exportsLogs = true
        case let other?: throw fail("OTEL_LOGS_EXPORTER", "unsupported exporter '\(other)'; supported: otlp, none")
        }
        otel.logs.enabled = self.exportsLogs
        otel.logs.exporter = .otlp
        otel.propagators = self.propagatesTraceContext ? [.traceContext] : [.none]

        let exportsTraces: Bool
        switch value("OTEL_TRACES_EXPORTER")?.lowercased() {
        case nil, "otlp":
            otel.traces.exporter = .otlp
            exportsTraces = true
        case "none":
            otel.traces.exporter = .none
            exportsTraces = false
        case let other?: throw fail("OTEL_TRACES_EXPORTER", "unsupported exporter '\(other)'; supported: otlp, none")
        }

        let samplerNames = [
            "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
            "parentbased_traceidratio",
        ]
        let sampler = value("OTEL_TRACES_SAMPLER")?.lowercased() ?? "parentbased_always_on"
        guard samplerNames.contains(sampler) else {
            throw fail("OTEL_TRACES_SAMPLER", "unsupported sampler '\(sampler)'; supported: \(samplerNames.joined(separator: ", "))")
        }
        if let argument = value("OTEL_TRACES_SAMPLER_ARG"), sampler.hasSuffix("traceidratio") {
            guard let ratio = Double(argument), (0.0...1.0).contains(ratio) else {
                throw fail("OTEL_TRACES_SAMPLER_ARG", "must be a sampling ratio between 0 and 1, got '\(argument)'")
            }
        }

        // The span and log batch processors take the same four settings; the OTLP exporter settings come
        // shared (OTEL_EXPORTER_OTLP_*) and per signal (…_TRACES_…, …_LOGS_…). Names are spelled out, so that
        // a search (and the compose check) finds every variable read.
        let batchProcessors = [
            ("OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"),
            ("OTEL_BLRP_SCHEDULE_DELAY", "OTEL_BLRP_EXPORT_TIMEOUT", "OTEL_BLRP_MAX_QUEUE_SIZE", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE"),
        ]
        for (scheduleDelay, exportTimeout, queueName, batchName) in batchProcessors {
            for name in [scheduleDelay, exportTimeout] {
                if let raw = value(name), Int(raw).map({ $0 >= 0 }) != true {
                    throw fail(name, "must be a whole number of milliseconds, got '\(raw)'")
                }
            }
            for name in [queueName, batchName] {
                if let raw = value(name), Int(raw).map({ $0 > 0 }) != true {
                    throw fail(name, "must be a positive whole number, got '\(raw)'")
                }
            }
            // Both processors default to a queue of 2048 and batches of 512.
            let queueSize = value(queueName).flatMap { Int($0) } ?? otel.traces.batchSpanProcessor.maxQueueSize
            let batchSize = value(batchName).flatMap { Int($0) } ?? otel.traces.batchSpanProcessor.maxExportBatchSize
            guard batchSize <= queueSize else {
                throw fail(batchName, "must not exceed \(queueName) (\(queueSize)), got \(batchSize)")
            }
        }
        let exporters = [
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_ENDPOINT"),
            ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
            ("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"),
        ]
        for (timeout, exportProtocol, endpoint) in exporters {
            if let raw = value(timeout), Int(raw).map({ $0 >= 0 }) != true {
                throw fail(timeout, "must be a whole number of milliseconds, got '\(raw)'")
            }
            if let raw = value(exportProtocol), !["grpc", "http/protobuf", "http/json"].contains(raw) {
                throw fail(exportProtocol, "unsupported protocol '\(raw)'; supported: grpc, http/protobuf, http/json")
            }
            if let raw = value(endpoint), !Self.isHTTPURL(raw) {
                throw fail(endpoint, "must be an http:// or https:// URL with a host, got '\(raw)'")
            }
        }
        for name in ["OTEL_RESOURCE_ATTRIBUTES", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
            "OTEL_EXPORTER_OTLP_LOGS_HEADERS"]
        {
            guard let raw = value(name) else { continue }
            for pair in raw.split(separator: ",") where !Self.isKeyValuePair(pair) {
                // Header values may be credentials: never echo them.
                let shown = name.hasSuffix("HEADERS") ? "a malformed entry" : "'\(pair)'"
                throw fail(name, "must be a comma-separated list of key=value pairs, got \(shown)")
            }
        }
        self.otel = otel

        // The endpoints the exporters will use, by the spec's precedence: per signal, then shared, then the
        // protocol's default port on localhost.
        var signals: [String] = []
        if exportsTraces { signals.append("TRACES") }
        if self.exportsLogs { signals.append("LOGS") }
        for signal in signals where !self.sdkDisabled {
            let exportProtocol = value("OTEL_EXPORTER_OTLP_\(signal)_PROTOCOL") ?? value("OTEL_EXPORTER_OTLP_PROTOCOL") ?? "http/protobuf"
            let endpoint = value("OTEL_EXPORTER_OTLP_\(signal)_ENDPOINT") ?? value("OTEL_EXPORTER_OTLP_ENDPOINT")
                ?? (exportProtocol == "grpc" ? "http://localhost:4317" : "http://localhost:4318")
            if let address = Self.hostAndPort(endpoint), !self.collectorAddresses.contains(address) {
                self.collectorAddresses.append(address)
            }
        }
    }

    /// Host and port of an `http://` or `https://` URL (80 or 443 when it names none).
    static func hostAndPort(_ url: String) -> CollectorGatedService.Address? {
        let isHTTPS = url.lowercased().hasPrefix("https://")
        guard isHTTPS || url.lowercased().hasPrefix("http://") else { return nil }
        let authority = url.dropFirst(isHTTPS ? 8 : 7).prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            let port = rest.hasPrefix(":") ? Int(rest.dropFirst()) : (isHTTPS ? 443 : 80)
            return port.map { .init(host: String(host), port: $0) }
        }
        let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let host = parts.first, !host.isEmpty else { return nil }
        let port = parts.count == 2 ? Int(parts[1]) : (isHTTPS ? 443 : 80)
        return port.map { .init(host: String(host), port: $0) }
    }

    private static func isHTTPURL(_ value: String) -> Bool {
        for scheme in ["http://", "https://"] where value.lowercased().hasPrefix(scheme) {
            let rest = value.dropFirst(scheme.count)
            let host = rest.prefix(while: { $0 != "/" && $0 != ":" })
            return !host.isEmpty && !rest.contains(" ")
        }
        return false
    }

    /// The telemetry SDK (semantic conventions: a non-official SDK names its own module) and its release,
    /// the swift-otel version Package.swift resolves to (a test holds the two together).
    package static let sdkName = "swift-otel"
    package static let sdkVersion = "1.6.0"

    private static func keyValuePairs(_ list: String) -> [String: String] {
        var pairs: [String: String] = [:]
        for pair in list.split(separator: ",") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            pairs[String(pair[..<equals].trimmingOptionalWhitespace())] = String(pair[pair.index(after: equals)...].trimmingOptionalWhitespace())
        }
        return pairs
    }

    private static func isKeyValuePair(_ pair: Substring) -> Bool {
        guard let equals = pair.firstIndex(of: "=") else { return false }
        return !pair[..<equals].trimmingOptionalWhitespace().isEmpty
    }
}

