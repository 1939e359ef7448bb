import Foundation
import GRPCCore
import GRPCInProcessTransport
import GRPCObservability
import Hummingbird
import HummingbirdTesting
import InMemoryTracing
import Logging
import Synchronization
import TestSupport
import Testing
import Tracing

@testable import CoreEngine
@testable import Gateway

/// The gateway's service config retrying CoreEngine's reads, over the in-process transport (which applies the same
/// service config's retry policy as HTTP/2), against a CoreEngine whose first attempts fail with a chosen code.
@Suite("Retries to CoreEngine")
struct RetryTests {
    /// Fails the first `failures` attempts of every call with `code`, and keeps each attempt's `grpc-timeout`.
    final class FlakyReplica: ServerInterceptor {
        let failures: Int
        let code: RPCError.Code
        let timeouts = Mutex<[Duration]>([])

        init(failures: Int, code: RPCError.Code = .unavailable) {
            self.failures = failures
            self.code = code
        }

        func intercept<Input: Sendable, Output: Sendable>(
            request: StreamingServerRequest<Input>,
            context: ServerContext,
            next:
                @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
        ) async throws -> StreamingServerResponse<Output> {
            let header = request.metadata[stringValues: GRPCTimeout.metadataKey].first(where: { _ in true })
            let attempt = self.timeouts.withLock { timeouts in
                timeouts.append(header.flatMap { GRPCTimeout.duration(headerValue: $0) } ?? .zero)
                return timeouts.count
            }
            guard attempt > self.failures else {
                throw RPCError(code: self.code, message: "replica \(attempt) is going away")
            }
            return try await next(request, context)
        }
    }

    struct Harness {
        let tracer: W3CInMemoryTracer
        let client: any TestClientProtocol

        func spans(named name: String, kind: SpanKind) -> [FinishedInMemorySpan] {
            self.tracer.finishedSpans.filter { $0.operationName == name && $0.kind == kind }.sorted {
                $0.startInstant.nanosecondsSinceEpoch < $1.startInstant.nanosecondsSinceEpoch
            }
        }
    }

    func withStack(replica: FlakyReplica, _ body: @escaping @Sendable (Harness) async throws -> Void) async throws {
        let tracer = W3CInMemoryTracer()
        let transport = InProcessTransport(serviceConfig: .coreEngine(loadBalancing: .roundRobin))
        var engineConfiguration = MarketDataEngine.Configuration()
        engineConfiguration.sourceLatency = .zero
        let server = GRPCServer(
            transport: transport.server,
            services: [
                CoreEngineService(
                    engine: MarketDataEngine(configuration: engineConfiguration, tracer: tracer, now: { 1_000_000 })
                )
            ],
            interceptors: [ServerTracingInterceptor(tracer: tracer), replica]
        )
        var configuration = GatewayConfiguration()
        configuration.coreEngineTarget = .dns(host: "core-engine", port: 50051)
        let assembly = GatewayAssembly.standard(
            configuration: configuration,
            tracer: tracer,
            accessLogger: Logger(label: "gateway.http") { _ in SwiftLogNoOpLogHandler() }
        )
        let application = buildApplication(
            configuration: configuration,
            engineClient: GRPCClient(transport: transport.client, interceptors: assembly.clientInterceptors),
            assembly: assembly,
            logger: Logger(label: "gateway") { _ in SwiftLogNoOpLogHandler() },
            tracer: tracer
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            try await application.test(.router) { client in
                try await body(Harness(tracer: tracer, client: client))
            }
            server.beginGracefulShutdown()
        }
    }

    @Test(
        "an UNAVAILABLE attempt is retried: one CLIENT span for the call, an event per attempt, both replicas' SERVER spans its children, the deadline shrunk"
    )
    func retriedOnce() async throws {
        let replica = FlakyReplica(failures: 1)
        try await self.withStack(replica: replica) { stack in
            let response = try await stack.client.execute(uri: "/api/v1/quotes/AAPL", method: .get)
            #expect(response.status == .ok)

            let gateway = try #require(stack.spans(named: "GET /api/v1/quotes/{symbol}", kind: .server).first)
            let calls = stack.spans(named: "marketintel.v1.CoreEngine/GetQuote", kind: .client)
            let call = try #require(calls.count == 1 ? calls.first : nil)
            #expect(call.parentSpanID == gateway.spanID)
            // The call's final status: the retry succeeded.
            #expect(call.status == nil)
            #expect(call.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 0)
            #expect(call.attributes["server.address"]?.toSpanAttribute() == "core-engine")
            #expect(gateway.attributes["app.rpc.retries"]?.toSpanAttribute() == 1)
            #expect(gateway.status == nil)

            let attempts = call.events.filter { $0.name == "grpc.attempt" }
            try #require(attempts.count == 2)
            #expect(attempts[0].attributes["grpc.attempt.number"]?.toSpanAttribute() == 1)
            #expect(attempts[0].attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 14)
            #expect(attempts[0].attributes["rpc.grpc.request.metadata.grpc-previous-rpc-attempts"] == nil)
            #expect(attempts[1].attributes["grpc.attempt.number"]?.toSpanAttribute() == 2)
            #expect(attempts[1].attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 0)
            #expect(attempts[1].attributes["grpc.attempt.delay_ms"] != nil)
            #expect(
                attempts[1].attributes["rpc.grpc.request.metadata.grpc-previous-rpc-attempts"]?.toSpanAttribute()
                    == .stringArray(["1"])
            )

            // Both attempts reached a replica, and both SERVER spans are children of the one CLIENT span: the pair the
            // collector's service graph counts. The one that served the retry sees it as one.
            let served = stack.spans(named: "marketintel.v1.CoreEngine/GetQuote", kind: .server)
            try #require(served.count == 2)
            #expect(served.allSatisfy { $0.parentSpanID == call.spanID })
            #expect(served[0].status?.code == .error)
            #expect(
                served[1].attributes["rpc.grpc.request.metadata.grpc-previous-rpc-attempts"]?.toSpanAttribute()
                    == .stringArray(["1"])
            )

            // The retry carries what is left of the one deadline, not a fresh one.
            let timeouts = replica.timeouts.withLock { $0 }
            try #require(timeouts.count == 2)
            #expect(timeouts[0] > .zero && timeouts[0] <= GatewayConfiguration().coreEngineDeadline)
            #expect(timeouts[1] < timeouts[0])
        }
    }

    @Test(
        "three UNAVAILABLE attempts are the limit: a JSON 503, one CLIENT span with UNAVAILABLE and three attempt events"
    )
    func gaveUpAfterThreeAttempts() async throws {
        let replica = FlakyReplica(failures: 10)
        try await self.withStack(replica: replica) { stack in
            let response = try await stack.client.execute(uri: "/api/v1/quotes/AAPL", method: .get)
            #expect(response.status == .serviceUnavailable)
            let body = try JSONDecoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView))
            #expect(body.error.code == "UNAVAILABLE")
            #expect(replica.timeouts.withLock { $0.count } == 3)
            let calls = stack.spans(named: "marketintel.v1.CoreEngine/GetQuote", kind: .client)
            let call = try #require(calls.count == 1 ? calls.first : nil)
            #expect(call.status?.code == .error)
            #expect(call.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 14)
            let numbers = call.events.filter { $0.name == "grpc.attempt" }.map {
                $0.attributes["grpc.attempt.number"]?.toSpanAttribute()
            }
            #expect(numbers == [1, 2, 3])
            let gateway = try #require(stack.spans(named: "GET /api/v1/quotes/{symbol}", kind: .server).first)
            #expect(gateway.attributes["app.rpc.retries"]?.toSpanAttribute() == 2)
        }
    }

    @Test(
        "other codes are not retried",
        arguments: [RPCError.Code.notFound, .internalError, .deadlineExceeded, .unknown]
    )
    func notRetried(code: RPCError.Code) async throws {
        let replica = FlakyReplica(failures: 1, code: code)
        try await self.withStack(replica: replica) { stack in
            let response = try await stack.client.execute(uri: "/api/v1/quotes/AAPL", method: .get)
            #expect(response.status != .ok)
            #expect(replica.timeouts.withLock { $0.count } == 1)
            let gateway = try #require(stack.spans(named: "GET /api/v1/quotes/{symbol}", kind: .server).first)
            #expect(gateway.attributes["app.rpc.retries"] == nil)
            let calls = stack.spans(named: "marketintel.v1.CoreEngine/GetQuote", kind: .client)
            // One attempt: the span is the attempt, with no event of its own.
            #expect(calls.count == 1 && calls.first?.events.filter { $0.name == "grpc.attempt" }.isEmpty == true)
            #expect(calls.first?.status?.code == .error)
        }
    }
}
