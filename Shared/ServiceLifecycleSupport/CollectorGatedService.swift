import Logging
import NIOCore
import NIOPosix
import ObservabilityPrimitives
import ServiceLifecycle

/// Starts swift-otel's exporters only once the collector accepts connections, for at most `limit`.
///
/// swift-otel (1.6) drops a batch whose export fails: its batch processors do not keep a failed batch, and its
/// OTLP/gRPC exporter fails at once while its channel is not connected yet (OTLP/HTTP waits for a refused connection
/// only within the export timeout, and retries only 429, 502, 503 and 504 answers). A service that starts a moment
/// before its collector (compose, Kubernetes, `make run`) therefore lost its first spans and log records.
/// Spans and records that end before the exporters run wait in the processors' streams, so holding the exporters
/// back until the collector listens loses nothing; the wait is bounded so that a collector that never comes costs
/// no more memory than `limit` of traffic, after which exporting starts (and fails, counted) as before.
package struct CollectorGatedService: Service {
    /// Host and port of an OTLP endpoint.
    package struct Address: Sendable, Equatable {
        package var host: String
        package var port: Int

        package init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    private let base: any Service
    private let addresses: [Address]
    private let limit: Duration
    private let logger: Logger

    package init(_ base: any Service, waitingFor addresses: [Address], limit: Duration, logger: Logger) {
        self.base = base
        self.addresses = addresses
        self.limit = limit
        self.logger = logger
    }

    package func run() async throws {
        let start = ContinuousClock.now
        // A shutdown while waiting ends the wait; the exporters then start and flush what they hold.
        let reachable = await cancelWhenGracefulShutdown { await self.waitForCollectors(until: start + self.limit) }
        if reachable {
            self.logger.debug("collector reachable", metadata: ["waited_ms": "\(start.millisecondsElapsed)"])
        } else if !Task.isCancelled {
            self.logger.warning(
                "collector not reachable, exporting anyway",
                metadata: ["waited_ms": "\(start.millisecondsElapsed)", "endpoints": "\(self.addresses.map { "\($0.host):\($0.port)" })"]
            )
        }
        try await self.base.run()
    }

    /// Whether every address accepted a TCP connection before `deadline`.
    private func waitForCollectors(until deadline: ContinuousClock.Instant) async -> Bool {
        for address in self.addresses {
            var pause = Duration.milliseconds(50)
            while await !Self.accepts(address) {
                guard ContinuousClock.now + pause < deadline, (try? await Task.sleep(for: pause)) != nil else { return false }
                pause = min(pause * 2, .milliseconds(500))
            }
        }
        return true
    }

    /// Whether `address` accepts a TCP connection now (the connection is closed at once).
    static func accepts(_ address: Address) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(1))
                .connect(host: address.host, port: address.port)
                .get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
