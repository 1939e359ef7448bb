#!/usr/bin/env bash
# The allocation guard: package-benchmark's benchmarks of one whole request in process (untraced and traced) and of
# the pieces every request runs (Benchmarks/ObservabilityBenchmarks), their malloc counts checked against the
# thresholds committed in Benchmarks/Thresholds. More allocations than a threshold fails; fewer passes and says so.
#
#   scripts/allocation-benchmarks.sh            # run, print the figures, check them (CI runs this)
#   scripts/allocation-benchmarks.sh --update   # after a deliberate change: write the thresholds anew
set -euo pipefail
cd "$(dirname "$0")/.."
thresholds=Benchmarks/Thresholds
# In .build, as scripts/build-release.sh builds (release, not linked statically): package-benchmark's plugin then
# compiles only the benchmark target and its own tool, not the services' modules again.
# The benchmark target and its package exist only with this set (Package.swift): the products do not pull them in.
export ENABLE_OBSERVABILITY_STACK_BENCHMARKS=1

if [ "${1:-}" = "--update" ]; then
    swift package --allow-writing-to-package-directory benchmark thresholds update --path "$thresholds" --no-progress
    # Only allocations are held to a threshold: CPU time (printed for the deadline benchmarks) depends on the machine.
    python3 - "$thresholds" <<'PY'
import json, pathlib, sys
for path in pathlib.Path(sys.argv[1]).glob("*.json"):
    kept = {k: v for k, v in json.loads(path.read_text()).items() if k == "mallocCountTotal"}
    path.write_text(json.dumps(kept, indent=2, separators=(",", " : ")))
PY
    exit 0
fi

swift package benchmark --format markdown --no-progress
# The plugin reports an improvement and a regression by throwing, and SwiftPM exits 1 for either: which one it was is
# the name of the error it prints (benchmarkThresholdImprovement, benchmarkThresholdRegression).
set +e
output=$(swift package benchmark thresholds check --path "$thresholds" --no-progress 2>&1)
code=$?
set -e
printf '%s\n' "$output"
if [ "$code" -eq 0 ]; then
    echo "allocations: within the thresholds"
elif [[ "$output" == *benchmarkThresholdImprovement* && "$output" != *benchmarkThresholdRegression* ]]; then
    echo "allocations: fewer than the thresholds; lower them with scripts/allocation-benchmarks.sh --update"
else
    echo "allocations: a benchmark allocates more than its threshold, or the check failed (see above)" >&2
    exit 1
fi
