"""The dependency check (scripts/check-dependencies.py) holds for the package, and catches both ways of lying."""
import json
import os
import shutil
import subprocess
import sys

from stack import ROOT

SCRIPT = ROOT / "scripts" / "check-dependencies.py"


def run(root):
    return subprocess.run([sys.executable, str(root / "scripts" / "check-dependencies.py")], cwd=root,
                          capture_output=True, text=True, timeout=300)


def test_every_target_imports_what_it_declares(tmp_path):
    result = run(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MarketDataContract" in result.stdout and "MISMATCH" not in result.stdout


def copy_of_the_package(tmp_path):
    copy = tmp_path / "package"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".build", ".build-*", ".git", "*.pyc"))
    return copy


def test_an_undeclared_import_and_an_unused_dependency_fail(tmp_path):
    copy = copy_of_the_package(tmp_path)
    # The contract importing the tracing API it must never depend on.
    generated = copy / "Shared" / "MarketDataContract" / "MarketDataLimits.swift"
    generated.write_text("import Tracing\n" + generated.read_text())
    result = run(copy)
    assert result.returncode == 1
    assert "MarketDataContract imports Tracing without declaring it in Package.swift" in result.stderr

    copy = copy_of_the_package(tmp_path / "second")
    manifest = copy / "Package.swift"
    manifest.write_text(manifest.read_text().replace(
        'name: "GatewayTests",\n            dependencies: [',
        'name: "GatewayTests",\n            dependencies: [\n                .product(name: "AsyncHTTPClient", package: "async-http-client"),', 1))
    result = run(copy)
    assert result.returncode == 1
    assert "GatewayTests declares AsyncHTTPClient in Package.swift but never imports it" in result.stderr


def test_a_file_importing_one_of_our_modules_it_does_not_use_fails(tmp_path):
    """The per-file check: the gateway's configuration once imported ServiceTelemetry and used nothing from it (other
    files of the target do use it, so the per-target check could not see it). Held to the compiler: every import the
    check called unused was removed and the package still built."""
    copy = copy_of_the_package(tmp_path)
    source = copy / "Gateway" / "GatewayConfiguration.swift"
    source.write_text("import ServiceTelemetry\n" + source.read_text())
    result = run(copy)
    assert result.returncode == 1
    assert "Gateway/GatewayConfiguration.swift imports ServiceTelemetry and uses nothing it declares" in result.stderr
    # A member declared in another module's extension is a use: HealthController reads RPCError.Code.name.
    assert "HealthController.swift" not in result.stderr


def test_the_readme_draws_the_module_graph_the_script_prints():
    graph = subprocess.run([sys.executable, str(SCRIPT), "--graph"], cwd=ROOT, capture_output=True, text=True,
                           timeout=300, check=True).stdout.strip()
    readme = (ROOT / "README.md").read_text()
    assert f"```\n{graph}\n```" in readme, "README's module graph is not what scripts/check-dependencies.py --graph prints"


def manifest(**environment):
    result = subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, capture_output=True, text=True,
                            env={**{k: v for k, v in os.environ.items() if k != "ENABLE_OBSERVABILITY_STACK_BENCHMARKS"},
                                 **environment})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_benchmark_package_is_declared_only_when_benchmarks_are_enabled():
    """A service that adds one of the library products resolves nothing it does not use: ordo-one/benchmark and the
    allocation benchmarks' target come only with ENABLE_OBSERVABILITY_STACK_BENCHMARKS (set by the allocation guard)."""
    def declared(package):
        urls = [d["sourceControl"][0]["location"]["remote"][0]["urlString"] for d in package["dependencies"]]
        return any("ordo-one/benchmark" in url for url in urls), any(t["name"] == "ObservabilityBenchmarks" for t in package["targets"])
    assert declared(manifest()) == (False, False)
    assert declared(manifest(ENABLE_OBSERVABILITY_STACK_BENCHMARKS="1")) == (True, True)
    assert "ENABLE_OBSERVABILITY_STACK_BENCHMARKS=1" in (ROOT / "scripts/allocation-benchmarks.sh").read_text()
