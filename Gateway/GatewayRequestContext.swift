import Foundation
import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the peer address for `client.address`.
package struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    /// JSON request bodies are small; anything larger is refused with 413 before it is read in full.
    static let maximumBodySize = 64 * 1024

    package var coreContext: CoreRequestContextStorage
    package let remoteAddress: SocketAddress?

    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    package var maxUploadSize: Int { Self.maximumBodySize }

    /// Sorted keys: responses read the same every time, which diffs and docs appreciate.
    package var responseEncoder: JSONEncoder { .sorted }
}
