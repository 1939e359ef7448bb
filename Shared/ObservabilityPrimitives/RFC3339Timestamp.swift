/// RFC 3339 timestamps in UTC with millisecond precision (`2026-11-18T11:06:40.123Z`), for log lines and
/// API responses: written digit by digit from the calendar arithmetic, without Foundation's formatters or
/// the C library's `gmtime`, since every log line needs one.
package enum RFC3339Timestamp {
    /// The current wall-clock time.
    package static func now() -> String {
        var bytes: [UInt8] = []
        Self.appendNow(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    package static func format(seconds: Int, milliseconds: Int) -> String {
        var bytes: [UInt8] = []
        Self.append(seconds: seconds, milliseconds: milliseconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the current time's 24 bytes.
    package static func appendNow(to bytes: inout [UInt8]) {
        let now = WallClock.secondsSinceEpoch()
        let seconds = now.rounded(.down)
        Self.append(seconds: Int(seconds), milliseconds: min(Int((now - seconds) * 1000), 999), to: &bytes)
    }

    /// Appends the 24 bytes of the timestamp `seconds` after the Unix epoch.
    static func append(seconds: Int, milliseconds: Int, to bytes: inout [UInt8]) {
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        Self.append(year, digits: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.append(month, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.append(day, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        Self.append(secondOfDay / 3600, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.append(secondOfDay % 3600 / 60, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.append(secondOfDay % 60, digits: 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        Self.append(milliseconds, digits: 3, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// Year, month (1...12) and day (1...31) of the proleptic Gregorian calendar, from days since 1970-01-01
    /// (the days-from-civil inverse, counted in 400-year eras that start on March 1st).
    static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = daysSinceEpoch + 719_468
        let era = shifted.floorDivided(by: 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func append(_ value: Int, digits: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        var value = max(value, 0)
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            value %= divisor
            divisor /= 10
        }
    }
}

extension Int {
    /// Division rounded toward negative infinity, so times before 1970 fall on the right day.
    fileprivate func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
