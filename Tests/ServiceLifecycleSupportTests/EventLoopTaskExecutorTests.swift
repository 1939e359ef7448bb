import NIOCore
import NIOPosix
import ServiceLifecycleSupport
import Testing

@Suite("Event-loop task executor")
struct EventLoopTaskExecutorTests {
    @Test("runs tasks that prefer it, and their child tasks, on the group's event loops")
    func runsOnEventLoops() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let executor = EventLoopTaskExecutor(group: group)
        let onLoop = await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Bool.self) { tasks in
                for _ in 0..<8 {
                    tasks.addTask { MultiThreadedEventLoopGroup.currentEventLoop != nil }
                }
                var all = MultiThreadedEventLoopGroup.currentEventLoop != nil
                for await child in tasks { all = all && child }
                return all
            }
        }
        #expect(onLoop)
        // Without the preference, the same work runs on the global pool.
        let offLoop = await Task.detached { MultiThreadedEventLoopGroup.currentEventLoop == nil }.value
        #expect(offLoop)
        try await group.shutdownGracefully()
    }
}
