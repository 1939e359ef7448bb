"""The compose stack, checked without a Docker engine: the compose file, Prometheus and Grafana configuration
must parse, and every env var, port and path compose names must be one the services really read."""
import json
import re
import shutil
import subprocess

import pytest
import yaml

from stack import ROOT

COMPOSE = ROOT / "docker-compose-observability.yml"


def swift_sources(*folders):
    return "\n".join(p.read_text() for folder in folders for p in (ROOT / folder).rglob("*.swift"))


def variables_read(target):
    """Every environment variable a service reads: its typed settings (dotted keys, as swift-configuration maps
    them) plus the OTEL_* variables of the shared telemetry setup."""
    settings = re.findall(r'settings\.\w+\(\s*"([a-z.]+)"', swift_sources(target))
    shared = swift_sources("Shared/ServiceTelemetry", "Shared/TelemetryPipeline")
    return {key.upper().replace(".", "_") for key in settings} | set(re.findall(r'"(OTEL_[A-Z_]+)"', shared))


def default_port(target, variable):
    """The default of a port setting, read from the configuration struct."""
    source = swift_sources(target)
    key = variable.lower().replace("_", ".")
    property_name = re.search(rf'self\.(\w+) = try settings\.port\("{re.escape(key)}"', source).group(1)
    return int(re.search(rf'var {property_name} = (\d+)', source).group(1))


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian's docker-compose is not installed")
def test_docker_compose_accepts_the_file():
    result = subprocess.run(["docker-compose", "-f", str(COMPOSE), "config", "--quiet"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with_load = subprocess.run(["docker-compose", "-f", str(COMPOSE), "--profile", "load", "config", "--services"],
                               capture_output=True, text=True)
    assert set(with_load.stdout.split()) == {"core-engine", "gateway", "otel-collector", "jaeger", "loki", "prometheus",
                                             "grafana", "loadgen"}


@pytest.mark.parametrize("service,target", [("core-engine", "CoreEngine"), ("gateway", "Gateway")])
def test_compose_sets_only_variables_the_service_reads(compose, service, target):
    environment = compose["services"][service]["environment"]
    unknown = set(environment) - variables_read(target)
    assert not unknown, f"{service} is given variables it never reads: {unknown}"
    assert environment["OTEL_SERVICE_NAME"] == service


@pytest.mark.parametrize("service,target,variables", [
    ("core-engine", "CoreEngine", ["GRPC_PORT", "METRICS_PORT"]),
    ("gateway", "Gateway", ["HTTP_PORT"]),
])
def test_compose_ports_are_the_ports_the_service_listens_on(compose, service, target, variables):
    definition = compose["services"][service]
    # The gateway publishes its port on the host; CoreEngine's replicas cannot share one, so they expose theirs on the
    # compose network only.
    published = {int(p.split(":")[1]) for p in definition.get("ports", [])} | {int(p) for p in definition.get("expose", [])}
    configured = {int(definition["environment"][v]) for v in variables}
    assert published == configured
    assert configured == {default_port(target, v) for v in variables}
    health_port = int(re.search(r"localhost:(\d+)", " ".join(definition["healthcheck"]["test"])).group(1))
    assert health_port in configured


def test_the_hop_and_the_exporters_point_at_real_ports(compose):
    services = compose["services"]
    gateway, core = services["gateway"]["environment"], services["core-engine"]["environment"]
    # Several replicas of one service, and the gateway balancing over every address its name resolves to.
    assert services["core-engine"]["deploy"]["replicas"] == 3 and "ports" not in services["core-engine"]
    assert gateway["CORE_ENGINE_TARGET"] == f"dns:///core-engine:{core['GRPC_PORT']}"
    assert gateway["CORE_ENGINE_LB_POLICY"] == "round_robin"
    assert "CORE_ENGINE_HOST" not in gateway and "CORE_ENGINE_PORT" not in gateway
    collector_ports = {int(p.split(":")[1]) for p in services["otel-collector"]["ports"]}
    for environment in (gateway, core):
        # OTLP/HTTP, the spec's default: it is back within seconds of a collector outage (README, test_recovery.py).
        assert environment["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
        assert environment["OTEL_LOGS_EXPORTER"] == "otlp"
        host, port = re.match(r"http://([a-z-]+):(\d+)$", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]).groups()
        assert host == "otel-collector" and int(port) in collector_ports and int(port) == 4318
        # The export timeout fits inside the stop grace period, so spans flush on `docker compose down`.
        assert int(environment["OTEL_BSP_EXPORT_TIMEOUT"]) / 1000 < 15
    for name in ("gateway", "core-engine"):
        assert services[name]["stop_grace_period"] == "15s"


def test_the_collector_sends_traces_to_jaeger_and_logs_to_loki_and_makes_metrics_from_spans(compose):
    collector = compose["services"]["otel-collector"]
    mounted = {v.split(":")[0].removeprefix("./"): v.split(":")[1] for v in collector["volumes"]}
    assert collector["command"] == [f"--config={mounted['otel-collector.yml']}"]
    config = yaml.safe_load((ROOT / "otel-collector.yml").read_text())
    receiver = config["receivers"]["otlp"]["protocols"]
    listening = {int(receiver[p]["endpoint"].rsplit(":", 1)[1]) for p in ("grpc", "http")}
    assert listening == {4317, 4318} and listening <= {int(p.split(":")[1]) for p in collector["ports"]}
    pipelines = config["service"]["pipelines"]
    # This version's component names: otlp_grpc / otlp_http, span_metrics (the old names are deprecated aliases).
    assert pipelines["traces"]["exporters"] == ["otlp_grpc/jaeger", "span_metrics", "servicegraph"]
    assert pipelines["logs"]["exporters"] == ["otlp_http/loki"]
    assert pipelines["metrics/from-spans"] == {"receivers": ["span_metrics", "servicegraph"], "exporters": ["prometheus"]}
    connectors = set(config["connectors"])
    for pipeline in pipelines.values():
        assert set(pipeline["receivers"]) <= set(config["receivers"]) | connectors
        assert set(pipeline.get("processors", [])) <= set(config["processors"])
        assert set(pipeline["exporters"]) <= set(config["exporters"]) | connectors
    jaeger_host, jaeger_port = config["exporters"]["otlp_grpc/jaeger"]["endpoint"].split(":")
    assert jaeger_host == "jaeger" and jaeger_port in compose["services"]["jaeger"]["expose"]
    loki = re.match(r"http://loki:(\d+)/otlp$", config["exporters"]["otlp_http/loki"]["endpoint"])
    assert loki and f"{loki.group(1)}:{loki.group(1)}" in " ".join(compose["services"]["loki"]["ports"])
    health = int(config["extensions"]["health_check"]["endpoint"].rsplit(":", 1)[1])
    assert health in {int(p.split(":")[1]) for p in collector["ports"]}
    # The metrics from spans and the collector's own are on the ports Prometheus scrapes.
    from_spans = config["exporters"]["prometheus"]["endpoint"].rsplit(":", 1)[1]
    (reader,) = config["service"]["telemetry"]["metrics"]["readers"]
    own = str(reader["pull"]["exporter"]["prometheus"]["port"])
    assert {from_spans, own} <= set(collector["expose"])
    jobs = {job["job_name"]: job for job in yaml.safe_load((ROOT / "prometheus.yml").read_text())["scrape_configs"]}
    assert jobs["span-metrics"]["static_configs"] == [{"targets": [f"otel-collector:{from_spans}"]}]
    assert jobs["otel-collector"]["static_configs"] == [{"targets": [f"otel-collector:{own}"]}]
    # The span metrics' histogram has the services' own bucket bounds (MetricDefinitions.durationBuckets), so the
    # dashboard's "from spans" and "from the service's metrics" panels bucket the same requests alike.
    bounds = re.search(r"durationBuckets: \[Double\] = \[([^\]]+)\]",
                       (ROOT / "Shared/PrometheusExemplars/MetricDefinition.swift").read_text()).group(1)
    seconds = [float(b) for b in bounds.split(",") if b.strip()]  # swift-format may wrap the list, with a trailing comma

    def in_seconds(duration):
        return float(duration.removesuffix("ms")) / 1000 if duration.endswith("ms") else float(duration.removesuffix("s"))
    assert [in_seconds(b) for b in config["connectors"]["span_metrics"]["histogram"]["explicit"]["buckets"]] == seconds
    assert [in_seconds(b) for b in config["connectors"]["servicegraph"]["latency_histogram_buckets"]] == seconds


def test_jaeger_v2_stores_traces_and_reads_its_monitor_tab_from_prometheus(compose):
    jaeger = compose["services"]["jaeger"]
    mounted = {v.split(":")[0].removeprefix("./"): v.split(":")[1] for v in jaeger["volumes"]}
    assert jaeger["command"] == [f"--config={mounted['jaeger.yml']}"]
    config = yaml.safe_load((ROOT / "jaeger.yml").read_text())
    assert set(config["service"]["extensions"]) == set(config["extensions"])
    (pipeline,) = config["service"]["pipelines"].values()
    assert pipeline["exporters"] == ["jaeger_storage_exporter"]
    storage, query = config["extensions"]["jaeger_storage"], config["extensions"]["jaeger_query"]["storage"]
    assert config["exporters"]["jaeger_storage_exporter"]["trace_storage"] == query["traces"]
    assert query["traces"] in storage["backends"] and query["metrics"] in storage["metric_backends"]
    # The Monitor tab queries the Prometheus compose runs, for the names the collector's span_metrics connector makes.
    prometheus = storage["metric_backends"][query["metrics"]]["prometheus"]
    assert prometheus["endpoint"] == "http://prometheus:9090" and "9090:9090" in compose["services"]["prometheus"]["ports"]
    assert prometheus["normalize_calls"] and prometheus["normalize_duration"]
    receiver = config["receivers"]["otlp"]["protocols"]
    assert {receiver[p]["endpoint"].rsplit(":", 1)[1] for p in ("grpc", "http")} <= set(jaeger["expose"])
    health = config["extensions"]["healthcheckv2"]["http"]["endpoint"].rsplit(":", 1)[1]
    assert f"http://localhost:{health}/status" in jaeger["healthcheck"]["test"]
    assert "16686:16686" in jaeger["ports"]


IMAGE = re.compile(r"^\s*image:\s*(\S+)$", re.M)


def test_every_image_is_pinned_to_an_exact_release_the_readme_names(compose):
    """The versions of issue #26, found current on 2026-12-03 (the README's "Versions" says where): exact tags, the
    same in compose and in the Kubernetes base, each listed in the README."""
    readme = (ROOT / "README.md").read_text()
    images = {s["image"] for s in compose["services"].values() if "image" in s}
    kubernetes = set(IMAGE.findall("\n".join(p.read_text() for p in (ROOT / "deploy/kubernetes").rglob("*.yaml"))))
    kubernetes = {i for i in kubernetes if not i.startswith("swift-observability-stack/")}
    assert kubernetes <= images, kubernetes - images
    for image in images:
        name, tag = image.rsplit(":", 1)
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", tag), image
        assert f"`{image}`" in readme, f"the README's Versions table does not name {image}"
    assert {"jaegertracing/jaeger:2.21.0", "otel/opentelemetry-collector-contrib:0.157.0"} <= images
    assert not any("all-in-one" in i for i in images | kubernetes), "Jaeger v1 reached end of life in December 2025"

def test_every_service_has_a_healthcheck_and_waits_for_healthy_dependencies(compose):
    # The collector's image is distroless: nothing in it can probe its health endpoint, so it has none, and
    # services that send to it (they retry exports) wait for it to have started.
    unprobeable = {"loadgen", "otel-collector"}
    for name, service in compose["services"].items():
        if name not in unprobeable:
            assert "healthcheck" in service, name
        for dependency, condition in service.get("depends_on", {}).items():
            expected = "service_started" if dependency in unprobeable else "service_healthy"
            assert condition == {"condition": expected}, (name, dependency)


def test_every_mounted_path_and_build_target_exists(compose):
    dockerfile = (ROOT / "Dockerfile").read_text()
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            assert (ROOT / volume.split(":")[0]).exists(), f"{name} mounts a missing path: {volume}"
        if "build" in service:
            assert f"AS {service['build']['target']}" in dockerfile


def test_prometheus_scrapes_every_replica_on_the_port_the_service_serves_metrics_on(compose):
    config = yaml.safe_load((ROOT / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"gateway", "core-engine", "otel-collector", "span-metrics", "jaeger"}
    assert jobs["gateway"]["static_configs"] == [{"targets": ["gateway:8080"]}]
    assert "8080:8080" in compose["services"]["gateway"]["ports"]
    # Each CoreEngine replica is found by DNS (one A record per replica) and scraped on its metrics port.
    (discovery,) = jobs["core-engine"]["dns_sd_configs"]
    core = compose["services"]["core-engine"]
    assert discovery["names"] == ["core-engine"] and discovery["type"] == "A"
    assert discovery["port"] == int(core["environment"]["METRICS_PORT"]) and str(discovery["port"]) in core["expose"]
    for job in ("otel-collector", "span-metrics", "jaeger"):
        ((host, port),) = [t.split(":") for c in jobs[job]["static_configs"] for t in c["targets"]]
        assert port in compose["services"][host]["expose"], job


def prometheus_as_mounted(compose, folder):
    """prometheus.yml and its rule files laid out in `folder` as compose mounts them under /etc/prometheus."""
    for volume in compose["services"]["prometheus"]["volumes"]:
        source, target = volume.split(":")[:2]
        relative = target.removeprefix("/etc/prometheus").lstrip("/") or "."
        destination = folder / relative
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, destination)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / source, destination)
    return folder / "prometheus.yml"


@pytest.mark.skipif(shutil.which("promtool") is None, reason="Debian's prometheus package is not installed")
def test_promtool_accepts_prometheus_yml_and_the_rules_it_loads(compose, tmp_path):
    result = subprocess.run(["promtool", "check", "config", str(prometheus_as_mounted(compose, tmp_path))],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 2 rule files found" in result.stdout, result.stdout


RULE_TESTS = sorted((ROOT / "prometheus/tests").glob("*.test.yml"))


@pytest.mark.skipif(shutil.which("promtool") is None, reason="Debian's prometheus package is not installed")
def test_every_alert_rule_fires_in_a_promtool_test_and_stays_silent_in_another():
    result = subprocess.run(["promtool", "test", "rules", *map(str, RULE_TESTS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    alerts = {rule["alert"] for path in (ROOT / "prometheus/rules").glob("*.yml")
              for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"] if "alert" in rule}
    fired, silent, cases = set(), set(), 0
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            cases += 1
            for check in case.get("alert_rule_test", []):
                (fired if check.get("exp_alerts") else silent).add(check["alertname"])
    assert alerts and fired == alerts and silent == alerts, (alerts - fired, alerts - silent)
    print(f"\npromtool test rules: {cases} test cases over {len(alerts)} alerts, each seen firing and silent")


def test_grafana_provisioning_parses_and_links_exemplars_logs_and_traces():
    datasources = yaml.safe_load((ROOT / "grafana/provisioning/datasources/datasources.yml").read_text())["datasources"]
    by_uid = {d["uid"]: d for d in datasources}
    assert set(by_uid) == {"prometheus", "jaeger", "loki"}
    destinations = by_uid["prometheus"]["jsonData"]["exemplarTraceIdDestinations"]
    assert destinations == [{"name": "trace_id", "datasourceUid": "jaeger"}]
    # From a log line to its trace, and from a span to its log lines.
    derived = by_uid["loki"]["jsonData"]["derivedFields"]
    assert [(f["matcherRegex"], f["datasourceUid"]) for f in derived] == [("trace_id", "jaeger")]
    traces_to_logs = by_uid["jaeger"]["jsonData"]["tracesToLogsV2"]
    assert traces_to_logs["datasourceUid"] == "loki" and traces_to_logs["filterByTraceID"]
    assert by_uid["loki"]["url"] == "http://loki:3100"
    providers = yaml.safe_load((ROOT / "grafana/provisioning/dashboards/dashboards.yml").read_text())["providers"]
    assert providers[0]["options"]["path"] == "/var/lib/grafana/dashboards"
    dashboard = json.loads((ROOT / "grafana/dashboards/gateway-core-engine.json").read_text())
    assert dashboard["title"] == "Gateway & CoreEngine"
    # RED from spans beside the services' own metrics, and the service graph, from the collector's connectors.
    beside = [p for p in dashboard["panels"] if "from spans" in p["title"]]
    assert len(beside) == 3 and all(len({("traces_span_metrics" in t["expr"]) for t in p["targets"]}) == 2 for p in beside)
    (graph,) = [p for p in dashboard["panels"] if p["type"] == "nodeGraph"]
    assert {t["refId"] for t in graph["targets"]} == {"nodes", "edges"}
    assert all("traces_service_graph_request_total" in t["expr"] for t in graph["targets"])
    uids = {t["datasource"]["uid"] for p in dashboard["panels"] for t in p["targets"]}
    assert uids <= set(by_uid)
    assert any(t.get("exemplar") for p in dashboard["panels"] for t in p["targets"])
    logs = [p for p in dashboard["panels"] if p["type"] == "logs"]
    assert logs and all(t["datasource"]["uid"] == "loki" and "$service" in t["expr"] for p in logs for t in p["targets"])
    assert "error" in logs[0]["targets"][0]["expr"], "errors come first"
    # CoreEngine's RED panels split by replica, named by service.instance.id (target_info joined to the scrape).
    per_instance = [p for p in dashboard["panels"] if p["title"].startswith("CoreEngine") and "per instance" in p["title"]]
    assert len(per_instance) == 3
    assert all("service_instance_id" in t["expr"] and "target_info" in t["expr"] for p in per_instance for t in p["targets"])
    services = next(v for v in dashboard["templating"]["list"] if v["name"] == "service")
    assert set(services["query"].split(",")) == {"gateway", "core-engine"}


def test_the_slo_dashboard_reads_the_recording_rules_that_exist():
    recorded = {rule["record"] for path in (ROOT / "prometheus/rules").glob("*.yml")
                for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"] if "record" in rule}
    slos = {rule["labels"]["slo"] for group in yaml.safe_load((ROOT / "prometheus/rules/slo.yml").read_text())["groups"]
            for rule in group["rules"] if rule.get("record") == "slo:objective:ratio"}
    dashboard = json.loads((ROOT / "grafana/dashboards/slos.json").read_text())
    (variable,) = dashboard["templating"]["list"]
    assert set(variable["query"].split(",")) == slos
    used = {name for p in dashboard["panels"] for t in p.get("targets", []) for name in re.findall(r"slo:[a-z_:0-9]+", t["expr"])}
    assert used and used <= recorded, used - recorded
    burn = next(p for p in dashboard["panels"] if p["title"].startswith("Burn rate"))
    assert {t["legendFormat"] for t in burn["targets"]} == {"5m", "30m", "1h", "6h"}


def test_the_dockerfile_builds_with_the_command_ci_runs():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^RUN scripts/build-release\.sh", dockerfile, re.M)
    assert "scripts/build-release.sh" in (ROOT / ".ci/run").read_text()
    assert re.search(r"^USER app$", dockerfile, re.M), "the runtime image must not run as root"
