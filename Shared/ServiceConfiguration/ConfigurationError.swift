/// A setting the process cannot start with. The message names the environment variable and says
/// what is accepted, so the operator can fix it without reading code.
package struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The environment variable at fault, e.g. `HTTP_PORT` or `OTEL_TRACES_SAMPLER`.
    package var variable: String
    package var message: String

    package init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    package var description: String {
        "\(self.variable): \(self.message)"
    }
}
