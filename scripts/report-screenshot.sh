#!/usr/bin/env bash
# Renders a study report in headless Chromium (Debian's `chromium`) and saves a screenshot, to look at it as a person would.
# usage: scripts/report-screenshot.sh runs/notebook/<timestamp>/report.html [screenshot.png]
set -euo pipefail
report=$(realpath "$1")
out=${2:-${report%.html}.png}
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
command -v chromium >/dev/null || { echo "chromium is not installed: sudo apt-get install chromium" >&2; exit 1; }
# The background-networking flags keep Chromium from calling out on a closed network.
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1200,3000 \
  --screenshot="$out" "file://$report" 2>/dev/null
echo "$out"
