#!/usr/bin/env bash
# The release build of both services, in .build/release: the folder the benchmark and the allocation guard build
# their own products into too, so that CI compiles the sources in release once.
#
#   scripts/build-release.sh                          # CI, scripts/bench, scripts/allocation-benchmarks.sh
#   scripts/build-release.sh --static-swift-stdlib    # the Dockerfile: the Swift runtime linked in, for a slim image
#
# Why CI does not link statically: --static-swift-stdlib changes every module's compile command (measured: a
# package's dependencies recompile when only that flag changes), and package-benchmark's plugin builds without it,
# so a static build could share nothing with the allocation guard: a third full build of every module.
set -euo pipefail
cd "$(dirname "$0")/.."
for product in gateway core-engine; do
    swift build -c release --product "$product" "$@"
done
