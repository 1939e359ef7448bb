#!/usr/bin/env bash
# The main job without Docker: builds, starts CoreEngine and the Gateway on their embedded defaults with a
# local trace view (the OTLP receiver the tests use, printing every finished trace as a tree with its log
# records under their spans), sends a few
# requests, shows their traces and log lines, and keeps running until Ctrl-C, which stops everything.
#
#   scripts/run-local.sh                     # ports 8080 (HTTP), 50051 (gRPC), 50052 (metrics), 4317/4318 (OTLP)
#   scripts/run-local.sh --with-prometheus   # also Debian's Prometheus on 9090, scraping both (exemplars on)
set -euo pipefail
with_prometheus=false
[ "${1:-}" = "--with-prometheus" ] && with_prometheus=true
cd "$(dirname "$0")/.."
scripts/install-deps.sh

# --build-tests: the same build as `make test` (test builds compile with testing enabled), so switching
# between the two does not rebuild everything.
swift build --build-tests
bin="$(swift build --show-bin-path)"
logs="$(mktemp -d)"
pids=()
cleanup() {
    trap - INT TERM EXIT
    echo; echo "==> stopping"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo "logs kept in $logs"
}
trap cleanup INT TERM EXIT

python3 scripts/otlp/otlp_receiver.py --print-trees --spans-file "$logs/spans.jsonl" &
pids+=($!)
# Traces and log records both go to the trace view, which prints each record under the span it was written in.
export OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317 OTEL_BSP_SCHEDULE_DELAY=200 \
    OTEL_LOGS_EXPORTER=otlp OTEL_BLRP_SCHEDULE_DELAY=200
"$bin/core-engine" > "$logs/core-engine.log" 2>&1 &
pids+=($!)
"$bin/gateway" > "$logs/gateway.log" 2>&1 &
pids+=($!)

if $with_prometheus; then
    command -v prometheus >/dev/null || { apt-get update -qq && apt-get install -y -qq prometheus >/dev/null; }
    # The repo's prometheus.yml, pointed at the local ports instead of the compose service names.
    sed -e 's/"gateway:8080"/"127.0.0.1:8080"/' -e 's/"core-engine:50052"/"127.0.0.1:50052"/' prometheus.yml > "$logs/prometheus.yml"
    prometheus --config.file="$logs/prometheus.yml" --storage.tsdb.path="$logs/tsdb" \
        --web.listen-address=127.0.0.1:9090 --enable-feature=exemplar-storage > "$logs/prometheus.log" 2>&1 &
    pids+=($!)
    echo "==> Prometheus on http://127.0.0.1:9090"
fi

for _ in $(seq 100); do curl -sf localhost:8080/ready >/dev/null && break; sleep 0.1; done
echo "==> gateway ready on :8080, core-engine on :50051, trace view on :4317/:4318"
for request in "/api/v1/quotes/AAPL" "/api/v1/quotes/NOPE" "/api/v1/quotes/MSFT/stream?count=3&interval_ms=50"; do
    echo; echo "\$ curl localhost:8080$request"
    curl -s -D - "localhost:8080$request"; echo
done
echo; echo '$ curl -X POST localhost:8080/api/v1/market-data/fetch -d {"symbols":["AAPL","MSFT"]}'
curl -s -X POST localhost:8080/api/v1/market-data/fetch -H 'content-type: application/json' \
    -d '{"symbols":["AAPL","MSFT"],"source_id":"simulated"}'; echo
sleep 2
echo; echo "==> log lines (gateway, then core-engine)"
tail -n 4 "$logs/gateway.log"; tail -n 4 "$logs/core-engine.log"
echo; echo "==> metrics: curl localhost:8080/metrics (gateway), curl localhost:50052/metrics (core-engine)"
curl -s -H 'Accept: application/openmetrics-text; version=1.0.0' localhost:8080/metrics \
    | grep -m 2 'http_server_request_duration_seconds_bucket.*trace_id' || true
echo; echo "==> running; Ctrl-C stops everything (logs: $logs)"
wait
