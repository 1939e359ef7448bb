import CoreMetrics
import Instrumentation
import Logging
import PrometheusExemplars
import ServiceContextModule
import ServiceLifecycle
import TelemetryPipeline
import TraceContextPropagation
import Tracing

/// Installs logging and tracing for one process. Call it once, first thing in `main`.
///
/// - Logs: `ServiceLogHandler` at `LOG_LEVEL`: JSON lines on stdout (`JSONLogHandler`) with `trace_id`, `span_id`,
///   `trace_flags` (the current span's) and `correlation_id` on every line written inside a request
///   (`LogCorrelation`); with `OTEL_LOGS_EXPORTER=otlp` every record goes out over OTLP as well.
/// - Traces: `TelemetryPipeline`'s tracer and OTLP exporters, configured by the `OTEL_*` variables
///   (see `TelemetrySettings`), multiplexed with `BaggageInstrument` for W3C baggage.
package enum Observability {
    /// What `bootstrap` installed: the services to run first (they flush spans when they stop last).
    package struct Bootstrapped: Sendable {
        package var services: [any Service]
        package var settings: TelemetrySettings
        /// The `/metrics` renderer over the registry swift-metrics records into.
        package var metrics: MetricsExposition
    }

    /// The version in `{service}_build_info` and `service.version`.
    package static let version = "0.1.0"

    /// - Parameters:
    ///   - metricDefinitions: The help text and buckets of the service's own metrics, beside those every service
    ///     records (`MetricCatalog`).
    ///   - outputs: Where logs and metrics go; `standard` but in the benchmark's ablation.
    package static func bootstrap(
        serviceName: String,
        logLevel: Logger.Level,
        environment: [String: String],
        metricDefinitions: MetricDefinitions,
        outputs: TelemetryOutputs = .standard
    ) throws -> Bootstrapped {
        let settings = try TelemetrySettings(environment: environment, defaultServiceName: serviceName)
        let resolvedServiceName = settings.serviceName
        let instanceID = settings.serviceInstanceID

        var services: [any Service] = []
        var instruments: [any Instrument] = []
        var otlpLogHandler: PipelineLogHandler?
        if !settings.sdkDisabled {
            // The pipeline's own trouble (a failed export, records left at shutdown) goes to stdout only: through
            // its own OTLP handler it would feed the failure it reports.
            let diagnostics = Logger(label: "otel") { label in
                JSONLogHandler(label: label, service: resolvedServiceName, instance: instanceID, logLevel: .info)
            }
            // Spans and log records still queued at shutdown get five seconds together to reach the collector: the
            // gateway's HTTP drain comes before, and Docker's stop grace is ten seconds in all.
            let pipeline = try TelemetryPipeline(configuration: settings.pipeline, logger: diagnostics)
            otlpLogHandler = pipeline.makeLogHandler()
            instruments.append(pipeline.tracer)
            services.append(pipeline.service)
        }

        let writesLogLines = outputs.writesLogLines
        let pipelineLogHandler = otlpLogHandler
        LoggingSystem.bootstrap(
            { label, provider in
                ServiceLogHandler(
                    lines: writesLogLines
                        ? JSONLogHandler(label: label, service: resolvedServiceName, instance: instanceID) : nil,
                    pipeline: pipelineLogHandler,
                    logLevel: logLevel,
                    metadataProvider: provider
                )
            },
            // No provider: what ties a record to its request is read by the handler itself (`LogCorrelation`).
            metadataProvider: nil
        )

        if settings.propagatesBaggage {
            instruments.append(BaggageInstrument())
        }
        if !instruments.isEmpty {
            InstrumentationSystem.bootstrap(MultiplexInstrument(instruments))
        }
        // After tracing: exemplars read the current span through the tracer bootstrapped above. Export
        // failures are counted through swift-metrics too, but only happen once the services run.
        let metricsFactory = ExemplarMetricsFactory(definitions: MetricCatalog.definitions.merging(metricDefinitions))
        MetricsSystem.bootstrap(outputs.metricsFactory(metricsFactory))
        let processMetrics = ProcessMetrics(
            registry: metricsFactory.registry,
            service: serviceName,
            version: Self.version,
            resource: settings.resourceAttributes
        )
        let exposition = MetricsExposition(factory: metricsFactory, beforeScrape: processMetrics.update)
        return Bootstrapped(services: services, settings: settings, metrics: exposition)
    }
}

extension Logger.MetadataProvider {
    /// `correlation_id` from the current `ServiceContext`: for a `JSONLogHandler` of its own (tests, benchmarks).
    package static let correlationID = Logger.MetadataProvider {
        guard let correlationID = ServiceContext.current?.correlationID else { return [:] }
        return ["correlation_id": .string(correlationID)]
    }
}
