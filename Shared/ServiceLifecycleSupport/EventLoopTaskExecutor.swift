import NIOCore
import NIOPosix

/// A task executor that runs Swift Concurrency jobs on NIO's event loops.
///
/// Hummingbird and grpc-swift do their I/O on event loops but run handlers as Swift tasks, which by
/// default go to the global pool: every request then crosses threads several times (event loop → pool
/// → event loop). With this executor preferred for the services' task tree, a job runs on the event loop
/// that enqueued it when there is one, so most of those crossings disappear.
///
/// The preference has a price: the runtime looks it up under the task's status-record lock on every job, some
/// 280 times for one request through both services (about 95k instructions, BENCHMARKS.md round 3). Without it
/// the jobs go to the global pool instead: about as many instructions, 27 more allocations a request, and thread
/// hops. NIO's alternative, installing its group as Concurrency's global executor
/// (`NIOSingletons.unsafeTryInstall…`), finds the runtime's hook with `dlsym`, and a `--static-swift-stdlib` binary
/// keeps that hook local, so it cannot be used here.
package final class EventLoopTaskExecutor: TaskExecutor {
    private let group: any EventLoopGroup

    package init(group: any EventLoopGroup) {
        self.group = group
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = self.asUnownedTaskExecutor()
        // `any()` is the current event loop when called on one, so a task stays where its I/O is.
        self.group.any().execute {
            job.runSynchronously(on: executor)
        }
    }
}
