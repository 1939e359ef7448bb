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
# Its own build folder: package-benchmark builds in release without --static-swift-stdlib, and sharing .build with
# scripts/build-release.sh (which links statically) would make each of them rebuild everything the other built.
scratch=(--scratch-path .build-benchmarks)

if [ "${1:-}" = "--update" ]; then
    swift package "${scratch[@]}" --allow-writing-to-package-directory benchmark thresholds update --path "$thresholds" --no-progress
    exit 0
fi

swift package "${scratch[@]}" benchmark --format markdown --no-progress
set +e
swift package "${scratch[@]}" benchmark thresholds check --path "$thresholds" --no-progress
code=$?
set -e
case $code in
    0) echo "allocations: within the thresholds" ;;
    4) echo "allocations: fewer than the thresholds; lower them with scripts/allocation-benchmarks.sh --update" ;;
    *) echo "allocations: a benchmark allocates more than its threshold (see above)" >&2; exit 1 ;;
esac
