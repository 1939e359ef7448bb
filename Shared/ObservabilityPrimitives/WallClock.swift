#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Wall-clock time for log timestamps and exemplars (the continuous clock has no epoch).
package enum WallClock {
    /// Seconds since the Unix epoch, with sub-second precision.
    @inlinable
    package static func secondsSinceEpoch() -> Double {
        Date().timeIntervalSince1970
    }
}
