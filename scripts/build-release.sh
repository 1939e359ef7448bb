#!/usr/bin/env bash
# The release build of both services: the command the Dockerfile runs, and the one CI runs to check it. Only the two
# shipped products (the benchmark's floor and ablation binaries are built by scripts/bench when it needs them).
set -euo pipefail
cd "$(dirname "$0")/.."
for product in gateway core-engine; do
    swift build -c release --static-swift-stdlib --product "$product" "$@"
done
