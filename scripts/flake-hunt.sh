#!/usr/bin/env bash
# The flake hunt: `make test` RUNS times in a row (default 5) in a fresh clone of this repository's HEAD, with the
# other core kept busy by stress-ng, as CI runs on a 2-core machine right after a long build. The first run builds
# from nothing; every run runs the whole suite. Prints each run's test counts and time, and stops at the first
# failure, keeping its log.
#
#   scripts/flake-hunt.sh        # 5 runs
#   RUNS=10 scripts/flake-hunt.sh
set -euo pipefail
runs="${RUNS:-5}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive number, got '$runs'" >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v stress-ng >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng >/dev/null; }
work="$(mktemp -d /tmp/flake-hunt.XXXXXX)"
git clone -q "$root" "$work/repo"
echo "==> fresh clone of $(git -C "$root" rev-parse --short HEAD) in $work/repo; one core kept busy by stress-ng"
stress-ng --cpu 1 --timeout 0 --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null || true' EXIT
for ((run = 1; run <= runs; run++)); do
    started=$SECONDS
    log="$work/run-$run.log"
    if (cd "$work/repo" && make test) > "$log" 2>&1; then status=passed; else status=FAILED; fi
    swift=$(grep -Eo 'Test run with [0-9]+ tests in [0-9]+ suites (passed|failed)' "$log" | tail -n 1 || true)
    e2e=$(grep -E '^[0-9]+ (passed|failed)' "$log" | tail -n 1 || true)
    echo "run $run: $status in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s; swift: ${swift:-none}; e2e: ${e2e:-none}"
    if [ "$status" = FAILED ]; then
        grep -m 20 -E '^(FAILED|ERROR)|✘' "$log" || true
        echo "log kept in $log"
        exit 1
    fi
done
echo "$runs of $runs runs passed"
