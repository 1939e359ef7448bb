import GRPCCore
import GRPCObservability
import Hummingbird

/// Liveness and readiness probes.
struct HealthController<Context: RequestContext> {
    let engine: any EngineClient

    func addRoutes(to router: Router<Context>) {
        router.get("health", use: self.health)
        router.get("ready", use: self.ready)
    }

    struct Status: ResponseEncodable {
        var status: String
    }

    /// `GET /health`: the process is up and serving HTTP.
    @Sendable func health(request: Request, context: Context) async throws -> Status {
        Status(status: "ok")
    }

    /// `GET /ready`: CoreEngine answers its gRPC health check with SERVING; otherwise 503.
    @Sendable func ready(request: Request, context: Context) async throws -> Status {
        let serving: Bool
        do {
            serving = try await self.engine.isServing()
        } catch {
            throw APIError(
                status: .serviceUnavailable,
                code: RPCError.Code.unavailable.name,
                message: "the core engine is not reachable"
            )
        }
        guard serving else {
            throw APIError(
                status: .serviceUnavailable,
                code: RPCError.Code.unavailable.name,
                message: "the core engine is not serving"
            )
        }
        return Status(status: "ready")
    }
}
