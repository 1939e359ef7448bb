import Logging
import ServiceLifecycle

/// Spans and log records over OTLP behind swift-distributed-tracing and swift-log: a tracer, a log handler, and
/// the batch processors that export what they record.
///
/// ```swift
/// let pipeline = try TelemetryPipeline(configuration: TelemetryPipelineConfiguration(
///     environment: ProcessInfo.processInfo.environment,
///     resource: ["service.name": "quotes"]
/// ))
/// InstrumentationSystem.bootstrap(pipeline.tracer)
/// // Run pipeline.service first in your ServiceGroup, so that it stops last and flushes.
/// ```
///
/// A span costs one allocation and one lock when sampled, and none of its own when not; `end()` queues it, and the
/// exporter task encodes OTLP protobuf from the field numbers, off the request path.
public struct TelemetryPipeline: Sendable {
    /// The tracer to bootstrap (`InstrumentationSystem.bootstrap`) or hand to instrumented code.
    public let tracer: PipelineTracer
    /// The batch processors of the exported signals, as one service: run it in the service group before everything
    /// that traces, so that it stops last. At graceful shutdown every processor flushes at once, all within the one
    /// `flushBudget`.
    public let service: any Service
    private let logQueue: BatchQueue<LogRecord>?

    /// - Parameters:
    ///   - configuration: What to sample, where to export, with what limits.
    ///   - logger: Where the pipeline reports its own trouble (failed exports, records dropped at shutdown). It must
    ///     not write through this pipeline's own log handler.
    public init(
        configuration: TelemetryPipelineConfiguration,
        logger: Logger = Logger(label: "telemetry-pipeline")
    )
        throws
    {
        let resource = ResourceEncoding.resource(configuration.resource)
        let scope = ResourceEncoding.scope(name: Self.scopeName, version: Self.version)
        var services: [any Service] = []

        let spanQueue = BatchQueue<RecordingSpan>(
            capacity: configuration.spans.maxQueueSize,
            batchSize: configuration.spans.maxExportBatchSize
        )
        if let endpoint = configuration.tracesExporter {
            let encoder = SpanEncoder(resource: resource, scope: scope, limits: configuration.spanLimits)
            services.append(
                BatchProcessor(
                    queue: spanQueue,
                    settings: configuration.spans,
                    encode: encoder.encode,
                    exporter: try Self.exporter(endpoint),
                    signal: .spans,
                    flushBudget: configuration.flushBudget,
                    logger: logger
                )
            )
        }
        self.tracer = PipelineTracer(
            sampler: configuration.sampler,
            limits: configuration.spanLimits,
            queue: spanQueue,
            recordsSpans: configuration.tracesExporter != nil
        )

        if let endpoint = configuration.logsExporter {
            let queue = BatchQueue<LogRecord>(
                capacity: configuration.logRecords.maxQueueSize,
                batchSize: configuration.logRecords.maxExportBatchSize
            )
            let encoder = LogRecordEncoder(
                resource: resource,
                scope: scope,
                redaction: configuration.logAttributeRedaction
            )
            services.append(
                BatchProcessor(
                    queue: queue,
                    settings: configuration.logRecords,
                    encode: encoder.encode,
                    exporter: try Self.exporter(endpoint),
                    signal: .logRecords,
                    flushBudget: configuration.flushBudget,
                    logger: logger
                )
            )
            self.logQueue = queue
        } else {
            self.logQueue = nil
        }
        self.service = ProcessorGroup(processors: services)
    }

    /// A log handler whose records go out over OTLP; `nil` when the configuration exports no logs.
    public func makeLogHandler() -> PipelineLogHandler? {
        self.logQueue.map(PipelineLogHandler.init(queue:))
    }

    /// The instrumentation scope on every export, and `telemetry.sdk.name` for a resource that names this SDK.
    public static let scopeName = "TelemetryPipeline"
    /// The pipeline's version, on its scope and as `telemetry.sdk.version`.
    public static let version = "1.0.0"

    private static func exporter(_ endpoint: OTLPEndpoint) throws -> OTLPExporter {
        switch endpoint.transportProtocol {
        case .httpProtobuf:
            return OTLPExporter(
                transport: OTLPHTTPTransport(url: endpoint.url, headers: endpoint.headers, gzip: endpoint.gzip),
                attemptTimeout: endpoint.attemptTimeout
            )
        case .grpc:
            guard let (tls, host, port) = endpoint.hostAndPort else {
                throw TelemetryPipelineConfigurationError(
                    variable: "OTEL_EXPORTER_OTLP_ENDPOINT",
                    message: "is not an http(s) URL"
                )
            }
            let transport = try OTLPGRPCTransport(
                host: host,
                port: port,
                tls: tls,
                method: endpoint.signal == .traces ? OTLPGRPCTransport.traceExport : OTLPGRPCTransport.logsExport,
                headers: endpoint.headers,
                gzip: endpoint.gzip
            )
            return OTLPExporter(transport: transport, attemptTimeout: endpoint.attemptTimeout)
        }
    }
}

/// The processors run side by side; each sees the graceful shutdown (a task-local) as the group does. With none (no
/// signal exported) it waits for shutdown all the same: a service that returns early would end its service group.
private struct ProcessorGroup: Service {
    let processors: [any Service]

    func run() async throws {
        guard !self.processors.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        try await withThrowingDiscardingTaskGroup { group in
            for processor in self.processors {
                group.addTask { try await processor.run() }
            }
        }
    }
}
