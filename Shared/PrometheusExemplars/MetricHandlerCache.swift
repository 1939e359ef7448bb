import Synchronization

/// The handlers made so far, by metric name and label set, and the cardinality guard over them.
///
/// swift-metrics asks the factory for a handler every time code writes `Counter(label:dimensions:)`, which
/// our request paths do per request. Without this cache each of those calls would escape labels, look the
/// metric up in the registry and build an exemplar key again; with it, a label set seen before costs one
/// dictionary lookup. The same table counts label sets per name, so past the limit new ones are folded
/// into the overflow series.
final class MetricHandlerCache: Sendable {
    private struct Key: Hashable {
        var name: String
        var labels: [String]

        init(name: String, dimensions: [(String, String)]) {
            self.name = name
            self.labels = []
            self.labels.reserveCapacity(dimensions.count * 2)
            for (label, value) in dimensions {
                self.labels.append(label)
                self.labels.append(value)
            }
        }
    }

    private struct State {
        var handlers: [Key: any Sendable] = [:]
        var seriesPerName: [String: Int] = [:]
    }

    private let limit: Int
    private let overflowDimensions: [(String, String)]
    private let state = Mutex(State())

    /// - Parameters:
    ///   - limit: The most label sets kept per metric name.
    ///   - overflowDimensions: The label set that every label set past the limit is recorded under.
    init(limit: Int, overflowDimensions: [(String, String)]) {
        self.limit = limit
        self.overflowDimensions = overflowDimensions
    }

    /// The cached handler for `name` and `dimensions`, or the one `make` returns, which is then cached.
    ///
    /// `make` is given the label set to register: `dimensions`, or the overflow label set once `name` has
    /// reached the limit. It runs under the lock, so one label set is registered once.
    func handler<Handler: Sendable>(
        name: String,
        dimensions: [(String, String)],
        make: ([(String, String)]) -> Handler
    ) -> Handler {
        let key = Key(name: name, dimensions: dimensions)
        return self.state.withLock { state in
            if let handler = state.handlers[key] as? Handler { return handler }
            let admitted = state.seriesPerName[name, default: 0] < self.limit
            let registered = admitted ? key : Key(name: name, dimensions: self.overflowDimensions)
            if !admitted, let handler = state.handlers[registered] as? Handler { return handler }
            let handler = make(admitted ? dimensions : self.overflowDimensions)
            state.handlers[registered] = handler
            if admitted { state.seriesPerName[name, default: 0] += 1 }
            return handler
        }
    }
}
