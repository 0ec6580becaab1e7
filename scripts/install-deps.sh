#!/usr/bin/env bash
# Installs the Debian packages the quick start and the tests use besides .NET: Fashion-MNIST (dataset-fashion-mnist,
# into /usr/share/datasets/fashion-mnist) and, for the report charts, fontconfig and DejaVu fonts (SkiaSharp's native
# library links libfontconfig), plus any further packages named as arguments. As root directly, otherwise through
# sudo; `apt-get update` first, since a fresh machine has no package lists. Already installed: does nothing, needs no
# network.
# Where that cannot work (no apt-get, neither root nor sudo, offline or no mirror), it says so and exits 0: CnnLab then
# downloads Fashion-MNIST on first use from Zalando's mirrors (MD5-checked) into ~/.cnnlab/datasets, or, with no
# network either, stops with an error that lists every place it looked (docs/datasets.md).
# Usage: scripts/install-deps.sh [EXTRA_PACKAGE...]
set -euo pipefail

packages=(dataset-fashion-mnist fonts-dejavu-core libfontconfig1 "$@")

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep '^install ok installed$' > /dev/null; }

fallback() {
  echo "install-deps: $1, so ${missing[*]} not installed. CnnLab downloads Fashion-MNIST on first use into" \
       "~/.cnnlab/datasets instead (docs/datasets.md); study reports need libfontconfig1 and fonts-dejavu-core." >&2
  exit 0
}

missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

command -v apt-get >/dev/null || fallback "apt-get not found (not Debian or Ubuntu)"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  fallback "not root and sudo not found"
fi

echo "install-deps: apt-get update, then apt-get install ${missing[*]}" >&2
"${as_root[@]}" apt-get update -qq || fallback "apt-get update failed"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
  || fallback "apt-get install failed"
