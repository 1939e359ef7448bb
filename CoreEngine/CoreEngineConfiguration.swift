import Logging
import ServiceConfiguration

/// Everything CoreEngine reads at startup, with its defaults.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `GRPC_HOST` / `GRPC_PORT` | `0.0.0.0` / `50051` | where the gRPC server listens |
/// | `METRICS_HOST` / `METRICS_PORT` | `0.0.0.0` / `50052` | where `/metrics` is served over HTTP |
/// | `LOG_LEVEL` | `info` | trace, debug, info, notice, warning, error, critical |
/// | `SOURCE_LATENCY_MS` | `1` | simulated time of one source fetch |
/// | `CACHE_TTL_MS` | `1000` | how long a fetched tick is served from the cache |
/// | `VWAP_WINDOW` | `20` | time buckets in the VWAP |
/// | `FAULT_EXTRA_LATENCY_MS` | `0` | demo knob: latency added to every source fetch |
/// | `FAULT_ERROR_RATE` | `0` | demo knob: fraction of source fetches that fail with UNAVAILABLE |
///
/// Tracing is configured by the standard `OTEL_*` variables (see `TelemetrySettings`).
struct CoreEngineConfiguration: Sendable {
    var grpcHost = "0.0.0.0"
    var grpcPort = 50051
    var metricsHost = "0.0.0.0"
    var metricsPort = 50052
    var logLevel: Logger.Level = .info
    var engine = MarketDataEngine.Configuration()

    init() {}

    init(settings: SettingsReader) throws(ConfigurationError) {
        self.grpcHost = try settings.host("grpc.host", default: self.grpcHost)
        self.grpcPort = try settings.port("grpc.port", default: self.grpcPort)
        self.metricsHost = try settings.host("metrics.host", default: self.metricsHost)
        self.metricsPort = try settings.port("metrics.port", default: self.metricsPort)
        self.logLevel = try settings.logLevel("log.level", default: self.logLevel)
        self.engine.sourceLatency = try settings.milliseconds(
            "source.latency.ms",
            default: self.engine.sourceLatency,
            in: 0...10_000
        )
        self.engine.cacheTimeToLive = try settings.milliseconds(
            "cache.ttl.ms",
            default: self.engine.cacheTimeToLive,
            in: 0...3_600_000
        )
        self.engine.vwapWindow = try settings.integer("vwap.window", default: self.engine.vwapWindow, in: 1...1000)
        self.engine.faults.extraLatency = try settings.milliseconds(
            "fault.extra.latency.ms",
            default: .zero,
            in: 0...60_000
        )
        self.engine.faults.errorRate = try settings.fraction("fault.error.rate", default: 0)
    }
}
