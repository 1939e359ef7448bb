# Both services from one multi-stage build: the official Swift image compiles, a slim Debian image runs.
#   docker build --target gateway -t gateway .      docker build --target core-engine -t core-engine .
# (docker-compose-observability.yml does this for you.)

# ---- build -------------------------------------------------------------------------------------------
FROM swift:6.3-bookworm AS build
WORKDIR /src
# Resolve first, so source edits do not re-fetch the dependencies.
COPY Package.swift ./
RUN swift package resolve
COPY . .
# The release build CI runs (scripts/build-release.sh), with the Swift runtime linked in for the slim image below.
RUN scripts/build-release.sh --static-swift-stdlib \
    && mkdir /out && cp "$(swift build -c release --show-bin-path)"/gateway "$(swift build -c release --show-bin-path)"/core-engine /out/

# ---- runtime -----------------------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime
# curl is for the compose health checks; ca-certificates for an OTLP endpoint over TLS.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home app
USER app

FROM runtime AS core-engine
COPY --from=build /out/core-engine /usr/local/bin/core-engine
# 50051: gRPC (marketintel.v1.CoreEngine, grpc.health.v1.Health); 50052: /metrics over HTTP.
EXPOSE 50051 50052
# For a plain `docker run` (compose and Kubernetes probe it their own way): the metrics endpoint answers once it runs.
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS -o /dev/null "http://localhost:${METRICS_PORT:-50052}/metrics" || exit 1
ENTRYPOINT ["/usr/local/bin/core-engine"]

FROM runtime AS gateway
COPY --from=build /out/gateway /usr/local/bin/gateway
# 8080: the HTTP API and /metrics.
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS -o /dev/null "http://localhost:${HTTP_PORT:-8080}/health" || exit 1
ENTRYPOINT ["/usr/local/bin/gateway"]
