import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import ServiceLifecycleSupport
import Synchronization
import Testing

@Suite("The exporters start once the collector listens")
struct CollectorGatedServiceTests {
    /// A service that records when it started running.
    final class Recorder: Service {
        let startedAt = Mutex<ContinuousClock.Instant?>(nil)
        func run() async throws { self.startedAt.withLock { $0 = .now } }
    }

    /// A port nothing listens on (bound, then closed).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    static func listen(on port: Int) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: port).get()
    }

    @Test("the base service starts only after the collector's port accepts, when that comes within the limit")
    func waitsForTheCollector() async throws {
        let port = try await Self.freePort()
        let recorder = Recorder()
        let gated = CollectorGatedService(recorder, waitingFor: [.init(host: "127.0.0.1", port: port)], limit: .seconds(10), logger: Logger(label: "test"))
        let start = ContinuousClock.now
        async let run: Void = gated.run()
        try await Task.sleep(for: .milliseconds(400))
        #expect(recorder.startedAt.withLock { $0 } == nil, "nothing listens yet: the exporters must wait")
        let listener = try await Self.listen(on: port)
        let listeningAt = ContinuousClock.now
        try await run
        try await listener.close()
        let startedAt = try #require(recorder.startedAt.withLock { $0 })
        #expect(startedAt >= listeningAt)
        #expect(startedAt - start < .seconds(3))
    }

    @Test("a collector that never comes delays the exporters by the limit, no more")
    func givesUpAtTheLimit() async throws {
        let port = try await Self.freePort()
        let recorder = Recorder()
        let gated = CollectorGatedService(recorder, waitingFor: [.init(host: "127.0.0.1", port: port)], limit: .milliseconds(300), logger: Logger(label: "test"))
        let start = ContinuousClock.now
        try await gated.run()
        let startedAt = try #require(recorder.startedAt.withLock { $0 })
        #expect(startedAt - start < .seconds(2))
    }
}
