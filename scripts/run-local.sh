#!/usr/bin/env bash
# The main job without Docker: builds, starts CoreEngine and the Gateway on their embedded defaults with a
# local trace view (the OTLP receiver the tests use, printing every finished trace as a tree with its log
# records under their spans), sends a few
# requests, shows their traces and log lines, and keeps running until Ctrl-C, which stops everything.
#
#   scripts/run-local.sh                     # ports 8080 (HTTP), 4317/4318 (OTLP), and per CoreEngine replica i
#                                            # (from 0) 50051+10i (gRPC) and 50052+10i (metrics): 50051/50052, 50061/50062
#   REPLICAS=3 scripts/run-local.sh          # CoreEngine replicas (default 2; 1 works), balanced by the gateway
#   scripts/run-local.sh --with-prometheus   # also Debian's Prometheus on 9090, scraping all (exemplars on)
#   scripts/run-local.sh --once              # stop once the demo requests' traces are shown (the e2e test runs this)
#   scripts/run-local.sh --free-ports        # every port one the OS says is free, printed (the e2e test runs this,
#                                            # so that a demo already running on 8080 or 4317 cannot fail it)
#
# The order matters: the trace view listens first, then the services start, so the first trace is whole.
set -euo pipefail
replicas="${REPLICAS:-2}"
[[ "$replicas" =~ ^[1-9]$ ]] || { echo "REPLICAS must be a number of CoreEngine replicas from 1 to 9, got '$replicas'" >&2; exit 2; }
with_prometheus=false
once=false
free_ports=false
for argument in "$@"; do
    case "$argument" in
        --with-prometheus) with_prometheus=true ;;
        --once) once=true ;;
        --free-ports) free_ports=true ;;
        *) echo "unknown option $argument (--with-prometheus, --once, --free-ports)" >&2; exit 2 ;;
    esac
done
cd "$(dirname "$0")/.."
# The demo's ports, or as many free ones: HTTP, OTLP/gRPC, OTLP/HTTP, Prometheus, then gRPC and metrics per replica.
if $free_ports; then
    mapfile -t ports < <(python3 scripts/free_ports.py $((4 + 2 * replicas)))
else
    ports=(8080 4317 4318 9090)
    for ((i = 0; i < replicas; i++)); do ports+=($((50051 + 10 * i)) $((50052 + 10 * i))); done
fi
http_port=${ports[0]} otlp_grpc_port=${ports[1]} otlp_http_port=${ports[2]} prometheus_port=${ports[3]}
grpc_port() { echo "${ports[4 + 2 * $1]}"; }
metrics_port() { echo "${ports[5 + 2 * $1]}"; }
gateway="localhost:$http_port"
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

python3 scripts/otlp/otlp_receiver.py --print-trees --spans-file "$logs/spans.jsonl" \
    --grpc-port "$otlp_grpc_port" --http-port "$otlp_http_port" &
pids+=($!)
# Waits (at most a minute: a busy machine starts slowly) until something listens on each port, or fails naming it.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
await_listening() {
    for port in "$@"; do
        for _ in $(seq 600); do listening "$port" && break; sleep 0.1; done
        listening "$port" || { echo "nothing listens on :$port after a minute (logs: $logs)" >&2; exit 1; }
    done
}
# The services start only once the trace view accepts OTLP: an export that finds no collector is dropped.
await_listening "$otlp_grpc_port" "$otlp_http_port"
# Traces and log records both go to the trace view over OTLP/HTTP (the spec's default protocol), which prints
# each record under the span it was written in. Short batch delays: a trace shows within a second.
export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$otlp_http_port" \
    OTEL_BSP_SCHEDULE_DELAY=200 OTEL_LOGS_EXPORTER=otlp OTEL_BLRP_SCHEDULE_DELAY=200
# CoreEngine replica i listens on 50051+10i (gRPC) and 50052+10i (metrics) unless --free-ports; each is its own process, with its own
# service.instance.id (a random UUID), which the trace view shows on its spans.
targets=()
for ((i = 0; i < replicas; i++)); do
    GRPC_PORT=$(grpc_port "$i") METRICS_PORT=$(metrics_port "$i") "$bin/core-engine" > "$logs/core-engine-$i.log" 2>&1 &
    pids+=($!)
    targets+=("127.0.0.1:$(grpc_port "$i")")
done
# Then the gateway, once every replica listens, so that its first readiness check already reaches CoreEngine. It
# balances over the list round robin (a gRPC target, as CORE_ENGINE_TARGET takes it).
for target in "${targets[@]}"; do await_listening "${target#*:}"; done
core_engine_target="ipv4:$(IFS=,; echo "${targets[*]}")"
HTTP_PORT="$http_port" CORE_ENGINE_TARGET="$core_engine_target" "$bin/gateway" > "$logs/gateway.log" 2>&1 &
pids+=($!)

if $with_prometheus; then
    command -v prometheus >/dev/null || { apt-get update -qq && apt-get install -y -qq prometheus >/dev/null; }
    # The repo's prometheus.yml, pointed at the local ports instead of compose's names (CoreEngine's replicas are
    # found by DNS there; here they are listed).
    metrics_ports=()
    for ((i = 0; i < replicas; i++)); do metrics_ports+=("$(metrics_port "$i")"); done
    python3 - "$http_port" "${metrics_ports[@]}" > "$logs/prometheus.yml" <<'PY'
import sys, yaml
config = yaml.safe_load(open("prometheus.yml"))
for job in config["scrape_configs"]:
    if job["job_name"] == "gateway":
        job["static_configs"] = [{"targets": [f"127.0.0.1:{sys.argv[1]}"]}]
    if job["job_name"] == "core-engine":
        job.pop("dns_sd_configs")
        job["static_configs"] = [{"targets": [f"127.0.0.1:{port}" for port in sys.argv[2:]]}]
print(yaml.safe_dump(config))
PY
    prometheus --config.file="$logs/prometheus.yml" --storage.tsdb.path="$logs/tsdb" \
        --web.listen-address="127.0.0.1:$prometheus_port" --enable-feature=exemplar-storage > "$logs/prometheus.log" 2>&1 &
    pids+=($!)
    echo "==> Prometheus on http://127.0.0.1:$prometheus_port"
fi

# Ready means CoreEngine answered the gateway's health check; a busy machine may take a while.
for _ in $(seq 600); do curl -sf "$gateway/ready" >/dev/null && break; sleep 0.1; done
curl -sf "$gateway/ready" >/dev/null || { echo "the gateway was not ready after a minute (logs: $logs)" >&2; exit 1; }
echo "==> gateway ready on :$http_port, $replicas core-engine replica(s) at $core_engine_target, trace view on :$otlp_grpc_port/:$otlp_http_port"
for request in "/api/v1/quotes/AAPL" "/api/v1/quotes/MSFT" "/api/v1/quotes/NOPE" "/api/v1/quotes/MSFT/stream?count=3&interval_ms=50"; do
    echo; echo "\$ curl $gateway$request"
    curl -s -D - "$gateway$request" | tee -a "$logs/responses.txt"; echo
done
echo; echo "\$ curl -X POST $gateway/api/v1/market-data/fetch -d {\"symbols\":[\"AAPL\",\"MSFT\"]}"
curl -s -D - -X POST "$gateway/api/v1/market-data/fetch" -H 'content-type: application/json' \
    -d '{"symbols":["AAPL","MSFT"],"source_id":"simulated"}' | tee -a "$logs/responses.txt"; echo

# Wait (at most about 45 s: a busy machine exports late) until the trace view holds both services' spans of every request above.
echo; echo "==> traces (the trace view prints each one once both services' spans are in; → names the replica that served a call)"
trace_ids=$(tr -d '\r' < "$logs/responses.txt" | sed -n 's/^X-Trace-ID: //Ip')
# Whole lines only, through the one reader of files that another process appends to (a grep pipeline here once
# failed on whole traces: `grep -q` exits at its first match and, under pipefail, the first grep's SIGPIPE failed it).
# shellcheck disable=SC2086 # one argument per trace id
whole() { python3 scripts/otlp/jsonl.py whole "$logs/spans.jsonl" $trace_ids; }
for _ in $(seq 300); do whole && break; sleep 0.1; done
whole || echo "(some traces are still incomplete; spans in $logs/spans.jsonl)"
sleep 1.5  # only for the order on screen: the trace view prints a trace once it has been quiet for a second
echo; echo "==> log lines (gateway, then each core-engine replica)"
tail -n 4 "$logs/gateway.log"
for ((i = 0; i < replicas; i++)); do tail -n 2 "$logs/core-engine-$i.log"; done
echo; echo "==> metrics: curl $gateway/metrics (gateway), curl localhost:$(metrics_port 0)/metrics (core-engine replica 0, and so on)"
# Read whole, then searched: `grep -m` ends early, and under pipefail curl's SIGPIPE would fail the pipeline.
exposition=$(curl -s -H 'Accept: application/openmetrics-text; version=1.0.0' "$gateway/metrics")
grep -m 2 'http_server_request_duration_seconds_bucket.*trace_id' <<< "$exposition" || true
if $once; then
    whole || exit 1
    exit 0
fi
echo; echo "==> running; Ctrl-C stops everything (logs: $logs)"
wait
