import GRPCCore
import ServiceLifecycle

/// Runs a `GRPCServer` as a ServiceLifecycle service: on graceful shutdown it stops accepting
/// new RPCs and returns once the in-flight ones have finished.
///
/// grpc-swift-extras' `GRPCServiceLifecycle` does this, but it is not a dependency here.
package struct GRPCServerService<Transport: ServerTransport>: Service {
    private let server: GRPCServer<Transport>
    private let onShutdown: @Sendable () -> Void

    /// - Parameter onShutdown: Called when shutdown begins, before the server stops accepting
    ///   (e.g. to turn the health status to NOT_SERVING).
    package init(server: GRPCServer<Transport>, onShutdown: @escaping @Sendable () -> Void = {}) {
        self.server = server
        self.onShutdown = onShutdown
    }

    package func run() async throws {
        try await withGracefulShutdownHandler {
            try await self.server.serve()
        } onGracefulShutdown: {
            self.onShutdown()
            self.server.beginGracefulShutdown()
        }
    }
}

/// Runs a `GRPCClient`'s connections as a ServiceLifecycle service; on graceful shutdown the
/// client lets in-flight RPCs finish and refuses new ones.
package struct GRPCClientService<Transport: ClientTransport>: Service {
    private let client: GRPCClient<Transport>

    package init(client: GRPCClient<Transport>) {
        self.client = client
    }

    package func run() async throws {
        try await withGracefulShutdownHandler {
            try await self.client.runConnections()
        } onGracefulShutdown: {
            self.client.beginGracefulShutdown()
        }
    }
}
