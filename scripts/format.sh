#!/usr/bin/env bash
# swift-format (the toolchain's `swift format`) over every Swift file but the generated code, with .swift-format
# (Hummingbird's configuration at 120 columns). `scripts/format.sh` rewrites the files; `scripts/format.sh --lint`
# changes nothing and fails on any file that is not formatted (make test runs it).
set -euo pipefail
cd "$(dirname "$0")/.."

files=()
while IFS= read -r -d '' file; do
    files+=("$file")
done < <(find Package.swift Gateway CoreEngine Shared Tests Benchmarks -name '*.swift' -not -path '*/Generated/*' -print0)

if [[ "${1:-}" == "--lint" ]]; then
    swift format lint --strict --parallel "${files[@]}"
else
    swift format format --in-place --parallel "${files[@]}"
fi
