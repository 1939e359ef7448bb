import Synchronization

/// The trace a recorded value came from, for an OpenMetrics exemplar.
package struct Exemplar: Sendable, Equatable {
    package var traceID: String
    package var spanID: String
    package var value: Double
    /// Seconds since the Unix epoch.
    package var timestamp: Double

    package init(traceID: String, spanID: String, value: Double, timestamp: Double) {
        self.traceID = traceID
        self.spanID = spanID
        self.value = value
        self.timestamp = timestamp
    }
}

/// The latest exemplar of every series (and, for histograms, of every bucket), kept for exposition.
///
/// A series is identified as the exposition prints it: metric name plus its labels, each `name="value"`
/// with Prometheus escaping, sorted by name. Memory is bounded by the series the registry already holds.
public final class ExemplarStore: Sendable {
    package struct SeriesKey: Hashable, Sendable {
        package var name: String
        package var labels: String

        package init(name: String, labels: [(String, String)]) {
            self.name = name
            self.labels = labels.sorted { $0.0 < $1.0 }
                .map { "\($0.0)=\"\(PrometheusEscaping.labelValue($0.1))\"" }
                .joined(separator: ",")
        }

        /// From labels exactly as printed in an exposition line (already escaped).
        init(name: String, printedLabels: [(String, String)]) {
            self.name = name
            self.labels = printedLabels.sorted { $0.0 < $1.0 }.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
        }
    }

    /// For a counter, `bucket` is nil; for a histogram, the upper bound of the bucket the value fell in.
    private struct Slot: Hashable {
        var series: SeriesKey
        var bucket: Double?
    }

    private let exemplars = Mutex<[Slot: Exemplar]>([:])

    /// An empty store.
    public init() {}

    package func record(_ exemplar: Exemplar, series: SeriesKey, bucket: Double? = nil) {
        self.exemplars.withLock { $0[Slot(series: series, bucket: bucket)] = exemplar }
    }

    package func exemplar(series: SeriesKey, bucket: Double? = nil) -> Exemplar? {
        self.exemplars.withLock { $0[Slot(series: series, bucket: bucket)] }
    }
}

/// Escaping as the Prometheus and OpenMetrics text formats define it.
package enum PrometheusEscaping {
    package static func labelValue(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
