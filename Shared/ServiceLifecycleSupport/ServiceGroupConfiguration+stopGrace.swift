import Logging
import ServiceLifecycle
import UnixSignals

extension ServiceGroupConfiguration {
    /// How long a graceful shutdown may take before the group cancels what is still running: inside the 10 seconds
    /// Docker and Kubernetes give a container between SIGTERM and SIGKILL, with room to exit.
    ///
    /// The services drain first (an HTTP stream a client keeps open would otherwise hold the process until SIGKILL),
    /// then the telemetry pipeline flushes within its own budget (`TelemetryPipelineConfiguration.flushBudget`).
    /// swift-service-lifecycle's `maximumGracefulShutdownDuration` escalates to task cancellation once this passes.
    package static let stopGrace: Duration = .seconds(8)

    /// The services of one process, stopped by SIGTERM or SIGINT in reverse order, within `stopGrace`.
    package static func boundedByStopGrace(services: [any Service], logger: Logger) -> ServiceGroupConfiguration {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = Self.stopGrace
        return configuration
    }
}
