#!/usr/bin/env bash
# npm run test:slurm: grading as a Slurm array job, for real, on a one-node Slurm started here.
#
# Starts a private munged, slurmctld and slurmd (Debian's munge and slurm-wlm; everything under
# one temporary folder, on free ports, with a slurm.conf for this machine's CPUs), builds a class,
# grades it once unsharded, submits `sbatch --array=0-(n-1)` whose task i runs
#   npm run grade -- <class> --shard $SLURM_ARRAY_TASK_ID/n --jobs 1 --out <shards>/shard-$SLURM_ARRAY_TASK_ID
# waits for it, merges with `npm run grade:merge`, and compares the merged folder with the
# unsharded one (same files, same bytes apart from grades.json's seconds). Stops its daemons and
# removes its folder on any exit. Needs root (slurmd starts the jobs as their user).
#
# Settings (environment): SHARDS (4), STUDENTS (8, of NOTEBOOK=00-welcome), and, to measure a
# class built beforehand, CLASS_DIR (its submitted/ folder) with UNSHARDED_DIR (its unsharded
# grades, reused instead of grading again). KEEP_SLURM_DIR=1 keeps the folder for a look.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO="$PWD"
SHARDS="${SHARDS:-4}"
STUDENTS="${STUDENTS:-8}"
NOTEBOOK="${NOTEBOOK:-00-welcome}"

[ "$(id -u)" = 0 ] || { echo "test:slurm: expected to run as root (slurmd starts the array's tasks), got uid $(id -u)." >&2; exit 2; }
for cmd in munged slurmctld slurmd sbatch squeue scancel; do
  command -v "$cmd" >/dev/null || { echo "test:slurm: expected $cmd on PATH; install Debian's slurm-wlm and munge (see .ci/run)." >&2; exit 2; }
done
[[ "$SHARDS" =~ ^[1-9][0-9]*$ ]] || { echo "test:slurm: SHARDS: expected a whole number ≥ 1, got \"$SHARDS\"." >&2; exit 2; }

WORK="$(mktemp -d /tmp/rnnlab-slurm-XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  local rc=$?
  if [ -n "${SLURM_CONF:-}" ] && [ -f "$WORK/slurmctld.pid" ]; then
    scancel --quiet --user=root 2>/dev/null || true
    for _ in $(seq 30); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 1; done
  fi
  # Only the daemons started here, by their ids, slurmd first (its job steps end with it).
  for ((k = ${#PIDS[@]} - 1; k >= 0; k--)); do kill "${PIDS[k]}" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$rc" != 0 ]; then
    for log in "$WORK"/*.log "$WORK"/*.out "$WORK"/logs/*; do [ -f "$log" ] && { echo "--- $log"; tail -n 30 "$log"; }; done >&2
  fi
  if [ -n "${KEEP_SLURM_DIR:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The Kubernetes and GitHub Actions examples must run this script's commands.
/usr/bin/python3 test/slurm/check_cluster_examples.py

# Build once: the array's tasks then find dist/ up to date and never build at the same time.
npm run build --silent

# munge: a key of our own and a socket in our folder (munged checks that only root can write them).
mkdir -p "$WORK/munge"
chmod 700 "$WORK/munge"
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$WORK/munge/munge.key"
MUNGE_SOCKET="$WORK/munge/munge.socket"
munged --foreground --force --socket="$MUNGE_SOCKET" --key-file="$WORK/munge/munge.key" \
  --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munged.log" --seed-file="$WORK/munge/munged.seed" >"$WORK/munged.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$MUNGE_SOCKET" ] && break; sleep 0.2; done
[ -S "$MUNGE_SOCKET" ] || { echo "test:slurm: munged did not create $MUNGE_SOCKET" >&2; exit 1; }

read -r CTLD_PORT SLURMD_PORT < <(node -e '
  const net = require("net");
  const free = () => new Promise((ok) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });
  (async () => { let a = await free(), b = await free(); while (b === a) b = await free(); console.log(a, b); })();')
NODE_NAME="$(hostname -s)"
MEMORY_MB=$(( $(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024 / 2 ))
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/logs"
export SLURM_CONF="$WORK/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=rnnlab-test
SlurmctldHost=$NODE_NAME(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$NODE_NAME NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$MEMORY_MB State=UNKNOWN
PartitionName=grading Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
# In the foreground (-D) so that their ids are ours to stop; their output goes to their log files.
slurmctld -D -i -f "$SLURM_CONF" >"$WORK/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -f "$SLURM_CONF" >"$WORK/slurmd.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 60); do sinfo -h -o '%t' 2>/dev/null | grep -qx 'idle' && break; sleep 1; done
sinfo -h -o '%t' | grep -qx 'idle' || { echo "test:slurm: the node did not come up: $(sinfo 2>&1)" >&2; exit 1; }
echo "slurm: node $NODE_NAME with $(nproc) CPUs is up (ports $CTLD_PORT, $SLURMD_PORT)"

if [ -n "${CLASS_DIR:-}" ]; then
  CLASS="$CLASS_DIR"
else
  node dist/bench/build-class.js --notebook "$NOTEBOOK" --students "$STUDENTS" --wrong-every 3 --out "$WORK/class"
  CLASS="$WORK/class/submitted"
fi
if [ -n "${UNSHARDED_DIR:-}" ]; then
  UNSHARDED="$UNSHARDED_DIR"
else
  UNSHARDED="$WORK/unsharded"
  npm run --silent grade -- "$CLASS" --jobs 2 --out "$UNSHARDED" | tail -n 1
fi

# The same command the Kubernetes Indexed Job and the GitHub Actions matrix run (src/grading/cluster/).
cat >"$WORK/grade-shard.sbatch" <<EOF
#!/usr/bin/env bash
#SBATCH --job-name=rnnlab-grade
#SBATCH --array=0-$((SHARDS - 1))
#SBATCH --cpus-per-task=1
#SBATCH --output=$WORK/logs/shard-%a.out
set -euo pipefail
cd "$REPO"
npm run --silent grade -- "$CLASS" --shard "\$SLURM_ARRAY_TASK_ID/$SHARDS" --jobs 1 --out "$WORK/shards/shard-\$SLURM_ARRAY_TASK_ID"
EOF
T0=$(date +%s.%N)
echo "slurm: array job $(sbatch --wait --parsable "$WORK/grade-shard.sbatch") finished"
T1=$(date +%s.%N)
echo "slurm: $SHARDS array tasks done in $(awk "BEGIN { printf \"%.1f\", $T1 - $T0 }") s (submission to last task's end)"
for ((i = 0; i < SHARDS; i++)); do tail -n 1 "$WORK/logs/shard-$i.out"; done

npm run --silent grade:merge -- "$WORK"/shards/shard-* --out "$WORK/merged"
node test/slurm/same-output.mjs "$UNSHARDED" "$WORK/merged"
echo "test:slurm: passed"
