import Configuration
import Logging

/// Reads typed settings from a swift-configuration `ConfigReader`, failing with a `ConfigurationError`
/// that names the environment variable when a value is present but unusable.
///
/// Keys are dotted (`http.port`); the environment provider maps them to `HTTP_PORT`.
package struct SettingsReader: Sendable {
    private let reader: ConfigReader

    package init(reader: ConfigReader) {
        self.reader = reader
    }

    /// Settings from the process environment.
    package init(environment: [String: String]) {
        self.reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))
    }

    /// The environment variable that a dotted key is read from.
    package static func variableName(for key: String) -> String {
        key.uppercased().replacing(".", with: "_")
    }

    package func string(_ key: String, default defaultValue: String) -> String {
        self.raw(key) ?? defaultValue
    }

    /// The value, or `nil` when the variable is unset or empty.
    package func optionalString(_ key: String) -> String? {
        self.raw(key).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether the variable is set to something.
    package func isSet(_ key: String) -> Bool {
        self.optionalString(key) != nil
    }

    /// One of a fixed set of names, e.g. a policy.
    package func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String,
        default defaultValue: Choice
    ) throws(ConfigurationError) -> Choice where Choice.RawValue == String {
        guard let value = self.raw(key) else { return defaultValue }
        guard let choice = Choice(rawValue: value.lowercased()) else {
            let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw self.error(key, "must be one of \(names), got '\(value)'")
        }
        return choice
    }

    package func host(_ key: String, default defaultValue: String) throws(ConfigurationError) -> String {
        guard let value = self.raw(key) else { return defaultValue }
        guard !value.isEmpty, value.utf8.count <= 253, !value.contains(where: { $0 == " " || $0 == "/" }) else {
            throw self.error(key, "must be a host name or IP address, got '\(value)'")
        }
        return value
    }

    package func port(_ key: String, default defaultValue: Int) throws(ConfigurationError) -> Int {
        try self.integer(key, default: defaultValue, in: 1...65535, meaning: "a port number")
    }

    package func integer(
        _ key: String,
        default defaultValue: Int,
        in range: ClosedRange<Int>,
        meaning: String = "an integer"
    ) throws(ConfigurationError) -> Int {
        guard let value = self.raw(key) else { return defaultValue }
        guard let number = Int(value), range.contains(number) else {
            throw self.error(
                key,
                "must be \(meaning) between \(range.lowerBound) and \(range.upperBound), got '\(value)'"
            )
        }
        return number
    }

    package func fraction(_ key: String, default defaultValue: Double) throws(ConfigurationError) -> Double {
        guard let value = self.raw(key) else { return defaultValue }
        guard let number = Double(value), (0.0...1.0).contains(number) else {
            throw self.error(key, "must be a number between 0 and 1, got '\(value)'")
        }
        return number
    }

    package func milliseconds(
        _ key: String,
        default defaultValue: Duration,
        in range: ClosedRange<Int>
    ) throws(ConfigurationError) -> Duration {
        guard self.raw(key) != nil else { return defaultValue }
        let number = try self.integer(key, default: 0, in: range, meaning: "a number of milliseconds")
        return .milliseconds(number)
    }

    package func logLevel(_ key: String, default defaultValue: Logger.Level) throws(ConfigurationError) -> Logger.Level
    {
        guard let value = self.raw(key) else { return defaultValue }
        guard let level = Logger.Level(rawValue: value.lowercased()) else {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw self.error(key, "must be one of \(levels), got '\(value)'")
        }
        return level
    }

    private func raw(_ key: String) -> String? {
        self.reader.string(forKey: ConfigKey(key))
    }

    private func error(_ key: String, _ message: String) -> ConfigurationError {
        ConfigurationError(variable: Self.variableName(for: key), message: message)
    }
}
