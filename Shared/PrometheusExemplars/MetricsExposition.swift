import Prometheus

/// Renders the registry for a scrape: the Prometheus text format by default, OpenMetrics 1.0 with
/// exemplars when the scraper's `Accept` asks for it.
///
/// swift-prometheus prints the Prometheus text format. OpenMetrics differs in three ways that matter here,
/// and this turns the one into the other line by line: a counter's family name in `# HELP`/`# TYPE` has no
/// `_total` suffix, samples may carry `# {trace_id="…",span_id="…"} value timestamp`, and the output ends
/// with `# EOF`.
public struct MetricsExposition: Sendable {
    /// The two text formats Prometheus scrapes; exemplars exist only in OpenMetrics.
    public enum Format: Sendable, Equatable {
        case prometheusText
        case openMetrics

        /// The `Content-Type` of a response in this format.
        public var contentType: String {
            switch self {
            case .prometheusText: "text/plain; version=0.0.4; charset=utf-8"
            case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
            }
        }

        /// OpenMetrics when the `Accept` header lists it (Prometheus asks for it first when exemplar storage is on),
        /// otherwise the Prometheus text format.
        public init(accept: String?) {
            self = accept?.contains("application/openmetrics-text") == true ? .openMetrics : .prometheusText
        }
    }

    /// OpenMetrics limits the labels of one exemplar to 128 UTF-8 characters; ours use 72.
    package static let maximumExemplarLabelLength = 128

    package let registry: PrometheusCollectorRegistry
    package let exemplars: ExemplarStore
    /// Runs before every scrape, e.g. to read /proc into the process gauges.
    private let beforeScrape: @Sendable () -> Void

    /// The exposition of `factory`'s registry and exemplars; `beforeScrape` runs before every render.
    public init(factory: ExemplarMetricsFactory, beforeScrape: @escaping @Sendable () -> Void = {}) {
        self.registry = factory.registry
        self.exemplars = factory.exemplars
        self.beforeScrape = beforeScrape
    }

    /// The whole exposition in `format`.
    public func render(_ format: Format) -> String {
        self.beforeScrape()
        let text = self.registry.emitToString()
        switch format {
        case .prometheusText: return text
        case .openMetrics: return self.openMetrics(from: text)
        }
    }

    func openMetrics(from text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        var counters = Set<Substring>()
        for line in lines where line.hasPrefix("# TYPE ") && line.hasSuffix(" counter") {
            counters.insert(line.dropFirst(7).prefix { $0 != " " })
        }
        var output = ""
        output.reserveCapacity(text.utf8.count + 1024)
        for line in lines {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let name = line.dropFirst(7).prefix { $0 != " " }
                if counters.contains(name), name.hasSuffix("_total") {
                    output += line.prefix(7) + name.dropLast(6) + line.dropFirst(7 + name.count)
                } else {
                    output += line
                }
            } else if line.hasPrefix("#") {
                output += line
            } else {
                output += line
                if let exemplar = self.exemplar(for: line, counters: counters) {
                    output += " # {trace_id=\"\(exemplar.traceID)\",span_id=\"\(exemplar.spanID)\"} "
                    output += "\(exemplar.value) \(exemplar.timestamp)"
                }
            }
            output += "\n"
        }
        output += "# EOF\n"
        return output
    }

    /// The exemplar of a sample line, if its series has one: histogram buckets and counters only.
    private func exemplar(for line: Substring, counters: Set<Substring>) -> Exemplar? {
        guard let sample = Sample(line) else { return nil }
        if sample.name.hasSuffix("_bucket"), let le = sample.labels.first(where: { $0.0 == "le" }) {
            let family = String(sample.name.dropLast(7))
            let bound = le.1 == "+Inf" ? Double.infinity : Double(le.1)
            guard let bound else { return nil }
            let labels = sample.labels.filter { $0.0 != "le" }
            return self.exemplars.exemplar(series: .init(name: family, printedLabels: labels), bucket: bound)
        }
        if counters.contains(Substring(sample.name)) {
            return self.exemplars.exemplar(series: .init(name: sample.name, printedLabels: sample.labels))
        }
        return nil
    }

    /// One sample line: `name{label="value",…} number`, label values left escaped as printed.
    struct Sample {
        var name: String
        var labels: [(String, String)]

        init?(_ line: Substring) {
            guard let nameEnd = line.firstIndex(where: { $0 == "{" || $0 == " " }) else { return nil }
            self.name = String(line[..<nameEnd])
            self.labels = []
            guard line[nameEnd] == "{" else { return }
            var index = line.index(after: nameEnd)
            while index < line.endIndex, line[index] != "}" {
                guard let equals = line[index...].firstIndex(of: "="),
                    line.index(after: equals) < line.endIndex, line[line.index(after: equals)] == "\""
                else { return nil }
                let key = String(line[index..<equals])
                var cursor = line.index(equals, offsetBy: 2)
                var value = ""
                while cursor < line.endIndex, line[cursor] != "\"" {
                    if line[cursor] == "\\", line.index(after: cursor) < line.endIndex {
                        value.append(line[cursor])
                        cursor = line.index(after: cursor)
                    }
                    value.append(line[cursor])
                    cursor = line.index(after: cursor)
                }
                guard cursor < line.endIndex else { return nil }
                self.labels.append((key, value))
                index = line.index(after: cursor)
                if index < line.endIndex, line[index] == "," { index = line.index(after: index) }
            }
        }
    }
}
