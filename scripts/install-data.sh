#!/usr/bin/env bash
# Installs Debian's Fashion-MNIST package (and any further Debian packages named as arguments) for the quick start
# and CI: as root directly, otherwise through sudo; `apt-get update` first, since a fresh machine has no package
# lists. Already installed: does nothing, needs no network.
# Where that cannot work (no apt-get, neither root nor sudo, offline or no mirror), it says so and exits 0: CnnLab
# then downloads Fashion-MNIST on first use from Zalando's mirrors (MD5-checked) into ~/.cnnlab/datasets, or, with
# no network either, stops with an error that lists every place it looked (README, "Datasets").
# Usage: scripts/install-data.sh [EXTRA_PACKAGE...]
set -euo pipefail

packages=(dataset-fashion-mnist "$@")

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

fallback() {
  echo "install-data: $1; CnnLab will download Fashion-MNIST on first use into ~/.cnnlab/datasets instead (README, \"Datasets\")." >&2
  exit 0
}

missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

command -v apt-get >/dev/null || fallback "apt-get not found (not Debian or Ubuntu), ${missing[*]} not installed"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  fallback "not root and sudo not found, ${missing[*]} not installed"
fi

echo "install-data: apt-get update, then apt-get install ${missing[*]}" >&2
"${as_root[@]}" apt-get update -qq || fallback "apt-get update failed (offline?), ${missing[*]} not installed"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
  || fallback "apt-get install ${missing[*]} failed"
