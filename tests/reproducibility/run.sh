#!/usr/bin/env bash
# The lab's promise on the real data (issue 24): `train` with the same seed gives bit-identical results alone and
# beside a CPU-bound process, by default; prints the slowdown beside it. Also mixed_bfloat16 twice, where the CPU has it.
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=(dotnet run -c Release --project src/CnnLab.Cli --no-build --)
args=(train --model m3-leaky --epochs 2 --seed 1 --limit 12000)
out=$(mktemp -d)
trap 'rm -rf "$out"; [ -n "${busy:-}" ] && kill "$busy" 2>/dev/null || true' EXIT

dotnet build -c Release src/CnnLab.Cli >/dev/null
start=$(date +%s.%N)
"${cli[@]}" "${args[@]}" > "$out/alone.txt"
alone=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

sh -c 'while :; do :; done' & busy=$!
start=$(date +%s.%N)
"${cli[@]}" "${args[@]}" > "$out/beside.txt"
beside=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
kill "$busy"; busy=

# The epochs' metrics and the test line, without the seconds each took.
metrics() { grep -E '^ +[0-9]+ ' "$1" | awk '{$NF=""; print}'; grep -o 'Test accuracy: [0-9.]* (loss [0-9.]*' "$1"; }
if ! diff <(metrics "$out/alone.txt") <(metrics "$out/beside.txt"); then
  echo "reproducibility: train with seed 1 gave other results beside a CPU-bound process" >&2
  exit 1
fi
echo "reproducibility: identical alone and beside a CPU-bound process [$(metrics "$out/alone.txt" | tail -1)]; wall time" \
     "$alone s alone, $beside s beside it ($(awk -v a="$alone" -v b="$beside" 'BEGIN { printf "%.2f", b / a }')x), $(nproc) cores"

"${cli[@]}" "${args[@]}" --precision mixed_bfloat16 > "$out/mixed1.txt" 2>&1
"${cli[@]}" "${args[@]}" --precision mixed_bfloat16 > "$out/mixed2.txt" 2>&1
diff <(metrics "$out/mixed1.txt") <(metrics "$out/mixed2.txt") \
  || { echo "reproducibility: mixed_bfloat16 gave other results on a second run" >&2; exit 1; }
used=$(grep -q 'per epoch, mixed_bfloat16' "$out/mixed1.txt" && echo "in bf16" || echo "in float32: $(grep -m1 '^CnnLab: ' "$out/mixed1.txt")")
echo "reproducibility: mixed_bfloat16 twice, identical [$(metrics "$out/mixed1.txt" | tail -1)], computed $used"
