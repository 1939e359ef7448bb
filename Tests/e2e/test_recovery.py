"""Failure drills on the real binaries: CoreEngine going away and coming back. Each prints the figure it
measures (run with -s to see it); the bounds are the goals of the issue that asked for them."""
import json
import os
import signal
import socket
import threading
import time

import pytest
import requests

from stack import (CORE_METRICS_PORT, CORE_PORT, GATEWAY, Receiver, Service, dropped_spans, endpoint_for, service_env,
                   start_stack, wait_for)


def cpu_seconds(pid):
    """User + system CPU time of a process, from /proc."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def test_the_gateway_answers_soon_after_core_engine_comes_back(tmp_path):
    core, gateway = start_stack(tmp_path, {"OTEL_TRACES_EXPORTER": "none"})
    try:
        assert requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5).status_code == 200
        core.kill()
        # Down for five seconds: every answer is 503 UNAVAILABLE, and the gateway does not spin.
        down_started, cpu_before = time.monotonic(), cpu_seconds(gateway.process.pid)
        while time.monotonic() - down_started < 5:
            response = requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5)
            assert response.status_code == 503 and response.json()["error"]["code"] == "UNAVAILABLE"
            time.sleep(0.25)
        cpu_while_down = cpu_seconds(gateway.process.pid) - cpu_before

        core = Service("core-engine", service_env({"OTEL_SERVICE_NAME": "core-engine", "OTEL_TRACES_EXPORTER": "none"}),
                       tmp_path / "core-again.log")
        wait_for(lambda: listening(CORE_PORT), interval=0.01, what="CoreEngine listening again")
        back = time.monotonic()
        wait_for(lambda: requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5).status_code == 200,
                 interval=0.02, what="the first success after CoreEngine is back")
        recovered_after = time.monotonic() - back
        print(f"\nfirst success {recovered_after:.2f} s after CoreEngine listens again; "
              f"gateway CPU while CoreEngine was down: {cpu_while_down:.2f} s over 5 s")
        assert recovered_after <= 2.0
        assert cpu_while_down < 1.0
    finally:
        gateway.kill()
        core.kill()



@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_sigterm_with_the_collector_down_exits_zero_within_docker_s_stop_grace(tmp_path, protocol):
    """Nothing listens at the collector's address; every setting is at its default but the endpoint. Docker
    sends SIGKILL 10 s after SIGTERM, so both services must be gone well before that."""
    core, gateway = start_stack(tmp_path, {"OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
                                           "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1",
                                           "OTEL_BSP_SCHEDULE_DELAY": "5000"})
    try:
        # Enough spans to fill the batch processor's queue (2048), so shutdown has several batches to flush.
        with requests.Session() as session:
            for _ in range(400):
                assert session.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5).status_code == 200
        # Let the scheduled export start and hang on the missing collector, as it would in production.
        time.sleep(5.5)
        started = time.monotonic()
        for service in (gateway, core):
            service.process.send_signal(signal.SIGTERM)
        codes = [service.process.wait(timeout=30) for service in (gateway, core)]
        took = time.monotonic() - started
        print(f"\n{protocol}: both services exited {took:.1f} s after SIGTERM, with {codes}")
        assert codes == [0, 0]
        assert took < 10
    finally:
        gateway.kill()
        core.kill()


def test_sigterm_while_a_client_holds_a_stream_open_still_exits_within_docker_s_stop_grace(tmp_path, receiver):
    """A client streaming quotes for 60 s and more (100 updates a second apart, inside the longest deadline, 60 s) keeps a response in
    flight, and a graceful HTTP server waits for in-flight responses: without a bound the gateway would outlive
    Docker's 10 s and be SIGKILLed, its last spans with it. The service group cuts the drain short after 8 s
    (ServiceGroupConfiguration.stopGrace): the gateway exits 0, the stream ends, and the spans of the requests
    before it were flushed."""
    core, gateway = start_stack(tmp_path, {**endpoint_for("http/protobuf"), "CORE_ENGINE_DEADLINE_MS": "60000"})
    try:
        before = requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5)
        stream = requests.get(f"{GATEWAY}/api/v1/quotes/AAPL/stream?count=100&interval_ms=1000", stream=True, timeout=30)
        assert stream.status_code == 200
        lines = stream.iter_lines()
        assert json.loads(next(lines))["quote"]["symbol"] == "AAPL", "the stream is under way"
        started = time.monotonic()
        gateway.process.send_signal(signal.SIGTERM)
        code = gateway.process.wait(timeout=30)
        took = time.monotonic() - started
        received = 1
        try:
            for _ in lines:
                received += 1
        except requests.exceptions.ChunkedEncodingError:
            pass  # the connection closed mid-body: a stream cut short, as its client sees it
        print(f"\nSIGTERM with a 100 s stream open: the gateway exited {code} after {took:.1f} s, "
              f"the stream ended after {received} of 100 updates")
        assert code == 0 and took < 10
        assert received < 100, "the stream was cut short, not waited for"
        assert any(s["kind"] == "SERVER" and s["service_name"] == "gateway" for s in receiver.spans(before.headers["X-Trace-ID"]))
    finally:
        gateway.kill()
        core.kill()


OUTAGE_SECONDS = float(os.environ.get("COLLECTOR_OUTAGE_SECONDS", "20"))


# The configurations a user runs: make run's and compose's (both OTLP/HTTP, logs over OTLP too), and OTLP/gRPC, the
# documented option, whose recovery swift-otel's fixed reconnect backoff bounds (printed; asserted only to come back).
RECOVERY_CONFIGURATIONS = {
    "make-run": ("http/protobuf", {"OTEL_BSP_SCHEDULE_DELAY": "200", "OTEL_LOGS_EXPORTER": "otlp",
                                   "OTEL_BLRP_SCHEDULE_DELAY": "200"}, 15),
    "compose": ("http/protobuf", {"OTEL_BSP_SCHEDULE_DELAY": "500", "OTEL_BSP_EXPORT_TIMEOUT": "5000",
                                  "OTEL_LOGS_EXPORTER": "otlp"}, 15),
    "grpc-option": ("grpc", {"OTEL_BSP_SCHEDULE_DELAY": "500", "OTEL_LOGS_EXPORTER": "otlp"}, 150),
}


@pytest.mark.parametrize("configuration", RECOVERY_CONFIGURATIONS)
def test_spans_arrive_again_soon_after_the_collector_comes_back(tmp_path, configuration):
    """The collector is away for COLLECTOR_OUTAGE_SECONDS (20 s here; the closing note's figures use 60) under a
    steady load; both services' spans and log records reach it again within 15 s of it listening on the default
    paths. What was lost meanwhile (a batch that failed, or spans refused by a full queue) is printed from
    otel_spans_dropped_total."""
    protocol, settings, bound = RECOVERY_CONFIGURATIONS[configuration]
    receiver = Receiver(tmp_path)
    core, gateway = start_stack(tmp_path, {**endpoint_for(protocol), **settings})
    load = None
    try:
        # Exporting works first (the services then start exporting at once), then the collector goes away.
        wait_for(lambda: {"gateway", "core-engine"} <= {s["service_name"] for s in receiver.spans()},
                 what="spans before the outage")
        receiver.stop()
        stop = threading.Event()

        def steady_load():
            with requests.Session() as session:
                while not stop.is_set():
                    session.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5)
                    stop.wait(0.02)

        load = threading.Thread(target=steady_load)
        load.start()
        stop.wait(OUTAGE_SECONDS)
        (tmp_path / "spans.jsonl").unlink(missing_ok=True)
        (tmp_path / "logs.jsonl").unlink(missing_ok=True)
        receiver = Receiver(tmp_path)
        back = time.monotonic()
        wait_for(lambda: {"gateway", "core-engine"} <= {s["service_name"] for s in receiver.spans()},
                 timeout=bound + 15, interval=0.05, what="spans of both services after the collector is back")
        after = time.monotonic() - back
        wait_for(lambda: {"gateway", "core-engine"} <= {r["service_name"] for r in receiver.logs()},
                 timeout=bound + 15, interval=0.05, what="log records of both services after the collector is back")
        logs_after = time.monotonic() - back
        dropped = {name: dropped_spans(url) for name, url in
                   (("gateway", f"{GATEWAY}/metrics"), ("core-engine", f"http://127.0.0.1:{CORE_METRICS_PORT}/metrics"))}
        print(f"\n{configuration} ({protocol}): collector away {OUTAGE_SECONDS:.0f} s; spans of both services arrived "
              f"{after:.1f} s and log records {logs_after:.1f} s after it listened again; spans counted as dropped: {dropped}")
        assert after <= bound and logs_after <= bound
    finally:
        if load:
            stop.set()
            load.join()
        gateway.kill()
        core.kill()
        receiver.stop()
