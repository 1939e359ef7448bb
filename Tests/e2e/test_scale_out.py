"""Failure drills of the scale-out path: the real gateway balancing round robin over three real CoreEngine processes
(CORE_ENGINE_TARGET=ipv4:…, the gRPC service config's retry policy), under steady load, while replicas are killed
with SIGKILL, restarted, and slowed down. Each drill prints its figures; `pytest -s` shows them."""
import re
import signal
import socket
import threading
import time
from collections import Counter

import pytest
import requests

from stack import GATEWAY, HTTP_OTLP_PORT, ROOT, Receiver, Service, free_ports, service_env, wait_for

REPLICAS = 3
PORTS, METRICS_PORTS = (lambda ports: (ports[:REPLICAS], ports[REPLICAS:]))(free_ports(2 * REPLICAS))  # gRPC, metrics
PREVIOUS_ATTEMPTS = "rpc.grpc.request.metadata.grpc-previous-rpc-attempts"
DEADLINE_MS = 3000


def listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def telemetry():
    return {"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{HTTP_OTLP_PORT}",
            "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_BSP_MAX_QUEUE_SIZE": "65536"}


class Cluster:
    """Three CoreEngine replicas and a gateway balancing over them, each replica its own process."""

    def __init__(self, tmp_path, replica_env=None):
        self.tmp_path = tmp_path
        self.replica_env = replica_env or {}
        self.receiver = Receiver(tmp_path)
        self.replicas = [self.start_replica(i) for i in range(REPLICAS)]
        for port in PORTS:
            wait_for(lambda: listening(port), what=f"replica on {port}")
        env = service_env({**telemetry(), "OTEL_SERVICE_NAME": "gateway", "CORE_ENGINE_DEADLINE_MS": str(DEADLINE_MS),
                           "CORE_ENGINE_TARGET": "ipv4:" + ",".join(f"127.0.0.1:{p}" for p in PORTS)})
        del env["CORE_ENGINE_HOST"], env["CORE_ENGINE_PORT"]
        self.gateway = Service("gateway", env, tmp_path / "gateway.log")
        wait_for(lambda: self.ready() == 200, what="the gateway to report ready")

    def start_replica(self, i, extra=None):
        env = service_env({**telemetry(), "OTEL_SERVICE_NAME": "core-engine", "GRPC_PORT": str(PORTS[i]),
                           "METRICS_PORT": str(METRICS_PORTS[i]), **self.replica_env.get(i, {}), **(extra or {})})
        return Service("core-engine", env, self.tmp_path / f"core-{i}-{time.monotonic_ns()}.log")

    def ready(self):
        try:
            return requests.get(f"{GATEWAY}/ready", timeout=DEADLINE_MS / 1000 + 2).status_code
        except requests.RequestException:
            return None

    def kill(self, i):
        self.replicas[i].process.send_signal(signal.SIGKILL)
        self.replicas[i].process.wait()
        self.replicas[i].log.close()

    def instance_id(self, i):
        line = wait_for(lambda: next((l for l in self.replicas[i].lines() if "service_instance_id" in l), None),
                        what=f"a log line of replica {i}")
        return line["service_instance_id"]

    def metric(self, name, **labels):
        """The sum of a gateway metric's series whose labels include `labels`."""
        text = requests.get(f"{GATEWAY}/metrics", timeout=5).text
        total = 0.0
        for series, value in re.findall(rf"^{name}(\{{[^}}]*\}})? (\S+)", text, re.M):
            if all(f'{k}="{v}"' in series for k, v in labels.items()):
                total += float(value)
        return total

    def stop(self):
        self.gateway.kill()
        for replica in self.replicas:
            replica.kill()
        self.receiver.stop()


@pytest.fixture
def cluster(tmp_path):
    created = []

    def make(**kwargs):
        created.append(Cluster(tmp_path, **kwargs))
        return created[-1]

    yield make
    for c in created:
        c.stop()


class Load:
    """Steady load: `threads` clients, each sending one quote request after another, every result kept with its
    time."""

    def __init__(self, threads=4):
        self.results = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(threads)]
        for thread in self.threads:
            thread.start()

    def run(self, n):
        session = requests.Session()
        symbols = ["AAPL", "MSFT", "GOOGL", "AMZN"]
        while not self.stopping.is_set():
            started = time.time()
            try:
                response = session.get(f"{GATEWAY}/api/v1/quotes/{symbols[n % 4]}", timeout=DEADLINE_MS / 1000 + 2)
                self.results.append((started, response.status_code, response.headers.get("X-Trace-ID")))
            except requests.RequestException as error:
                self.results.append((started, repr(error), None))

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join()
        return self.results


def attempts_in(call):
    """The attempts of one call, from the `grpc.attempt` events of its CLIENT span (one span covers the call and its
    retries), as records shaped like spans: trace, status, attributes (the replica, the retry header), start, end. A
    call of one attempt has no event: the span is that attempt."""
    if not any(e["name"] == "grpc.attempt" for e in call["event_details"]):
        yield {**call, "call_span_id": call["span_id"]}
        return
    for event in call["event_details"]:
        if event["name"] == "grpc.attempt":
            attributes = event["attributes"]
            end = event["time_unix_nano"]
            yield {"trace_id": call["trace_id"], "call_span_id": call["span_id"], "attributes": attributes,
                   "status": "ERROR" if attributes.get("rpc.grpc.status_code", 0) != 0 else "UNSET",
                   "start_unix_nano": end - int(attributes["grpc.attempt.duration_ms"] * 1e6), "end_unix_nano": end}


def attempts_of(receiver, trace_ids, method="marketintel.v1.CoreEngine/GetQuote"):
    """Every attempt of the given traces' calls, once every trace's call has ended well (its CLIENT span ends with the
    call, after its last attempt)."""
    def collect():
        calls = [s for s in receiver.spans() if s["kind"] == "CLIENT" and s["name"] == method]
        done = {s["trace_id"] for s in calls if s["status"] != "ERROR"}
        return calls if trace_ids <= done else None
    return [attempt for call in wait_for(collect, timeout=30, what="every request's CLIENT span") for attempt in attempts_in(call)]


def share(spans, start, end):
    served = Counter(s["attributes"]["network.peer.port"] for s in spans
                     if s["status"] != "ERROR" and start <= s["start_unix_nano"] / 1e9 < end)
    total = sum(served.values())
    return {port: round(served[port] / total, 2) if total else 0 for port in PORTS}, total


def explain(cluster, failed):
    """What a failed request's trace says: each span's service, kind, name, status and message, and its peer (a failed
    drill names the gRPC status and the replica behind it, not only the HTTP status)."""
    lines = [f"{r[1]} {r[2]}" for r in failed[:5]]
    for result in failed[:5]:
        def with_server_span():
            spans = cluster.receiver.spans(result[2])
            return spans if any(s["kind"] == "SERVER" and s["service_name"] == "gateway" for s in spans) else None
        try:
            spans = wait_for(with_server_span, timeout=5, what="the failed request's trace")
        except pytest.fail.Exception:
            spans = cluster.receiver.spans(result[2])
        for span in spans:
            attributes = span["attributes"]
            lines.append(f"  {span['service_name']} {span['kind']} {span['name']} {span['status']} "
                         f"{span.get('status_message', '')} grpc={attributes.get('rpc.grpc.status_code')} "
                         f"peer={attributes.get('network.peer.port')}")
    return "\n".join(lines)


# Calls that take a while (every one a 40 ms source fetch), so that a kill finds some in flight.
SLOW_CALLS = {i: {"CACHE_TTL_MS": "0", "SOURCE_LATENCY_MS": "40"} for i in range(REPLICAS)}


def test_killing_a_replica_under_load_fails_no_request_and_its_share_moves(cluster):
    c = cluster(replica_env=SLOW_CALLS)
    load = Load(threads=8)
    time.sleep(2)
    killed_at = time.time()
    c.kill(1)
    time.sleep(3)
    restarted_at = time.time()
    c.replicas[1] = c.start_replica(1)
    time.sleep(3)
    results = load.stop()

    failed = [r for r in results if r[1] != 200]
    trace_ids = {r[2] for r in results if r[1] == 200}
    spans = attempts_of(c.receiver, trace_ids)
    spans = [s for s in spans if s["trace_id"] in trace_ids]
    retries = [s for s in spans if PREVIOUS_ATTEMPTS in s["attributes"]]
    before, _ = share(spans, 0, killed_at)
    during, _ = share(spans, killed_at + 0.5, restarted_at)
    back = sorted(s["start_unix_nano"] / 1e9 for s in spans
                  if s["attributes"]["network.peer.port"] == PORTS[1] and s["status"] != "ERROR" and s["start_unix_nano"] / 1e9 > restarted_at)
    rebalanced = back[0] - restarted_at if back else None
    after, _ = share(spans, restarted_at + (rebalanced or 0) + 0.5, time.time())
    print(f"\nkill one of 3 under load: {len(results)} requests sent, {len(failed)} failed, {len(spans)} attempts "
          f"({len(retries)} retries); share before {before}, after the kill {during}, after the restart {after}; "
          f"the restarted replica served again {rebalanced:.2f} s after it was started" if rebalanced is not None else "")

    assert not failed, explain(c, failed)
    # Every attempt that failed (in flight on the killed replica, or sent to it before the gateway saw it go) was
    # followed by a retry in the same trace, on a live replica.
    failed_attempts = [s for s in spans if s["status"] == "ERROR"]
    assert all(s["attributes"]["network.peer.port"] == PORTS[1] for s in failed_attempts), failed_attempts[:3]
    assert len(retries) == len(failed_attempts)
    assert {s["trace_id"] for s in retries} == {s["trace_id"] for s in failed_attempts}
    assert all(s["attributes"]["network.peer.port"] != PORTS[1] for s in retries), "a retry went to a live replica"
    assert all(before[p] > 0.2 for p in PORTS), before
    assert during[PORTS[1]] == 0 and during[PORTS[0]] > 0.3 and during[PORTS[2]] > 0.3, during
    assert rebalanced is not None and rebalanced <= 2.0, rebalanced
    assert after[PORTS[1]] > 0.2, after
    # The retried requests show it at a glance: their SERVER span counts the retries.
    retried_traces = {s["trace_id"] for s in retries}
    servers = [s for s in c.receiver.spans() if s["trace_id"] in retried_traces and s["kind"] == "SERVER"
               and s["service_name"] == "gateway"]
    assert all(s["attributes"].get("app.rpc.retries", 0) >= 1 for s in servers) and len(servers) == len(retried_traces)
    # And the gateway's metrics count them: attempts (calls started) and retries, per replica.
    assert c.metric("rpc_client_retries_total", rpc_method="GetQuote") >= len(retries)


def test_two_of_three_down_still_answers_and_all_down_is_a_503_within_the_deadline(cluster):
    c = cluster(replica_env=SLOW_CALLS)
    load = Load(threads=8)
    time.sleep(1.5)
    killed_at = time.time()
    c.kill(1)
    c.kill(2)
    time.sleep(3)
    results = load.stop()
    failed = [r for r in results if r[1] != 200]
    trace_ids = {r[2] for r in results if r[1] == 200}
    spans = [s for s in attempts_of(c.receiver, trace_ids) if s["trace_id"] in trace_ids]
    during, served = share(spans, killed_at + 0.5, time.time())
    print(f"\n2 of 3 down under load: {len(results)} requests sent, {len(failed)} failed, {len(spans)} attempts "
          f"({sum(PREVIOUS_ATTEMPTS in s['attributes'] for s in spans)} retries); share after the kill {during}")
    assert not failed, failed[:5]
    assert during == {PORTS[0]: 1.0, PORTS[1]: 0, PORTS[2]: 0} and served > 0

    c.kill(0)
    started = time.monotonic()
    response = requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=DEADLINE_MS / 1000 + 2)
    elapsed = time.monotonic() - started
    print(f"all down: {response.status_code} {response.json()['error']['code']} after {elapsed * 1000:.0f} ms "
          f"(deadline {DEADLINE_MS} ms); /ready {c.ready()}")
    assert response.status_code == 503 and response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "UNAVAILABLE"
    assert elapsed < DEADLINE_MS / 1000
    assert c.ready() == 503


def test_a_slow_replica_is_named_by_its_traces_and_by_the_gateways_per_replica_latency(cluster):
    # Every request fetches from the source (no cache), and replica 2's fetches take 250 ms longer.
    no_cache = {"CACHE_TTL_MS": "0"}
    c = cluster(replica_env={0: no_cache, 1: no_cache, 2: {**no_cache, "FAULT_EXTRA_LATENCY_MS": "250"}})
    session = requests.Session()
    responses = [session.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5) for _ in range(60)]
    assert all(r.status_code == 200 for r in responses)
    trace_ids = {r.headers["X-Trace-ID"] for r in responses}
    spans = [s for s in attempts_of(c.receiver, trace_ids) if s["trace_id"] in trace_ids]

    # The slowest trace's CLIENT span names the replica, and the CoreEngine span under it is that replica's process.
    slowest = max(spans, key=lambda s: s["end_unix_nano"] - s["start_unix_nano"])
    assert slowest["attributes"]["network.peer.port"] == PORTS[2]
    served_by = wait_for(lambda: next((s for s in c.receiver.spans(slowest["trace_id"])
                                       if s["kind"] == "SERVER" and s["service_name"] == "core-engine"), None),
                         what="CoreEngine's span of the slowest trace")
    assert served_by["resource"]["service.instance.id"] == c.instance_id(2)

    # The gateway's own latency, per replica: the p99 of the slow one stands out.
    def p99(port):
        text = requests.get(f"{GATEWAY}/metrics", timeout=5).text
        counts = Counter()
        for labels, value in re.findall(r"^rpc_client_call_duration_seconds_bucket\{([^}]*)\} (\S+)", text, re.M):
            label = dict(re.findall(r'(\w+)="([^"]*)"', labels))
            if label.get("network_peer_port") == str(port) and label["rpc_method"] == "GetQuote":
                counts[float(label["le"])] += float(value)  # float("+Inf") is inf
        buckets = sorted(counts.items())
        total = buckets[-1][1]
        return next(le for le, count in buckets if count >= 0.99 * total), total
    figures = {port: p99(port) for port in PORTS}
    print(f"\nslow replica (+250 ms on :{PORTS[2]}): gateway p99 per replica (bucket bound, s, and calls) {figures}; "
          f"slowest trace {slowest['trace_id']} served by :{slowest['attributes']['network.peer.port']} "
          f"instance {served_by['resource']['service.instance.id']}")
    assert figures[PORTS[2]][0] >= 0.25
    assert figures[PORTS[0]][0] <= 0.1 and figures[PORTS[1]][0] <= 0.1
    assert all(calls >= 15 for _, calls in figures.values())


def test_a_replica_that_fails_its_calls_is_retried_around_and_the_trace_shows_both_attempts(cluster):
    """Replica 1 answers every quote with UNAVAILABLE (its source always fails): each request it gets is retried on
    the next replica, and succeeds. Prints one such trace as the local trace view (make run) prints it."""
    from importlib import util
    spec = util.spec_from_file_location("otlp_receiver", str(ROOT / "scripts" / "otlp" / "otlp_receiver.py"))
    receiver_module = util.module_from_spec(spec)
    spec.loader.exec_module(receiver_module)

    no_cache = {"CACHE_TTL_MS": "0"}
    c = cluster(replica_env={0: no_cache, 1: {**no_cache, "FAULT_ERROR_RATE": "1"}, 2: no_cache})
    session = requests.Session()
    responses = [session.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5) for _ in range(12)]
    assert all(r.status_code == 200 for r in responses), [r.status_code for r in responses]
    trace_ids = {r.headers["X-Trace-ID"] for r in responses}
    spans = [s for s in attempts_of(c.receiver, trace_ids) if s["trace_id"] in trace_ids]
    retried = sorted({s["trace_id"] for s in spans if PREVIOUS_ATTEMPTS in s["attributes"]})
    assert len(retried) >= 3, "about one request in three goes to the failing replica first"
    trace_id = retried[0]
    trace = wait_for(lambda: (lambda t: t if len([s for s in t if s["service_name"] == "core-engine" and s["kind"] == "SERVER"]) == 2 else None)(c.receiver.spans(trace_id)),
                     what="both CoreEngine replicas' spans of the retried trace")
    server = next(s for s in trace if s["kind"] == "SERVER" and s["service_name"] == "gateway")
    # One CLIENT span for the call, with its final status; each attempt an event on it.
    (call,) = [s for s in trace if s["kind"] == "CLIENT"]
    assert call["parent_span_id"] == server["span_id"] and call["status"] != "ERROR"
    attempts = list(attempts_in(call))
    assert [a["attributes"]["grpc.attempt.number"] for a in attempts] == [1, 2]
    assert attempts[0]["status"] == "ERROR" and attempts[0]["attributes"]["network.peer.port"] == PORTS[1]
    assert attempts[1]["status"] != "ERROR" and attempts[1]["attributes"]["network.peer.port"] != PORTS[1]
    assert attempts[1]["attributes"][PREVIOUS_ATTEMPTS] == ["1"] and "grpc.attempt.delay_ms" in attempts[1]["attributes"]
    # The span keeps the last address contacted; both replicas' SERVER spans are its children (what the collector's
    # service graph pairs), and the gateway's SERVER span counts the retry.
    assert call["attributes"]["network.peer.port"] == attempts[1]["attributes"]["network.peer.port"]
    cores = [s for s in trace if s["kind"] == "SERVER" and s["service_name"] == "core-engine"]
    assert [s["parent_span_id"] for s in cores] == [call["span_id"]] * 2
    assert server["attributes"]["app.rpc.retries"] == 1
    print("\n" + receiver_module.render_tree(trace_id, trace))
