#!/usr/bin/env bash
# Does an open dashboard slow training? A B A B: the same m3-leaky training (2 epochs on 30,000 images, 2 threads)
# without the dashboard (A) and with `cnnlab serve` over its folder and the page open in headless Chromium, polling
# every 2 s (B). Prints each round's seconds per epoch from metrics.json and the B / A ratio of the means.
# Usage: bench/dashboard-overhead.sh [--rounds N]   (after a Release build of src/CnnLab.Cli; needs /usr/bin/chromium)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=2
[ "${1:-}" = "--rounds" ] && rounds=$2
cli=(dotnet "$root/src/CnnLab.Cli/bin/Release/net10.0/CnnLab.Cli.dll")
test -f "${cli[1]}" || { echo "build first: dotnet build -c Release src/CnnLab.Cli" >&2; exit 1; }
work=$(mktemp -d /tmp/cnnlab-dashboard-bench.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
train() {  # $1 folder
  "${cli[@]}" study "$root/experiments/notebook.yaml" --only "3 blocks, Adam" --epochs 2 --seeds 1 --limit 30000 \
    --out "$1" --threads 2 > "$1.log"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecondsPerEpoch"])' "$1/3-blocks-adam/seed-1/metrics.json"
}
a=() b=()
for round in $(seq 1 "$rounds"); do
  a+=("$(train "$work/A$round")")
  sleep 2
  mkdir -p "$work/B$round-root"
  "${cli[@]}" serve "$work/B$round-root" --port 5091 > "$work/serve$round.log" 2>&1 & pids+=($!)
  sleep 3
  chromium --headless --no-sandbox --disable-gpu --remote-debugging-port=9333 "http://127.0.0.1:5091/?id=0" \
    > /dev/null 2>&1 & pids+=($!)
  sleep 5   # the browser's start-up is not the page being open: training starts once it has settled
  b+=("$(train "$work/B$round-root/study")")
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pids=()
  sleep 1
  echo "round $round: A ${a[-1]} s/epoch, B (dashboard open) ${b[-1]} s/epoch"
done
python3 -c 'import sys; a=[float(x) for x in sys.argv[1].split()]; b=[float(x) for x in sys.argv[2].split()]; print(f"B / A = {sum(b)/len(b)/(sum(a)/len(a)):.3f}")' "${a[*]}" "${b[*]}"
echo "folders: $work"
