import GRPCCore
import ServiceConfiguration
import Testing

@testable import Gateway

@Suite("Where the gateway finds CoreEngine")
struct CoreEngineTargetTests {
    @Test(
        "gRPC's target syntax",
        arguments: [
            ("dns:///core-engine:50051", CoreEngineTarget.dns(host: "core-engine", port: 50051)),
            ("dns:core-engine:50051", .dns(host: "core-engine", port: 50051)),
            ("core-engine:50051", .dns(host: "core-engine", port: 50051)),
            ("DNS:///Core-Engine:1", .dns(host: "Core-Engine", port: 1)),
            ("dns:///[::1]:50051", .dns(host: "::1", port: 50051)),
            ("ipv4:127.0.0.1:50051", .ipv4([.init(host: "127.0.0.1", port: 50051)])),
            (
                "ipv4:127.0.0.1:50051,10.0.0.2:50061",
                .ipv4([.init(host: "127.0.0.1", port: 50051), .init(host: "10.0.0.2", port: 50061)])
            ),
            (
                "ipv6:[::1]:50051,[fe80::1]:50061",
                .ipv6([.init(host: "::1", port: 50051), .init(host: "fe80::1", port: 50061)])
            ),
            ("unix:/run/core-engine.sock", .unix(path: "/run/core-engine.sock")),
            ("unix:///run/core-engine.sock", .unix(path: "/run/core-engine.sock")),
        ]
    )
    func parses(text: String, expected: CoreEngineTarget) throws {
        #expect(try CoreEngineTarget(parsing: text, variable: "CORE_ENGINE_TARGET") == expected)
    }

    @Test(
        "a target that is not one is a configuration error naming the variable and the value",
        arguments: [
            "", "core-engine", "dns:///core-engine", "dns://8.8.8.8/core-engine:50051", "dns:///core-engine:0",
            "dns:///core-engine:65536", "dns:///core-engine:http", "ipv4:", "ipv4:core-engine:50051",
            "ipv4:300.0.0.1:50051",
            "ipv4:127.0.0.1:50051,", "ipv4:127.0.0.1", "ipv6:::1:50051", "ipv6:[127.0.0.1]:50051", "unix:",
            "unix:relative",
            "dns:///core engine:50051",
        ]
    )
    func rejects(text: String) {
        #expect {
            try CoreEngineTarget(parsing: text, variable: "CORE_ENGINE_TARGET")
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.variable == "CORE_ENGINE_TARGET" && error?.message.contains("'\(text)'") == true
        }
    }

    @Test("spans name the name dialled; a list of addresses leaves it to each attempt's peer")
    func serverName() throws {
        let dns = try CoreEngineTarget(parsing: "dns:///core-engine:50051", variable: "V")
        #expect(dns.serverName?.address == "core-engine" && dns.serverName?.port == 50051)
        #expect(try CoreEngineTarget(parsing: "ipv4:127.0.0.1:1,127.0.0.1:2", variable: "V").serverName == nil)
        #expect(try CoreEngineTarget(parsing: "ipv4:127.0.0.1:1", variable: "V").serverName?.address == "127.0.0.1")
        #expect(dns.description == "dns:///core-engine:50051")
    }

    @Test("the gateway's settings: the target, or host and port, never both; the balancing policy by its gRPC name")
    func settings() throws {
        func configuration(_ environment: [String: String]) throws -> GatewayConfiguration {
            try GatewayConfiguration(settings: SettingsReader(environment: environment))
        }
        #expect(try configuration([:]).coreEngineTarget == .dns(host: "127.0.0.1", port: 50051))
        #expect(try configuration([:]).coreEngineLoadBalancing == .roundRobin)
        #expect(
            try configuration(["CORE_ENGINE_HOST": "engine", "CORE_ENGINE_PORT": "6000"]).coreEngineTarget
                == .dns(host: "engine", port: 6000)
        )
        #expect(
            try configuration(["CORE_ENGINE_TARGET": "ipv4:127.0.0.1:1,127.0.0.1:2"]).coreEngineTarget
                == .ipv4([.init(host: "127.0.0.1", port: 1), .init(host: "127.0.0.1", port: 2)])
        )
        #expect(try configuration(["CORE_ENGINE_LB_POLICY": "pick_first"]).coreEngineLoadBalancing == .pickFirst)
        #expect(throws: ConfigurationError.self) {
            try configuration(["CORE_ENGINE_TARGET": "dns:///a:1", "CORE_ENGINE_HOST": "b"])
        }
        #expect {
            try configuration(["CORE_ENGINE_LB_POLICY": "least_request"])
        } throws: { error in
            (error as? ConfigurationError)?.message == "must be one of round_robin, pick_first, got 'least_request'"
        }
    }

    @Test("the service config retries the reads on UNAVAILABLE only, three attempts at most, and balances as asked")
    func serviceConfig() throws {
        let config = ServiceConfig.coreEngine(loadBalancing: .roundRobin)
        let retried = Set(config.methodConfig.flatMap(\.names).map { "\($0.service)/\($0.method)" })
        #expect(
            retried == [
                "marketintel.v1.CoreEngine/GetQuote", "marketintel.v1.CoreEngine/FetchMarketData",
                "marketintel.v1.CoreEngine/StreamQuotes", "grpc.health.v1.Health/Check",
            ]
        )
        let policy = try #require(config.methodConfig.first?.executionPolicy?.retry)
        #expect(policy.maxAttempts == 3)
        #expect(policy.retryableStatusCodes == [.unavailable])
        #expect(config.loadBalancingConfig == [.roundRobin])
        #expect(config.retryThrottling != nil)
        #expect(ServiceConfig.coreEngine(loadBalancing: .pickFirst).loadBalancingConfig.first?.pickFirst != nil)
    }
}
