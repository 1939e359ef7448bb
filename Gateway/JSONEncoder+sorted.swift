import Foundation

extension JSONEncoder {
    /// A JSON encoder with sorted keys, for every body the gateway writes; made once, not per response.
    static let sorted: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}
