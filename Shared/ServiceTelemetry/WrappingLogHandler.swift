import Logging

/// A `LogHandler` that decorates another: level, metadata and provider all belong to `base`, and only
/// `log(event:)` is the wrapper's own.
package protocol WrappingLogHandler: LogHandler {
    var base: any LogHandler { get set }
}

extension WrappingLogHandler {
    package var logLevel: Logger.Level {
        get { self.base.logLevel }
        set { self.base.logLevel = newValue }
    }

    package var metadata: Logger.Metadata {
        get { self.base.metadata }
        set { self.base.metadata = newValue }
    }

    package var metadataProvider: Logger.MetadataProvider? {
        get { self.base.metadataProvider }
        set { self.base.metadataProvider = newValue }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.base[metadataKey: key] }
        set { self.base[metadataKey: key] = newValue }
    }
}
