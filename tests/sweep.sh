#!/bin/sh
# `ftlab sweep` driven as a user would: bad grids, a small sweep on the embedded
# sample, re-running it (finished runs are not retrained), a run killed mid-training
# (it resumes, to the same numbers), and shards collected (equal to the whole).
# Needs FTLAB_BIN (set by 'make check'); uses only POSIX sh.
set -u
bin=${FTLAB_BIN:-./ftlab}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-sweep-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/xdg" # never the user's real data folder
unset FTLAB_DATA
# shellcheck source=tests/testlib.sh
. "$(dirname "$0")/testlib.sh"
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); sed 's/^/#   /' "$tmp/err" 2>/dev/null | tail -n 20; }
check() { what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
# expect STATUS DESCRIPTION -- COMMAND...
expect() {
    want=$1; what=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok "$what"; else not_ok "$what: exit $got, expected $want"; fi
}
# usage_error DESCRIPTION MESSAGE -- ARGS...: exit 2, one line naming the problem (then
# the usual "Try 'ftlab sweep --help'."), nothing written.
usage_error() {
    what=$1 said=$2; shift 3
    expect 2 "$what" -- "$bin" sweep "$@" --out "$tmp/bad"
    if head -n 1 "$tmp/err" | grep -q -F -- "ftlab sweep: $said" && [ "$(wc -l <"$tmp/err")" -le 2 ] &&
        ! grep -q -v -e "^ftlab sweep: " -e "^Try 'ftlab sweep --help'" "$tmp/err"; then
        ok "$what: one line, '$said'"
    else
        not_ok "$what: not one line saying '$said'"
    fi
}

# A stand-in for gnuplot that writes an empty image, so the figure's files are checked fast.
cat >"$tmp/gnuplot" <<'EOF'
#!/bin/sh
out=$(sed -n "s/^set output '\(.*\)'\$/\1/p" "${2:--}")
printf 'placeholder\n' >"$out"
EOF
chmod +x "$tmp/gnuplot"
export FTLAB_GNUPLOT="$tmp/gnuplot"

# ---- bad grids: one line, exit 2, before anything runs ----
usage_error "an empty list" "--lambda: an empty list" -- --sample --lambda ''
usage_error "an empty item" "--margin: an empty item in '1,,5'" -- --sample --margin 1,,5
usage_error "a range backwards" "--seeds: the range '3-1' runs backwards" -- --sample --seeds 3-1
usage_error "an unknown option" "unknown option '--bogus'" -- --sample --bogus 1
usage_error "an unknown loss" "--loss: unknown loss 'kl'" -- --sample --loss baseline,kl
usage_error "a value out of range" "--lr must be" -- --sample --lr 0
usage_error "--dry-run without --slurm" "--slurm-opt, --shards and --dry-run are for --slurm" -- --sample --dry-run
usage_error "--slurm-opt not KEY=VALUE" "--slurm-opt: 'partition' is not KEY=VALUE" -- --sample --slurm --dry-run --slurm-opt partition
usage_error "--slurm with --shard" "--slurm makes the shards itself; drop --shard" -- --sample --slurm --shard 1/2
check "a bad grid writes nothing" test ! -e "$tmp/bad"
expect 0 "sweep --help" -- "$bin" sweep --help
check "sweep --help names --slurm, --slurm-opt, --dry-run, --collect" sh -c \
    "grep -q -- '--slurm ' '$tmp/out' && grep -q -- '--slurm-opt' '$tmp/out' && grep -q -- '--dry-run' '$tmp/out' && grep -q -- '--collect' '$tmp/out'"
expect 0 "table1 --help" -- "$bin" table1 --help
check "table1 --help names --slurm, --slurm-opt, --dry-run" sh -c \
    "grep -q -- '--slurm ' '$tmp/out' && grep -q -- '--slurm-opt' '$tmp/out' && grep -q -- '--dry-run' '$tmp/out'"

# ---- a small sweep ----
grid="--sample --loss baseline,proposed --margin 1,5 --seeds 1-2 --epochs 1 --hidden 16 --units 8 --limit 1000 --k 3,4"
# shellcheck disable=SC2086
expect 0 "a sweep of 2 losses x 2 margins x 2 seeds" -- "$bin" sweep $grid --jobs 2 --out "$tmp/a"
check "a run folder per point and seed, named by the swept options" test -s "$tmp/a/runs/classify-proposed-margin5-run2/eval.csv"
check "6 run folders: the baseline ignores the margin, so it trains once a seed" \
    test "$(find "$tmp/a/runs" -mindepth 1 -maxdepth 1 | wc -l)" -eq 6
check "... in classify-baseline-runN, no margin in its name" test -s "$tmp/a/runs/classify-baseline-run2/eval.csv"
check "sweep.csv: a row per point and k (the baseline once, its margin empty)" sh -c \
    "[ \$(wc -l <'$tmp/a/sweep.csv') -eq $((1 + 3 * 2)) ] && grep -q '^classify,baseline,1,,0.001,' '$tmp/a/sweep.csv'"
check "sweep.md: the baseline's margin is a dash" grep -q '^| Baseline | – |' "$tmp/a/sweep.md"
check "sweep.csv's columns" holds "task,loss,lambda,margin,lr,hidden,units,batch_size,epochs,k,seeds,ami_max_mean,ami_max_std,ami_arithmetic_mean,nmi_geometric_mean,test_mean" "$tmp/a/sweep.csv"
check "sweep.csv: 2 seeds per point, mean and sample std" grep -q -E '^classify,proposed,0\.1,5,0\.001,16,8,256,1,3,2,[0-9.]+,[0-9.]+,' "$tmp/a/sweep.csv"
check "sweep.md: a bold best per k" test "$(grep -c '\*\*' "$tmp/a/sweep.md")" -ge 1
check "sweep.md: the swept margin is a column" grep -q '^| loss | margin | 3 clusters | 4 clusters | seeds | test accuracy |$' "$tmp/a/sweep.md"
check "the figure: figures/sweep.png with its script and data" test -s "$tmp/a/figures/sweep.png" -a -s "$tmp/a/figures/sweep.gp" -a -s "$tmp/a/figures/sweep.dat"
check "the figure: AMI_max against the margin, a line per loss" sh -c \
    "grep -q \"set xlabel 'margin'\" '$tmp/a/figures/sweep.gp' && [ \$(grep -c '^\\\$line[0-9]* << EOD' '$tmp/a/figures/sweep.gp') -eq 2 ]"

# ---- re-running: finished runs are skipped, not retrained ----
stamps() { for f in "$1"/runs/*/eval.csv "$1"/runs/*/log.txt; do printf '%s %s\n' "$f" "$(ls -l --time-style=+%s.%N "$f" | awk '{print $5, $6}')"; done; }
stamps "$tmp/a" >"$tmp/before"
sleep 0.05
# shellcheck disable=SC2086
expect 0 "a re-run of the finished sweep" -- "$bin" sweep $grid --out "$tmp/a"
stamps "$tmp/a" >"$tmp/after"
check "a re-run retrains nothing (every eval.csv and log.txt untouched)" cmp -s "$tmp/before" "$tmp/after"
check "a re-run says nothing is left to do" sh -c "! grep -q 'runs to do' '$tmp/err'"

# ---- a run killed mid-training resumes where it stopped ----
long="--sample --loss proposed --seeds 1 --epochs 5 --hidden 64 --units 8 --k 3"
# shellcheck disable=SC2086
"$bin" sweep $long --out "$tmp/whole" >/dev/null 2>&1
# shellcheck disable=SC2086
setsid "$bin" sweep $long --out "$tmp/killed" >/dev/null 2>&1 &
pid=$!
run="$tmp/killed/runs/classify-proposed-run1"
i=0
while [ ! -f "$run/checkpoints/epoch-1.ckpt" ] && [ "$i" -lt 1000 ]; do sleep 0.02; i=$((i + 1)); done
kill -9 "-$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ -f "$run/eval.csv" ]; then
    ok "# SKIP a run killed mid-training: it finished before the kill"
else
    ok "a sweep killed mid-training leaves its run unfinished"
    initial=$(ls -l --time-style=+%s.%N "$run/checkpoints/initial.ckpt" | awk '{print $6}')
    # shellcheck disable=SC2086
    expect 0 "the re-run finishes it" -- "$bin" sweep $long --out "$tmp/killed"
    check "the killed run resumed (its initial checkpoint is the first one's)" \
        test "$(ls -l --time-style=+%s.%N "$run/checkpoints/initial.ckpt" | awk '{print $6}')" = "$initial"
    check "the killed run was trained by a --resume" grep -q 'resum' "$run/journal"
    check "a resumed sweep's numbers equal an uninterrupted one's" cmp "$tmp/whole/sweep.csv" "$tmp/killed/sweep.csv"
fi

# ---- shards (GNU parallel's way: --shard {}/2 into DIR/shards/{}) and --collect ----
for i in 1 2; do
    # shellcheck disable=SC2086
    "$bin" sweep $grid --shard "$i/2" --out "$tmp/b/shards/$i" >/dev/null 2>"$tmp/err"
    check "shard $i/2 runs" test $? -eq 0
done
check "shard 1/2 holds every other run (the baseline's second margin is no run)" test "$(find "$tmp/b/shards/1/runs" -mindepth 1 -maxdepth 1 | wc -l)" -eq 3
expect 0 "--collect merges the shards" -- "$bin" sweep --collect "$tmp/b"
check "the shards collected equal the unsharded sweep" cmp "$tmp/a/sweep.csv" "$tmp/b/sweep.csv"
rm -rf "$tmp/b/shards/2/runs/classify-baseline-run2"
expect 1 "--collect with a shard's run missing exits 1" -- "$bin" sweep --collect "$tmp/b"
check "... naming the run and its shard, on one line" sh -c \
    "[ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q '1 of 6 runs are missing or unfinished: classify-baseline-run2 (shard 2); run these shards again: 2' '$tmp/err'"
check "... and writes the tables of what finished" grep -q '^missing: classify-baseline-run2 (shard 2)\.' "$tmp/b/sweep.md"
# The figure in a paper's format and size, as `ftlab plot` takes them.
expect 0 "--collect --format pdf --width acl-column --font-size 10" -- "$bin" sweep --collect "$tmp/a" --format pdf --width acl-column --font-size 10
check "... draws figures/sweep.pdf" test -s "$tmp/a/figures/sweep.pdf"
check "... 3.03 in wide, at 10 pt" grep -q "^set terminal pdfcairo enhanced size 3.0279in,.* font 'Helvetica,10'" "$tmp/a/figures/sweep-pdf.gp"
usage_error "--format bmp" "--format must be png, svg, pdf or tex" -- --collect "$tmp/a" --format bmp
usage_error "--height and --aspect" "--height and --aspect both set the height: give one" -- --collect "$tmp/a" --height 2in --aspect 2
expect 1 "--collect of a folder that is no sweep" -- "$bin" sweep --collect "$tmp/xdg"
check "... says so on one line" sh -c "[ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'not a sweep folder' '$tmp/err'"

echo "1..$n"
[ "$fails" -eq 0 ]
