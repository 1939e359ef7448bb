"""The status every party records when a call's deadline passes, on the real binaries: the gateway answers 504, and
the gateway CLIENT span, the CoreEngine SERVER span and both services' `rpc_*_calls_handled_total` say 4
(DEADLINE_EXCEEDED); a CoreEngine server stream whose caller's deadline passes mid-stream (a grpcio client) ends
at the deadline with 4. DEADLINE_EXCEEDED makes a SERVER span an ERROR (OpenTelemetry gRPC conventions, as the
Python and Go instrumentations record it); CoreEngine's access log tells the caller's deadline apart from a fault."""
import re

import grpc
import requests

from stack import CORE_METRICS_PORT, CORE_PORT, GATEWAY, endpoint_for, start_stack, wait_for


def handled(metrics_url, side, method, code):
    """The value of rpc_{side}_calls_handled_total for `method` and status `code`; 0 when there is no such series."""
    text = requests.get(metrics_url, timeout=5).text
    pattern = rf'^rpc_{side}_calls_handled_total\{{([^}}]*)\}} (\S+)'
    for labels, value in re.findall(pattern, text, re.M):
        if f'rpc_method="{method}"' in labels and f'rpc_grpc_status_code="{code}"' in labels:
            return float(value)
    return 0.0


def milliseconds(span):
    return (span["end_unix_nano"] - span["start_unix_nano"]) / 1e6


def test_a_gateway_deadline_is_deadline_exceeded_on_both_sides(tmp_path, receiver):
    core, gateway = start_stack(tmp_path, {**endpoint_for("grpc"), "CORE_ENGINE_DEADLINE_MS": "300",
                                           "FAULT_EXTRA_LATENCY_MS": "1000"})
    try:
        response = requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5)
        assert response.status_code == 504
        assert response.json()["error"]["code"] == "DEADLINE_EXCEEDED"
        trace_id = response.headers["X-Trace-ID"]
        spans = wait_for(lambda: (s := receiver.spans(trace_id)) and
                         {(x["kind"], x["service_name"]) for x in s} >= {("CLIENT", "gateway"), ("SERVER", "core-engine")} and s,
                         what="the CLIENT and the CoreEngine SERVER span")
        client = next(s for s in spans if s["kind"] == "CLIENT")
        server = next(s for s in spans if s["kind"] == "SERVER" and s["service_name"] == "core-engine")
        assert client["attributes"]["rpc.grpc.status_code"] == 4 and client["status"] == "ERROR"
        assert server["attributes"]["rpc.grpc.status_code"] == 4
        assert server["attributes"]["error.type"] == "DEADLINE_EXCEEDED"
        assert server["status"] == "ERROR", "DEADLINE_EXCEEDED is an error on a SERVER span, by the conventions"
        assert milliseconds(server) < 900, "CoreEngine stops at the deadline instead of finishing the 1 s fetch"
        assert handled(f"{GATEWAY}/metrics", "client", "GetQuote", 4) == 1
        assert handled(f"{GATEWAY}/metrics", "client", "GetQuote", 2) == 0
        core_metrics = f"http://127.0.0.1:{CORE_METRICS_PORT}/metrics"
        wait_for(lambda: handled(core_metrics, "server", "GetQuote", 4) == 1, what="CoreEngine counting the call as 4")
    finally:
        gateway.kill()
        core.kill()


def stream_request(symbol, count, interval_millis):
    """A StreamQuotesRequest in protobuf wire format: symbol = 1, count = 2, interval_millis = 3."""
    encoded = symbol.encode()
    return bytes([0x0A, len(encoded)]) + encoded + bytes([0x10, count, 0x18]) + _varint(interval_millis)


def _varint(value):
    out = b""
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def test_a_stream_whose_deadline_passes_mid_stream_ends_at_the_deadline(tmp_path, receiver):
    core, gateway = start_stack(tmp_path, endpoint_for("grpc"))
    try:
        with grpc.insecure_channel(f"127.0.0.1:{CORE_PORT}") as channel:
            stream = channel.unary_stream("/marketintel.v1.CoreEngine/StreamQuotes")
            received = 0
            try:
                for _ in stream(stream_request("NVDA", 5, 300), timeout=0.5, metadata=[("x-correlation-id", "stream-deadline")]):
                    received += 1
                raise AssertionError("the stream must end with DEADLINE_EXCEEDED")
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            assert 1 <= received < 5
        server = wait_for(lambda: next((s for s in receiver.spans() if s["name"].endswith("StreamQuotes")
                                        and s["attributes"].get("correlation.id") == "stream-deadline"), None),
                          what="the stream's SERVER span")
        assert server["attributes"]["rpc.grpc.status_code"] == 4
        assert server["status"] == "ERROR"
        access = [line for line in core.lines() if line.get("message") == "rpc handled"
                  and line.get("correlation_id") == "stream-deadline"]
        assert len(access) == 1 and access[0]["level"] == "warning" and access[0]["rpc.ended_by"] == "caller"
        assert milliseconds(server) < 800, "the stream stops at the 0.5 s deadline, not after its next write"
        core_metrics = f"http://127.0.0.1:{CORE_METRICS_PORT}/metrics"
        wait_for(lambda: handled(core_metrics, "server", "StreamQuotes", 4) == 1, what="CoreEngine counting the stream as 4")
        assert handled(core_metrics, "server", "StreamQuotes", 2) == 0
    finally:
        gateway.kill()
        core.kill()
