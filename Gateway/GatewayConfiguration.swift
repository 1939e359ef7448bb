import Logging
import ServiceConfiguration

/// Everything the Gateway reads at startup, with its defaults.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `HTTP_HOST` / `HTTP_PORT` | `0.0.0.0` / `8080` | where the HTTP server listens |
/// | `HTTP_IDLE_TIMEOUT_MS` | `10000` | a connection with no complete request head (a slow or stalled client) or idle between requests for this long is closed |
/// | `CORE_ENGINE_TARGET` | — | CoreEngine as a gRPC target: `dns:///core-engine:50051` (every address the name resolves to), `ipv4:127.0.0.1:50051,127.0.0.1:50061`, … (`CoreEngineTarget`); instead of host and port |
/// | `CORE_ENGINE_HOST` / `CORE_ENGINE_PORT` | `127.0.0.1` / `50051` | where CoreEngine is, when `CORE_ENGINE_TARGET` is not set: `dns:///HOST:PORT` |
/// | `CORE_ENGINE_LB_POLICY` | `round_robin` | how calls are spread over CoreEngine's replicas: `round_robin` or `pick_first` |
/// | `CORE_ENGINE_DEADLINE_MS` | `3000` | deadline of every call to CoreEngine |
/// | `LOG_LEVEL` | `info` | trace, debug, info, notice, warning, error, critical |
///
/// Tracing is configured by the standard `OTEL_*` variables (see `TelemetrySettings`).
package struct GatewayConfiguration: Sendable {
    var httpHost = "0.0.0.0"
    var httpPort = 8080
    var httpIdleTimeout: Duration = .seconds(10)
    package var coreEngineTarget = CoreEngineTarget.dns(host: "127.0.0.1", port: 50051)
    var coreEngineLoadBalancing = CoreEngineLoadBalancing.roundRobin
    package var coreEngineDeadline: Duration = .seconds(3)
    var logLevel: Logger.Level = .info

    package init() {}

    init(settings: SettingsReader) throws(ConfigurationError) {
        self.httpHost = try settings.host("http.host", default: self.httpHost)
        self.httpPort = try settings.port("http.port", default: self.httpPort)
        self.httpIdleTimeout = try settings.milliseconds(
            "http.idle.timeout.ms",
            default: self.httpIdleTimeout,
            in: 100...3_600_000
        )
        let host = try settings.host("core.engine.host", default: "127.0.0.1")
        let port = try settings.port("core.engine.port", default: 50051)
        if let target = settings.optionalString("core.engine.target") {
            guard !settings.isSet("core.engine.host"), !settings.isSet("core.engine.port") else {
                throw ConfigurationError(
                    variable: "CORE_ENGINE_TARGET",
                    message: "names CoreEngine already: set it or CORE_ENGINE_HOST/CORE_ENGINE_PORT, not both"
                )
            }
            self.coreEngineTarget = try CoreEngineTarget(parsing: target, variable: "CORE_ENGINE_TARGET")
        } else {
            self.coreEngineTarget = .dns(host: host, port: port)
        }
        self.coreEngineLoadBalancing = try settings.choice(
            "core.engine.lb.policy",
            default: self.coreEngineLoadBalancing
        )
        self.coreEngineDeadline = try settings.milliseconds(
            "core.engine.deadline.ms",
            default: self.coreEngineDeadline,
            in: 1...60_000
        )
        self.logLevel = try settings.logLevel("log.level", default: self.logLevel)
    }
}
