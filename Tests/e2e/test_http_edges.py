"""HTTP/1.1 at the edges, on the real gateway over raw sockets: requests the parser rejects and HTTP/1.1 requests
without one Host header get the gateway's JSON error with a trace id and a SERVER span; a client that never
finishes its request head is disconnected after HTTP_IDLE_TIMEOUT_MS."""
import json
import socket
import time

import pytest

from stack import GATEWAY_PORT, endpoint_for, start_stack, wait_for

IDLE_TIMEOUT_MS = 1000


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    from stack import Receiver
    receiver = Receiver(tmp_path_factory.mktemp("edges-receiver"))
    core, gateway = start_stack(tmp_path_factory.mktemp("edges"), {
        **endpoint_for("grpc"), "HTTP_IDLE_TIMEOUT_MS": str(IDLE_TIMEOUT_MS),
    })
    yield receiver
    gateway.kill()
    core.kill()
    receiver.stop()


def exchange(raw):
    """Sends raw bytes; returns (status, headers, body) of the answer, read until the gateway closes."""
    with socket.create_connection(("127.0.0.1", GATEWAY_PORT), timeout=5) as connection:
        connection.sendall(raw)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split(" ")[1]), headers, body


REJECTED_BY_THE_PARSER = {
    "unknown method": b"FOO / HTTP/1.1\r\nHost: a\r\n\r\n",
    "lowercase method": b"get /health HTTP/1.1\r\nHost: a\r\n\r\n",
    "space in a header name": b"GET /health HTTP/1.1\r\nHost: a\r\nBad Header: 1\r\n\r\n",
    "NUL in a header value": b"GET /health HTTP/1.1\r\nHost: a\r\nX-A: a\x00b\r\n\r\n",
    "bare CR in a header value": b"GET /health HTTP/1.1\r\nHost: a\r\nX-A: a\rb\r\n\r\n",
    "headers over the decoder's limit": b"GET /health HTTP/1.1\r\nHost: a\r\n" + b"X-Big: " + b"a" * 90_000 + b"\r\n\r\n",
    "Content-Length with Transfer-Encoding": b"POST /api/v1/market-data/fetch HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                                             b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "HTTP/1.1 without Host": b"GET /health HTTP/1.1\r\n\r\n",
    "HTTP/1.1 with two Host headers": b"GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
}


@pytest.mark.parametrize("case", REJECTED_BY_THE_PARSER)
def test_a_request_refused_before_routing_is_a_json_400_with_a_trace(gateway, case):
    status, headers, body = exchange(REJECTED_BY_THE_PARSER[case])
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    assert headers["connection"] == "close"
    assert int(headers["content-length"]) == len(body)
    answer = json.loads(body)
    assert answer["error"]["code"] == "BAD_REQUEST"
    assert answer["error"]["message"]
    trace_id = headers["x-trace-id"]
    assert answer["trace_id"] == trace_id
    span = wait_for(lambda: gateway.spans(trace_id), what="the refused request's span")[0]
    # Named as every SERVER span is (HTTPServerSpan): by its method when the head was read (a Host problem), `HTTP`
    # when the parser gave up before there was one.
    parsed_head = case.startswith("HTTP/1.1 with")
    assert span["kind"] == "SERVER" and span["name"] == ("GET" if parsed_head else "HTTP")
    assert span["attributes"]["http.request.method"] == ("GET" if parsed_head else "_OTHER")
    assert span["attributes"]["http.response.status_code"] == 400


def test_http_1_0_without_host_is_served(gateway):
    status, _, body = exchange(b"GET /health HTTP/1.0\r\n\r\n")
    assert status == 200
    assert json.loads(body)["status"] == "ok"


def test_a_client_that_never_finishes_its_request_head_is_disconnected(gateway):
    connections = [socket.create_connection(("127.0.0.1", GATEWAY_PORT), timeout=IDLE_TIMEOUT_MS / 1000 * 5)
                   for _ in range(50)]
    started = time.monotonic()
    for connection in connections:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: a\r\nX-Half: ")
    # A trickle does not count as activity: only whole HTTP parts do.
    connections[0].sendall(b"a")
    for connection in connections:
        assert connection.recv(1024) == b"", "the gateway must close the connection, not answer it"
        connection.close()
    elapsed = time.monotonic() - started
    assert elapsed < IDLE_TIMEOUT_MS / 1000 * 4, f"closed after {elapsed:.1f}s"
