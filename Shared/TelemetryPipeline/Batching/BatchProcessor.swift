import CoreMetrics
import Logging
import ServiceLifecycle

/// Exports one signal's queue: the SDK specification's batch processor, as a ServiceLifecycle service.
///
/// It waits until a full batch is queued or the schedule delay has passed, encodes up to one batch and exports it
/// (one export at a time, retried inside the export timeout), and goes on while a full batch is left. On graceful
/// shutdown it exports what is still queued within the flush budget, then closes its transport. Spans and log
/// records share this one core; only the encoder and the counters differ.
struct BatchProcessor<Record: Sendable>: Service {
    let queue: BatchQueue<Record>
    let settings: BatchSettings
    let encode: @Sendable ([Record]) -> [UInt8]
    let exporter: OTLPExporter
    let signal: ExportHealth.Signal
    /// How long the flush at shutdown may take in all.
    let flushBudget: Duration
    let logger: Logger
    /// Failed exports and rejections are written at most once per 30 s each.
    let failureWarnings = WarningLimiter()
    let rejectionWarnings = WarningLimiter()

    func run() async throws {
        let health = ExportHealth(self.signal)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.exporter.transport.run() }
            // The exports, cut off when the flush budget after the start of shutdown is spent: an export in flight
            // to a collector that is away (gRPC waits for it to be ready) must not hold the process past it.
            await withTaskGroup(of: Void.self) { exports in
                exports.addTask {
                    await self.exportUntilShutdown(health)
                    await self.flush(health)
                }
                exports.addTask {
                    try? await gracefulShutdown()
                    try? await Task.sleep(for: self.flushBudget)
                }
                await exports.next()
                exports.cancelAll()
            }
            self.recordDropped(health)
            let left = self.queue.count
            if left > 0 {
                health.droppedExportFailed.increment(by: Int64(left))
                self.logger.warning(
                    "telemetry not flushed within the shutdown budget",
                    metadata: ["signal": "\(self.signal)", "records": "\(left)"]
                )
            }
            await self.exporter.transport.shutdown()
            group.cancelAll()
        }
    }

    private func exportUntilShutdown(_ health: ExportHealth) async {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                await self.waitForBatchOrDelay()
                repeat {
                    await self.exportBatch(until: .now + self.settings.exportTimeout, health)
                } while self.queue.count >= self.settings.maxExportBatchSize && !Task.isCancelled
            }
        } onGracefulShutdown: {
            self.queue.wake()
        }
    }

    /// Returns when a full batch is queued, the schedule delay has passed, or shutdown begins (`wake()`).
    private func waitForBatchOrDelay() async {
        let delay = self.settings.scheduleDelay
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: delay) }
            group.addTask { await self.queue.waitForFullBatch() }
            await group.next()
            group.cancelAll()
        }
    }

    /// What is still queued, in batches, until the queue is empty (or `run` cancels this at the budget's end).
    private func flush(_ health: ExportHealth) async {
        while self.queue.count > 0, !Task.isCancelled {
            await self.exportBatch(until: .now + self.settings.exportTimeout, health)
        }
    }

    private func exportBatch(until deadline: ContinuousClock.Instant, _ health: ExportHealth) async {
        self.recordDropped(health)
        let batch = self.queue.takeBatch()
        guard !batch.isEmpty else { return }
        switch await self.exporter.export(self.encode(batch), until: deadline) {
        case .exported(let reported, let message):
            let (exported, rejected) = Self.accounted(batchSize: batch.count, rejected: reported)
            health.exported.increment(by: Int64(exported))
            if rejected > 0 {
                health.droppedRejected.increment(by: Int64(rejected))
                if let heldBack = self.rejectionWarnings.admit() {
                    self.logger.warning(
                        "collector rejected part of an export",
                        metadata: [
                            "signal": "\(self.signal)", "rejected": "\(rejected)", "error_message": "\(message ?? "")",
                            "warnings_held_back": "\(heldBack)",
                        ]
                    )
                }
            }
        case .failed(let reason, let attempts):
            health.exportFailures.increment()
            health.droppedExportFailed.increment(by: Int64(batch.count))
            if let heldBack = self.failureWarnings.admit() {
                self.logger.warning(
                    "telemetry export failed",
                    metadata: [
                        "signal": "\(self.signal)", "reason": "\(reason)", "attempts": "\(attempts)",
                        "records": "\(batch.count)", "warnings_held_back": "\(heldBack)",
                    ]
                )
            }
        }
    }

    /// What a partial success means for the counters: a collector's count of rejected records is taken at most up to
    /// the batch's size (and never below zero), so that a wrong answer cannot drive a counter backwards.
    static func accounted(batchSize: Int, rejected: Int) -> (exported: Int, rejected: Int) {
        let rejected = min(max(rejected, 0), batchSize)
        return (batchSize - rejected, rejected)
    }

    private func recordDropped(_ health: ExportHealth) {
        let dropped = self.queue.takeDroppedCount()
        if dropped > 0 { health.droppedQueueFull.increment(by: Int64(dropped)) }
    }
}
