"""scripts/allocation-benchmarks.sh reads package-benchmark's verdict from the error it prints: the plugin throws for
both an improvement and a regression, and SwiftPM exits 1 for either. A stand-in `swift` plays each verdict."""
import os
import stat
import subprocess

import pytest

from stack import ROOT

SCRIPT = ROOT / "scripts" / "allocation-benchmarks.sh"


def run_with_verdict(tmp_path, code, printed):
    fake = tmp_path / "swift"
    # `swift package benchmark ...` runs the benchmarks (nothing to do here); `... thresholds check` gives the verdict.
    fake.write_text('#!/usr/bin/env bash\n'
                    'if [[ "$*" == *"thresholds check"* ]]; then\n'
                    f'    echo "{printed}" >&2\n'
                    f'    exit {code}\n'
                    'fi\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    return subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=60, env=env)


@pytest.mark.parametrize("code, printed, passes, says", [
    (0, "", True, "within the thresholds"),
    (1, "error: benchmarkThresholdImprovement", True, "fewer than the thresholds"),
    (1, "error: benchmarkThresholdRegression", False, "allocates more than its threshold"),
    (1, "error: benchmarkCrashed", False, "or the check failed"),
])
def test_the_guard_passes_on_fewer_allocations_and_fails_on_more_or_a_crash(tmp_path, code, printed, passes, says):
    result = run_with_verdict(tmp_path, code, printed)
    assert (result.returncode == 0) == passes, result.stdout + result.stderr
    assert says in result.stdout + result.stderr
