import GRPCCore
import GRPCObservability
import Logging
import NIOPosix
import ServiceLifecycleSupport
import Tracing

/// What CoreEngine puts around its gRPC services, as values.
///
/// `standard` is what CoreEngine's `main` and the tests run. The benchmark's ablation (`Benchmarks/Ablation`) starts
/// from it and leaves one piece out at a time, to measure what each costs a request; nothing else changes it.
package struct CoreEngineAssembly: Sendable {
    /// What every call goes through, outermost first.
    package var interceptors: [any ServerInterceptor]
    /// The executor the services' tasks prefer; `nil`, the global pool.
    package var taskExecutor: (any TaskExecutor)?

    package init(interceptors: [any ServerInterceptor], taskExecutor: (any TaskExecutor)?) {
        self.interceptors = interceptors
        self.taskExecutor = taskExecutor
    }

    /// Production's assembly.
    ///
    /// Interceptors, outermost first: tracing (the SERVER span and correlation id), then metrics and the access log,
    /// so exemplars and log lines belong to the span; innermost, cancellation, so that a cancelled or expired call
    /// ends at once, with the status the others record. Tasks prefer the event loops (`EventLoopTaskExecutor`).
    ///
    /// - Parameters:
    ///   - logger: The access log's logger.
    ///   - tracer: The tracer; `nil`, the bootstrapped one.
    package static func standard(
        logger: Logger = Logger(label: "core-engine.rpc"),
        tracer: (any Tracer)? = nil
    ) -> Self {
        Self(
            interceptors: [
                ServerTracingInterceptor(tracer: tracer),
                ServerMetricsInterceptor(),
                ServerAccessLogInterceptor(logger: logger),
                ServerCancellationInterceptor(),
            ],
            taskExecutor: EventLoopTaskExecutor(group: MultiThreadedEventLoopGroup.singleton)
        )
    }
}
