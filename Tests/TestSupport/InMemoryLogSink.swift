import ServiceTelemetry
import Synchronization

/// A log sink that keeps its lines in memory, for tests to read back.
package final class InMemoryLogSink: LogLineSink {
    private let storage = Mutex<[String]>([])

    package init() {}

    package func write(line: String) {
        self.storage.withLock { $0.append(line) }
    }

    package var lines: [String] {
        self.storage.withLock { $0 }
    }
}
