import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypesHTTP1
import TraceContextPropagation

/// Hummingbird's HTTP/1.1 channel with `HTTP1RequestGuard` placed in front of its HTTP-types codec.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let propagation: TracePropagation
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        self.http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // Runs on the channel's event loop, before the channel reads anything.
            let pipeline = channel.pipeline.syncOperations
            let codec = try pipeline.handler(type: HTTP1ToHTTPServerCodec.self)
            try pipeline.addHandler(
                HTTP1RequestGuard(propagation: self.propagation, logger: self.logger),
                position: .before(codec)
            )
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await self.http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 as Hummingbird serves it, with every request refused before routing answered as JSON.
    static func guardedHTTP1(
        configuration: HTTP1Channel.Configuration,
        propagation: TracePropagation,
        logger: Logger
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                http1: HTTP1Channel(responder: responder, configuration: configuration),
                propagation: propagation,
                logger: logger
            )
        }
    }
}
