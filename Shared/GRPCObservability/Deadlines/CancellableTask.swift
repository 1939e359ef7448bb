import NIOCore
import Synchronization

/// Runs work in the current task so that something outside it (a timer on an event loop for a client's
/// deadline, gRPC's cancellation of a server call) can cancel it while it runs, and only then.
///
/// The task is cancelled through its `UnsafeCurrentTask`, which is only valid while the task is inside `run`:
/// the state below changes under one lock, and `run` marks the task finished before it returns, so `cancel`
/// never touches a task that has left `run`.
final class CancellableTask: Sendable {
    private enum State {
        case notStarted
        case running(RunningTask)
        case finished
        case cancelled(at: ContinuousClock.Instant)
    }

    /// `UnsafeCurrentTask` is not Sendable because it must not outlive its task. It is only touched under the
    /// lock while the state is `.running`, and `run` leaves `.running` before the task leaves `run`.
    private struct RunningTask: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private let state = Mutex<State>(.notStarted)

    /// When `cancel` took effect, if it did before the work finished.
    var cancelledAt: ContinuousClock.Instant? {
        self.state.withLock { state in
            if case .cancelled(let instant) = state { return instant }
            return nil
        }
    }

    /// Runs `body` in the current task, which `cancel` cancels if it comes first.
    func run<Result>(_ body: () async throws -> Result) async throws -> Result {
        withUnsafeCurrentTask { task in
            guard let task else { return }
            self.state.withLock { state in
                switch state {
                case .notStarted: state = .running(RunningTask(task: task))
                case .cancelled: task.cancel()
                case .running, .finished: break
                }
            }
        }
        defer {
            self.state.withLock { state in
                if case .running = state { state = .finished }
            }
        }
        return try await body()
    }

    /// Cancels the task if it is still running (or makes `run` cancel it at once if it has not started).
    func cancel() {
        self.state.withLock { state in
            switch state {
            case .notStarted:
                state = .cancelled(at: .now)
            case .running(let running):
                running.task.cancel()
                state = .cancelled(at: .now)
            case .finished, .cancelled:
                break
            }
        }
    }
}

extension CancellableTask: NIOScheduledCallbackHandler {
    /// The deadline passed.
    func handleScheduledCallback(eventLoop: some EventLoop) {
        self.cancel()
    }
}
