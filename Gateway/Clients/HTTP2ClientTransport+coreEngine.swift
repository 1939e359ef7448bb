import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCObservability
import MarketDataContract

extension HTTP2ClientTransport.Posix {
    /// The connection to CoreEngine: HTTP/2 over TCP, plaintext, to every replica `target` names, balanced and
    /// retried by the service config `ServiceConfig.coreEngine(loadBalancing:)` gives.
    ///
    /// grpc-swift's default reconnect backoff starts at 1 s and grows by 1.6× up to 2 minutes, so after a
    /// 5-second CoreEngine restart the gateway kept answering 503 for another 4.5 s. Here it starts at 100 ms
    /// and stops growing at 1 s (±20 % jitter): at most about one connection attempt a second while a replica
    /// is away, and it gets calls again within about a second of listening again.
    static func coreEngine(target: CoreEngineTarget, loadBalancing: CoreEngineLoadBalancing) throws -> Self {
        try HTTP2ClientTransport.Posix(
            target: target.resolvable,
            transportSecurity: .plaintext,
            config: .defaults { config in
                config.backoff = .init(initial: .milliseconds(100), max: .seconds(1), multiplier: 1.6, jitter: 0.2)
            },
            serviceConfig: .coreEngine(loadBalancing: loadBalancing)
        )
    }
}

/// How calls are spread over the replicas: gRPC's two built-in policies, by their service-config names.
package enum CoreEngineLoadBalancing: String, Sendable, CaseIterable {
    /// Every call goes to the next ready replica in turn.
    case roundRobin = "round_robin"
    /// Every call goes to the first replica that connects, the others are standbys.
    case pickFirst = "pick_first"
}

extension ServiceConfig {
    /// How the gateway calls CoreEngine, the way gRPC configures a client: a service config.
    ///
    /// - Load balancing: `round_robin` (the default) or `pick_first`.
    /// - Retries: the reads, which are safe to repeat, are retried on `UNAVAILABLE` only (the call never reached a
    ///   replica, or the replica went away, or it said it cannot serve now), at most 3 attempts with exponential
    ///   backoff and full jitter (a random delay up to 50 ms, then 100 ms, capped at 500 ms), always within the call's
    ///   one deadline (`CallDeadline`). No other code is retried: `DEADLINE_EXCEEDED` has used up the time,
    ///   `INVALID_ARGUMENT`, `NOT_FOUND` and the like would fail the same way again, and `INTERNAL` or `UNKNOWN` may
    ///   mean the replica did the work. gRPC commits a call once response headers arrive, so a stream that has
    ///   delivered a message is never retried.
    /// - Retry throttling (gRPC's token bucket of 20: each failed attempt takes a token, each success gives back a
    ///   tenth, and below 10 tokens nothing is retried), so that an outage of every replica does not triple the load
    ///   on CoreEngine when it comes back.
    package static func coreEngine(loadBalancing: CoreEngineLoadBalancing) -> ServiceConfig {
        let retry = RetryPolicy(
            maxAttempts: 3,
            initialBackoff: .milliseconds(50),
            maxBackoff: .milliseconds(500),
            backoffMultiplier: 2,
            retryableStatusCodes: [.unavailable]
        )
        let reads = [
            Marketintel_V1_CoreEngine.Method.GetQuote.descriptor,
            Marketintel_V1_CoreEngine.Method.FetchMarketData.descriptor,
            Marketintel_V1_CoreEngine.Method.StreamQuotes.descriptor,
            Grpc_Health_V1_Health.Method.Check.descriptor,
        ]
        return ServiceConfig(
            methodConfig: [
                MethodConfig(
                    names: reads.map {
                        MethodConfig.Name(service: $0.service.fullyQualifiedService, method: $0.method)
                    },
                    executionPolicy: .retry(retry)
                )
            ],
            loadBalancingConfig: [loadBalancing == .roundRobin ? .roundRobin : .pickFirst(shuffleAddressList: false)],
            retryThrottling: try? ServiceConfig.RetryThrottling(maxTokens: 20, tokenRatio: 0.1)
        )
    }
}
