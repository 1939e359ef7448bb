import Logging
import ServiceLifecycle
import Testing

@testable import TelemetryPipeline

@Suite("BatchProcessor: exports by size or delay, flushes at shutdown within its budget")
struct BatchProcessorTests {
    static func processor(
        queue: BatchQueue<Int>,
        transport: ScriptedTransport,
        delay: Duration = .seconds(60),
        flushBudget: Duration = .seconds(5)
    ) -> BatchProcessor<Int> {
        BatchProcessor(
            queue: queue,
            settings: BatchSettings(
                maxQueueSize: queue.capacity,
                scheduleDelay: delay,
                maxExportBatchSize: queue.batchSize,
                exportTimeout: .seconds(30)
            ),
            encode: { records in records.map { UInt8($0) } },
            exporter: OTLPExporter(transport: transport),
            signal: .spans,
            flushBudget: flushBudget,
            logger: Logger(label: "test")
        )
    }

    /// Runs `processor` in a service group until `body` returns, then shuts the group down gracefully.
    static func running(_ processor: BatchProcessor<Int>, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(services: [processor], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("a full batch is exported at once, long before the schedule delay")
    func fullBatch() async throws {
        let queue = BatchQueue<Int>(capacity: 100, batchSize: 3)
        let transport = ScriptedTransport([])
        try await Self.running(Self.processor(queue: queue, transport: transport)) {
            for value in 1...3 { queue.append(value) }
            try await eventually { transport.sent == [[1, 2, 3]] }
        }
    }

    @Test(
        "a collector's count of rejected records is taken at most up to the batch's size, never below zero",
        arguments: [(10, 3, 7, 3), (2, 5, 0, 2), (4, -1, 4, 0), (4, 0, 4, 0)]
    )
    func accounting(batchSize: Int, reported: Int, exported: Int, rejected: Int) {
        #expect(BatchProcessor<Int>.accounted(batchSize: batchSize, rejected: reported) == (exported, rejected))
    }

    @Test("a partial batch goes out after the schedule delay")
    func delay() async throws {
        let queue = BatchQueue<Int>(capacity: 100, batchSize: 50)
        let transport = ScriptedTransport([])
        try await Self.running(Self.processor(queue: queue, transport: transport, delay: .milliseconds(50))) {
            queue.append(7)
            try await eventually { transport.sent == [[7]] }
        }
    }

    @Test("at shutdown everything still queued is exported, in batches")
    func flush() async throws {
        let queue = BatchQueue<Int>(capacity: 100, batchSize: 4)
        let transport = ScriptedTransport([])
        try await Self.running(Self.processor(queue: queue, transport: transport)) {
            // Three of them: below a batch, so only the flush sends them.
            for value in 1...3 { queue.append(value) }
        }
        #expect(transport.sent == [[1, 2, 3]])
    }

    @Test("an export to a collector that never answers is cut off when the flush budget is spent")
    func budget() async throws {
        let queue = BatchQueue<Int>(capacity: 100, batchSize: 4)
        let transport = ScriptedTransport([], hang: .seconds(60))
        let started = ContinuousClock.now
        try await Self.running(Self.processor(queue: queue, transport: transport, flushBudget: .milliseconds(300))) {
            for value in 1...3 { queue.append(value) }
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(transport.sent.isEmpty)
    }
}

/// Polls `condition` (every 10 ms, at most 10 s): the processor runs on its own task.
func eventually(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("the condition did not come true within 10 s")
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
