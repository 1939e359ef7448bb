import Logging
import ServiceConfiguration
import Testing

@Suite("Typed settings from the environment")
struct SettingsReaderTests {
    enum Policy: String, CaseIterable {
        case roundRobin = "round_robin"
        case pickFirst = "pick_first"
    }

    @Test("reads each kind of setting from its upper-case variable, and falls back to the default when it is unset")
    func values() throws {
        let settings = SettingsReader(environment: [
            "HTTP_PORT": "9090", "HTTP_HOST": "0.0.0.0", "SAMPLE_RATIO": "0.25", "CALL_TIMEOUT_MS": "1500",
            "LOG_LEVEL": "DEBUG", "LB_POLICY": "Pick_First", "EMPTY_VALUE": "",
        ])
        #expect(try settings.port("http.port", default: 8080) == 9090)
        #expect(try settings.port("grpc.port", default: 50051) == 50051)
        #expect(try settings.host("http.host", default: "127.0.0.1") == "0.0.0.0")
        #expect(try settings.fraction("sample.ratio", default: 1) == 0.25)
        #expect(
            try settings.milliseconds("call.timeout.ms", default: .seconds(3), in: 1...60_000) == .milliseconds(1500)
        )
        #expect(try settings.logLevel("log.level", default: .info) == .debug)
        #expect(try settings.choice("lb.policy", default: Policy.roundRobin) == .pickFirst)
        #expect(settings.optionalString("empty.value") == nil)
        #expect(!settings.isSet("empty.value"))
        #expect(settings.isSet("http.port"))
    }

    @Test(
        "a value present but unusable is an error naming the variable and the value",
        arguments: [
            ("HTTP_PORT", "0"), ("HTTP_PORT", "65536"), ("HTTP_PORT", "80a"), ("HTTP_HOST", "a b"),
            ("HTTP_HOST", "a/b"),
            ("SAMPLE_RATIO", "1.5"), ("SAMPLE_RATIO", "half"), ("CALL_TIMEOUT_MS", "0"), ("LOG_LEVEL", "loud"),
            ("LB_POLICY", "random"),
        ]
    )
    func badValues(variable: String, value: String) {
        let settings = SettingsReader(environment: [variable: value])
        let error = #expect(throws: ConfigurationError.self) {
            _ = try settings.port("http.port", default: 8080)
            _ = try settings.host("http.host", default: "127.0.0.1")
            _ = try settings.fraction("sample.ratio", default: 1)
            _ = try settings.milliseconds("call.timeout.ms", default: .seconds(3), in: 1...60_000)
            _ = try settings.logLevel("log.level", default: .info)
            _ = try settings.choice("lb.policy", default: Policy.roundRobin)
        }
        #expect(error?.variable == variable)
        #expect(error?.description.hasPrefix("\(variable): must be ") == true)
        #expect(error?.description.contains("'\(value)'") == true)
    }
}
