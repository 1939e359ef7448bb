"""The Kubernetes base (deploy/kubernetes), checked without a cluster: kustomize renders it, every variable and port in
it is one the services really read, it is what the scale-out path needs (replicas, a headless Service, probes,
budgets, autoscalers, the restricted security context, the downward API), and Checkov finds nothing to fail in it or
in the Dockerfile."""
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from stack import ROOT
from test_deployment import default_port, variables_read

BASE = ROOT / "deploy" / "kubernetes"
# Where scripts/install-deps.sh puts Checkov (a virtual environment of its own).
CHECKOV = os.path.join(os.environ.get("CHECKOV_HOME", os.path.expanduser("~/.cache/swift-observability-stack/checkov")),
                       "bin", "checkov")
pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed (scripts/install-deps.sh)")


@pytest.fixture(scope="module")
def rendered():
    result = subprocess.run(["kubectl", "kustomize", str(BASE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def resources(rendered):
    return {(r["kind"], r["metadata"]["name"]): r for r in yaml.safe_load_all(rendered)}


def container(resources, name):
    (only,) = resources[("Deployment", name)]["spec"]["template"]["spec"]["containers"]
    return only


def environment(resources, name):
    return {e["name"]: e for e in container(resources, name)["env"]}


@pytest.mark.parametrize("service,target", [("core-engine", "CoreEngine"), ("gateway", "Gateway")])
def test_the_services_are_given_only_variables_they_read(resources, service, target):
    env = environment(resources, service)
    # Downward-API variables exist only to be substituted into others ($(POD_NAME)); every other one is read.
    downward = {name for name, e in env.items() if "fieldRef" in e.get("valueFrom", {})}
    used = {name for e in env.values() for name in re.findall(r"\$\((\w+)\)", e.get("value", ""))}
    assert downward <= used, downward - used
    unknown = set(env) - downward - variables_read(target)
    assert not unknown, f"{service} is given variables it never reads: {unknown}"
    assert env["OTEL_SERVICE_NAME"]["value"] == service
    # Who the pod is, on every span and log record: the pod's name is the service.instance.id.
    attributes = dict(pair.split("=", 1) for pair in env["OTEL_RESOURCE_ATTRIBUTES"]["value"].split(","))
    assert attributes["service.instance.id"] == "$(POD_NAME)" and attributes["k8s.pod.name"] == "$(POD_NAME)"
    assert attributes["k8s.namespace.name"] == "$(POD_NAMESPACE)" and attributes["k8s.node.name"] == "$(NODE_NAME)"
    assert {env[n]["valueFrom"]["fieldRef"]["fieldPath"] for n in downward} == {"metadata.name", "metadata.namespace", "spec.nodeName"}


@pytest.mark.parametrize("service,target,variables", [
    ("core-engine", "CoreEngine", ["GRPC_PORT", "METRICS_PORT"]),
    ("gateway", "Gateway", ["HTTP_PORT"]),
])
def test_ports_probes_and_scraping_are_the_ports_the_service_listens_on(resources, service, target, variables):
    env = environment(resources, service)
    configured = {int(env[v]["value"]) for v in variables}
    assert configured == {default_port(target, v) for v in variables}
    ports = {p["name"]: p["containerPort"] for p in container(resources, service)["ports"]}
    assert set(ports.values()) == configured
    for probe in ("readinessProbe", "livenessProbe"):
        definition = container(resources, service)[probe]
        port = definition.get("httpGet", definition.get("grpc", {})).get("port")
        assert ports.get(port, port) in configured, (probe, port)
    annotations = resources[("Deployment", service)]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    metrics_port = int(env["METRICS_PORT"]["value"] if "METRICS_PORT" in env else env["HTTP_PORT"]["value"])
    assert int(annotations["prometheus.io/port"]) == metrics_port
    service_ports = {p["port"] for p in resources[("Service", service)]["spec"]["ports"]}
    assert service_ports == configured


def test_the_gateway_balances_over_every_core_engine_pod(resources):
    gateway = environment(resources, "gateway")
    core = environment(resources, "core-engine")
    assert gateway["CORE_ENGINE_TARGET"]["value"] == f"dns:///core-engine:{core['GRPC_PORT']['value']}"
    assert gateway["CORE_ENGINE_LB_POLICY"]["value"] == "round_robin"
    assert resources[("Service", "core-engine")]["spec"]["clusterIP"] == "None", "headless: one address per pod"
    # gRPC health probes on CoreEngine (its grpc.health.v1 service); /ready and /health on the gateway.
    assert container(resources, "core-engine")["readinessProbe"]["grpc"]["port"] == 50051
    assert container(resources, "gateway")["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container(resources, "gateway")["livenessProbe"]["httpGet"]["path"] == "/health"
    assert resources[("Deployment", "gateway")]["spec"]["replicas"] == 2
    assert resources[("Deployment", "core-engine")]["spec"]["replicas"] == 3
    for name in ("gateway", "core-engine"):
        assert resources[("PodDisruptionBudget", name)]["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
        autoscaler = resources[("HorizontalPodAutoscaler", name)]["spec"]
        assert autoscaler["scaleTargetRef"]["name"] == name
        assert autoscaler["minReplicas"] == resources[("Deployment", name)]["spec"]["replicas"]


def test_every_pod_runs_restricted(resources):
    assert resources[("Namespace", "market-data")]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for (kind, name), resource in resources.items():
        if kind != "Deployment":
            continue
        pod = resource["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        for c in pod["containers"]:
            context = c["securityContext"]
            assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert c["resources"]["requests"] and c["resources"]["limits"], name


def test_telemetry_goes_to_the_collector_and_on_to_jaeger_and_loki_as_in_compose(resources):
    collector_ports = {p["port"] for p in resources[("Service", "otel-collector")]["spec"]["ports"]}
    for name in ("gateway", "core-engine"):
        env = environment(resources, name)
        host, port = re.match(r"http://([a-z-]+):(\d+)$", env["OTEL_EXPORTER_OTLP_ENDPOINT"]["value"]).groups()
        assert host == "otel-collector" and int(port) in collector_ports
        assert env["OTEL_EXPORTER_OTLP_PROTOCOL"]["value"] == "http/protobuf"
    # One collector configuration for compose and Kubernetes; its exporters' names are Services here.
    assert (BASE / "observability" / "otel-collector.yml").read_text() == (ROOT / "otel-collector.yml").read_text()
    config = yaml.safe_load((ROOT / "otel-collector.yml").read_text())
    jaeger_host, jaeger_port = config["exporters"]["otlp_grpc/jaeger"]["endpoint"].split(":")
    assert int(jaeger_port) in {p["port"] for p in resources[("Service", jaeger_host)]["spec"]["ports"]}
    loki_host, loki_port = re.match(r"http://([a-z-]+):(\d+)/otlp$", config["exporters"]["otlp_http/loki"]["endpoint"]).groups()
    assert int(loki_port) in {p["port"] for p in resources[("Service", loki_host)]["spec"]["ports"]}


def test_jaeger_v2_prometheus_rules_and_the_monitor_tab_are_compose_s(resources):
    """The same Jaeger configuration and rule files as compose's, mounted where the configuration says, and the
    network open for what they need: Jaeger's Monitor tab querying Prometheus, Prometheus scraping the collector."""
    assert (BASE / "observability" / "jaeger.yml").read_text() == (ROOT / "jaeger.yml").read_text()
    for rules in (ROOT / "prometheus" / "rules").glob("*.yml"):
        assert (BASE / "observability" / "rules" / rules.name).read_text() == rules.read_text(), rules.name
    jaeger = container(resources, "jaeger")
    assert jaeger["image"].startswith("jaegertracing/jaeger:2.")
    (config_mount,) = [m for m in jaeger["volumeMounts"] if m["name"] == "config"]
    assert jaeger["args"] == [f"--config={config_mount['mountPath']}/config.yaml"]
    prometheus = container(resources, "prometheus")
    (rules_mount,) = [m for m in prometheus["volumeMounts"] if m["name"] == "rules"]
    config = yaml.safe_load((BASE / "observability" / "prometheus.yml").read_text())
    assert config["rule_files"] == [f"{rules_mount['mountPath']}/*.yml"]
    rules_map = next(r for (kind, name), r in resources.items() if kind == "ConfigMap" and name.startswith("prometheus-rules"))
    assert set(rules_map["data"]) == {p.name for p in (ROOT / "prometheus" / "rules").glob("*.yml")}
    policies = {name: r["spec"] for (kind, name), r in resources.items() if kind == "NetworkPolicy"}

    def allowed(to, source, port):
        return any(any(f["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == source for f in rule.get("from", []))
                   and port in {p["port"] for p in rule["ports"]} for rule in policies[to]["ingress"])
    assert allowed("prometheus", "jaeger", 9090)
    assert allowed("otel-collector", "prometheus", 8888) and allowed("otel-collector", "prometheus", 8889)
    assert allowed("jaeger", "prometheus", 8888)
    for job in config["scrape_configs"]:
        for target in (t for c in job.get("static_configs", []) for t in c["targets"]):
            host, port = target.split(":")
            assert int(port) in {p["port"] for p in resources[("Service", host)]["spec"]["ports"]}, target


VALIDATE = os.path.join(os.environ.get("KUBERNETES_VALIDATE_HOME",
                                       os.path.expanduser("~/.cache/swift-observability-stack/kubernetes-validate")),
                        "bin", "kubernetes-validate")


@pytest.mark.skipif(not os.access(VALIDATE, os.X_OK), reason="kubernetes-validate is not installed (scripts/install-deps.sh)")
def test_kubernetes_validate_strict_accepts_every_rendered_resource(rendered, resources, tmp_path):
    manifests = tmp_path / "rendered.yaml"
    manifests.write_text(rendered)
    result = subprocess.run([VALIDATE, "--strict", str(manifests)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = result.stdout.count(" passed for resource ")
    assert passed == len(resources), result.stdout
    print(f"\nkubernetes-validate --strict: {passed} resources passed")


@pytest.mark.skipif(shutil.which("promtool") is None, reason="Debian's prometheus package is not installed")
def test_prometheus_scrapes_every_pod_and_names_it_by_its_pod(tmp_path):
    config = yaml.safe_load((BASE / "observability" / "prometheus.yml").read_text())
    (job,) = [j for j in config["scrape_configs"] if "kubernetes_sd_configs" in j]
    assert job["kubernetes_sd_configs"] == [{"role": "pod", "namespaces": {"own_namespace": True}}]
    instance = next(r for r in job["relabel_configs"] if r.get("target_label") == "instance")
    assert instance["source_labels"] == ["__meta_kubernetes_pod_name"], "instance = pod name = service.instance.id"
    # Debian's Prometheus is built without Kubernetes discovery: promtool checks the rest with the discovery swapped.
    job.pop("kubernetes_sd_configs")
    job["static_configs"] = [{"targets": ["localhost:9090"]}]
    # The rule files where the configuration expects them (the mount is /etc/prometheus-rules in the pod).
    shutil.copytree(BASE / "observability" / "rules", tmp_path / "rules")
    config["rule_files"] = [str(tmp_path / "rules" / "*.yml")]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    result = subprocess.run(["promtool", "check", "config", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not os.access(CHECKOV, os.X_OK), reason="Checkov is not installed (scripts/install-deps.sh)")
def test_checkov_fails_nothing_in_the_manifests_or_the_dockerfile(rendered, resources, tmp_path):
    manifests = tmp_path / "rendered.yaml"
    manifests.write_text(rendered)
    figures = {}
    for framework, path in (("kubernetes", manifests), ("dockerfile", ROOT / "Dockerfile")):
        result = subprocess.run([CHECKOV, "-f", str(path), "--framework", framework, "--skip-download", "-o", "json"],
                                capture_output=True, text=True)
        report = json.loads(result.stdout)
        results, summary = report["results"], report["summary"]
        failed = [(c["check_id"], c["resource"]) for c in results.get("failed_checks", [])]
        assert not failed and summary["failed"] == 0 and summary["parsing_errors"] == 0, failed
        assert summary["passed"] > 50, summary  # it did look at them
        # Every skipped check says why, next to it: `checkov.io/skipN: CHECK=reason` on the resource it skips.
        for skipped in results.get("skipped_checks", []):
            kind, _, name = skipped["resource"].split(".", 2)
            annotations = resources[(kind, name)]["metadata"]["annotations"]
            reasons = [v.split("=", 1)[1] for k, v in annotations.items()
                       if k.startswith("checkov.io/skip") and v.startswith(skipped["check_id"] + "=")]
            assert reasons and len(reasons[0]) > 40, skipped["resource"]
        figures[framework] = (summary["passed"], summary["failed"], summary["skipped"])
    print(f"\nCheckov (passed, failed, skipped): {figures}")
