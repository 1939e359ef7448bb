"""The first minute of a newcomer: the first traces are whole. `scripts/run-local.sh --once` runs the make-run
sequence itself (trace view first, then the services, then the demo requests); and services that start before their
collector (as compose and Kubernetes may start them) lose no span or log record of their first requests."""
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests

from stack import GATEWAY, ROOT, Receiver, endpoint_for, jsonl, start_stack, wait_for

# make run's telemetry settings (scripts/run-local.sh): OTLP/HTTP, short batch delays, logs over OTLP too.
DEMO_SETTINGS = {"OTEL_BSP_SCHEDULE_DELAY": "200", "OTEL_LOGS_EXPORTER": "otlp", "OTEL_BLRP_SCHEDULE_DELAY": "200"}


@pytest.mark.parametrize("replicas", [None, "1"])
def test_make_run_shows_every_demo_request_with_both_services_spans(replicas):
    """make run as it comes (two CoreEngine replicas) and with REPLICAS=1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and k != "REPLICAS"}
    if replicas:
        env["REPLICAS"] = replicas
    count = int(replicas or 2)
    result = subprocess.run([str(ROOT / "scripts" / "run-local.sh"), "--once", "--free-ports"], env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # The ports the OS gave the replicas, as the script prints them: "… replica(s) at ipv4:127.0.0.1:P,…, trace view …"
    target = re.search(r"replica\(s\) at ipv4:(\S+), trace view", result.stdout).group(1)
    replica_ports = {int(address.rsplit(":", 1)[1]) for address in target.split(",")}
    shown = re.findall(r"^X-Trace-ID: ([0-9a-f]{32})", result.stdout, re.M | re.I)
    assert len(shown) == 5, "AAPL, MSFT, NOPE, the stream and the batch each show their trace id"
    logs = Path(re.search(r"logs kept in (\S+)", result.stdout).group(1))
    spans = jsonl.records(logs / "spans.jsonl")
    services = {}
    for span in spans:
        services.setdefault(span["trace_id"], set()).add(span["service_name"])
    for trace_id in shown:
        assert services.get(trace_id) == {"gateway", "core-engine"}, f"trace {trace_id}: {services.get(trace_id)}"
    # Every /ready check the script made before the first request is a whole trace too.
    ready = {s["trace_id"] for s in spans if s["name"] == "GET /ready"}
    assert ready and all(services[t] == {"gateway", "core-engine"} for t in ready), \
        [(s["name"], s["service_name"], s["attributes"].get("http.response.status_code")) for s in spans if s["trace_id"] in ready]
    # And the trace view printed them as whole trees: CoreEngine's SERVER span under the gateway's CLIENT span.
    for trace_id in shown:
        tree = result.stdout[result.stdout.index(f"trace {trace_id}"):].split("\ntrace ")[0]
        assert "core-engine  SERVER" in tree, tree
    # Two replicas by default, balanced round robin: consecutive requests were served by both, and the trace view
    # names the replica of every call (its address) and the process of every CoreEngine span (its instance id).
    shown_calls = [s for s in spans if s["trace_id"] in shown and s["kind"] == "CLIENT"]
    peers = {s["attributes"]["network.peer.port"] for s in shown_calls}
    assert len(replica_ports) == count and peers == replica_ports, (peers, replica_ports)
    instances = {s["resource"]["service.instance.id"] for s in spans if s["service_name"] == "core-engine"}
    assert len(instances) == count, instances
    assert re.search(r"CLIENT   marketintel\.v1\.CoreEngine/GetQuote .* → 127\.0\.0\.1:\d+", result.stdout)


def test_make_run_refuses_a_replica_count_it_cannot_run():
    result = subprocess.run([str(ROOT / "scripts" / "run-local.sh"), "--once"], env={**os.environ, "REPLICAS": "ten"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "REPLICAS must be a number of CoreEngine replicas from 1 to 9, got 'ten'" in result.stderr


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_services_that_start_before_the_collector_lose_nothing(tmp_path, protocol):
    """The collector (the real OTLP receiver) starts a second after both services, which meanwhile answer their
    readiness checks and five requests: every span and log record of those requests arrives once it listens, over
    both protocols (swift-otel's OTLP/gRPC exporter fails a batch at once while its channel is not connected; the
    services hold their exporters back until the collector listens, `CollectorGatedService`)."""
    started = time.monotonic()
    core, gateway = start_stack(tmp_path, {**endpoint_for(protocol), **DEMO_SETTINGS})
    receiver = None
    try:
        trace_ids = [requests.get(f"{GATEWAY}/api/v1/quotes/{symbol}", timeout=5).headers["X-Trace-ID"]
                     for symbol in ("AAPL", "MSFT", "NOPE", "TSLA", "SPY")]
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
        receiver = Receiver(tmp_path)
        came = time.monotonic() - started
        for trace_id in trace_ids:
            # gateway SERVER + CLIENT, core-engine SERVER + validate (+ cache lookup, fetch, compute on success)
            wait_for(lambda: {(s["service_name"], s["kind"]) for s in receiver.spans(trace_id)}
                     >= {("gateway", "SERVER"), ("gateway", "CLIENT"), ("core-engine", "SERVER")},
                     timeout=15, what=f"both services' spans of {trace_id}")
            wait_for(lambda: {r["service_name"] for r in receiver.logs(trace_id)} == {"gateway", "core-engine"},
                     timeout=15, what=f"both services' log records of {trace_id}")
        before_requests = [s for s in receiver.spans() if s["name"] == "GET /ready"]
        assert before_requests, "the readiness checks made before the collector listened arrived too"
        print(f"\n{protocol}: collector came {came:.1f} s after the services; every span and log record of the first "
              "requests arrived")
    finally:
        gateway.kill()
        core.kill()
        if receiver:
            receiver.stop()
