#!/usr/bin/env python3
"""A real OTLP trace and log receiver, built on the official opentelemetry-proto package.

It listens for OTLP/gRPC and OTLP/HTTP (protobuf and JSON) at once, and appends every span it receives
to a JSON-lines file, one object per span, with the time it arrived, and every log record to another
(`logs.jsonl` next to the spans file unless --logs-file says otherwise). With --print-trees it also prints
each trace as an indented tree, the log records under the span they were written in, once nothing of it
has arrived for a moment: the local trace view of `scripts/run-local.sh`.

    python3 otlp_receiver.py --grpc-port 4317 --http-port 4318 --spans-file /tmp/spans.jsonl
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import grpc
from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}
STATUS = {0: "UNSET", 1: "OK", 2: "ERROR"}


def attribute_value(value):
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [attribute_value(v) for v in value.array_value.values]
    if kind is None:
        return None
    return getattr(value, kind)


def each_item(resource_groups, scopes_field, items_field):
    """(resource attributes, item) for every span or log record of an export request."""
    for group in resource_groups:
        resource = {a.key: attribute_value(a.value) for a in group.resource.attributes}
        for scope in getattr(group, scopes_field):
            for item in getattr(scope, items_field):
                yield resource, item


class SpanStore:
    """Appends spans and log records to their files and keeps them per trace for the tree printer."""

    def __init__(self, path, logs_path, print_trees):
        self.path = path
        self.logs_path = logs_path
        self.lock = threading.Lock()
        self.traces = {}
        self.logs = {}
        self.last_seen = {}
        self.print_trees = print_trees
        open(path, "a").close()
        open(logs_path, "a").close()

    def add_logs(self, request, protocol):
        arrived = time.time()
        records = [{
            "trace_id": record.trace_id.hex(),
            "span_id": record.span_id.hex(),
            "flags": record.flags,
            "service_name": resource.get("service.name"),
            "resource": resource,
            "severity_text": record.severity_text,
            "severity_number": record.severity_number,
            "body": attribute_value(record.body),
            "attributes": {a.key: attribute_value(a.value) for a in record.attributes},
            "time_unix_nano": record.time_unix_nano,
            "arrived_unix_nano": int(arrived * 1e9),
            "protocol": protocol,
        } for resource, record in each_item(request.resource_logs, "scope_logs", "log_records")]
        return self.keep(records, self.logs_path, self.logs, arrived)

    def add(self, request, protocol):
        arrived = time.time()
        records = [{
            "trace_id": span.trace_id.hex(),
            "span_id": span.span_id.hex(),
            "parent_span_id": span.parent_span_id.hex(),
            "name": span.name,
            "kind": KINDS.get(span.kind, str(span.kind)),
            "service_name": resource.get("service.name"),
            "resource": resource,
            "attributes": {a.key: attribute_value(a.value) for a in span.attributes},
            "status": STATUS.get(span.status.code, str(span.status.code)),
            "status_message": span.status.message,
            "events": [e.name for e in span.events],
            "event_details": [{"name": e.name, "time_unix_nano": e.time_unix_nano,
                               "attributes": {a.key: attribute_value(a.value) for a in e.attributes}} for e in span.events],
            "start_unix_nano": span.start_time_unix_nano,
            "end_unix_nano": span.end_time_unix_nano,
            "arrived_unix_nano": int(arrived * 1e9),
            "protocol": protocol,
        } for resource, span in each_item(request.resource_spans, "scope_spans", "spans")]
        return self.keep(records, self.path, self.traces, arrived)

    def keep(self, records, path, by_trace, arrived):
        """Appends `records` to `path` and files them under their trace for the tree printer."""
        with self.lock:
            # One write of whole lines; readers still take whole lines only (scripts/otlp/jsonl.py), since a large
            # batch can reach the file in more than one system call.
            with open(path, "a") as out:
                out.write("".join(json.dumps(record) + "\n" for record in records))
            for record in records:
                if record["trace_id"]:
                    by_trace.setdefault(record["trace_id"], []).append(record)
                    self.last_seen[record["trace_id"]] = arrived
        return len(records)

    def flush_quiet_traces(self, quiet_seconds=1.0, settle_seconds=10.0):
        """Prints the traces that are whole (every CLIENT span has its callee's span) and quiet for a moment, or
        quiet for `settle_seconds` whatever they hold: two services export on their own schedules, so one half of a
        trace can arrive seconds after the other."""
        now = time.time()
        with self.lock:
            done = [t for t, seen in self.last_seen.items()
                    if now - seen >= settle_seconds or (now - seen >= quiet_seconds and is_whole(self.traces.get(t, [])))]
            finished = [(t, self.traces.pop(t, []), self.logs.pop(t, [])) for t in done]
            for t in done:
                del self.last_seen[t]
        for trace_id, spans, logs in finished:
            print(render_tree(trace_id, spans, logs), flush=True)


def is_whole(spans):
    """Whether every CLIENT span of a trace has a child: the callee's SERVER span has arrived too. A failed attempt
    (a retry follows it) may never have reached a replica, so it needs none."""
    parents = {s["parent_span_id"] for s in spans}
    return all(s["span_id"] in parents for s in spans if s["kind"] == "CLIENT" and s["status"] != "ERROR")


def attempts(span):
    """The attempts of a CLIENT span's call, from its `grpc.attempt` events (one span covers a call's retries; a call
    of one attempt has none)."""
    return [e["attributes"] for e in span.get("event_details", []) if e["name"] == "grpc.attempt"]


def attempt_line(attempt):
    """One attempt of a call: its number, the replica it went to, its status, its time, the wait before it."""
    code = attempt.get("error.type", "OK")
    peer = f"{attempt.get('network.peer.address', '?')}:{attempt.get('network.peer.port', '')}"
    delay = attempt.get("grpc.attempt.delay_ms")
    return (f"attempt {attempt.get('grpc.attempt.number', '?')}  → {peer}  {code}  "
            f"{attempt.get('grpc.attempt.duration_ms', 0):.2f} ms" + (f", {delay:.2f} ms after the one before" if delay is not None else ""))


def where(span):
    """The replica a CLIENT span's call went to last (and how many attempts it took), and the process a SERVER span
    ran in (its service.instance.id, shortened), so that a trace shows which replica served each call."""
    attributes = span["attributes"]
    if span["kind"] == "CLIENT" and "network.peer.address" in attributes:
        tries = len(attempts(span))
        return (f"  → {attributes['network.peer.address']}:{attributes.get('network.peer.port', '')}"
                + (f" ({tries} attempts)" if tries > 1 else ""))
    instance = span.get("resource", {}).get("service.instance.id")
    retries = attributes.get("app.rpc.retries")
    if span["kind"] == "SERVER" and instance:
        return f"  @{instance[:8]}" + (f" ({retries} {'retry' if retries == 1 else 'retries'})" if retries else "")
    return ""


def render_tree(trace_id, spans, logs=()):
    by_parent = {}
    ids = {s["span_id"] for s in spans}
    for span in spans:
        parent = span["parent_span_id"] if span["parent_span_id"] in ids else None
        by_parent.setdefault(parent, []).append(span)
    lines = [f"trace {trace_id}"]

    logs_by_span = {}
    for record in sorted(logs, key=lambda r: r["time_unix_nano"]):
        logs_by_span.setdefault(record["span_id"] if record["span_id"] in ids else None, []).append(record)

    def log_lines(span_id, depth):
        for record in logs_by_span.get(span_id, []):
            lines.append(f"{'  ' * (depth + 1)}  log {record['severity_text']:<7} {record['body']}")

    def walk(parent, depth):
        for span in sorted(by_parent.get(parent, []), key=lambda s: s["start_unix_nano"]):
            millis = (span["end_unix_nano"] - span["start_unix_nano"]) / 1e6
            status = "" if span["status"] == "UNSET" else f" [{span['status']}]"
            lines.append(f"{'  ' * (depth + 1)}{span['service_name']:<12} {span['kind']:<8} {span['name']}  {millis:.2f} ms{status}"
                         f"{where(span)}")
            if len(attempts(span)) > 1:
                lines.extend(f"{'  ' * (depth + 2)}  {attempt_line(a)}" for a in attempts(span))
            log_lines(span["span_id"], depth + 1)
            walk(span["span_id"], depth + 1)

    walk(None, 0)
    log_lines(None, 0)  # records of this trace whose span did not arrive
    return "\n".join(lines)


class TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, store):
        self.store = store

    def Export(self, request, context):
        self.store.add(request, "grpc")
        return trace_service_pb2.ExportTraceServiceResponse()


class LogsService(logs_service_pb2_grpc.LogsServiceServicer):
    def __init__(self, store):
        self.store = store

    def Export(self, request, context):
        self.store.add_logs(request, "grpc")
        return logs_service_pb2.ExportLogsServiceResponse()


def make_http_handler(store):
    # Path → (request type, response type, how the store takes it).
    signals = {
        "/v1/traces": (trace_service_pb2.ExportTraceServiceRequest, trace_service_pb2.ExportTraceServiceResponse, store.add),
        "/v1/logs": (logs_service_pb2.ExportLogsServiceRequest, logs_service_pb2.ExportLogsServiceResponse, store.add_logs),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.path not in signals:
                self.send_error(404)
                return
            request_type, response_type, add = signals[self.path]
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            request = request_type()
            content_type = self.headers.get("content-type", "")
            try:
                if content_type.startswith("application/json"):
                    json_format.Parse(body, request)
                    protocol = "http/json"
                else:
                    request.ParseFromString(body)
                    protocol = "http/protobuf"
            except Exception as error:  # a malformed export is the client's problem: say so
                self.send_error(400, str(error))
                return
            add(request, protocol)
            payload = response_type().SerializeToString()
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--grpc-port", type=int, default=4317)
    parser.add_argument("--http-port", type=int, default=4318)
    parser.add_argument("--spans-file", required=True)
    parser.add_argument("--logs-file", help="default: logs.jsonl next to the spans file")
    parser.add_argument("--print-trees", action="store_true")
    args = parser.parse_args()

    logs_file = args.logs_file or (os.devnull if args.spans_file == os.devnull
                                   else str(Path(args.spans_file).with_name("logs.jsonl")))
    store = SpanStore(args.spans_file, logs_file, args.print_trees)
    grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(TraceService(store), grpc_server)
    logs_service_pb2_grpc.add_LogsServiceServicer_to_server(LogsService(store), grpc_server)
    grpc_server.add_insecure_port(f"{args.host}:{args.grpc_port}")
    grpc_server.start()
    http_server = ThreadingHTTPServer((args.host, args.http_port), make_http_handler(store))
    threading.Thread(target=http_server.serve_forever, daemon=True).start()
    print(f"otlp receiver: grpc {args.host}:{args.grpc_port}, http {args.host}:{args.http_port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.25):
        if args.print_trees:
            store.flush_quiet_traces()
    if args.print_trees:
        store.flush_quiet_traces(quiet_seconds=0, settle_seconds=0)
    http_server.shutdown()
    grpc_server.stop(grace=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
