#!/bin/sh
# `ftlab sweep --slurm` on a real Slurm: a single-node cluster started inside the test
# (munged, slurmctld and slurmd on their own sockets, ports, state and pid files in a
# temporary folder), a small sweep on the embedded sample submitted as a job array of 2
# shards, collected, and compared with the same sweep run locally. Stops every daemon it
# started, by pid, however it ends. Needs root and Debian's slurmctld, slurmd,
# slurm-client and munge (bootstrap installs them); SKIP otherwise.
set -u
bin=${FTLAB_BIN:-./ftlab}
# shellcheck source=tests/testlib.sh
. "$(dirname "$0")/testlib.sh"

need=
[ "$(id -u)" -eq 0 ] || need="root (slurmd runs jobs as their user; this test starts it)"
for tool in munged mungekey slurmctld slurmd sbatch sinfo squeue; do
    command -v "$tool" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null 2>&1 ||
        need="${need:+$need, }$tool"
done
if [ -n "$need" ]; then
    echo "1..0 # SKIP needs $need (Debian: apt-get install slurmctld slurmd slurm-client munge)"
    exit 77
fi
PATH="$PATH:/usr/sbin:/sbin"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-slurm-XXXXXX")
chmod 755 "$tmp" # munged refuses a socket folder others may write
pids=
stop_daemons() {
    # The daemons this test started, by their pids (never by name: another Slurm may run here).
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$p" 2>/dev/null
    done
    pids=
}
trap 'stop_daemons; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1))
    for f in "$tmp"/*.log "$tmp"/sl/slurm/*.log; do [ -f "$f" ] && sed "s|^|#   $(basename "$f"): |" "$f" | tail -n 15; done
}
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() { what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

# ---- the cluster: munge, then slurmctld and slurmd ----
mungekey -c -k "$tmp/munge.key" 2>"$tmp/mungekey.log" || dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$tmp/munge.key"
munged --force --key-file="$tmp/munge.key" --socket="$tmp/munge.sock" --pid-file="$tmp/munged.pid" \
    --log-file="$tmp/munged.log" --seed-file="$tmp/munged.seed" 2>>"$tmp/munged.log"
i=0
while [ ! -s "$tmp/munged.pid" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/munged.pid" ] && pids="$pids $(cat "$tmp/munged.pid")"

host=$(hostname -s)
cpus=$(nproc)
# Ports of their own, so a Slurm already running here (6817, 6818) is left alone.
base=$((20000 + $$ % 20000))
mkdir -p "$tmp/state" "$tmp/spool"
cat >"$tmp/slurm.conf" <<EOF
ClusterName=ftlabtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge.sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -f "$SLURM_CONF" -N "$host" >"$tmp/slurmd.out" 2>&1 &
pids="$pids $!"

i=0
until sinfo -h -N -o '%T' 2>/dev/null | grep -q '^idle'; do
    i=$((i + 1))
    if [ "$i" -gt 150 ]; then not_ok "a single-node Slurm comes up (sinfo: node idle) within 30 s"; echo "1..$n"; exit 1; fi
    sleep 0.2
done
ok "a single-node Slurm comes up (sinfo shows $host idle)"

# ---- the sweep: locally, then on Slurm ----
export FTLAB_GNUPLOT=/bin/true # the figures are tests/test_sweep.c's; here, the numbers
grid="--sample --loss baseline,proposed --seeds 1-2 --epochs 1 --hidden 16 --units 8 --limit 1000 --k 3,4"
# shellcheck disable=SC2086
"$bin" sweep $grid --out "$tmp/local" >"$tmp/local.log" 2>&1
check "the sweep runs locally" test -s "$tmp/local/sweep.csv"

# shellcheck disable=SC2086
"$bin" sweep $grid --slurm --shards 2 --slurm-opt cpus-per-task=1 --dry-run --out "$tmp/dry" >"$tmp/dry.log" 2>&1
script="$tmp/dry/slurm/sweep.sbatch"
check "--dry-run writes the script" test -s "$script"
check "--dry-run submits nothing" holds "submit it with: sbatch $script" "$tmp/dry.log"
exe=$(readlink -f "$bin")
check "the script runs the absolute ftlab binary" grep -q "^exec '$exe' sweep " "$script"
check "an array of 2 tasks, one per shard" grep -q -x '#SBATCH --array=1-2' "$script"
check "--slurm-opt replaces a default" sh -c "grep -q -x '#SBATCH --cpus-per-task=1' '$script' && ! grep -q -x '#SBATCH --cpus-per-task=2' '$script'"
check "each task into its own shard folder" grep -q -- "--shard \"\$i/2\" --out '$tmp/dry'/shards/\"\$i\"" "$script"
"$bin" sweep --collect "$tmp/dry" >/dev/null 2>"$tmp/dry-collect.log"
st=$?
check "--collect before any shard ran: exit 1" test "$st" -eq 1
check "--collect names the missing runs and shards on one line" sh -c \
    "[ \$(wc -l <'$tmp/dry-collect.log') -eq 1 ] && grep -q '4 of 4 runs are missing.*classify-proposed-run2 (shard 2).*run these shards again: 1,2' '$tmp/dry-collect.log'"

start=$(date +%s)
# shellcheck disable=SC2086
"$bin" sweep $grid --slurm --shards 2 --out "$tmp/sl" >"$tmp/submit.log" 2>&1
job=$(sed -n 's/^submitted job \([0-9][0-9]*\):.*/\1/p' "$tmp/submit.log")
check "--slurm submits and prints the job id" test -n "$job"
check "--slurm prints how to collect" holds "when it has finished: ftlab sweep --collect $tmp/sl" "$tmp/submit.log"
i=0
while [ -n "$job" ] && [ -n "$(squeue -h -j "$job" 2>/dev/null)" ] && [ "$i" -lt 300 ]; do
    sleep 0.2; i=$((i + 1))
done
check "the array finishes within 60 s ($(($(date +%s) - start)) s)" test "$i" -lt 300
check "each shard wrote its own folder" test -s "$tmp/sl/shards/1/sweep.csv" -a -s "$tmp/sl/shards/2/sweep.csv"
"$bin" sweep --collect "$tmp/sl" >"$tmp/collect.log" 2>&1
check "--collect merges the shards (exit 0)" test $? -eq 0
check "the collected sweep.csv equals the local one" cmp "$tmp/local/sweep.csv" "$tmp/sl/sweep.csv"
if ! cmp -s "$tmp/local/sweep.csv" "$tmp/sl/sweep.csv"; then diff "$tmp/local/sweep.csv" "$tmp/sl/sweep.csv" | sed 's/^/#   /'; fi

# table1 --slurm: the same machinery over table1's grid (not run: the dry run's script).
"$bin" table1 --sample --quick --tasks classify --losses baseline --slurm --dry-run --out "$tmp/t1" >"$tmp/t1.log" 2>&1
check "table1 --slurm --dry-run writes a sweep over table1's grid" grep -q "sweep .*--loss 'baseline'" "$tmp/t1/slurm/sweep.sbatch"
check "table1 --slurm says how to collect with table1" grep -q "ftlab table1 --collect $tmp/t1 --tasks classify --losses baseline --runs 1" "$tmp/t1.log"

started=$pids
stop_daemons
left=0
for p in $started; do kill -0 "$p" 2>/dev/null && left=1; done
check "no daemon of the test is left running" test "$left" -eq 0

echo "1..$n"
[ "$fails" -eq 0 ]
