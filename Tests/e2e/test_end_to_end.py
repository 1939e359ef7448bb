"""End to end: the real gateway and core-engine binaries, and a real OTLP receiver built on the official
opentelemetry-proto package. Run by scripts/test.sh with BIN_DIR set to the Swift build's bin folder."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("BIN_DIR", ROOT / ".build" / "debug"))
RECEIVER = ROOT / "scripts" / "otlp" / "otlp_receiver.py"
GRPC_OTLP_PORT, HTTP_OTLP_PORT = 14317, 14318
CORE_PORT, GATEWAY_PORT = 15051, 18080
GATEWAY = f"http://127.0.0.1:{GATEWAY_PORT}"
CALLER_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def wait_for(condition, timeout=20.0, interval=0.05, what="condition"):
    """Polls `condition` until it returns something truthy; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


class Receiver:
    def __init__(self, tmp_path):
        self.spans_file = tmp_path / "spans.jsonl"
        self.process = subprocess.Popen(
            [sys.executable, str(RECEIVER), "--grpc-port", str(GRPC_OTLP_PORT), "--http-port", str(HTTP_OTLP_PORT),
             "--spans-file", str(self.spans_file)],
            stdout=subprocess.PIPE, text=True,
        )
        assert "otlp receiver" in self.process.stdout.readline()

    def spans(self, trace_id=None):
        if not self.spans_file.exists():
            return []
        spans = [json.loads(line) for line in self.spans_file.read_text().splitlines() if line]
        return [s for s in spans if trace_id is None or s["trace_id"] == trace_id]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class Service:
    def __init__(self, binary, env, log_path):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen([str(BIN_DIR / binary)], env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def lines(self):
        return [json.loads(line) for line in Path(self.log_path).read_text().splitlines() if line.startswith("{")]

    def terminate(self, timeout=20):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self.log.close()
        return code

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


def service_env(extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update({
        "GRPC_HOST": "127.0.0.1", "GRPC_PORT": str(CORE_PORT),
        "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(GATEWAY_PORT),
        "CORE_ENGINE_HOST": "127.0.0.1", "CORE_ENGINE_PORT": str(CORE_PORT),
        "OTEL_PROPAGATORS": "tracecontext,baggage",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    })
    env.update(extra)
    return env


def start_stack(tmp_path, extra_env):
    core = Service("core-engine", service_env({"OTEL_SERVICE_NAME": "core-engine", **extra_env}), tmp_path / "core.log")
    gateway = Service("gateway", service_env(extra_env), tmp_path / "gateway.log")

    def ready():
        try:
            return requests.get(f"{GATEWAY}/ready", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    wait_for(ready, what="the gateway to report ready")
    return core, gateway


@pytest.fixture
def receiver(tmp_path):
    receiver = Receiver(tmp_path)
    yield receiver
    receiver.stop()


def endpoint_for(protocol):
    port = GRPC_OTLP_PORT if protocol == "grpc" else HTTP_OTLP_PORT
    return {"OTEL_EXPORTER_OTLP_PROTOCOL": protocol, "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}"}


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_one_trace_spans_both_services(tmp_path, receiver, protocol):
    core, gateway = start_stack(tmp_path, endpoint_for(protocol))
    try:
        caller_span = "00f067aa0ba902b7"
        response = requests.get(
            f"{GATEWAY}/api/v1/quotes/AAPL",
            headers={"traceparent": f"00-{CALLER_TRACE_ID}-{caller_span}-01", "X-Correlation-ID": "e2e-1",
                     "Authorization": "Bearer top-secret"},
            timeout=5,
        )
        assert response.status_code == 200
        assert response.json()["symbol"] == "AAPL"
        assert response.headers["X-Trace-ID"] == CALLER_TRACE_ID
        assert response.headers["X-Correlation-ID"] == "e2e-1"

        spans = wait_for(lambda: (s := receiver.spans(CALLER_TRACE_ID)) and len(s) >= 7 and s,
                         what="seven spans of the request at the receiver")
        by_name = {(s["name"], s["kind"]): s for s in spans}
        gateway_server = by_name[("GET /api/v1/quotes/{symbol}", "SERVER")]
        client = by_name[("marketintel.v1.CoreEngine/GetQuote", "CLIENT")]
        core_server = by_name[("marketintel.v1.CoreEngine/GetQuote", "SERVER")]
        assert gateway_server["parent_span_id"] == caller_span
        assert client["parent_span_id"] == gateway_server["span_id"]
        assert core_server["parent_span_id"] == client["span_id"]
        steps = sorted((s for s in spans if s["parent_span_id"] == core_server["span_id"]), key=lambda s: s["start_unix_nano"])
        assert [s["name"] for s in steps] == ["quote.validate", "quote.cache_lookup", "quote.source_fetch", "quote.compute"]
        assert {gateway_server["service_name"], client["service_name"]} == {"gateway"}
        assert {s["service_name"] for s in [core_server, *steps]} == {"core-engine"}
        assert {s["protocol"] for s in spans} == {"grpc" if protocol == "grpc" else "http/protobuf"}
        assert gateway_server["attributes"]["http.route"] == "/api/v1/quotes/{symbol}"
        assert core_server["attributes"]["rpc.system"] == "grpc"
        assert core_server["attributes"]["correlation.id"] == "e2e-1"
        assert "top-secret" not in json.dumps(spans)

        for service in (gateway, core):
            lines = [l for l in service.lines() if l.get("trace_id") == CALLER_TRACE_ID]
            assert lines, f"no log line of {service.log_path.name} carries the trace id"
            assert all(l["correlation_id"] == "e2e-1" and l["span_id"] for l in lines)
        assert "top-secret" not in Path(gateway.log_path).read_text()
    finally:
        gateway.kill()
        core.kill()


def test_sigterm_exits_zero_and_flushes_spans(tmp_path, receiver):
    # A long batch delay: the spans can only reach the receiver through the flush on shutdown.
    core, gateway = start_stack(tmp_path, {**endpoint_for("grpc"), "OTEL_BSP_SCHEDULE_DELAY": "60000"})
    try:
        response = requests.get(f"{GATEWAY}/api/v1/quotes/MSFT", timeout=5)
        trace_id = response.headers["X-Trace-ID"]
        assert receiver.spans(trace_id) == []
        assert gateway.terminate() == 0
        assert core.terminate() == 0
        names = {(s["service_name"], s["kind"]) for s in receiver.spans(trace_id)}
        assert {("gateway", "SERVER"), ("gateway", "CLIENT"), ("core-engine", "SERVER")} <= names
        assert any(l["message"] == "gateway stopped" for l in gateway.lines())
        assert any(l["message"] == "core engine stopped" for l in core.lines())
    finally:
        gateway.kill()
        core.kill()


def test_requests_succeed_without_a_collector_and_export_errors_are_rate_limited(tmp_path):
    # Nothing listens on port 1; a short export timeout makes every batch fail quickly.
    core, gateway = start_stack(tmp_path, {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
                                           "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1",
                                           "OTEL_BSP_EXPORT_TIMEOUT": "200"})
    try:
        for _ in range(20):
            assert requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5).status_code == 200
        failed = lambda service: [l for l in service.lines() if l["message"] == "Failed to export batch."]
        wait_for(lambda: failed(gateway) and failed(core), what="a logged export failure in both services")
        # Keep failing for several more batches (the delay is 100 ms), all within one 30 s window.
        for _ in range(10):
            assert requests.get(f"{GATEWAY}/api/v1/quotes/MSFT", timeout=5).status_code == 200
            time.sleep(0.1)
        assert gateway.terminate() == 0
        assert core.terminate() == 0
        for service in (gateway, core):
            assert len(failed(service)) == 1, failed(service)
    finally:
        gateway.kill()
        core.kill()


def test_a_sampled_out_request_still_propagates_a_valid_traceparent(tmp_path, receiver):
    core, gateway = start_stack(tmp_path, {**endpoint_for("grpc"), "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
                                           "OTEL_TRACES_SAMPLER_ARG": "0"})
    try:
        response = requests.get(f"{GATEWAY}/trace-context", timeout=5)
        assert response.json()["sampled"] is False
        quote = requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5)
        trace_id = quote.headers["X-Trace-ID"]
        assert quote.headers["traceresponse"].endswith("-00")
        # CoreEngine continued the same (unsampled) trace: its access log line carries the trace id.
        wait_for(lambda: any(l.get("trace_id") == trace_id for l in core.lines()), what="core-engine's log line")
        assert gateway.terminate() == 0
        assert core.terminate() == 0
        assert receiver.spans(trace_id) == []
    finally:
        gateway.kill()
        core.kill()


@pytest.mark.parametrize("binary,variable,value", [
    ("gateway", "HTTP_PORT", "eighty"),
    ("core-engine", "GRPC_PORT", "99999"),
    ("gateway", "OTEL_PROPAGATORS", "b3"),
    ("core-engine", "OTEL_TRACES_SAMPLER", "jaeger_remote"),
    ("gateway", "OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"),
    ("core-engine", "LOG_LEVEL", "loud"),
])
def test_an_unsupported_setting_is_a_clear_startup_error(binary, variable, value):
    result = subprocess.run([str(BIN_DIR / binary)], env=service_env({variable: value}), capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 2
    error = json.loads(result.stderr.strip().splitlines()[-1])
    assert error["variable"] == variable
    assert error["message"] == "invalid configuration"
    assert value in error["error"]
