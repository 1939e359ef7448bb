import Synchronization

/// One outgoing call as its interceptors see it: when it must be done, how many attempts it has made, and its span.
///
/// A gRPC retry policy runs the client interceptors once per attempt, and an interceptor cannot tell one attempt from
/// the next: each gets a fresh copy of the request. `CallDeadline.run` makes one of these per call and keeps it
/// current for the call's task (child tasks, where the attempts run, inherit it); `ClientAttemptInterceptor` numbers
/// each attempt, the tracing and metrics interceptors read the number, and the tracing interceptor keeps the call's
/// one CLIENT span here (`ClientCall+span.swift`), which `finish(error:)` ends when the call is over.
package final class ClientCall: Sendable {
    /// The call's one deadline, shared by all its attempts.
    package let deadline: ContinuousClock.Instant
    /// The call's CLIENT span and what its attempts share about it (`ClientCall+span.swift`).
    let spanState = Mutex(SpanState())
    private let attempts = Atomic<Int>(0)

    /// The call the current task is making; `nil` outside `CallDeadline.run`.
    @TaskLocal package static var current: ClientCall?

    package init(deadline: ContinuousClock.Instant) {
        self.deadline = deadline
    }

    /// Counts a new attempt and returns its number, 1 for the first.
    package func beginAttempt() -> Int {
        self.attempts.add(1, ordering: .relaxed).newValue
    }

    /// The number of the attempt under way: 0 before the first.
    package var attempt: Int {
        self.attempts.load(ordering: .relaxed)
    }

    /// The call is over (its last attempt ended, or its deadline passed): ends its span with `error`, or OK.
    package func finish(error: (any Error)?) {
        self.endSpan(error: error)
    }
}
