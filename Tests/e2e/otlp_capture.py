"""An OTLP/HTTP peer for the export tests: it keeps every request's raw body and headers, decoded with the official
opentelemetry-proto package, and answers from a script (503 with Retry-After, a partial success, …) before it
settles on 200."""
import gzip
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

REQUEST_TYPES = {"/v1/traces": trace_service_pb2.ExportTraceServiceRequest,
                 "/v1/logs": logs_service_pb2.ExportLogsServiceRequest}


class CapturingReceiver:
    def __init__(self, port, script=()):
        """`script`: (status, headers, body) answers for the first requests, in order; 200 with an empty body after."""
        self.requests = []  # (path, headers, decoded request)
        self.lock = threading.Lock()
        self.script = list(script)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                request = REQUEST_TYPES[self.path]()
                request.ParseFromString(body)
                with receiver.lock:
                    receiver.requests.append((self.path, dict(self.headers), request))
                    status, headers, payload = receiver.script.pop(0) if receiver.script else (200, {}, b"")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def spans(self):
        """(resource, scope, span) of every span received."""
        with self.lock:
            requests = [r for p, _, r in self.requests if p == "/v1/traces"]
        return [(group.resource, scoped.scope, span) for request in requests for group in request.resource_spans
                for scoped in group.scope_spans for span in scoped.spans]

    def log_records(self):
        with self.lock:
            requests = [r for p, _, r in self.requests if p == "/v1/logs"]
        return [(group.resource, scoped.scope, record) for request in requests for group in request.resource_logs
                for scoped in group.scope_logs for record in scoped.log_records]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
