import Logging
import Shared

/// Everything the Gateway reads at startup, with its defaults.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `HTTP_HOST` / `HTTP_PORT` | `0.0.0.0` / `8080` | where the HTTP server listens |
/// | `HTTP_IDLE_TIMEOUT_MS` | `10000` | a connection with no complete request head (a slow or stalled client) or idle between requests for this long is closed |
/// | `CORE_ENGINE_HOST` / `CORE_ENGINE_PORT` | `127.0.0.1` / `50051` | where CoreEngine's gRPC server is |
/// | `CORE_ENGINE_DEADLINE_MS` | `3000` | deadline of every call to CoreEngine |
/// | `LOG_LEVEL` | `info` | trace, debug, info, notice, warning, error, critical |
///
/// Tracing is configured by the standard `OTEL_*` variables (see `TelemetrySettings`).
package struct GatewayConfiguration: Sendable {
    var httpHost = "0.0.0.0"
    var httpPort = 8080
    var httpIdleTimeout: Duration = .seconds(10)
    package var coreEngineHost = "127.0.0.1"
    var coreEnginePort = 50051
    package var coreEngineDeadline: Duration = .seconds(3)
    var logLevel: Logger.Level = .info

    package init() {}

    init(settings: SettingsReader) throws(ConfigurationError) {
        self.httpHost = try settings.host("http.host", default: self.httpHost)
        self.httpPort = try settings.port("http.port", default: self.httpPort)
        self.httpIdleTimeout = try settings.milliseconds("http.idle.timeout.ms", default: self.httpIdleTimeout, in: 100...3_600_000)
        self.coreEngineHost = try settings.host("core.engine.host", default: self.coreEngineHost)
        self.coreEnginePort = try settings.port("core.engine.port", default: self.coreEnginePort)
        self.coreEngineDeadline = try settings.milliseconds(
            "core.engine.deadline.ms",
            default: self.coreEngineDeadline,
            in: 1...60_000
        )
        self.logLevel = try settings.logLevel("log.level", default: self.logLevel)
    }
}
