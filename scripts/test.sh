#!/usr/bin/env bash
# The whole test suite: unit and in-process integration tests (Swift Testing), then the end-to-end tests
# (the real binaries against a real OTLP receiver). Installs what it needs on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "==> every shell script passes shellcheck and pipes nothing into an early-exiting reader under pipefail"
scripts/lint-shell.sh

echo "==> every Swift file is as swift-format writes it (.swift-format; scripts/format.sh rewrites them)"
scripts/format.sh --lint

echo "==> every target imports what Package.swift says it depends on, and nothing else"
scripts/check-dependencies.py

echo "==> swift build (Package.swift treats warnings as errors)"
swift build --build-tests

echo "==> swift test"
swift test --skip-build

echo "==> end-to-end tests"
BIN_DIR="$(swift build --show-bin-path)" python3 -m pytest -q -rs Tests/e2e
