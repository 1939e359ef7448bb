import GRPCCore
import GRPCInProcessTransport
import GRPCObservability
import InMemoryTracing
import Logging
import MarketDataContract
import ServiceTelemetry
import SwiftProtobuf
import TestSupport
import Testing
import Tracing

@testable import CoreEngine

/// CoreEngine's server, interceptors included, over the in-process transport.
@Suite("CoreEngine over gRPC")
struct CoreEngineRPCTests {
    static let callerTraceID = "0af7651916cd43dd8448eb211c80319c"
    static let callerSpanID = "b7ad6b7169203331"
    static var callerTraceParent: String { "00-\(Self.callerTraceID)-\(Self.callerSpanID)-01" }

    func withEngine(
        tracer: W3CInMemoryTracer,
        logSink: InMemoryLogSink = InMemoryLogSink(),
        extraLatency: Duration = .zero,
        _ body: (Marketintel_V1_CoreEngine.Client<InProcessTransport.Client>) async throws -> Void
    ) async throws {
        let transport = InProcessTransport()
        var configuration = MarketDataEngine.Configuration()
        configuration.sourceLatency = .zero
        configuration.faults.extraLatency = extraLatency
        let engine = MarketDataEngine(configuration: configuration, tracer: tracer, now: { 1_000_000 })
        let logger = Logger(label: "core-engine.rpc") {
            JSONLogHandler(label: $0, service: "core-engine", metadataProvider: .correlationID, sink: logSink)
        }
        let server = buildServer(
            transport: transport.server,
            engine: engine,
            health: HealthService(services: [Marketintel_V1_CoreEngine.descriptor.fullyQualifiedService]),
            interceptors: CoreEngineAssembly.standard(logger: logger, tracer: tracer).interceptors
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            try await withGRPCClient(transport: transport.client) { client in
                try await body(Marketintel_V1_CoreEngine.Client(wrapping: client))
            }
            server.beginGracefulShutdown()
        }
    }

    @Test("continues the caller's trace from a valid traceparent, with child spans for each step")
    func continuesTrace() async throws {
        let tracer = W3CInMemoryTracer()
        try await self.withEngine(tracer: tracer) { client in
            var metadata: Metadata = [:]
            metadata.addString(Self.callerTraceParent, forKey: "traceparent")
            metadata.addString("abc-123", forKey: "x-correlation-id")
            let quote = try await client.getQuote(.with { $0.symbol = "AAPL" }, metadata: metadata).quote
            #expect(quote.symbol == "AAPL")
        }
        let spans = tracer.finishedSpans
        let server = try #require(spans.first { $0.kind == .server })
        #expect(server.operationName == "marketintel.v1.CoreEngine/GetQuote")
        #expect(server.traceID == Self.callerTraceID)
        #expect(server.parentSpanID == Self.callerSpanID)
        #expect(server.attributes["rpc.system"]?.toSpanAttribute() == "grpc")
        #expect(server.attributes["rpc.service"]?.toSpanAttribute() == "marketintel.v1.CoreEngine")
        #expect(server.attributes["rpc.method"]?.toSpanAttribute() == "GetQuote")
        #expect(server.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 0)
        #expect(server.attributes["correlation.id"]?.toSpanAttribute() == "abc-123")
        let children = spans.filter { $0.parentSpanID == server.spanID }.map(\.operationName)
        #expect(children == ["quote.validate", "quote.cache_lookup", "quote.source_fetch", "quote.compute"])
        let lookup = try #require(spans.first { $0.operationName == "quote.cache_lookup" })
        #expect(lookup.attributes["cache.hit"]?.toSpanAttribute() == false)
    }

    @Test(
        "starts a new trace when the traceparent is missing or malformed",
        arguments: [nil, "00-not-a-trace", "00-00000000000000000000000000000000-b7ad6b7169203331-01"]
    )
    func newTrace(traceParent: String?) async throws {
        let tracer = W3CInMemoryTracer()
        try await self.withEngine(tracer: tracer) { client in
            var metadata: Metadata = [:]
            if let traceParent { metadata.addString(traceParent, forKey: "traceparent") }
            _ = try await client.getQuote(.with { $0.symbol = "MSFT" }, metadata: metadata)
        }
        let server = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(server.traceID != Self.callerTraceID)
        #expect(server.traceID.count == 32)
        #expect(server.parentSpanID == nil)
        // A new correlation id is made when none was sent.
        let correlationID = try #require(server.attributes["correlation.id"]?.toSpanAttribute())
        #expect("\(correlationID)".count > 30)
    }

    @Test(
        "maps domain failures to gRPC status codes and records them on the spans",
        arguments: [("ZZZZ", RPCError.Code.notFound), ("bad symbol!", .invalidArgument)]
    )
    func failures(symbol: String, code: RPCError.Code) async throws {
        let tracer = W3CInMemoryTracer()
        let logs = InMemoryLogSink()
        try await self.withEngine(tracer: tracer, logSink: logs) { client in
            await #expect {
                try await client.getQuote(.with { $0.symbol = symbol })
            } throws: { error in
                (error as? RPCError)?.code == code
            }
        }
        let server = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(server.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == .int64(Int64(code.rawValue)))
        #expect(server.attributes["error.type"]?.toSpanAttribute() == .string(code.name))
        #expect(server.errors.count == 1)
        // A caller's mistake is not a server fault: the SERVER span's status stays unset.
        #expect(server.status == nil)
        let validate = try #require(tracer.finishedSpans.first { $0.operationName == "quote.validate" })
        #expect(validate.status?.code == .error)
        #expect(validate.errors.count == 1)
        let line = try #require(logs.lines.first { $0.contains("rpc handled") })
        #expect(line.contains("\"rpc.grpc.status\":\"\(code.name)\""))
    }

    @Test("an injected fault is UNAVAILABLE and makes the SERVER span an error")
    func injectedFault() async throws {
        let tracer = W3CInMemoryTracer()
        let transport = InProcessTransport()
        var configuration = MarketDataEngine.Configuration()
        configuration.sourceLatency = .zero
        configuration.faults.errorRate = 1
        let engine = MarketDataEngine(configuration: configuration, tracer: tracer, now: { 0 })
        let server = buildServer(
            transport: transport.server,
            engine: engine,
            health: HealthService(services: []),
            interceptors: CoreEngineAssembly.standard(
                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                tracer: tracer
            )
            .interceptors
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            _ = try await withGRPCClient(transport: transport.client) { client in
                await #expect {
                    try await Marketintel_V1_CoreEngine.Client(wrapping: client).getQuote(.with { $0.symbol = "AAPL" })
                } throws: { error in
                    (error as? RPCError)?.code == .unavailable
                }
            }
            server.beginGracefulShutdown()
        }
        let serverSpan = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(serverSpan.status?.code == .error)
        let fetch = try #require(tracer.finishedSpans.first { $0.operationName == "quote.source_fetch" })
        #expect(fetch.status?.code == .error)
    }

    @Test("streams the requested number of updates inside one SERVER span")
    func stream() async throws {
        let tracer = W3CInMemoryTracer()
        try await self.withEngine(tracer: tracer) { client in
            let sequences = try await client.streamQuotes(
                .with {
                    $0.symbol = "NVDA"
                    $0.count = 5
                }
            ) { response in
                var sequences: [UInt32] = []
                for try await update in response.messages { sequences.append(update.sequence) }
                return sequences
            }
            #expect(sequences == [1, 2, 3, 4, 5])
        }
        let server = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(server.operationName == "marketintel.v1.CoreEngine/StreamQuotes")
        #expect(server.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 0)
    }

    static func options(timeout: Duration) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        return options
    }

    static func milliseconds(of span: FinishedInMemorySpan) -> Int64 {
        (Int64(span.endInstant.nanosecondsSinceEpoch) - Int64(span.startInstant.nanosecondsSinceEpoch)) / 1_000_000
    }

    @Test("a call whose deadline passes ends at the deadline with DEADLINE_EXCEEDED, an ERROR span, a warning log line")
    func expiredUnaryCall() async throws {
        let tracer = W3CInMemoryTracer()
        let logSink = InMemoryLogSink()
        try await self.withEngine(tracer: tracer, logSink: logSink, extraLatency: .seconds(2)) { client in
            // Wait for the server to be serving first (a call's clock runs while it waits for the server to
            // start): an empty symbol is refused before any fetch.
            _ = try? await client.getQuote(.with { $0.symbol = "" })
            await #expect {
                _ = try await client.getQuote(
                    .with { $0.symbol = "AAPL" },
                    options: Self.options(timeout: .milliseconds(500))
                )
            } throws: { error in
                (error as? RPCError)?.code == .deadlineExceeded
            }
        }
        let server = try #require(tracer.finishedSpans.last { $0.kind == .server })
        #expect(server.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 4)
        #expect(server.attributes["error.type"]?.toSpanAttribute() == "DEADLINE_EXCEEDED")
        // DEADLINE_EXCEEDED is an ERROR on a SERVER span (OpenTelemetry gRPC conventions), whoever's deadline it was.
        #expect(server.status?.code == .error)
        // The handler's two-second fetch was stopped: the span ends at the deadline, not after the fetch.
        #expect(Self.milliseconds(of: server) < 1500)
        let line = try #require(logSink.lines.last { $0.contains("rpc handled") })
        // The access log tells the caller's deadline apart from the server failing.
        #expect(line.contains(#""level":"warning""#))
        #expect(line.contains(#""rpc.ended_by":"caller""#))
        #expect(line.contains(#""rpc.grpc.status_code":4"#) || line.contains(#""rpc.grpc.status_code":"4""#))
    }

    @Test("a server stream whose deadline passes mid-stream ends at the deadline with DEADLINE_EXCEEDED")
    func expiredStream() async throws {
        let tracer = W3CInMemoryTracer()
        try await self.withEngine(tracer: tracer) { client in
            // Wait for the server to be serving first (a call's clock runs while it waits for the server to
            // start): an empty symbol is refused before any fetch.
            _ = try? await client.getQuote(.with { $0.symbol = "" })
            await #expect {
                try await client.streamQuotes(
                    .with {
                        $0.symbol = "NVDA"
                        $0.count = 5
                        $0.intervalMillis = 300
                    },
                    options: Self.options(timeout: .milliseconds(500))
                ) { response in
                    for try await _ in response.messages {}
                }
            } throws: { error in
                (error as? RPCError)?.code == .deadlineExceeded
            }
        }
        let server = try #require(tracer.finishedSpans.first { $0.operationName.hasSuffix("StreamQuotes") })
        #expect(server.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 4)
        #expect(server.status?.code == .error)
        #expect(Self.milliseconds(of: server) < 900)
    }

    @Test("a call its caller cancels ends with CANCELLED")
    func cancelledCall() async throws {
        let tracer = W3CInMemoryTracer()
        try await self.withEngine(tracer: tracer, extraLatency: .seconds(5)) { client in
            let call = Task {
                try await client.getQuote(.with { $0.symbol = "AAPL" })
            }
            // Cancel once CoreEngine is inside the slow fetch (polled, at most two seconds).
            for _ in 0..<400
            where !tracer.recorder.activeSpans.contains(where: { $0.operationName == "quote.source_fetch" }) {
                try await Task.sleep(for: .milliseconds(5))
            }
            call.cancel()
            _ = await call.result
        }
        let server = try #require(tracer.finishedSpans.first { $0.kind == .server })
        #expect(server.attributes["rpc.grpc.status_code"]?.toSpanAttribute() == 1)
        // CANCELLED is not among the server-error codes of the conventions.
        #expect(server.status?.code != .error)
        #expect(Self.milliseconds(of: server) < 4000)
    }

    @Test("rejects out-of-range stream requests", arguments: [(101 as UInt32, 0 as UInt32), (5, 5000)])
    func streamBounds(count: UInt32, interval: UInt32) async throws {
        try await self.withEngine(tracer: W3CInMemoryTracer()) { client in
            await #expect {
                try await client.streamQuotes(
                    .with {
                        $0.symbol = "NVDA"
                        $0.count = count
                        $0.intervalMillis = interval
                    }
                ) { response in
                    for try await _ in response.messages {}
                }
            } throws: { error in
                (error as? RPCError)?.code == .invalidArgument
            }
        }
    }

    @Test("the health service answers SERVING, then NOT_SERVING once shutdown begins")
    func health() async throws {
        let health = HealthService(services: ["marketintel.v1.CoreEngine"])
        let transport = InProcessTransport()
        let server = GRPCServer(transport: transport.server, services: [health])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            try await withGRPCClient(transport: transport.client) { client in
                let healthClient = Grpc_Health_V1_Health.Client(wrapping: client)
                let server = try await healthClient.check(.with { $0.service = "" })
                #expect(server.status == .serving)
                let service = try await healthClient.check(.with { $0.service = "marketintel.v1.CoreEngine" })
                #expect(service.status == .serving)
                await #expect {
                    try await healthClient.check(.with { $0.service = "nope" })
                } throws: { ($0 as? RPCError)?.code == .notFound }
                health.markAllNotServing()
                let stopping = try await healthClient.check(.with { $0.service = "" })
                #expect(stopping.status == .notServing)
            }
            server.beginGracefulShutdown()
        }
    }

    @Test("Watch sends the current status, then NOT_SERVING at shutdown, and ends")
    func watch() async throws {
        let health = HealthService(services: ["marketintel.v1.CoreEngine"])
        let transport = InProcessTransport()
        let server = GRPCServer(transport: transport.server, services: [health])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            _ = try await withGRPCClient(transport: transport.client) { client in
                let healthClient = Grpc_Health_V1_Health.Client(wrapping: client)
                let statuses = try await healthClient.watch(.with { $0.service = "" }) { response in
                    var statuses: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
                    for try await message in response.messages {
                        statuses.append(message.status)
                        if statuses.count == 1 { health.markAllNotServing() }
                    }
                    return statuses
                }
                #expect(statuses == [.serving, .notServing])
            }
            server.beginGracefulShutdown()
        }
    }
}
