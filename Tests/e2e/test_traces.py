"""Traces and logs end to end: one trace across both services over both OTLP protocols, logs carrying it,
graceful shutdown, no collector, sampling, and startup errors."""
import json
import subprocess
import time
from pathlib import Path

import pytest
import requests

from stack import BIN_DIR, CALLER_TRACE_ID, CORE_METRICS_PORT, GATEWAY, dropped_spans, endpoint_for, service_env, start_stack, wait_for


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_one_trace_spans_both_services(tmp_path, receiver, protocol):
    core, gateway = start_stack(tmp_path, {**endpoint_for(protocol), "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=e2e"})
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
        assert all(s["resource"].get("deployment.environment") == "e2e" for s in spans)
        for key, value in {"service.version": "0.1.0", "telemetry.sdk.name": "TelemetryPipeline", "telemetry.sdk.language": "swift"}.items():
            assert {s["resource"].get(key) for s in spans} == {value}, key
        assert all(s["resource"].get("telemetry.sdk.version") for s in spans)
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


# What each value of OTEL_SEMCONV_STABILITY_OPT_IN writes on the RPC spans: (names present, names absent, rpc.method).
SEMCONV_MODES = {
    None: ({"rpc.system", "rpc.service", "rpc.grpc.status_code"}, {"rpc.system.name", "rpc.response.status_code"}, "GetQuote"),
    "rpc": ({"rpc.system.name", "rpc.response.status_code"}, {"rpc.system", "rpc.service", "rpc.grpc.status_code"},
            "marketintel.v1.CoreEngine/GetQuote"),
    "rpc/dup": ({"rpc.system", "rpc.service", "rpc.grpc.status_code", "rpc.system.name", "rpc.response.status_code"}, set(),
                "marketintel.v1.CoreEngine/GetQuote"),
}


@pytest.mark.parametrize("opt_in", list(SEMCONV_MODES), ids=["unset", "rpc", "rpc-dup"])
def test_otel_semconv_stability_opt_in_picks_the_rpc_attribute_names(tmp_path, receiver, opt_in):
    env = {**endpoint_for("http/protobuf"), **({"OTEL_SEMCONV_STABILITY_OPT_IN": f"http,{opt_in}"} if opt_in else {})}
    core, gateway = start_stack(tmp_path, env)
    try:
        ok = requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5)
        missing = requests.get(f"{GATEWAY}/api/v1/quotes/NOPE", timeout=5)
        assert ok.status_code == 200 and missing.status_code == 404
        present, absent, method = SEMCONV_MODES[opt_in]
        for response, status_name, status_number in ((ok, "OK", 0), (missing, "NOT_FOUND", 5)):
            trace_id = response.headers["X-Trace-ID"]
            spans = wait_for(lambda: (s := receiver.spans(trace_id)) and {x["kind"] for x in s} >= {"CLIENT", "SERVER"}
                             and len([x for x in s if x["name"].startswith("marketintel")]) == 2 and s,
                             what="the CLIENT and CoreEngine's SERVER span")
            for span in (x for x in spans if x["name"] == "marketintel.v1.CoreEngine/GetQuote"):
                attributes = span["attributes"]
                assert present <= set(attributes) and not (absent & set(attributes)), (span["kind"], sorted(attributes))
                assert attributes["rpc.method"] == method
                if "rpc.response.status_code" in present:
                    assert attributes["rpc.response.status_code"] == status_name
                if "rpc.grpc.status_code" in present:
                    assert attributes["rpc.grpc.status_code"] == status_number
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


@pytest.mark.parametrize("signal,extra", [
    ("spans", {}),
    ("log_records", {"OTEL_LOGS_EXPORTER": "otlp", "OTEL_BLRP_SCHEDULE_DELAY": "100", "OTEL_BLRP_EXPORT_TIMEOUT": "200"}),
])
def test_requests_succeed_without_a_collector_and_export_errors_are_rate_limited(tmp_path, signal, extra):
    # Nothing listens on port 1; a short export timeout makes every batch fail quickly.
    core, gateway = start_stack(tmp_path, {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
                                           "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1",
                                           "OTEL_BSP_EXPORT_TIMEOUT": "200", **extra})
    try:
        for _ in range(20):
            assert requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5).status_code == 200
        failed = lambda service: [l for l in service.lines() if l["message"] == "telemetry export failed"
                                  and l.get("signal") == signal]
        wait_for(lambda: failed(gateway) and failed(core), what=f"a logged {signal} export failure in both services")
        if signal == "spans":
            # The spans of the failed batches are counted as dropped.
            assert dropped_spans(f"{GATEWAY}/metrics") > 0
            assert dropped_spans(f"http://127.0.0.1:{CORE_METRICS_PORT}/metrics") > 0
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
        # Not sampled (bit 0), and the id is random (bit 1, W3C Level 2).
        assert quote.headers["traceresponse"].endswith("-02")
        # CoreEngine continued the same (unsampled) trace: its access log line carries the trace id.
        wait_for(lambda: any(l.get("trace_id") == trace_id for l in core.lines()), what="core-engine's log line")
        assert gateway.terminate() == 0
        assert core.terminate() == 0
        assert receiver.spans(trace_id) == []
    finally:
        gateway.kill()
        core.kill()


def test_with_the_sdk_disabled_requests_succeed_and_no_span_is_exported(tmp_path, receiver):
    core, gateway = start_stack(tmp_path, {**endpoint_for("grpc"), "OTEL_SDK_DISABLED": "true"})
    try:
        for _ in range(5):
            assert requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5).status_code == 200
        assert requests.get(f"{GATEWAY}/metrics", timeout=5).status_code == 200
        assert gateway.terminate() == 0
        assert core.terminate() == 0
        assert receiver.spans() == []
        assert any(l["message"] == "request handled" for l in gateway.lines())
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
    ("gateway", "HTTP_IDLE_TIMEOUT_MS", "5"),
    ("gateway", "OTEL_LOGS_EXPORTER", "syslog"),
    ("core-engine", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "smoke-signals"),
    ("gateway", "OTEL_BLRP_MAX_QUEUE_SIZE", "lots"),
])
def test_an_unsupported_setting_is_a_clear_startup_error(binary, variable, value):
    result = subprocess.run([str(BIN_DIR / binary)], env=service_env({variable: value}), capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 2
    error = json.loads(result.stderr.strip().splitlines()[-1])
    assert error["variable"] == variable
    assert error["message"] == "invalid configuration"
    assert value in error["error"]
