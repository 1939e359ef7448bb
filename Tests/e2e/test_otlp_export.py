"""What the services export, decoded with the official opentelemetry-proto package and compared field by field (ids,
parent, kind, name, times, status, attributes, events, resource, scope, dropped counts; log records too), and how the
exporter behaves towards its peer: retries on 503 with Retry-After, partial success, gzip, headers."""
import re
import time

import pytest
import requests

from otlp_capture import CapturingReceiver
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.trace.v1 import trace_pb2
from stack import CORE_METRICS_PORT, GATEWAY, free_ports, start_stack, wait_for

CALLER_TRACE = "5bd66ef5095369c7b0d1f8f4bd33716a"
CALLER_SPAN = "c032f8cb66a5f6a3"


def attributes(item):
    def value(any_value):
        kind = any_value.WhichOneof("value")
        if kind == "array_value":
            return [value(v) for v in any_value.array_value.values]
        return getattr(any_value, kind)
    return {a.key: value(a.value) for a in item.attributes}


@pytest.fixture
def capture():
    """A capturing OTLP/HTTP peer on a free port; the services `start` launches against it are killed afterwards."""
    port = free_ports(1)[0]
    peer = {"port": port, "receiver": None, "services": []}
    yield peer
    for service in peer["services"]:
        service.kill()
    if peer["receiver"]:
        peer["receiver"].stop()


def start(capture, tmp_path, extra=None, script=()):
    capture["receiver"] = CapturingReceiver(capture["port"], script)
    env = {"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{capture['port']}",
           "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=field-test", "OTEL_BSP_SCHEDULE_DELAY": "100",
           "OTEL_LOGS_EXPORTER": "otlp", "OTEL_BLRP_SCHEDULE_DELAY": "100", **(extra or {})}
    core, gateway = start_stack(tmp_path, env)
    capture["services"] += [gateway, core]
    return core, gateway, capture["receiver"]


def test_spans_field_by_field(tmp_path, capture):
    core, gateway, receiver = start(capture, tmp_path, {"SOURCE_LATENCY_MS": "0"})
    before = time.time_ns()
    response = requests.get(f"{GATEWAY}/api/v1/quotes/NOPE", headers={
        "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01", "tracestate": "vendor=opaque"}, timeout=5)
    after = time.time_ns()
    assert response.status_code == 404
    trace = bytes.fromhex(CALLER_TRACE)
    spans = wait_for(lambda: (s := [x for x in receiver.spans() if x[2].trace_id == trace]) and len(s) >= 4 and s,
                     what="the request's spans")
    by_name = {(span.name, span.kind): (resource, scope, span) for resource, scope, span in spans}
    resource, scope, server = by_name[("GET /api/v1/quotes/{symbol}", trace_pb2.Span.SPAN_KIND_SERVER)]
    _, _, client = by_name[("marketintel.v1.CoreEngine/GetQuote", trace_pb2.Span.SPAN_KIND_CLIENT)]
    core_resource, _, core_server = by_name[("marketintel.v1.CoreEngine/GetQuote", trace_pb2.Span.SPAN_KIND_SERVER)]
    _, _, validate = by_name[("quote.validate", trace_pb2.Span.SPAN_KIND_INTERNAL)]

    # Ids and parents: the caller's trace, each span under the one that called it; 16 and 8 bytes.
    assert server.parent_span_id == bytes.fromhex(CALLER_SPAN)
    assert client.parent_span_id == server.span_id and core_server.parent_span_id == client.span_id
    assert validate.parent_span_id == core_server.span_id
    assert all(len(s.trace_id) == 16 and len(s.span_id) == 8 for _, _, s in spans)
    assert len({s.span_id for _, _, s in spans}) == len(spans)
    # The caller's tracestate is carried on every span of the trace.
    assert {s.trace_state for _, _, s in spans} == {"vendor=opaque"}
    # Flags: the W3C flags (sampled, not random: the caller's id) and whether the parent is remote.
    assert server.flags == 0x01 | 0x100 | 0x200
    assert client.flags == 0x01 | 0x100
    assert core_server.flags == 0x01 | 0x100 | 0x200
    # Times: started after the request was sent, ended before it arrived here (the SERVER span ends once the body
    # is written, which may be after the client has read it), and each child inside its parent.
    arrived = time.time_ns()
    for _, _, span in spans:
        assert before <= span.start_time_unix_nano <= span.end_time_unix_nano <= arrived
    assert all(s.start_time_unix_nano <= after for _, _, s in spans)
    assert server.start_time_unix_nano <= client.start_time_unix_nano <= client.end_time_unix_nano <= server.end_time_unix_nano
    # Status: a 404 is not the HTTP server's error, nor NOT_FOUND the gRPC server's (the conventions), but the
    # CLIENT span's; the step that failed is an error with its message.
    assert server.status.code == trace_pb2.Status.STATUS_CODE_UNSET
    assert core_server.status.code == trace_pb2.Status.STATUS_CODE_UNSET
    assert client.status.code == trace_pb2.Status.STATUS_CODE_ERROR
    # Attributes, with their types.
    server_attributes = attributes(server)
    assert server_attributes["http.request.method"] == "GET"
    assert server_attributes["http.response.status_code"] == 404
    assert server_attributes["http.route"] == "/api/v1/quotes/{symbol}"
    assert attributes(client)["rpc.system"] == "grpc"
    assert attributes(client)["server.port"] > 0
    assert server.dropped_attributes_count == 0 and server.dropped_events_count == 0 and server.dropped_links_count == 0
    # Events: the failing step's exception, with its attributes and a time inside its span.
    failing = [s for _, _, s in spans if s.events]
    assert failing, "a failing step records an exception event"
    event = failing[0].events[0]
    assert event.name == "exception" and attributes(event)["exception.message"]
    assert failing[0].status.code == trace_pb2.Status.STATUS_CODE_ERROR
    assert failing[0].start_time_unix_nano <= event.time_unix_nano <= failing[0].end_time_unix_nano
    # Resource and scope: each process's own, on every span.
    resource_attributes = attributes(resource)
    assert resource_attributes["service.name"] == "gateway"
    assert attributes(core_resource)["service.name"] == "core-engine"
    assert resource_attributes["deployment.environment"] == "field-test"
    assert resource_attributes["telemetry.sdk.name"] == "TelemetryPipeline"
    assert resource_attributes["telemetry.sdk.language"] == "swift"
    assert re.fullmatch(r"[0-9a-f-]{36}", resource_attributes["service.instance.id"])
    assert scope.name == "TelemetryPipeline" and scope.version


def test_log_records_field_by_field(tmp_path, capture):
    core, gateway, receiver = start(capture, tmp_path)
    response = requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", headers={
        "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01", "X-Correlation-ID": "field-1"}, timeout=5)
    assert response.status_code == 200
    trace = bytes.fromhex(CALLER_TRACE)
    records = wait_for(lambda: (r := [x for x in receiver.log_records() if x[2].trace_id == trace])
                       and {attributes(x[0])["service.name"] for x in r} == {"gateway", "core-engine"} and r,
                       what="both services' log records of the request")
    spans = wait_for(lambda: (s := [x[2] for x in receiver.spans() if x[1] and x[2].trace_id == trace]) and len(s) >= 4 and s,
                     what="the request's spans")
    span_ids = {s.span_id for s in spans}
    handled = next(r for _, _, r in records if r.body.string_value == "request handled")
    server = next(s for s in spans if s.name == "GET /api/v1/quotes/{symbol}")
    # The record carries the ids and flags of the span it was written in, as fields (not attributes).
    assert handled.span_id == server.span_id and handled.trace_id == trace
    assert handled.flags == 0x01
    assert all(r.span_id in span_ids for _, _, r in records)
    assert handled.severity_number == 9 and handled.severity_text == "info"
    # Written while the request was handled: not before its span started, and (the access line comes at completion,
    # which may be after the client has its answer) before the record arrived here.
    assert server.start_time_unix_nano <= handled.time_unix_nano <= time.time_ns()
    assert handled.observed_time_unix_nano >= handled.time_unix_nano
    record_attributes = attributes(handled)
    assert record_attributes["correlation_id"] == "field-1"
    # Numbers stay numbers, as in the JSON line: an int_value and a double_value, not their text.
    assert record_attributes["http.response.status_code"] == 200
    assert handled.attributes[[a.key for a in handled.attributes].index("duration_ms")].value.WhichOneof("value") == "double_value"
    assert "trace_id" not in record_attributes and "span_id" not in record_attributes
    resource, scope, _ = records[0]
    assert attributes(resource)["deployment.environment"] == "field-test" and scope.name == "TelemetryPipeline"


def test_span_limits_drop_and_count_attributes(tmp_path, capture):
    core, gateway, receiver = start(capture, tmp_path, {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT": "2",
                                                        "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT": "4"})
    requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"}, timeout=5)
    trace = bytes.fromhex(CALLER_TRACE)
    server = wait_for(lambda: next((s for _, _, s in receiver.spans() if s.trace_id == trace and
                                    s.kind == trace_pb2.Span.SPAN_KIND_SERVER and s.parent_span_id == bytes.fromhex(CALLER_SPAN)), None),
                      what="the gateway's SERVER span")
    assert len(server.attributes) == 2 and server.dropped_attributes_count >= 3
    assert all(len(v) <= 4 for v in attributes(server).values() if isinstance(v, str))


def test_a_503_with_retry_after_is_retried_and_nothing_is_lost(tmp_path, capture):
    core, gateway, receiver = start(capture, tmp_path, script=[(503, {"Retry-After": "1"}, b"")] * 2)
    trace_id = requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5).headers["X-Trace-ID"]
    wait_for(lambda: {attributes(r)["service.name"] for r, _, s in receiver.spans() if s.trace_id.hex() == trace_id}
             == {"gateway", "core-engine"}, what="the request's spans, after the retries")
    refused = [h for _, h, _ in receiver.requests[:2]]
    assert len(refused) == 2
    assert dropped(f"{GATEWAY}/metrics") == 0 and dropped(f"http://127.0.0.1:{CORE_METRICS_PORT}/metrics") == 0


def test_a_partial_success_is_counted_and_reported(tmp_path, capture):
    rejected = trace_service_pb2.ExportTraceServiceResponse()
    # One: whichever export comes first (a readiness check's span, a request's) holds at least one span.
    rejected.partial_success.rejected_spans = 1
    rejected.partial_success.error_message = "span too large"
    core, gateway, receiver = start(capture, tmp_path, {"OTEL_LOGS_EXPORTER": "none"},
                                    script=[(200, {}, rejected.SerializeToString())])
    requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5)
    def rejections():
        text = requests.get(f"{GATEWAY}/metrics", timeout=5).text + requests.get(
            f"http://127.0.0.1:{CORE_METRICS_PORT}/metrics", timeout=5).text
        return sum(float(v) for v in re.findall(r'^otel_spans_dropped_total\{reason="rejected"\} (\S+)', text, re.M))
    wait_for(lambda: rejections() == 1, what="the rejected span counted")
    lines = [l for s in (gateway, core) for l in s.lines() if l["message"] == "collector rejected part of an export"]
    assert len(lines) == 1 and lines[0]["rejected"] == "1" and lines[0]["error_message"] == "span too large"


def test_gzip_and_headers_reach_the_collector(tmp_path, capture):
    core, gateway, receiver = start(capture, tmp_path, {"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
                                                        "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20t0ken,x-tenant=demo"})
    trace_id = requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5).headers["X-Trace-ID"]
    wait_for(lambda: any(s.trace_id.hex() == trace_id for _, _, s in receiver.spans()), what="the spans")
    headers = {k.lower(): v for k, v in receiver.requests[0][1].items()}
    assert headers["content-encoding"] == "gzip" and headers["content-type"] == "application/x-protobuf"
    assert headers["authorization"] == "Bearer t0ken" and headers["x-tenant"] == "demo"


def dropped(metrics_url):
    text = requests.get(metrics_url, timeout=5).text
    return sum(float(v) for v in re.findall(r"^otel_spans_dropped_total(?:\{[^}]*\})? (\S+)", text, re.M))


def test_a_collector_claiming_more_rejections_than_spans_sent_breaks_nothing(tmp_path, capture):
    """A wrong answer (more rejected spans than the batch held) is counted as the whole batch, not as a negative
    export count, which swift-prometheus would stop the process for."""
    rejected = trace_service_pb2.ExportTraceServiceResponse()
    rejected.partial_success.rejected_spans = 1_000_000
    core, gateway, receiver = start(capture, tmp_path, {"OTEL_LOGS_EXPORTER": "none"},
                                    script=[(200, {}, rejected.SerializeToString())])
    assert requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5).status_code == 200

    def rejected_counted():
        text = requests.get(f"{GATEWAY}/metrics", timeout=5).text + requests.get(
            f"http://127.0.0.1:{CORE_METRICS_PORT}/metrics", timeout=5).text
        return sum(float(v) for v in re.findall(r'^otel_spans_dropped_total\{reason="rejected"\} (\S+)', text, re.M))
    wait_for(lambda: rejected_counted() > 0, what="the wrong answer counted")
    _, _, first = receiver.requests[0]
    assert rejected_counted() == len(first.resource_spans[0].scope_spans[0].spans)
    # Both services still answer (and export) after it.
    assert requests.get(f"{GATEWAY}/api/v1/quotes/MSFT", timeout=5).status_code == 200
    assert gateway.process.poll() is None and core.process.poll() is None


def test_a_request_the_collector_refuses_is_not_retried_and_counted_as_dropped(tmp_path, capture):
    """HTTP 400 is not one of the codes OTLP retries: the batch is dropped at once and counted, and the next
    exports go out as usual."""
    core, gateway, receiver = start(capture, tmp_path, {"OTEL_LOGS_EXPORTER": "none"}, script=[(400, {}, b"")])
    assert requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5).status_code == 200
    trace_id = requests.get(f"{GATEWAY}/api/v1/quotes/MSFT", timeout=5).headers["X-Trace-ID"]
    wait_for(lambda: any(s.trace_id.hex() == trace_id for _, _, s in receiver.spans()), what="later spans delivered")
    _, _, refused = receiver.requests[0]
    refused_spans = {span.span_id for group in refused.resource_spans for scoped in group.scope_spans for span in scoped.spans}
    later = {s.span_id for _, _, s in receiver.spans()[len(refused_spans):]}
    assert not refused_spans & later, "a refused batch is never sent again"

    def export_failed():
        text = requests.get(f"{GATEWAY}/metrics", timeout=5).text + requests.get(
            f"http://127.0.0.1:{CORE_METRICS_PORT}/metrics", timeout=5).text
        return sum(float(v) for v in re.findall(r'^otel_spans_dropped_total\{reason="export_failed"\} (\S+)', text, re.M))
    wait_for(lambda: export_failed() == len(refused_spans), what="the refused batch counted as dropped")
