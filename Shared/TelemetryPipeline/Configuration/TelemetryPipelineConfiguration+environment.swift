import TraceContextPropagation

/// A variable the pipeline cannot honour: which one, and what is wrong with it (never its value when that may be a
/// credential).
public struct TelemetryPipelineConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var variable: String
    public var message: String

    public var description: String { "\(self.variable) \(self.message)" }
}

extension TelemetryPipelineConfiguration {
    /// Reads the standard variables of the OpenTelemetry SDK environment specification, with its defaults:
    /// `OTEL_TRACES_SAMPLER` and `…_ARG`; `OTEL_TRACES_EXPORTER`, `OTEL_LOGS_EXPORTER` (`otlp` or `none`);
    /// `OTEL_BSP_*` and `OTEL_BLRP_*` (`SCHEDULE_DELAY`, `EXPORT_TIMEOUT`, `MAX_QUEUE_SIZE`,
    /// `MAX_EXPORT_BATCH_SIZE`); `OTEL_EXPORTER_OTLP_[TRACES_|LOGS_]` `ENDPOINT`, `PROTOCOL` (`grpc`,
    /// `http/protobuf`), `HEADERS`, `COMPRESSION` (`gzip`, `none`), `TIMEOUT`; and the span limits
    /// (`OTEL_ATTRIBUTE_COUNT_LIMIT`, `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`, `OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT`,
    /// `OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`, `OTEL_SPAN_EVENT_COUNT_LIMIT`, `OTEL_SPAN_LINK_COUNT_LIMIT`,
    /// `OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`, `OTEL_LINK_ATTRIBUTE_COUNT_LIMIT`).
    ///
    /// - Throws: `TelemetryPipelineConfigurationError` naming the first variable whose value it cannot honour.
    public init(
        environment: [String: String],
        resource: [String: String]
    ) throws(TelemetryPipelineConfigurationError) {
        let variables = EnvironmentVariables(environment)
        self.init(resource: resource)

        let samplerName = variables["OTEL_TRACES_SAMPLER"]?.lowercased() ?? "parentbased_always_on"
        var ratio: Double?
        if samplerName.hasSuffix("traceidratio"), let argument = variables["OTEL_TRACES_SAMPLER_ARG"] {
            guard let value = Double(argument), (0.0...1.0).contains(value) else {
                throw .init(
                    variable: "OTEL_TRACES_SAMPLER_ARG",
                    message: "must be a sampling ratio between 0 and 1, got '\(argument)'"
                )
            }
            ratio = value
        }
        guard let sampler = Sampler(name: samplerName, argument: ratio) else {
            throw .init(
                variable: "OTEL_TRACES_SAMPLER",
                message: "unsupported sampler '\(samplerName)'; supported: \(Sampler.names.joined(separator: ", "))"
            )
        }
        self.sampler = sampler

        let attributeCount = try variables.count("OTEL_ATTRIBUTE_COUNT_LIMIT")
        let valueLength = try variables.count("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT")
        self.spanLimits.attributeCount = try variables.count("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT") ?? attributeCount ?? 128
        self.spanLimits.attributeValueLength =
            try variables.count("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT") ?? valueLength
        self.spanLimits.eventCount = try variables.count("OTEL_SPAN_EVENT_COUNT_LIMIT") ?? 128
        self.spanLimits.linkCount = try variables.count("OTEL_SPAN_LINK_COUNT_LIMIT") ?? 128
        self.spanLimits.attributesPerEvent =
            try variables.count("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT") ?? attributeCount ?? 128
        self.spanLimits.attributesPerLink =
            try variables.count("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT") ?? attributeCount ?? 128

        // Every name spelled out, so that a search for a variable (and the compose check) finds where it is read.
        self.spans = try variables.batchSettings(
            names: (
                "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE",
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"
            ),
            defaults: .spans
        )
        self.logRecords = try variables.batchSettings(
            names: (
                "OTEL_BLRP_SCHEDULE_DELAY", "OTEL_BLRP_EXPORT_TIMEOUT", "OTEL_BLRP_MAX_QUEUE_SIZE",
                "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE"
            ),
            defaults: .logRecords
        )

        // Both signals' exporter variables are checked even when the signal is not exported: a mistyped value is
        // reported at startup, not first when someone switches the signal on.
        let tracesEndpoint = try variables.endpoint(for: .traces)
        let logsEndpoint = try variables.endpoint(for: .logs)
        self.tracesExporter =
            try variables.exporterChoice("OTEL_TRACES_EXPORTER", default: "otlp") ? tracesEndpoint : nil
        self.logsExporter = try variables.exporterChoice("OTEL_LOGS_EXPORTER", default: "none") ? logsEndpoint : nil
    }
}

/// The environment as the specification reads it: a value that is empty or only spaces counts as unset.
private struct EnvironmentVariables {
    let environment: [String: String]

    init(_ environment: [String: String]) {
        self.environment = environment
    }

    subscript(name: String) -> String? {
        guard let raw = self.environment[name] else { return nil }
        let value = raw.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" })
        return value.isEmpty ? nil : String(value.reversed())
    }

    /// A whole number of at least `minimum`.
    func count(_ name: String, minimum: Int = 0) throws(TelemetryPipelineConfigurationError) -> Int? {
        guard let raw = self[name] else { return nil }
        guard let value = Int(raw), value >= minimum else {
            throw .init(variable: name, message: "must be a whole number of at least \(minimum), got '\(raw)'")
        }
        return value
    }

    func milliseconds(_ name: String) throws(TelemetryPipelineConfigurationError) -> Duration? {
        guard let raw = self[name] else { return nil }
        guard let value = Int(raw), value >= 0 else {
            throw .init(variable: name, message: "must be a whole number of milliseconds, got '\(raw)'")
        }
        return .milliseconds(value)
    }

    func batchSettings(
        names: (scheduleDelay: String, exportTimeout: String, queueSize: String, batchSize: String),
        defaults: BatchSettings
    ) throws(TelemetryPipelineConfigurationError) -> BatchSettings {
        var settings = defaults
        settings.scheduleDelay = try self.milliseconds(names.scheduleDelay) ?? defaults.scheduleDelay
        settings.exportTimeout = try self.milliseconds(names.exportTimeout) ?? defaults.exportTimeout
        settings.maxQueueSize = try self.count(names.queueSize, minimum: 1) ?? defaults.maxQueueSize
        // A batch larger than the queue could never fill: the specification asks for it to be refused.
        let batchName = names.batchSize
        settings.maxExportBatchSize =
            try self.count(batchName, minimum: 1) ?? min(defaults.maxExportBatchSize, settings.maxQueueSize)
        guard settings.maxExportBatchSize <= settings.maxQueueSize else {
            throw .init(
                variable: batchName,
                message:
                    "must not exceed \(names.queueSize) (\(settings.maxQueueSize)), got \(settings.maxExportBatchSize)"
            )
        }
        return settings
    }

    /// `otlp` or `none` (the only exporters this pipeline has).
    func exporterChoice(
        _ name: String,
        default defaultValue: String
    ) throws(TelemetryPipelineConfigurationError) -> Bool {
        switch self[name]?.lowercased() ?? defaultValue {
        case "otlp": return true
        case "none": return false
        case let other: throw .init(variable: name, message: "unsupported exporter '\(other)'; supported: otlp, none")
        }
    }

    /// The variables of one signal's exporter: its own, then the shared ones.
    private struct ExporterNames {
        var endpoint: (own: String, shared: String)
        var protocolName: (own: String, shared: String)
        var headers: (own: String, shared: String)
        var compression: (own: String, shared: String)
        var timeout: (own: String, shared: String)
    }

    private static func exporterNames(_ signal: OTLPEndpoint.Signal) -> ExporterNames {
        switch signal {
        case .traces:
            ExporterNames(
                endpoint: ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"),
                protocolName: ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"),
                headers: ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"),
                compression: ("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"),
                timeout: ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT")
            )
        case .logs:
            ExporterNames(
                endpoint: ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"),
                protocolName: ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"),
                headers: ("OTEL_EXPORTER_OTLP_LOGS_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"),
                compression: ("OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"),
                timeout: ("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT")
            )
        }
    }

    /// The signal's exporter: its own variable, else the shared one, else the specification's default.
    func endpoint(for signal: OTLPEndpoint.Signal) throws(TelemetryPipelineConfigurationError) -> OTLPEndpoint {
        let names = Self.exporterNames(signal)
        func pick(_ pair: (own: String, shared: String)) -> (name: String, value: String)? {
            if let value = self[pair.own] { return (pair.own, value) }
            if let value = self[pair.shared] { return (pair.shared, value) }
            return nil
        }

        var transportProtocol = OTLPEndpoint.TransportProtocol.httpProtobuf
        if let (name, value) = pick(names.protocolName) {
            guard let chosen = OTLPEndpoint.TransportProtocol(rawValue: value) else {
                throw .init(variable: name, message: "unsupported protocol '\(value)'; supported: grpc, http/protobuf")
            }
            transportProtocol = chosen
        }
        var url: String?
        if let value = self[names.endpoint.own] {
            url = value
            try Self.checkURL(names.endpoint.own, value)
        } else if let value = self[names.endpoint.shared] {
            try Self.checkURL(names.endpoint.shared, value)
            // The shared endpoint is a base: OTLP/HTTP appends the signal's path to it.
            url = transportProtocol == .grpc ? value : (value.hasSuffix("/") ? value : value + "/") + signal.path
        }
        var headers: [(String, String)] = []
        for name in [names.headers.shared, names.headers.own] {
            guard let list = self[name] else { continue }
            for pair in list.split(separator: ",") {
                guard let equals = pair.firstIndex(of: "="),
                    let key = Self.percentDecoded(pair[..<equals]).map(Self.trimmed), !key.isEmpty,
                    let value = Self.percentDecoded(pair[pair.index(after: equals)...]).map(Self.trimmed)
                else {
                    // Header values may be credentials: never echo them.
                    throw .init(
                        variable: name,
                        message: "must be a comma-separated list of key=value pairs, got a malformed entry"
                    )
                }
                headers.removeAll { $0.0.lowercased() == key.lowercased() }
                headers.append((key, value))
            }
        }
        var gzip = false
        if let (name, value) = pick(names.compression) {
            switch value.lowercased() {
            case "gzip": gzip = true
            case "none": gzip = false
            default: throw .init(variable: name, message: "unsupported compression '\(value)'; supported: gzip, none")
            }
        }
        var timeout: Duration = .seconds(10)
        if let (name, _) = pick(names.timeout) { timeout = try self.milliseconds(name) ?? timeout }
        return OTLPEndpoint(
            signal: signal,
            url: url,
            transportProtocol: transportProtocol,
            headers: headers,
            gzip: gzip,
            attemptTimeout: timeout
        )
    }

    private static func checkURL(_ name: String, _ value: String) throws(TelemetryPipelineConfigurationError) {
        guard OTLPEndpoint(signal: .traces, url: value).hostAndPort != nil, !value.contains(" ") else {
            throw .init(variable: name, message: "must be an http:// or https:// URL with a host, got '\(value)'")
        }
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }

    /// `%XX` escapes decoded (W3C Baggage's octet form, which the specification uses for header values).
    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let highByte = iterator.next(), let lowByte = iterator.next(),
                let high = Self.hexDigit(highByte), let low = Self.hexDigit(lowByte)
            else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        if let value = TraceParent.hexValue(byte) { return value }
        guard (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte) else { return nil }
        return byte - UInt8(ascii: "A") + 10
    }
}
