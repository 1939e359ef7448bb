#!/usr/bin/env bash
# Installs what the scripts need on a fresh Debian machine (the Swift toolchain is assumed, as in the
# official Swift images): Debian and Python packages for the OTLP receiver and the end-to-end tests.
set -euo pipefail

# Debian: Prometheus and promtool (the metrics end-to-end test), docker-compose (checks the compose file
# statically; no Docker engine is needed), curl (the scripts).
debian_packages=()
command -v prometheus >/dev/null || debian_packages+=(prometheus)
command -v docker-compose >/dev/null || debian_packages+=(docker-compose)
command -v curl >/dev/null || debian_packages+=(curl)
# The linter of every shell script in make test (scripts/lint-shell.sh).
command -v shellcheck >/dev/null || debian_packages+=(shellcheck)
# kubectl renders the Kubernetes base (kubectl kustomize); Debian's kubernetes-client where the image has none.
command -v kubectl >/dev/null || debian_packages+=(kubernetes-client)
python3 -m venv --help >/dev/null 2>&1 || debian_packages+=(python3-venv)
if [ ${#debian_packages[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${debian_packages[@]}" >/dev/null
fi

python_packages=(opentelemetry-proto grpcio protobuf requests pytest prometheus-client pyyaml)
if ! python3 -c "import opentelemetry.proto, grpc, requests, pytest, prometheus_client, yaml" 2>/dev/null; then
    if ! command -v pip3 >/dev/null && ! python3 -m pip --version >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null
    fi
    # A failed install fails here, with pip's own message (a filter on its output once hid that).
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check "${python_packages[@]}"
fi

# Checkov (the manifests' and the Dockerfile's static checks) in a virtual environment of its own: it pins versions
# of many packages (boto3, botocore, …) that would otherwise replace the machine's own. It runs offline
# (--skip-download). Tests find it at $CHECKOV_HOME/bin/checkov.
checkov_home="${CHECKOV_HOME:-$HOME/.cache/swift-observability-stack/checkov}"
if [ ! -x "$checkov_home/bin/checkov" ]; then
    python3 -m venv "$checkov_home"
    "$checkov_home/bin/pip" install --quiet --disable-pip-version-check "checkov==3.3.30"
fi

# kubernetes-validate (the rendered base against Kubernetes' own schemas, --strict, offline: the schemas ship in the
# package), in a virtual environment of its own for the same reason. Tests find it at $KUBERNETES_VALIDATE_HOME/bin.
validate_home="${KUBERNETES_VALIDATE_HOME:-$HOME/.cache/swift-observability-stack/kubernetes-validate}"
if [ ! -x "$validate_home/bin/kubernetes-validate" ]; then
    python3 -m venv "$validate_home"
    "$validate_home/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==1.34.0"
fi
