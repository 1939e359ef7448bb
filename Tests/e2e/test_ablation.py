"""The benchmark's ablation binaries (Benchmarks/Ablation): each piece that `scripts/bench --ablation` names is one the
binaries know and really leave out, and the services still answer without it."""
import re
import subprocess

import pytest
import requests

from stack import BIN_DIR, CORE_METRICS_PORT, GATEWAY, ROOT, Service, service_env, wait_for

SWIFT_NAMES = ROOT / "Benchmarks" / "Ablation" / "Support" / "Ablation.swift"


def swift_pieces():
    """Every piece name the ablation binaries accept, as Ablation.swift lists them."""
    source = SWIFT_NAMES.read_text()
    lists = re.findall(r"static let \w+Pieces = \[([^\]]*)\]", source)
    return [name for body in lists for name in re.findall(r'"([a-z-]+)"', body)]


def bench_pieces():
    """The pieces scripts/bench measures, one row each."""
    body = re.search(r"ABLATION_LAYERS = \(([^)]*)\)", (ROOT / "scripts" / "bench").read_text()).group(1)
    return re.findall(r'"([a-z-]+)"', body)


def test_the_benchmark_measures_every_piece_the_binaries_know():
    assert sorted(bench_pieces()) == sorted(swift_pieces())


@pytest.fixture
def ablated(tmp_path):
    started = []

    def start(ablate):
        env = {"ABLATE": ablate, "OTEL_SDK_DISABLED": "true"}
        core = Service("AblationCoreEngine", service_env(env), tmp_path / "core.log")
        gateway = Service("AblationGateway", service_env(env), tmp_path / "gateway.log")
        started.extend([gateway, core])

        def ready():
            try:
                return requests.get(f"{GATEWAY}/ready", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_for(ready, what=f"the ablation gateway (ABLATE={ablate!r}) to report ready")
        return core, gateway

    yield start
    for service in started:
        service.kill()


@pytest.mark.parametrize("piece", ["", "all", *bench_pieces()])
def test_the_services_answer_with_the_piece_left_out(ablated, piece):
    core, gateway = ablated(piece)
    response = requests.get(f"{GATEWAY}/api/v1/quotes/AAPL", timeout=5)
    assert response.status_code == 200, response.text
    assert response.json()["symbol"] == "AAPL"
    left_out = set(swift_pieces()) if piece == "all" else {piece}
    # What these pieces add is visible from outside; their absence must be too.
    missing = requests.get(f"{GATEWAY}/api/v1/quotes/NOPE", timeout=5)
    assert missing.status_code == (500 if "error-mapping" in left_out else 404)  # Hummingbird's own answer, bare
    assert ("x-correlation-id" in response.headers) == ("correlation-id" not in left_out)
    metrics = requests.get(f"{GATEWAY}/metrics", timeout=5).text
    assert ("http_server_request_duration_seconds_bucket" in metrics) == left_out.isdisjoint({"metrics", "http-metrics"})
    core_metrics = requests.get(f"http://127.0.0.1:{CORE_METRICS_PORT}/metrics", timeout=5).text
    assert ("marketdata_quotes_served_total{" in core_metrics) == ("metrics" not in left_out)
    assert bool(gateway.lines()) == ("json-logs" not in left_out)


def test_an_unknown_piece_stops_the_binary_with_a_message(tmp_path):
    for binary in ("AblationGateway", "AblationCoreEngine"):
        result = subprocess.run([str(BIN_DIR / binary)], env=service_env({"ABLATE": "deadline,nope"}),
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 2
        assert "ABLATE" in result.stderr and "unknown piece 'nope'" in result.stderr
