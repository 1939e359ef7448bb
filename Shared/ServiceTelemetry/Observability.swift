#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Instrumentation
import CoreMetrics
import Logging
import OTel
import PrometheusExemplars
import ServiceLifecycle
import ServiceLifecycleSupport
import TraceContextPropagation
import Tracing

/// Installs logging and tracing for one process. Call it once, first thing in `main`.
///
/// - Logs: `JSONLogHandler` on stdout at `LOG_LEVEL`, with `trace_id`, `span_id` (from swift-otel's
///   metadata provider) and `correlation_id` on every line written inside a request; with
///   `OTEL_LOGS_EXPORTER=otlp` every record also goes out over OTLP (`OTLPLogHandler`, swift-otel's backend).
/// - Traces: swift-otel's tracer and OTLP exporter, configured by the `OTEL_*` variables
///   (see `TelemetrySettings`), multiplexed with `BaggageInstrument` for W3C baggage.
package enum Observability {
    /// What `bootstrap` installed: the services to run first (they flush spans when they stop last).
    package struct Bootstrapped: Sendable {
        package var services: [any Service]
        package var settings: TelemetrySettings
        /// The `/metrics` renderer over the registry swift-metrics records into.
        package var metrics: MetricsExposition
    }

    /// How long the tracer and the log exporter may take together to flush their queues at shutdown.
    package static let telemetryFlushBudget: Duration = .seconds(5)

    /// How long the exporters wait, at startup, for the collector to accept connections (`CollectorGatedService`).
    package static let collectorWaitLimit: Duration = .seconds(10)

    /// The version in `{service}_build_info` and `service.version`.
    package static let version = "0.1.0"

    /// - Parameter layers: What to install; everything but in the benchmark's ablation (`ObservabilityLayers`).
    package static func bootstrap(
        serviceName: String,
        logLevel: Logger.Level,
        environment: [String: String],
        layers: ObservabilityLayers = .all
    ) throws -> Bootstrapped {
        let settings = try TelemetrySettings(environment: environment, defaultServiceName: serviceName)
        let resolvedServiceName = settings.serviceName
        let instanceID = settings.serviceInstanceID

        let metadataProvider = Logger.MetadataProvider.traceAndCorrelation(OTel.makeLoggingMetadataProvider())

        var telemetryServices: [any Service] = []
        var instruments: [any Instrument] = []
        var otlpLogHandler: (@Sendable (String) -> any LogHandler)?
        if !settings.sdkDisabled {
            var otel = settings.otel
            // Export failures repeat for as long as the collector is away: write each kind once per 30 s.
            otel.diagnosticLogger = .custom(
                Logger(label: "otel") { label in
                    TelemetryHealthLogHandler(
                        base: RateLimitedLogHandler(
                            base: JSONLogHandler(label: label, service: resolvedServiceName, instance: instanceID, logLevel: .info)
                        )
                    )
                }
            )
            // swift-otel applies OTEL_PROPAGATORS from the environment over our configuration and stops the
            // process on `baggage`; TelemetrySettings has already read and checked it, so hide it.
            unsetenv("OTEL_PROPAGATORS")
            if settings.exportsLogs {
                let (makeHandler, service) = try OTel.makeLoggingBackend(configuration: otel)
                otlpLogHandler = makeHandler
                telemetryServices.append(service)
            }
            let (tracer, service) = try OTel.makeTracingBackend(configuration: otel)
            instruments.append(tracer)
            telemetryServices.append(service)
        }

        let makeOTLPLogHandler = otlpLogHandler
        let writesJSON = layers.contains(.jsonLogs)
        LoggingSystem.bootstrap(
            { label, provider in
                var json: any LogHandler = SwiftLogNoOpLogHandler(label)
                if writesJSON {
                    json = JSONLogHandler(
                        label: label,
                        service: resolvedServiceName,
                        instance: instanceID,
                        logLevel: logLevel,
                        metadataProvider: provider
                    )
                }
                guard let makeOTLPLogHandler else { return json }
                var otlp = OTLPLogHandler(base: makeOTLPLogHandler(label), metadataProvider: provider)
                otlp.logLevel = logLevel
                return MultiplexLogHandler([json, otlp])
            },
            metadataProvider: metadataProvider
        )

        var services: [any Service] = []
        if !telemetryServices.isEmpty {
            // Spans and log records still queued at shutdown get five seconds together to reach the collector:
            // the gateway's HTTP drain comes before, and Docker's stop grace is ten seconds in all. In one group,
            // started logs first, so the tracer stops first and the logs of its shutdown still go out.
            let telemetry = ServiceGroup(
                configuration: .init(services: telemetryServices.map { .init(service: $0) }, logger: Logger(label: "otel"))
            )
            let gated = CollectorGatedService(
                telemetry,
                waitingFor: settings.collectorAddresses,
                limit: Self.collectorWaitLimit,
                logger: Logger(label: "otel")
            )
            services.append(BoundedShutdownService(gated, budget: Self.telemetryFlushBudget, logger: Logger(label: "otel")))
        }
        if settings.propagatesBaggage {
            instruments.append(BaggageInstrument())
        }
        if !instruments.isEmpty {
            InstrumentationSystem.bootstrap(MultiplexInstrument(instruments))
        }
        // After tracing: exemplars read the current span through the tracer bootstrapped above. Export
        // failures are counted through swift-metrics too, but only happen once the services run.
        let metricsFactory = ExemplarMetricsFactory(definitions: MetricCatalog.definitions)
        MetricsSystem.bootstrap(layers.contains(.metrics) ? metricsFactory : NOOPMetricsHandler.instance)
        let processMetrics = ProcessMetrics(
            registry: metricsFactory.registry,
            service: serviceName,
            version: Self.version,
            resource: settings.resourceAttributes
        )
        let exposition = MetricsExposition(factory: metricsFactory, beforeScrape: processMetrics.update)
        // Registered up front, at zero, so dashboards show a flat line rather than "no data".
        _ = CoreMetrics.Counter(label: "otel_span_export_failures_total")
        _ = CoreMetrics.Counter(label: "otel_spans_dropped_total")
        if settings.exportsLogs { _ = CoreMetrics.Counter(label: "otel_log_records_dropped_total") }
        return Bootstrapped(services: services, settings: settings, metrics: exposition)
    }
}

extension Logger.MetadataProvider {
    /// `trace_id`, `span_id` and `trace_flags` from `traceProvider` (swift-otel's), with `correlation_id` added to the
    /// same dictionary: swift-log's `multiplex` would build a third one and merge both into it, for every line.
    package static func traceAndCorrelation(_ traceProvider: Logger.MetadataProvider) -> Logger.MetadataProvider {
        Logger.MetadataProvider {
            var metadata = traceProvider.get()
            if let correlationID = ServiceContext.current?.correlationID {
                metadata["correlation_id"] = .string(correlationID)
            }
            return metadata
        }
    }

    /// Adds `correlation_id` from the current `ServiceContext`.
    package static let correlationID = Logger.MetadataProvider {
        guard let correlationID = ServiceContext.current?.correlationID else { return [:] }
        return ["correlation_id": .string(correlationID)]
    }
}
