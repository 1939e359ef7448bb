#!/usr/bin/env bash
# The release build of both services: the command the Dockerfile runs, and the one CI runs to check it. Only the two
# shipped products (the benchmark's floor and ablation binaries are built by scripts/bench when it needs them).
#
# Linked statically (the Swift runtime inside), for the slim runtime image. The allocation guard builds in a folder
# of its own: its package-benchmark plugin builds without --static-swift-stdlib, and that flag changes every module's
# compile command. (A shared, dynamically linked release build was tried and measured; see the README's Tests.)
set -euo pipefail
cd "$(dirname "$0")/.."
for product in gateway core-engine; do
    swift build -c release --static-swift-stdlib --product "$product" "$@"
done
