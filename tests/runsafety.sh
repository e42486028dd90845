#!/bin/sh
# Run safety (issue 13): a run directory is held by one process; default run
# names never collide; --resume changes controls (journaled) and refuses what
# defines a run; replay checks a journal before training and finishes a
# partial run with --resume; a damaged checkpoint passed over on resume is
# named; eval of an older checkpoint never overwrites the run's results.
# Needs FTLAB_BIN; POSIX sh.
set -u
bin=${FTLAB_BIN:-./ftlab}
. "$(dirname "$0")/testlib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-safety-XXXXXX")
bg=
trap '[ -n "$bg" ] && kill -9 "$bg" 2>/dev/null; rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/xdg" OPENBLAS_NUM_THREADS=1
unset FTLAB_DATA
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); sed 's/^/#   /' "$tmp/err" 2>/dev/null; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
small="--sample --hidden 8 --units 4 --batch-size 32 --limit 64"

# ---- one process per run directory ----
"$bin" train $small --steps 1000000 --out "$tmp/busy" -q 2>/dev/null &
bg=$!
i=0
while [ ! -s "$tmp/busy/lock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
# (bounded: were the lock gone, this would train on beside the first)
timeout 20 "$bin" train --resume "$tmp/busy" --steps 2000000 -q 2>"$tmp/err"
check "a second train on a held run is refused (exit 1)" '[ $? -eq 1 ]'
check "the refusal names the holder's pid" "holds '$tmp/busy: in use by process $bg; wait for it to end, or use another folder' '$tmp/err'"
timeout 20 "$bin" eval "$tmp/busy" >"$tmp/out" 2>"$tmp/err"
check "eval into a held run is refused" '[ $? -eq 1 ] && grep -q "in use by process $bg" "$tmp/err"'
check "... before it computes: no results printed beside the failure" '[ ! -s "$tmp/out" ]'
kill -9 "$bg"
wait "$bg" 2>/dev/null
bg=
# Two steps an epoch: the newest epoch-N.ckpt is at step 2N, and a resume asks for 2 more.
last=$(ls "$tmp/busy/checkpoints" | sed -n 's/^epoch-\([0-9]*\)\.ckpt$/\1/p' | sort -n | tail -1)
"$bin" train --resume "$tmp/busy" --steps $((${last:-0} * 2 + 2)) -q 2>"$tmp/err"
check "after kill -9 the run can be resumed at once (the kernel dropped the lock)" '[ $? -eq 0 ]'

# ---- default run names ----
mkdir -p "$tmp/cwd/runs"
now=$(date +%s)
for d in 0 1 2 3; do # every name the next seconds can give is taken
    mkdir "$tmp/cwd/runs/$(date -d "@$((now + d))" +%Y%m%d-%H%M%S)-classify"
done
(cd "$tmp/cwd" && "$bin" train $small --steps 2 -q 2>"$tmp/err")
check "a taken default name gets a suffix" 'ls "$tmp"/cwd/runs/*-classify-2/config >/dev/null 2>&1'

# ---- --resume: controls change, the run's definition does not ----
"$bin" train $small --steps 4 --out "$tmp/r" -q 2>"$tmp/err"
"$bin" train --resume "$tmp/r" --steps 6 --loss proposed --lr 0.002 -q 2>"$tmp/err"
check "--resume --loss proposed --lr 0.002 trains on (exit 0)" '[ $? -eq 0 ]'
check "the journal has the loss from step 4" 'grep -qx "step 4 loss proposed" "$tmp/r/journal"'
check "the journal has the lr from step 4" 'grep -qx "step 4 lr 0.002" "$tmp/r/journal"'
check "metrics rows 5 and 6 ran the proposed loss at lr 0.002" \
    '[ "$(awk -F, "NR > 5 { print \$3, \$11 }" "$tmp/r/metrics.csv" | sort -u)" = "proposed 0.002" ]'
for opt in "--task autoencode" "--hidden 16" "--seed 2" "--sample" "--batch-size 8"; do
    name=${opt%% *}
    "$bin" train --resume "$tmp/r" --steps 8 $opt -q 2>"$tmp/err"
    check "--resume $opt is refused (exit 2), naming $name" \
        '[ $? -eq 2 ] && grep -q -- "^ftlab train: $name cannot change when a run resumes" "$tmp/err"'
done

"$bin" train --resume "$tmp" -q 2>"$tmp/err"
check "--resume of a folder without a run says so, as plot does" \
    "[ \$? -eq 1 ] && holds 'ftlab: $tmp: not a run directory (no config file)' '$tmp/err'"
"$bin" train --resume "$tmp/no-such" --steps 3 -q 2>"$tmp/err"
check "--resume of a folder that is not there says so" \
    "[ \$? -eq 1 ] && holds 'ftlab: $tmp/no-such: no such run directory' '$tmp/err'"
mkdir -p "$tmp/empty"
"$bin" eval "$tmp/empty" >/dev/null 2>"$tmp/err"
check "eval of a folder without a run says it is not one (not: no checkpoint)" \
    "[ \$? -eq 1 ] && holds 'ftlab: $tmp/empty: not a run directory (no config file)' '$tmp/err'"

# ---- replay: checked before the first step; a partial run finished with --resume ----
grep -v '^step' "$tmp/r/journal" | grep -v '^rewind' >"$tmp/bad.journal"
printf 'step 2 loss proposed\nstep 20 lambda -3\nstep 30 stop\n' >>"$tmp/bad.journal"
line=$(grep -n 'lambda -3' "$tmp/bad.journal" | cut -d: -f1)
"$bin" replay "$tmp/bad.journal" --out "$tmp/bad-run" -q 2>"$tmp/err"
check "a bad value at step 20 is refused before training (exit 1)" '[ $? -eq 1 ] && [ ! -e "$tmp/bad-run" ]'
check "the message names file, line and the range" \
    "holds '$tmp/bad.journal:$line: lambda must be a number in 0..1e+06, not '\\''-3'\\''' '$tmp/err'"

grep -v '^step' "$tmp/r/journal" | grep -v '^rewind' | sed 's/^config steps .*/config steps 200/' >"$tmp/long.journal"
printf 'step 3 loss decov\nstep 7 lr 0.004\nstep 200 stop\n' >>"$tmp/long.journal"
"$bin" replay "$tmp/long.journal" --out "$tmp/whole" -q 2>"$tmp/err"
"$bin" replay "$tmp/long.journal" --out "$tmp/part" -q 2>/dev/null &
bg=$!
i=0
while [ ! -e "$tmp/part/checkpoints/epoch-3.ckpt" ] && [ $i -lt 200 ]; do sleep 0.02; i=$((i + 1)); done
kill -9 "$bg" 2>/dev/null
wait "$bg" 2>/dev/null
bg=
check "the replay was cut off before its end (no final.ckpt)" '[ ! -e "$tmp/part/checkpoints/final.ckpt" ]'
"$bin" replay "$tmp/long.journal" --resume "$tmp/part" -q 2>"$tmp/err"
check "replay --resume finishes a killed replay (exit 0)" '[ $? -eq 0 ]'
"$bin" export "$tmp/whole" "$tmp/w1" >/dev/null 2>&1 && "$bin" export "$tmp/part" "$tmp/w2" >/dev/null 2>&1
check "... to the weights of the uninterrupted replay" 'cmp -s "$tmp/w1/fc1.weight.npy" "$tmp/w2/fc1.weight.npy" && cmp -s "$tmp/w1/gru.weight_hh_l0.npy" "$tmp/w2/gru.weight_hh_l0.npy"'

# ---- a damaged checkpoint on --resume is named ----
"$bin" train $small --steps 5 --out "$tmp/d" -q 2>"$tmp/err"
printf '\377' | dd of="$tmp/d/checkpoints/final.ckpt" bs=1 seek=100 conv=notrunc 2>/dev/null
"$bin" train --resume "$tmp/d" --steps 6 -q 2>"$tmp/err"
check "resume past a damaged final.ckpt works (exit 0)" '[ $? -eq 0 ]'
check "stderr names the damaged file and the checkpoint used instead" \
    'grep -q "passed over $tmp/d/checkpoints/final.ckpt: .*; resumed from $tmp/d/checkpoints/epoch-2.ckpt (step 4)" "$tmp/err"'

# ---- a resume checks the journal a replay will read, and the end asked, before writing ----
"$bin" train $small --steps 4 --lambda 0.5 --out "$tmp/j" -q 2>"$tmp/err"
"$bin" train --resume "$tmp/j" --steps 6 --lr 0.002 -q 2>"$tmp/err"
# Every file but the lock (the pid of whoever held it last).
snapshot() { (cd "$1" && find . -type f ! -name lock | sort | xargs cksum) >"$tmp/before"; }
unchanged() { (cd "$1" && find . -type f ! -name lock | sort | xargs cksum) | cmp -s - "$tmp/before"; }
for damage in cut removed-line deleted bad-value other-seed; do
    rm -rf "$tmp/jd" && cp -R "$tmp/j" "$tmp/jd"
    case $damage in
    cut) head -c 100 "$tmp/j/journal" >"$tmp/jd/journal" ;;
    removed-line) grep -v "^step 4 lr " "$tmp/j/journal" >"$tmp/jd/journal" ;;
    deleted) rm "$tmp/jd/journal" ;;
    bad-value) sed 's/^config margin .*/config margin abc/' "$tmp/j/journal" >"$tmp/jd/journal" ;;
    other-seed) sed 's/^config seed .*/config seed 99/' "$tmp/j/journal" >"$tmp/jd/journal" ;;
    esac
    snapshot "$tmp/jd"
    "$bin" train --resume "$tmp/jd" --steps 8 -q 2>"$tmp/err"
    check "resume with the journal $damage: refused (exit 1)" '[ $? -eq 1 ]'
    check "resume with the journal $damage: one line naming the journal" \
        '[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^ftlab: $tmp/jd/journal" "$tmp/err"'
    check "resume with the journal $damage: nothing in the run changed" 'unchanged "$tmp/jd"'
done
# a line past the last checkpoint's count (a session killed after it) is superseded by the
# resume, and replay never reads it: not a reason to refuse
rm -rf "$tmp/jd" && cp -R "$tmp/j" "$tmp/jd"
echo "step 6 no_such_event" >>"$tmp/jd/journal"
"$bin" train --resume "$tmp/jd" --steps 8 -q 2>"$tmp/err"
check "resume with a bad line past the checkpoint's count: goes on (exit 0)" '[ $? -eq 0 ]'
"$bin" replay "$tmp/jd/journal" --out "$tmp/jd-replay" -q 2>"$tmp/err"
check "... and the journal replays" '[ $? -eq 0 ]'
rm -rf "$tmp/jd" && cp -R "$tmp/j" "$tmp/jd"
echo "lamda 0.5" >>"$tmp/jd/config"
snapshot "$tmp/jd"
"$bin" train --resume "$tmp/jd" --steps 8 -q 2>"$tmp/err"
check "resume with a typo in the config ('lamda'): refused, naming it, nothing changed" \
    '[ $? -eq 1 ] && grep -q "^ftlab: $tmp/jd/config: unknown setting .lamda.$" "$tmp/err" && unchanged "$tmp/jd"'
rm -rf "$tmp/jd" && cp -R "$tmp/j" "$tmp/jd"
"$bin" replay "$tmp/jd/journal" --out "$tmp/jr" -q 2>"$tmp/err"
check "the undamaged journal replays (exit 0)" '[ $? -eq 0 ]'
snapshot "$tmp/jd"
"$bin" train --resume "$tmp/jd" --steps 3 -q 2>"$tmp/err"
check "resume with --steps below the run's step: refused (exit 1), nothing changed" \
    '[ $? -eq 1 ] && unchanged "$tmp/jd"'
check "... saying where the run is" \
    'grep -q "^ftlab: $tmp/jd: already at step 6, past the --steps 3 asked for$" "$tmp/err"'
# (two steps an epoch: step 6 is the end of epoch 3; --epochs 2 ends at step 4)
"$bin" train --resume "$tmp/jd" --epochs 2 -q 2>"$tmp/err"
check "resume with --epochs the run is past, even part way into the next: refused, unchanged" \
    '[ $? -eq 1 ] && unchanged "$tmp/jd"'
check "... saying where the run is" \
    'grep -q "^ftlab: $tmp/jd: already at step 6, past the --epochs 2 asked for (4 steps)$" "$tmp/err"'
"$bin" train $small --steps 5 --out "$tmp/half" -q 2>"$tmp/err"
snapshot "$tmp/half"
"$bin" train --resume "$tmp/half" --epochs 2 -q 2>"$tmp/err"
check "resume at step 5 (epoch 3 begun) with --epochs 2: refused, unchanged" \
    '[ $? -eq 1 ] && unchanged "$tmp/half"'

# ---- eval of an older checkpoint writes beside it ----
"$bin" eval "$tmp/d/checkpoints/initial.ckpt" --k 3 >"$tmp/out" 2>"$tmp/err"
check "eval of initial.ckpt writes into checkpoints/initial-eval/" \
    '[ -s "$tmp/d/checkpoints/initial-eval/eval.csv" ] && [ ! -e "$tmp/d/eval.csv" ]'
"$bin" eval "$tmp/d" --k 3 >"$tmp/out" 2>"$tmp/err"
check "eval of the run writes the run's results" '[ -s "$tmp/d/eval.csv" ] && [ -s "$tmp/d/clusters.csv" ]'

echo "1..$n"
[ "$fails" -eq 0 ]
