#!/usr/bin/env bash
# Installs what the scripts need on a fresh Debian machine (the Swift toolchain is assumed, as in the
# official Swift images): Python packages for the OTLP receiver and the end-to-end tests.
set -euo pipefail

python_packages=(opentelemetry-proto grpcio protobuf requests pytest)
if ! python3 -c "import opentelemetry.proto, grpc, requests, pytest" 2>/dev/null; then
    if ! command -v pip3 >/dev/null && ! python3 -m pip --version >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null
    fi
    python3 -m pip install --quiet --disable-pip-version-check "${python_packages[@]}" 2>&1 \
        | grep -v "Running pip as the 'root' user" || true
fi
command -v curl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }
