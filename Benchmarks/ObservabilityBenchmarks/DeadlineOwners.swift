import Benchmark
import CoreEngine
import GRPCCore
import GRPCInProcessTransport
import GRPCObservability
import Gateway
import Logging
import MarketDataContract
import Tracing

/// Allocations of one GetQuote call, the gateway's client to CoreEngine's server in process (both with production's
/// interceptors, the client with main's service config and so its retry policy), under each of the two deadline
/// owners issue #27 weighs: `CallDeadline` (an event-loop timer that cancels the call; what the gateway runs) and
/// grpc-swift's `CallOptions.timeout` (the retry executor races the call against `Task.sleep`). Only the
/// deadline differs between the two; BENCHMARKS.md has the figures.
enum DeadlineOwners {
    enum Owner {
        case callDeadline
        case callOptionsTimeout
    }

    static let timeout = Duration.seconds(5)

    static func run(_ owner: Owner, benchmark: Benchmark) async throws {
        nonisolated(unsafe) let benchmark = benchmark
        let transport = InProcessTransport(serviceConfig: .coreEngine(loadBalancing: .roundRobin))
        let tracer = NoOpTracer()
        let server = Stack.coreEngine(on: transport, tracer: tracer)
        let configuration = Stack.gatewayConfiguration
        let interceptors = GatewayAssembly.standard(configuration: configuration, tracer: tracer).clientInterceptors
        let request = {
            var request = Marketintel_V1_GetQuoteRequest()
            request.symbol = "AAPL"
            return request
        }()
        let deadline = CallDeadline(timeout: Self.timeout)
        let options = {
            var options = CallOptions.defaults
            options.timeout = Self.timeout
            return options
        }()

        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            try await withGRPCClient(transport: transport.client, interceptors: interceptors) { client in
                let engine = Marketintel_V1_CoreEngine.Client(wrapping: client)
                let call: @Sendable () async throws -> Marketintel_V1_Quote
                switch owner {
                case .callDeadline:
                    call = { try await deadline.run { try await engine.getQuote(request, metadata: $0).quote } }
                case .callOptionsTimeout:
                    call = { try await engine.getQuote(request, options: options).quote }
                }
                // One call first, so that connections, caches and handlers made once are made.
                _ = try await call()
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    blackHole(try await call())
                }
                benchmark.stopMeasurement()
            }
            server.beginGracefulShutdown()
        }
    }
}
