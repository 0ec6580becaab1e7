#!/usr/bin/env bash
# A study handed to a real Slurm (Debian's slurm-wlm and munge) on this one machine, as root:
#  1. the notebook study, 1 epoch x 2 seeds on 1,500 images, submitted with --slurm --submit --max-parallel 2
#     --cpus-per-task 1; the report job (afterany) must name all 10 run-seeds, and every run-seed's test accuracy must
#     equal, exactly, the same study run in one process with one thread;
#  2. a task requeued in the middle of its run (scontrol requeue: the element is killed and queued again, as on
#     preemption or node failure) continues from its epoch checkpoint and ends with the one-process result;
#  3. a search (cnnlab search --slurm --parallel 2) with one worker requeued mid-trial: no rung trained twice, and the
#     report job writes the verdict.
# Starts munged, slurmctld and slurmd, and stops them, by their pids, however the script ends.
# Usage: tests/slurm/run.sh   (after a Release build of src/CnnLab.Cli)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cli=(dotnet "$root/src/CnnLab.Cli/bin/Release/net10.0/CnnLab.Cli.dll")
test -f "${cli[1]}" || { echo "slurm test: build first: dotnet build -c Release src/CnnLab.Cli" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "slurm test: needs root (slurmd starts jobs as their user, munged needs its key)" >&2; exit 1; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

work=$(mktemp -d /tmp/cnnlab-slurm.XXXXXX)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; done
}
trap stop EXIT

# munge: a key of our own in the work folder, a daemon of our own with its own socket.
mkdir -p "$work/munge" && chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none && chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed"
for _ in $(seq 50); do [ -s "$work/munge/munged.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$work/munge/munged.pid")")

host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
mkdir -p "$work/state" "$work/spool"
cat > "$work/slurm.conf" <<CONF
ClusterName=cnnlab-ci
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -i
for _ in $(seq 50); do [ -s "$work/slurmctld.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$work/slurmctld.pid")")
slurmd
for _ in $(seq 50); do [ -s "$work/slurmd.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$work/slurmd.pid")")
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep idle > /dev/null && break; sleep 0.2; done
sinfo -h -o %T | grep idle > /dev/null || { echo "slurm test: the node did not become idle" >&2; sinfo >&2 || true; tail "$work"/*.log >&2; exit 1; }
echo "slurm test: munged, slurmctld and slurmd up on $host ($cpus CPUs) in $work"

# Waits (at most $2 seconds) until none of the job ids in $1 is queued or running.
wait_jobs() {
  local deadline=$((SECONDS + $2))
  while squeue -h -j "$1" 2>/dev/null | grep . > /dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "slurm test: jobs $1 still queued after $2 s" >&2; squeue >&2; exit 1; }
    sleep 1
  done
}

# Test accuracy of every run-seed of a results folder, one "run-slug/seed-N accuracy" line each, sorted.
accuracies() {
  (cd "$1" && for m in */seed-*/metrics.json; do
    printf '%s %s\n' "$(dirname "$m")" "$(python3 -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["TestAccuracy"]))' "$m")"
  done | sort)
}

# 1. The study as a job array, and the same study in one process.
study=(study "$root/experiments/notebook.yaml" --epochs 1 --seeds 2 --limit 1500)
start=$SECONDS
"${cli[@]}" "${study[@]}" --out "$work/array" --slurm --submit --max-parallel 2 --cpus-per-task 1 | tee "$work/submit.txt"
jobs=$(grep -o 'array job [0-9]* and report job [0-9]*' "$work/submit.txt" | awk '{ print $3 "," $7 }')
wait_jobs "$jobs" 1200
array_seconds=$((SECONDS - start))
start=$SECONDS
"${cli[@]}" "${study[@]}" --out "$work/local" --threads 1 > "$work/local.txt"
local_seconds=$((SECONDS - start))
"${cli[@]}" "${study[@]}" --out "$work/array" --list | tee "$work/list.txt"
grep -q '^10 task(s): 10 finished, 0 in progress, 0 interrupted, 0 not started.$' "$work/list.txt"
test -s "$work/array/report.html"
grep -q "of training summed over 10 task(s)" "$work/array/report.md" || { echo "slurm test: the report does not cover the 10 run-seeds" >&2; exit 1; }
! grep -q "## Missing tasks" "$work/array/report.md"
diff <(accuracies "$work/array") <(accuracies "$work/local") \
  || { echo "slurm test: the array's test accuracies differ from the one-process run's" >&2; exit 1; }
echo "slurm test: 10 run-seeds as a 2-wide job array in ${array_seconds} s (with the report job), one process ${local_seconds} s; accuracies equal"

# 2. Requeued in the middle of its run: the first task, 6 epochs, interrupted once its checkpoint holds an epoch.
long=(study "$root/experiments/notebook.yaml" --epochs 6 --seeds 1 --limit 3000)
"${cli[@]}" "${long[@]}" --out "$work/requeue" --slurm --cpus-per-task 1 > /dev/null
sed -i 's/^#SBATCH --array=.*/#SBATCH --array=0/' "$work/requeue/slurm/study.sbatch"
job=$(sbatch --parsable "$work/requeue/slurm/study.sbatch")
deadline=$((SECONDS + 600))
until grep -qs '"Epoch": *[1-4]\b\|"Epoch":[1-4]\b' "$work"/requeue/*/seed-1/checkpoint/checkpoint.json; do
  [ $SECONDS -lt $deadline ] || { echo "slurm test: no checkpoint appeared" >&2; exit 1; }
  sleep 0.2
done
scontrol requeue "${job}_0"
# Slurm makes a requeued job eligible again two minutes later. Moving its start forward raced with the cleanup of the
# killed instance ("Job credential revoked": the new start failed), so the test waits those two minutes.
echo "slurm test: requeued ${job}_0 after its checkpoint of epoch $(grep -o '"Epoch": *[0-9]*' "$work"/requeue/*/seed-1/checkpoint/checkpoint.json | grep -o '[0-9]*$')"
wait_jobs "$job" 900
log="$work/requeue/slurm/logs/task-0.out"
grep -q 'restart 1' "$log" || { echo "slurm test: the task did not run a second time" >&2; cat "$log" >&2; exit 1; }
grep -q 'continuing from its checkpoint after epoch [1-5]' "$log" || { echo "slurm test: the requeued task did not resume from its checkpoint" >&2; cat "$log" >&2; exit 1; }
"${cli[@]}" "${long[@]}" --out "$work/requeue-local" --task 0 --threads 1 > /dev/null
diff <(accuracies "$work/requeue") <(accuracies "$work/requeue-local") \
  || { echo "slurm test: the requeued task ended differently from an uninterrupted one" >&2; exit 1; }
echo "slurm test: the requeued task resumed from its checkpoint and matched the uninterrupted run; passed"

# 3. A search with 2 workers as a job array sharing one journal, one worker requeued in the middle of a trial; the
#    report job (afterany) trains the verdict and writes the report. No rung of a trial may be trained twice.
cat > "$work/search.yaml" <<YAML
name: slurm search
dataset: fashion-mnist
training: {epochs: 3, batch_size: 50, validation_split: 0.2}
base:
  name: small
  model: {blocks: [[8], [16]], kernel_size: [3, 2], dense: [16]}
  optimizer: adam
search:
  space:
    learning_rate: {float: [0.0005, 0.01], log: true}
    model.dense: {choice: [[16], [32]]}
  sampler: random
  scheduler: {min_epochs: 1, reduction_factor: 3}
  budget: {trials: 6}
  verdict: {top: 1, seeds: 3}
YAML
"${cli[@]}" search "$work/search.yaml" --limit 2000 --out "$work/search" --slurm --parallel 2 --cpus-per-task 1 --submit \
  | tee "$work/search-submit.txt"
jobs=$(grep -o 'array job [0-9]* and report job [0-9]*' "$work/search-submit.txt" | awk '{ print $3 "," $7 }')
array_job=${jobs%,*}
deadline=$((SECONDS + 600))
# Requeue worker 0 once a trial of its has a checkpoint and the journal has no result of that trial's rung yet.
until compgen -G "$work/search/trials/trial-*/seed-1/checkpoint/checkpoint.json" > /dev/null; do
  [ $SECONDS -lt $deadline ] || { echo "slurm test: no search checkpoint appeared" >&2; exit 1; }
  sleep 0.1
done
scontrol requeue "${array_job}_0"
echo "slurm test: requeued search worker ${array_job}_0 mid-trial"
wait_jobs "$jobs" 900
grep -q 'restart 1' "$work/search/slurm/logs/task-0.out" \
  || { echo "slurm test: the search worker did not run a second time" >&2; cat "$work/search/slurm/logs/task-0.out" >&2; exit 1; }
python3 - "$work/search/search-journal.jsonl" <<'PY'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
trials = [r for r in records if r["type"] == "trial"]
results = [(r["trial"], r["rung"], r["seed"]) for r in records if r["type"] == "result"]
assert len(trials) == 6, f"{len(trials)} trials"
assert len(results) == len(set(results)), "a rung of a trial was trained twice"
assert {t for t, _, _ in results} == set(range(6)), "a trial has no score"
print(f"slurm test: search journal: 6 trials, {len(results)} rung-seed scores, none twice")
PY
grep -q '## Verdict' "$work/search/report.md" && grep -q 'has the higher test accuracy than' "$work/search/report.md" \
  || { echo "slurm test: the search report has no verdict" >&2; cat "$work/search/slurm/logs/report.out" >&2; exit 1; }
echo "slurm test: search on 2 Slurm workers, one requeued mid-trial, ended with its verdict; passed"
