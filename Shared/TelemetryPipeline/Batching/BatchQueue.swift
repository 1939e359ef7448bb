import Synchronization

/// The bounded queue between the code that ends spans (or writes log records) and the task that exports them.
///
/// `append` never blocks and never waits: when the queue is full the record is dropped and counted, as the SDK
/// specification asks of a batch processor. It wakes the exporter only when a full batch is waiting; otherwise the
/// exporter comes on its own schedule.
final class BatchQueue<Record: Sendable>: Sendable {
    let capacity: Int
    let batchSize: Int
    private let state: Mutex<State>

    private struct State {
        var records: [Record] = []
        var waiter: CheckedContinuation<Void, Never>?
        var dropped = 0
        /// `wake()` was called and no wait has returned since.
        var woken = false
    }

    init(capacity: Int, batchSize: Int) {
        precondition(capacity > 0 && batchSize > 0 && batchSize <= capacity)
        self.capacity = capacity
        self.batchSize = batchSize
        self.state = Mutex(State())
    }

    /// Queues `record`, or drops it when the queue is full.
    func append(_ record: Record) {
        let waiter: CheckedContinuation<Void, Never>? = self.state.withLock { state in
            guard state.records.count < self.capacity else {
                state.dropped += 1
                return nil
            }
            state.records.append(record)
            guard state.records.count >= self.batchSize, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Up to one batch of the oldest records, taken out of the queue.
    func takeBatch() -> [Record] {
        self.state.withLock { state in
            guard state.records.count > self.batchSize else {
                defer { state.records = [] }
                return state.records
            }
            let batch = Array(state.records[..<self.batchSize])
            state.records.removeFirst(self.batchSize)
            return batch
        }
    }

    var count: Int { self.state.withLock { $0.records.count } }

    /// The records dropped since the last call (the exporter adds them to its counter, off the request path).
    func takeDroppedCount() -> Int {
        self.state.withLock { state in
            defer { state.dropped = 0 }
            return state.dropped
        }
    }

    /// Ends the exporter's current wait (or its next one): shutdown has begun, or a flush was asked for.
    func wake() {
        let waiter = self.state.withLock { state in
            defer { state.waiter = nil }
            state.woken = state.waiter == nil
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once a full batch is queued, `wake()` is called, or the calling task is cancelled.
    func waitForFullBatch() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state in
                    if state.records.count >= self.batchSize || state.woken || Task.isCancelled {
                        state.woken = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
