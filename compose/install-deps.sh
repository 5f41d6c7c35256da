#!/usr/bin/env bash
# Installs the Debian 12 packages flowbench builds and runs with. Idempotent: packages already present are skipped. Quiet unless it fails.
# `--checks` adds what CI's code checks need (clang-format, clang-tidy).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  libboost1.81-dev libboost-json1.81-dev
  libcpp-httplib-dev librabbitmq-dev libpqxx-dev libpq-dev prometheus-cpp-dev
  libcli11-dev libbenchmark-dev libgtest-dev libgmock-dev libssl-dev zlib1g-dev libjwt-dev
  postgresql rabbitmq-server
  prometheus docker-compose
  wrk slowhttptest nodejs chromium libjs-chart.js
  python3-yaml
  clang libclang-rt-14-dev  # the fuzz preset: libFuzzer, ASan (with LeakSanitizer), UBSan
)
# kubectl (kubectl kustomize, for the Kubernetes manifests' test) comes with this kind of
# machine; Debian 12's own kubernetes-client (kubectl 1.20, kustomize 2) is too old to
# render the manifests, so it is installed only where a package source offers `kubectl`.
if ! command -v kubectl >/dev/null && apt-cache show kubectl >/dev/null 2>&1; then
  packages+=(kubectl)
elif ! command -v kubectl >/dev/null; then
  echo "install-deps: no kubectl package here; kubernetes_manifests_test needs kubectl >= 1.27" >&2
fi
# npm installs the console's browser test driver (playwright-core, bench/console/browser):
# some nodejs packages bring it along (NodeSource's), Debian's own has it apart.
if ! command -v npm >/dev/null; then
  packages+=(npm)
fi
if [ "${1:-}" = "--checks" ]; then
  packages+=(clang-format clang-tidy)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi

echo "install-deps: installing ${missing[*]}"
log=$(mktemp)
export DEBIAN_FRONTEND=noninteractive
# The packaged servers must not start system-wide instances: flowbench runs private ones.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  echo "install-deps: apt-get failed; its output:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
rm -f "$log"
echo "install-deps: done"
