/// Why a market-data request failed, in domain terms; the gRPC service maps these to status codes.
enum MarketDataError: Error, Equatable {
    /// The input is malformed (INVALID_ARGUMENT).
    case invalidArgument(String)
    /// The symbol or source is well formed but unknown (NOT_FOUND).
    case notFound(String)
    /// A fault injected for a demo (UNAVAILABLE).
    case injectedFault(String)
}

extension MarketDataError: CustomStringConvertible {
    /// A message safe to return to the caller.
    var message: String {
        switch self {
        case .invalidArgument(let message), .notFound(let message), .injectedFault(let message): message
        }
    }

    var description: String { self.message }
}
