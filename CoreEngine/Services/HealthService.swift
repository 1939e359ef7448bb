import GRPCCore
import MarketDataContract
import SwiftProtobuf
import Synchronization

/// The standard `grpc.health.v1.Health` service.
///
/// The server (`""`) and `marketintel.v1.CoreEngine` are SERVING while the process runs and turn
/// NOT_SERVING when shutdown begins, so load balancers stop sending new calls before the server closes.
package final class HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private struct State {
        var statuses: [String: Status]
        var watchers: [Int: AsyncStream<Status>.Continuation] = [:]
        var nextWatcherID = 0
    }

    private let state: Mutex<State>

    package init(services: [String]) {
        self.state = Mutex(State(statuses: Dictionary(uniqueKeysWithValues: ([""] + services).map { ($0, .serving) })))
    }

    package func check(
        request: Grpc_Health_V1_HealthCheckRequest,
        context: ServerContext
    ) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard let status = self.state.withLock({ $0.statuses[request.service] }) else {
            throw RPCError(code: .notFound, message: "unknown service '\(request.service)'")
        }
        return .with { $0.status = status }
    }

    package func watch(
        request: Grpc_Health_V1_HealthCheckRequest,
        response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
        context: ServerContext
    ) async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: Status.self, bufferingPolicy: .bufferingNewest(1))
        let (id, current) = self.state.withLock { state in
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.watchers[id] = continuation
            return (id, state.statuses[request.service] ?? .serviceUnknown)
        }
        defer { _ = self.state.withLock { $0.watchers.removeValue(forKey: id) } }
        continuation.yield(current)
        var last: Status?
        for await status in stream where status != last {
            last = status
            try await response.write(.with { $0.status = status })
            if status == .notServing && self.state.withLock({ $0.statuses.values.allSatisfy { $0 == .notServing } }) {
                // Shutting down: end the watch so it does not hold the server open.
                return
            }
        }
    }

    /// Marks every service NOT_SERVING and tells the watchers.
    func markAllNotServing() {
        let watchers = self.state.withLock { state in
            for key in state.statuses.keys { state.statuses[key] = .notServing }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.yield(.notServing) }
    }
}
