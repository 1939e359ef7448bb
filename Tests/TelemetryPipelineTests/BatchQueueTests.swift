import Testing

@testable import TelemetryPipeline

@Suite("BatchQueue: bounded, never blocking, waking the exporter for a full batch")
struct BatchQueueTests {
    @Test("a full queue drops and counts; batches come out oldest first, at most one batch size each")
    func boundedAndOrdered() {
        let queue = BatchQueue<Int>(capacity: 5, batchSize: 2)
        for value in 0..<8 { queue.append(value) }
        #expect(queue.count == 5)
        #expect(queue.takeDroppedCount() == 3)
        #expect(queue.takeDroppedCount() == 0)
        #expect(queue.takeBatch() == [0, 1])
        #expect(queue.takeBatch() == [2, 3])
        #expect(queue.takeBatch() == [4])
        #expect(queue.takeBatch().isEmpty)
    }

    @Test("the wait ends when a full batch is queued")
    func wakesOnFullBatch() async {
        let queue = BatchQueue<Int>(capacity: 10, batchSize: 3)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await queue.waitForFullBatch() }
            queue.append(1)
            queue.append(2)
            queue.append(3)
            await group.waitForAll()
        }
        #expect(queue.count == 3)
    }

    @Test("wake() ends the current wait, or the next one when none is waiting")
    func wake() async {
        let queue = BatchQueue<Int>(capacity: 10, batchSize: 3)
        queue.wake()
        await queue.waitForFullBatch()  // returns at once: the wake was kept for it
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await queue.waitForFullBatch() }
            // The waiter may not be registered yet: the flag or the continuation ends it either way.
            queue.wake()
            await group.waitForAll()
        }
    }

    @Test("cancelling the waiting task ends the wait")
    func cancellation() async {
        let queue = BatchQueue<Int>(capacity: 10, batchSize: 3)
        let waiting = Task { await queue.waitForFullBatch() }
        waiting.cancel()
        await waiting.value
    }
}
