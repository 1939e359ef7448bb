import Logging
import ServiceLifecycle

/// A service whose graceful shutdown may take at most `budget`; past that it is cancelled.
///
/// It wraps swift-otel's tracing service, whose shutdown exports every queued span, each batch waiting up to
/// the exporter's timeout when the collector is away: 15 s with the defaults and a full queue. Docker kills a
/// container 10 s after SIGTERM, so the flush gets a budget instead, and what it could not send by then is
/// dropped (and said so in one log line) rather than the process being killed mid-flush.
package struct BoundedShutdownService: Service {
    private let base: any Service
    private let budget: Duration
    private let logger: Logger

    package init(_ base: any Service, budget: Duration, logger: Logger) {
        self.base = base
        self.budget = budget
        self.logger = logger
    }

    package func run() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.base.run()
                return true
            }
            group.addTask {
                // Returns once this service is asked to shut down; throws if the group is cancelled first.
                try await gracefulShutdown()
                try await Task.sleep(for: self.budget)
                return false
            }
            let baseFinished = try await group.next() ?? true
            group.cancelAll()
            if !baseFinished {
                self.logger.warning(
                    "shutdown budget exceeded, stopping without the rest",
                    metadata: ["budget_ms": "\(Int(self.budget / .milliseconds(1)))"]
                )
            }
        }
    }
}
