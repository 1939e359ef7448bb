extension ContinuousClock.Instant {
    /// Nanoseconds from this instant to now, for swift-metrics timers.
    package var nanosecondsElapsed: Int64 {
        (ContinuousClock.now - self).nanoseconds
    }

    /// Milliseconds from this instant to now, to the microsecond, for log lines.
    package var millisecondsElapsed: Double {
        Double((ContinuousClock.now - self).nanoseconds / 1000) / 1000
    }
}

extension Duration {
    /// The whole duration in nanoseconds.
    package var nanoseconds: Int64 {
        self.components.seconds * 1_000_000_000 + self.components.attoseconds / 1_000_000_000
    }
}
