import GRPCCore
import Synchronization

/// Collects what a producer writes.
final class CollectingWriter: RPCWriterProtocol, Sendable {
    private let written = Mutex<[String]>([])

    var messages: [String] { self.written.withLock { $0 } }

    func write(_ element: String) async throws {
        self.written.withLock { $0.append(element) }
    }

    func write(contentsOf elements: some Sequence<String>) async throws {
        self.written.withLock { $0.append(contentsOf: elements) }
    }
}
