/// The `grpc-timeout` request header of the gRPC over HTTP/2 protocol: a positive integer of at most eight
/// digits and a unit (`H`, `M`, `S`, `m`, `u`, `n`).
package enum GRPCTimeout {
    package static let metadataKey = "grpc-timeout"

    /// `timeout` in the finest unit that fits eight digits, rounded up, as grpc-go does, so the server never
    /// gives up before the client; a timeout of zero or less is sent as `0n` (already expired).
    package static func headerValue(_ timeout: Duration) -> String {
        let (seconds, attoseconds) = timeout.components
        guard seconds > 0 || (seconds == 0 && attoseconds > 0) else { return "0n" }
        let nanoseconds = Int128(seconds) * 1_000_000_000 + Int128((attoseconds + 999_999_999) / 1_000_000_000)
        for (divisor, unit) in Self.units {
            let value = nanoseconds / divisor + (nanoseconds % divisor == 0 ? 0 : 1)
            if value <= Self.maximum { return "\(value)\(unit)" }
        }
        return "\(Self.maximum)H"
    }

    /// The timeout a `grpc-timeout` value gives; `nil` when it is not one (grpc-swift's server then runs the call
    /// without a deadline, and so do we).
    package static func duration(headerValue: some StringProtocol) -> Duration? {
        guard let unit = headerValue.last, let (divisor, _) = Self.units.first(where: { $0.unit == unit }) else {
            return nil
        }
        let digits = headerValue.dropLast()
        guard (1...8).contains(digits.count), digits.allSatisfy({ ("0"..."9").contains($0) }), let value = Int64(digits)
        else {
            return nil
        }
        return .nanoseconds(Int128(value) * divisor)
    }

    private static let maximum: Int128 = 99_999_999
    /// Nanoseconds per unit, finest first.
    private static let units: [(divisor: Int128, unit: Character)] = [
        (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"), (60_000_000_000, "M"), (3_600_000_000_000, "H"),
    ]
}
