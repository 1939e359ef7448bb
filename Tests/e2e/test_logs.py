"""Logs over OTLP (OTEL_LOGS_EXPORTER=otlp) on the real binaries, received by the OTLP receiver over both protocols:
each service's records of a request carry the ids of a span of that request's trace, the JSON lines on stdout stay
as they were, and the trace view prints them under their spans. (Without a collector: test_traces.py, for both
signals.)"""
import pytest
import requests

from stack import CALLER_TRACE_ID, GATEWAY, RECEIVER, endpoint_for, start_stack, wait_for

LOGS_ON = {"OTEL_LOGS_EXPORTER": "otlp", "OTEL_BLRP_SCHEDULE_DELAY": "100"}


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_each_service_sends_log_records_inside_the_request_s_spans(tmp_path, receiver, protocol):
    core, gateway = start_stack(tmp_path, {**endpoint_for(protocol), **LOGS_ON})
    try:
        response = requests.get(
            f"{GATEWAY}/api/v1/quotes/AAPL",
            headers={"traceparent": f"00-{CALLER_TRACE_ID}-00f067aa0ba902b7-01", "X-Correlation-ID": "logs-1"},
            timeout=5,
        )
        assert response.status_code == 200
        records = wait_for(lambda: (r := receiver.logs(CALLER_TRACE_ID)) and
                           {x["service_name"] for x in r} == {"gateway", "core-engine"} and r,
                           what="log records of both services for the request")
        spans = wait_for(lambda: (s := receiver.spans(CALLER_TRACE_ID)) and len(s) >= 7 and s, what="the request's spans")
        span_ids = {s["span_id"]: s["service_name"] for s in spans}
        for record in records:
            assert record["span_id"] in span_ids, record
            assert span_ids[record["span_id"]] == record["service_name"]
            assert record["protocol"] == ("grpc" if protocol == "grpc" else "http/protobuf")
            assert record["attributes"]["correlation_id"] == "logs-1"
            assert record["resource"]["service.version"] == "0.1.0"
            assert record["severity_text"] and record["body"]
            assert "trace_id" not in record["attributes"], "the ids are the record's fields, not attributes"
        assert {r["body"] for r in records} >= {"request handled", "rpc handled"}
        # A record written outside any span (the startup line) has no trace or span id.
        startup = next(r for r in receiver.logs() if r["body"] == "gateway starting")
        assert startup["trace_id"] == "" and startup["span_id"] == ""
        # stdout is unchanged: the same lines, with the trace ids, as without OTLP logs.
        for service in (gateway, core):
            lines = [l for l in service.lines() if l.get("trace_id") == CALLER_TRACE_ID]
            assert lines and all(l["correlation_id"] == "logs-1" for l in lines)
    finally:
        gateway.kill()
        core.kill()


def test_the_trace_view_prints_each_log_record_under_its_span(tmp_path, receiver):
    """`make run`'s tree view, from what the receiver really got for one request."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("otlp_receiver", RECEIVER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    core, gateway = start_stack(tmp_path, {**endpoint_for("grpc"), **LOGS_ON})
    try:
        trace_id = requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5).headers["X-Trace-ID"]
        logs = wait_for(lambda: (r := receiver.logs(trace_id)) and {x["service_name"] for x in r} == {"gateway", "core-engine"} and r,
                        what="both services' log records")
        spans = wait_for(lambda: (s := receiver.spans(trace_id)) and len(s) >= 7 and s, what="the request's spans")
        lines = module.render_tree(trace_id, spans, logs).splitlines()
        print("\n" + "\n".join(lines))
        def index(text):
            return next(i for i, line in enumerate(lines) if text in line)
        # Each record sits right under (and indented below) the span it was written in.
        server = index("gateway      SERVER")
        assert index("log info    request handled") > server
        assert index("log info    rpc handled") > index("core-engine  SERVER")
        assert len(lines) == 1 + len(spans) + len(logs)
    finally:
        gateway.kill()
        core.kill()
