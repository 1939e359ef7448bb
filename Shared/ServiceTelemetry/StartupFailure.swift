import ObservabilityPrimitives
import ServiceConfiguration

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Ends the process after a failure to start: one JSON line on stderr, exit status 2 for a bad
/// setting and 1 otherwise. Never a crash trap, so the operator sees a message, not a backtrace.
package enum StartupFailure {
    package static func exit(service: String, error: any Error) -> Never {
        let isConfiguration = error is ConfigurationError
        var line = JSONLineWriter()
        line.beginObject()
        line.field("timestamp", string: RFC3339Timestamp.now())
        line.field("level", string: "critical")
        line.field("message", string: isConfiguration ? "invalid configuration" : "failed to start")
        line.field("service", string: service)
        line.field("error", string: String(describing: error))
        if let configurationError = error as? ConfigurationError {
            line.field("variable", string: configurationError.variable)
        }
        line.endObject()
        let bytes = Array((line.finish() + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        #if canImport(Glibc)
        Glibc.exit(isConfiguration ? 2 : 1)
        #elseif canImport(Musl)
        Musl.exit(isConfiguration ? 2 : 1)
        #else
        Darwin.exit(isConfiguration ? 2 : 1)
        #endif
    }
}
