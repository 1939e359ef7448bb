import Foundation
import ObservabilityPrimitives
import Testing

@Suite("RFC 3339 timestamps")
struct RFC3339TimestampTests {
    @Test("formats RFC 3339 timestamps in UTC")
    func timestamp() {
        #expect(RFC3339Timestamp.format(seconds: 0, milliseconds: 5) == "1970-01-01T00:00:00.005Z")
        #expect(RFC3339Timestamp.format(seconds: 1_795_000_000, milliseconds: 123) == "2026-11-18T11:06:40.123Z")
    }

    @Test("the calendar arithmetic agrees with Foundation's formatter from 1900 to 2400, leap days included")
    func timestampAgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        // Every 7 days and 3 hours and 17 seconds across five centuries, plus the days around leap days.
        var samples = Array(stride(from: -2_208_988_800, to: 13_569_465_600, by: 7 * 86_400 + 3 * 3600 + 17))
        samples += [951_782_400, 951_868_799, 951_868_800, 4_107_456_000, 4_107_542_399, -2_203_891_200]
        for seconds in samples {
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds) + 0.25))
            #expect(RFC3339Timestamp.format(seconds: seconds, milliseconds: 250) == expected, "\(seconds)")
        }
    }
}
