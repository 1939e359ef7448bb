"""Metrics end to end: both services scraped by a real Prometheus server (Debian's package) with exemplar
storage on, using a configuration derived from the repository's prometheus.yml."""
import json
import math
import re
import shutil
import subprocess
import time

import pytest
import requests
import yaml
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from stack import CORE_METRICS_PORT, GATEWAY, GATEWAY_PORT, ROOT, endpoint_for, free_ports, start_stack, wait_for

PROMETHEUS_PORT = free_ports(1)[0]
PROMETHEUS = f"http://127.0.0.1:{PROMETHEUS_PORT}"
OPENMETRICS = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
TARGETS = {"gateway": f"127.0.0.1:{GATEWAY_PORT}", "core-engine": f"127.0.0.1:{CORE_METRICS_PORT}"}
pytestmark = pytest.mark.skipif(shutil.which("prometheus") is None, reason="Debian's prometheus package is not installed")


def scrape(url, accept=None):
    response = requests.get(url, headers={"Accept": accept} if accept else {}, timeout=5)
    assert response.status_code == 200
    return response


def query(expression):
    result = requests.get(f"{PROMETHEUS}/api/v1/query", params={"query": expression}, timeout=5).json()
    assert result["status"] == "success", result
    return result["data"]["result"]


def scalar(expression):
    result = query(expression)
    return float(result[0]["value"][1]) if result else None


@pytest.fixture
def prometheus(tmp_path):
    """A real Prometheus scraping both services every second, configured from the repo's prometheus.yml (the
    services' jobs; the collector and Jaeger are not here) with the SLO and telemetry rules it loads."""
    config = yaml.safe_load((ROOT / "prometheus.yml").read_text())
    config["global"]["scrape_interval"] = "1s"
    config["global"]["evaluation_interval"] = "1s"
    config["rule_files"] = [str(ROOT / "prometheus" / "rules" / "*.yml")]
    config["scrape_configs"] = [job for job in config["scrape_configs"] if job["job_name"] in TARGETS]
    for job in config["scrape_configs"]:
        job.pop("dns_sd_configs", None)  # compose finds CoreEngine's replicas by DNS; here there is one, listed
        job["static_configs"] = [{"targets": [TARGETS[job["job_name"]]]}]
    assert {job["job_name"] for job in config["scrape_configs"]} == set(TARGETS)
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    process = subprocess.Popen(
        ["prometheus", f"--config.file={path}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{PROMETHEUS_PORT}", "--enable-feature=exemplar-storage"],
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "prometheus.log", "w"),
    )
    yield process
    process.terminate()
    process.wait(timeout=20)


def test_prometheus_scrapes_both_services_with_exemplars(tmp_path, receiver, prometheus):
    core, gateway = start_stack(tmp_path, endpoint_for("grpc"))
    try:
        for index in range(20):
            symbol = ["AAPL", "MSFT"][index % 2]
            assert requests.get(f"{GATEWAY}/api/v1/quotes/{symbol}", timeout=5).status_code == 200
        for _ in range(3):
            assert requests.get(f"{GATEWAY}/api/v1/quotes/NOPE", timeout=5).status_code == 404
        assert requests.get(f"{GATEWAY}/no/such/route/42", timeout=5).status_code == 404

        # Both endpoints are lint-clean for promtool and valid for a strict OpenMetrics parser.
        for url in (f"{GATEWAY}/metrics", f"http://127.0.0.1:{CORE_METRICS_PORT}/metrics"):
            text = scrape(url).text
            lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
            assert lint.returncode == 0 and lint.stdout.strip() == "" and lint.stderr.strip() == "", lint
            families = list(text_string_to_metric_families(scrape(url, OPENMETRICS).text))
            assert any(sample.exemplar for family in families for sample in family.samples)

        # Every metric a dashboard query names is one the services really expose.
        exposed = set()
        for url in (f"{GATEWAY}/metrics", f"http://127.0.0.1:{CORE_METRICS_PORT}/metrics"):
            exposed |= {line.split("{")[0].split(" ")[0] for line in scrape(url).text.splitlines() if line and line[0] != "#"}
        dashboard = json.loads((ROOT / "grafana/dashboards/gateway-core-engine.json").read_text())
        expressions = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
        # Drop label matchers and `by (…)` clauses first: what is left that looks like a metric name is one.
        bare = [re.sub(r"\{[^}]*\}|\bby \([^)]*\)", "", e) for e in expressions]
        named = {m for e in bare for m in re.findall(r"\b((?:http|rpc|marketdata|process|otel|target)_[a-z_]+)\b", e)}
        assert named and named <= exposed, named - exposed

        gateway_text = scrape(f"{GATEWAY}/metrics").text
        assert 'http_route="unmatched"' in gateway_text
        assert "/no/such/route" not in gateway_text and "NOPE" not in gateway_text

        def targets_up():
            targets = requests.get(f"{PROMETHEUS}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
            return {t["labels"]["job"] for t in targets if t["health"] == "up"} == set(TARGETS)

        wait_for(targets_up, timeout=60, what="both scrape targets to be up")
        ok = 'sum(http_server_request_duration_seconds_count{http_route="/api/v1/quotes/{symbol}",http_response_status_code="200"})'
        wait_for(lambda: scalar(ok) == 20, timeout=30, what="Prometheus to count the 20 successful requests")
        not_found = 'sum(http_server_request_duration_seconds_count{http_route="/api/v1/quotes/{symbol}",http_response_status_code="404"})'
        assert scalar(not_found) == 3
        assert scalar('sum(rpc_server_calls_handled_total{rpc_method="GetQuote",rpc_grpc_status_code="5"})') == 3
        assert scalar('sum(rpc_client_calls_handled_total{rpc_method="GetQuote",rpc_grpc_status_code="0"})') == 20
        assert scalar('sum(marketdata_quotes_served_total)') == 20
        assert scalar('sum(process_resident_memory_bytes)') > 0
        assert scalar('gateway_build_info') == 1 and scalar('core_engine_build_info') == 1
        # The SLO rules read the series the services really expose. Requests made while Prometheus scrapes give the
        # rates something to see; every SLI then has a 5-minute error ratio, and it is 0: no 5xx, no server fault,
        # nothing slow (a 404 and a NOT_FOUND are the caller's, not the budget's).
        with requests.Session() as session:
            for symbol in ("AAPL", "MSFT", "NOPE") * 5:
                session.get(f"{GATEWAY}/api/v1/quotes/{symbol}", timeout=5)
                time.sleep(0.1)

        def slis():
            return {r["metric"]["slo"]: float(r["value"][1]) for r in query("slo:sli_error:ratio_rate5m")}
        wait_for(lambda: len(slis()) == 4 and not any(math.isnan(v) for v in slis().values()), timeout=30,
                 what="the four SLIs' recording rules to have a value")
        assert slis() == {"gateway-availability": 0, "gateway-latency": 0, "core-engine-availability": 0,
                          "core-engine-latency": 0}, slis()

        # Every dashboard query runs, and the per-instance ones name CoreEngine's replica by the service.instance.id
        # its log lines (and spans) carry.
        for expression in (t["expr"] for p in dashboard["panels"] for t in p["targets"] if t["datasource"]["uid"] == "prometheus"):
            query(expression)
        instance_id = next(line["service_instance_id"] for line in core.lines() if "service_instance_id" in line)
        per_instance = next(t["expr"] for p in dashboard["panels"] for t in p["targets"]
                            if p["title"].startswith("CoreEngine calls per instance"))
        wait_for(lambda: [r["metric"].get("service_instance_id") for r in query(per_instance)] == [instance_id],
                 timeout=30, what="the per-instance rate to name the replica")

        now = time.time()
        exemplars = requests.get(f"{PROMETHEUS}/api/v1/query_exemplars", params={
            "query": "http_server_request_duration_seconds_bucket", "start": now - 600, "end": now + 60}, timeout=5).json()
        assert exemplars["status"] == "success", exemplars
        trace_ids = {e["labels"]["trace_id"] for series in exemplars["data"] for e in series["exemplars"]}
        assert trace_ids, exemplars
        received = lambda: {s["trace_id"] for s in receiver.spans()}
        wait_for(lambda: trace_ids <= received(), what="every exemplar's trace at the OTLP receiver")
    finally:
        gateway.kill()
        core.kill()
