#!/usr/bin/env bash
# The release build of both services: the command the Dockerfile runs, and the one CI runs to check it.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib "$@"
