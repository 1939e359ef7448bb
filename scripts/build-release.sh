#!/usr/bin/env bash
# The release build of both services: the command the Dockerfile runs, and the one CI runs to check it. Only the two
# shipped products (the benchmark's floor and ablation binaries are built by scripts/bench when it needs them).
#
# Linked statically (the Swift runtime inside): the slim runtime image needs it, and valgrind, which the benchmark's
# instruction counts run under, stops with an internal error on these binaries linked against the toolchain's shared
# runtime (measured: even --tool=none). That is also why the allocation guard cannot share this build: its
# package-benchmark plugin builds without the flag, and the flag changes every module's compile command.
set -euo pipefail
cd "$(dirname "$0")/.."
for product in gateway core-engine; do
    swift build -c release --static-swift-stdlib --product "$product" "$@"
done
