import Testing

@testable import GRPCObservability

@Suite("CancellableTask: cancels the work it runs, and only while it runs")
struct CancellableTaskTests {
    @Test("a cancel while the work runs cancels its task and is recorded")
    func cancelWhileRunning() async throws {
        let task = CancellableTask()
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let work = Task {
            try await task.run {
                startedContinuation.yield()
                // Stands in for a handler or a transport that only cancellation ends.
                try await Task.sleep(for: .seconds(30))
            }
        }
        for await _ in started { break }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await work.value }
        #expect(task.cancelledAt != nil)
    }

    @Test("a cancel before the work starts makes it start cancelled")
    func cancelBeforeRunning() async throws {
        let task = CancellableTask()
        task.cancel()
        let cancelledAt = try #require(task.cancelledAt)
        let sawCancellation = try await Task { try await task.run { Task.isCancelled } }.value
        #expect(sawCancellation)
        #expect(task.cancelledAt == cancelledAt)
    }

    @Test("a cancel after the work finished touches nothing: the task that ran it stays uncancelled")
    func cancelAfterFinishing() async throws {
        let task = CancellableTask()
        let stillRunning = Task {
            let value = try await task.run { 42 }
            task.cancel()
            return (value, Task.isCancelled)
        }
        let (value, cancelled) = try await stillRunning.value
        #expect(value == 42)
        #expect(!cancelled)
        #expect(task.cancelledAt == nil)
    }

    @Test("a second cancel changes nothing")
    func cancelTwice() async throws {
        let task = CancellableTask()
        task.cancel()
        let first = try #require(task.cancelledAt)
        task.cancel()
        #expect(task.cancelledAt == first)
    }

    @Test("the cancellation stays set in the task after run returns (what the interceptors outside must live with)")
    func cancellationStaysSet() async throws {
        let task = CancellableTask()
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let work = Task {
            let error = await #expect(throws: CancellationError.self) {
                try await task.run {
                    startedContinuation.yield()
                    try await Task.sleep(for: .seconds(30))
                }
            }
            return (error != nil, Task.isCancelled)
        }
        for await _ in started { break }
        task.cancel()
        let (threw, stillCancelled) = await work.value
        #expect(threw && stillCancelled)
    }
}
