"""The W3C trace-context test suite's "test service" (w3c/trace-context, test/README.md), with the gateway as the
participant under test.

The suite's harness POSTs to /test with trace-context headers and a JSON list of callbacks; a test service must call
each callback URL, propagating the trace context it was given. Here every header the harness sent (repeated names and
odd casings included) goes on to the real gateway, whose call to CoreEngine passes through a recording gRPC proxy;
the callbacks then carry exactly the `traceparent` and `tracestate` that CoreEngine received. What the harness checks
is therefore what the gateway propagated, and nothing of this adapter's own."""
import http.client
import itertools
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GET_QUOTE = "/marketintel.v1.CoreEngine/GetQuote"
# Headers of the harness's own request to this adapter, not trace context: not sent on to the gateway.
NOT_FORWARDED = {"host", "content-length", "content-type", "accept-encoding", "connection", "transfer-encoding"}


class W3CTestService:
    def __init__(self, port, gateway_port, proxy):
        self.gateway_port = gateway_port
        self.proxy = proxy
        self.ids = itertools.count()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()

    def propagate(self, headers):
        """Sends `headers` through the gateway; the trace-context fields CoreEngine received."""
        correlation_id = f"w3c-suite-{next(self.ids)}"
        connection = http.client.HTTPConnection("127.0.0.1", self.gateway_port, timeout=5)
        connection.putrequest("GET", "/api/v1/quotes/AAPL")
        for name, value in headers:
            if name.lower() not in NOT_FORWARDED:
                connection.putheader(name, value)
        connection.putheader("X-Correlation-ID", correlation_id)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        connection.close()
        received = self.proxy.received(GET_QUOTE, correlation_id)
        return [(k, v) for k, v in received if k in ("traceparent", "tracestate")]

    def _handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                actions = json.loads(body or b"[]")
                for action in actions:
                    # One gateway request per callback: each outgoing call is a span of its own (a parent id of its own).
                    propagated = service.propagate(self.headers.items())
                    request = urllib.request.Request(action["url"], data=json.dumps(action.get("arguments", [])).encode(),
                                                     method="POST", headers={"Content-Type": "application/json"})
                    for name, value in propagated:
                        request.add_header(name, value)
                    urllib.request.urlopen(request, timeout=5).read()
                answer = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        return Handler
