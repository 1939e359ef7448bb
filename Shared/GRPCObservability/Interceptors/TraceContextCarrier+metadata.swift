import GRPCCore
import TraceContextPropagation

extension TraceContextCarrier {
    /// The carrier of a request's metadata, read in one pass: `metadata[stringValues:]` searches the whole metadata
    /// for each name, and a request has three to look for. Names compare as gRPC's do, ignoring ASCII case; binary
    /// values are skipped, as `stringValues` skips them.
    init(validatingMetadata metadata: Metadata) {
        var traceParents: [String] = []
        var traceStates: [String] = []
        var baggage: [String] = []
        for (key, value) in metadata {
            guard case .string(let string) = value else { continue }
            if key.equalsIgnoringASCIICase(Self.traceParentKey) {
                traceParents.append(string)
            } else if key.equalsIgnoringASCIICase(Self.traceStateKey) {
                traceStates.append(string)
            } else if key.equalsIgnoringASCIICase(Self.baggageKey) {
                baggage.append(string)
            }
        }
        self.init(validating: { name in
            switch name {
            case Self.traceParentKey: traceParents
            case Self.traceStateKey: traceStates
            case Self.baggageKey: baggage
            default: []
            }
        })
    }
}

extension String {
    /// Whether this is `lowercaseKey` in any ASCII case. The lengths first: most names differ there, and comparing
    /// two strings (a decoded header name is not stored inline) costs far more. `lowercaseKey` is lowercase letters.
    fileprivate func equalsIgnoringASCIICase(_ lowercaseKey: String) -> Bool {
        guard self.utf8.count == lowercaseKey.utf8.count else { return false }
        // Setting bit 5 turns an ASCII capital into its lowercase letter and leaves every lowercase letter as it is;
        // no other byte becomes a lowercase letter. The bytes are read in place (`withUTF8` copies only a string that
        // is not native UTF-8): a loop over bytes, not two `UTF8View` iterators (some 80 instructions a byte).
        var name = self
        var key = lowercaseKey
        return name.withUTF8 { name in
            key.withUTF8 { key in name.indices.allSatisfy { name[$0] | 0x20 == key[$0] } }
        }
    }
}
