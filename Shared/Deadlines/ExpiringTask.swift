import NIOCore
import Synchronization

/// The task that runs one call, which a timer on an event loop may cancel while it runs.
///
/// The timer cancels the task through its `UnsafeCurrentTask`, which is only valid while the task is
/// inside `run`: the state below changes under one lock, and `run` marks the task finished before it
/// returns, so the timer never touches a task that has left `run`.
final class ExpiringTask: NIOScheduledCallbackHandler, Sendable {
    private enum State {
        case notStarted
        case running(RunningTask)
        case finished
        case expired
    }

    /// `UnsafeCurrentTask` is not Sendable because it must not outlive its task. It is only touched under the
    /// lock while the state is `.running`, and `run` leaves `.running` before the task leaves `run`.
    private struct RunningTask: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private let state = Mutex<State>(.notStarted)

    /// Whether the timer fired before the task finished.
    var hasExpired: Bool {
        self.state.withLock { state in
            if case .expired = state { return true }
            return false
        }
    }

    /// Runs `body` in the current task, which the timer cancels if it fires first.
    func run<Result>(_ body: () async throws -> Result) async throws -> Result {
        withUnsafeCurrentTask { task in
            guard let task else { return }
            self.state.withLock { state in
                switch state {
                case .notStarted: state = .running(RunningTask(task: task))
                case .expired: task.cancel()
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

    /// The deadline passed: cancel the task if it is still running.
    func handleScheduledCallback(eventLoop: some EventLoop) {
        self.state.withLock { state in
            switch state {
            case .notStarted:
                state = .expired
            case .running(let running):
                running.task.cancel()
                state = .expired
            case .finished, .expired:
                break
            }
        }
    }
}
