import GRPCCore
import GRPCObservability
import Hummingbird
import HummingbirdCore
import Logging
import NIOPosix
import ServiceLifecycleSupport
import TraceContextPropagation
import Tracing

/// What the gateway puts around its routes and its CoreEngine client, as values.
///
/// `standard` is what the gateway's `main` and the tests run. The benchmark's ablation (`Benchmarks/Ablation`)
/// starts from it and leaves one piece out at a time, to measure what each costs a request; nothing else changes it.
package struct GatewayAssembly: Sendable {
    /// The HTTP middleware after `/metrics`, outermost first.
    package var middlewares: [any MiddlewareProtocol<Request, Response, GatewayRequestContext>]
    /// What every attempt of every call to CoreEngine goes through, outermost first.
    package var clientInterceptors: [any ClientInterceptor]
    /// The deadline of every call to CoreEngine; `nil`, none.
    package var deadline: CallDeadline?
    /// The HTTP server for a channel configuration.
    package var server: @Sendable (HTTP1Channel.Configuration) -> HTTPServerBuilder
    /// The executor the services' tasks prefer; `nil`, the global pool.
    package var taskExecutor: (any TaskExecutor)?

    package init(
        middlewares: [any MiddlewareProtocol<Request, Response, GatewayRequestContext>],
        clientInterceptors: [any ClientInterceptor],
        deadline: CallDeadline?,
        server: @escaping @Sendable (HTTP1Channel.Configuration) -> HTTPServerBuilder,
        taskExecutor: (any TaskExecutor)?
    ) {
        self.middlewares = middlewares
        self.clientInterceptors = clientInterceptors
        self.deadline = deadline
        self.server = server
        self.taskExecutor = taskExecutor
    }

    /// Production's assembly.
    ///
    /// Middleware, outermost first: correlation id → tracing (the SERVER span) → HTTP metrics → access log → JSON
    /// errors, so the span, the metrics and the log line see the final status, and metrics and logs are recorded
    /// inside the span. Every attempt of a call (a retry policy replays them) goes through the attempt interceptor
    /// (its number, and a retry's `grpc-timeout`), the tracing interceptor (the CLIENT span and the propagated
    /// context), the metrics interceptor (whose exemplars point at that span), then `RetryBufferReplayInterceptor`
    /// (an attempt whose request came out of grpc-swift's retry buffer empty reads it again). HTTP/1 connections pass
    /// `HTTP1RequestGuard` first; tasks prefer the event loops (`EventLoopTaskExecutor`).
    ///
    /// - Parameter tracer: The tracer; `nil`, the bootstrapped one.
    package static func standard(
        configuration: GatewayConfiguration,
        tracer: (any Tracer)? = nil,
        accessLogger: Logger = Logger(label: "gateway.http")
    ) -> Self {
        let propagation = TracePropagation(tracer: tracer)
        return Self(
            middlewares: [
                CorrelationIDMiddleware(),
                HTTPServerTracingMiddleware(serverPort: configuration.httpPort, tracer: tracer),
                HTTPMetricsMiddleware(),
                AccessLogMiddleware(logger: accessLogger),
                ErrorResponseMiddleware(propagation: propagation),
            ],
            clientInterceptors: [
                ClientAttemptInterceptor(),
                ClientTracingInterceptor(
                    serverAddress: configuration.coreEngineTarget.serverName?.address,
                    serverPort: configuration.coreEngineTarget.serverName?.port,
                    tracer: tracer
                ),
                ClientMetricsInterceptor(),
                RetryBufferReplayInterceptor(),
            ],
            deadline: CallDeadline(timeout: configuration.coreEngineDeadline),
            server: { .guardedHTTP1(configuration: $0, propagation: propagation, logger: accessLogger) },
            taskExecutor: EventLoopTaskExecutor(group: MultiThreadedEventLoopGroup.singleton)
        )
    }
}
