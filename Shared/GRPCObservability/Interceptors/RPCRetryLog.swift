import ServiceContextModule
import Synchronization

/// How many retries the outgoing calls made while one incoming request was served, so that the request's own span
/// can say so: the attempts are events on each call's CLIENT span, but a trace list shows only the root span.
///
/// The HTTP server's tracing middleware puts one in the request's `ServiceContext` when its span is recorded;
/// `ClientTracingInterceptor` counts every retried attempt into it.
public final class RPCRetryLog: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    public func recordRetry() {
        self.count.add(1, ordering: .relaxed)
    }

    public var retries: Int {
        self.count.load(ordering: .relaxed)
    }
}

private enum RPCRetryLogKey: ServiceContextKey {
    typealias Value = RPCRetryLog
    static var nameOverride: String? { "rpc-retry-log" }
}

extension ServiceContext {
    /// Where the calls made for the current request count their retries.
    public var rpcRetryLog: RPCRetryLog? {
        get { self[RPCRetryLogKey.self] }
        set { self[RPCRetryLogKey.self] = newValue }
    }
}
