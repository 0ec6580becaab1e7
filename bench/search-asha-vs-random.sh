#!/usr/bin/env bash
# ASHA against random search on the same space and the same epoch budget: experiments/search-notebook.yaml's space,
# TPE off (random draws in both), one seed per trial, no verdict; each search run with search seeds 1..N. Prints, per
# search seed, the best validation accuracy found at the last rung (full fidelity), the trials sampled and the epochs
# trained, then the mean of each.
# Usage: bench/search-asha-vs-random.sh [--limit N] [--epochs E] [--budget EPOCHS] [--seeds N] [--threads T]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
limit=6000 epochs=6 budget=60 seeds=3 threads=1
while [ $# -gt 0 ]; do
  case $1 in
    --limit) limit=$2; shift 2 ;; --epochs) epochs=$2; shift 2 ;; --budget) budget=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;; --threads) threads=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
done
cli=(dotnet "$root/src/CnnLab.Cli/bin/Release/net10.0/CnnLab.Cli.dll")
test -f "${cli[1]}" || { echo "build first: dotnet build -c Release src/CnnLab.Cli" >&2; exit 1; }
work=$(mktemp -d /tmp/cnnlab-asha.XXXXXX)
variant() {  # $1 name, $2 scheduler line, $3 search seed
  sed -e "s/^  sampler: tpe$/  sampler: random/" -e "s/^  seeds: 2$/  seeds: 1\n  seed: $3/" \
      -e "s/^  scheduler: .*/  scheduler: $2/" -e "s/^  budget: .*/  budget: {trials: 10000, epochs: $budget}/" \
      -e "s/^  verdict: .*/  verdict: {top: 0}/" "$root/experiments/search-notebook.yaml" > "$work/$1-$3.yaml"
  "${cli[@]}" search "$work/$1-$3.yaml" --out "$work/$1-$3" --epochs "$epochs" --limit "$limit" --threads "$threads" > "$work/$1-$3.log"
  python3 - "$work/$1-$3/search-journal.jsonl" "$1" "$3" <<'PY'
import json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
trials = sum(r["type"] == "trial" for r in records)
results = [r for r in records if r["type"] == "result"]
top = max(r["epochs"] for r in results)
best = max(r["objective"] for r in results if r["epochs"] == top)
epochs = sum(r["epochs"] for r in results) - sum(0 for _ in results)
trained = {}
for r in results:
    trained[r["trial"]] = max(trained.get(r["trial"], 0), r["epochs"])
print(f"{sys.argv[2]:<7} seed {sys.argv[3]}: best val_accuracy at {top} epochs {best:.4f}, {trials} trials, {sum(trained.values())} epochs trained")
PY
}
for seed in $(seq 1 "$seeds"); do
  variant asha "{type: asha, min_epochs: 1, reduction_factor: 3}" "$seed"
  variant random "{type: none}" "$seed"
done | tee "$work/table.txt"
awk '{ best[$1] += $9; n[$1]++; trials[$1] += $10; epochs[$1] += $12 } END { for (k in best) printf "%-7s mean over %d search seeds: best %.4f, %.1f trials, %.1f epochs\n", k, n[k], best[k] / n[k], trials[k] / n[k], epochs[k] / n[k] }' "$work/table.txt"
echo "folders: $work"
