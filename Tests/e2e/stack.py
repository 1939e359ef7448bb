"""What the end-to-end tests share: the real gateway and core-engine binaries, a real OTLP receiver built on the
official opentelemetry-proto package, and polling helpers. BIN_DIR is the Swift build's bin folder."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "scripts" / "otlp")]
import jsonl  # noqa: E402  (the one reader of files that another process appends to)
from free_ports import free_ports  # noqa: E402

BIN_DIR = Path(os.environ.get("BIN_DIR", ROOT / ".build" / "debug"))
RECEIVER = ROOT / "scripts" / "otlp" / "otlp_receiver.py"


# Chosen once per test run: the tests restart services on the same ports (a killed replica comes back where it was).
GRPC_OTLP_PORT, HTTP_OTLP_PORT, CORE_PORT, CORE_METRICS_PORT, GATEWAY_PORT = free_ports(5)
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
        """The spans received so far (whole lines only: the receiver may be writing the next one)."""
        return [s for s in jsonl.records(self.spans_file) if trace_id is None or s["trace_id"] == trace_id]

    def logs(self, trace_id=None):
        """The log records received so far (the receiver writes them next to the spans)."""
        records = jsonl.records(self.spans_file.with_name("logs.jsonl"))
        return [r for r in records if trace_id is None or r["trace_id"] == trace_id]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class Service:
    def __init__(self, binary, env, log_path):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen([str(BIN_DIR / binary)], env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def lines(self):
        """The service's JSON log lines so far (whole lines only: it may be writing the next one)."""
        return jsonl.records(self.log_path)

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
        "METRICS_HOST": "127.0.0.1", "METRICS_PORT": str(CORE_METRICS_PORT),
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


def dropped_spans(metrics_url):
    """otel_spans_dropped_total as a service's /metrics reports it."""
    text = requests.get(metrics_url, timeout=5).text
    return sum(float(v) for v in re.findall(r"^otel_spans_dropped_total(?:\{[^}]*\})? (\S+)", text, re.M))


def endpoint_for(protocol):
    """The OTEL_* settings that send traces to the test receiver over `protocol`."""
    port = GRPC_OTLP_PORT if protocol == "grpc" else HTTP_OTLP_PORT
    return {"OTEL_EXPORTER_OTLP_PROTOCOL": protocol, "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}"}


