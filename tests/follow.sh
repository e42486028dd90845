#!/bin/sh
# `ftlab tui --follow`: a read-only view of runs another process trains.
# A headless `ftlab train` runs in the background while the follower runs
# under tmux; we check that its step advances on screen, that the steering
# keys change nothing (the journal gets no line; the screen says read-only),
# that a resumed run (metrics.csv cut back to a checkpoint, then regrown) is
# followed on, that several runs (and a folder of runs) show one line each,
# that nothing is written into a followed run, and that q exits 0 with the
# terminal restored. Needs tmux (SKIP, status 77, without it) and FTLAB_BIN.
set -u
bin=${FTLAB_BIN:-./ftlab}
command -v tmux >/dev/null 2>&1 || { echo "# SKIP: tmux is not installed"; exit 77; }
. "$(dirname "$0")/testlib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-follow-XXXXXX")
sock="ftlab-follow-$$-0"
trainer=
cleanup() {
    [ -n "$trainer" ] && kill -9 "$trainer" 2>/dev/null
    tmux -L "$sock" kill-server 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_DATA_HOME="$tmp/xdg" OPENBLAS_NUM_THREADS=1
unset FTLAB_DATA
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1))
    tmux -L "$sock" capture-pane -p -t ftlab 2>/dev/null | sed 's/^/#   /'
}
check() { if eval "$1"; then ok "$2"; else not_ok "$2"; fi; }
screen() { tmux -L "$sock" capture-pane -p -t ftlab 2>/dev/null; }
keys() { tmux -L "$sock" send-keys -t ftlab "$@"; }
# wait_for TEXT DESCRIPTION [SECONDS]: polls the screen until TEXT (a fixed string) shows.
wait_for() {
    i=0; limit=$(( ${3:-20} * 10 ))
    while [ $i -lt $limit ]; do
        if screen | grep -q -F -- "$1"; then ok "$2"; return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    not_ok "$2 (no '$1' on screen)"
    return 1
}
# The step the status line shows (" step 1234/100000 epoch 7 | ..."), a whole number; empty if none.
shown_step() {
    screen | awk '{ if (match($0, /^ step [0-9]+[\/ ]/)) { s = substr($0, RSTART + 6, RLENGTH - 7) } } END { print s }'
}
# advancing DESCRIPTION: two captures 3 s apart show a larger step.
advancing() {
    a=$(shown_step); sleep 3; b=$(shown_step)
    if [ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ]; then ok "$1 ($a, then $b)"; else not_ok "$1 ('$a', then '$b')"; fi
}
# follow ARGS...: runs `ftlab tui --follow ARGS` under a tmux server of its own.
follow() {
    rm -f "$tmp/status"
    tmux -L "$sock" kill-server 2>/dev/null
    sock="ftlab-follow-$$-$n"
    tmux -L "$sock" new-session -d -s ftlab -x "${cols:-100}" -y "${lines:-32}" \
        "$bin tui --follow $*; echo \"exit=\$?\" > $tmp/status; sleep 60"
}
# quits DESCRIPTION: q ends the follower with status 0, off the alternate screen, cursor back.
quits() {
    keys q
    i=0
    while [ ! -f "$tmp/status" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    check 'grep -q -x "exit=0" "$tmp/status" 2>/dev/null' "$1: q exits 0"
    check '[ "$(tmux -L "$sock" display -p -t ftlab "#{alternate_on}#{cursor_flag}")" = 01 ]' \
        "$1: the terminal is restored (main screen, cursor shown)"
}
train() { "$bin" train --sample --hidden 16 --units 8 --batch-size 32 -q "$@"; }

run="$tmp/run"
# In the background $bin itself, not a function: $! must be the trainer's pid.
"$bin" train --sample --hidden 16 --units 8 --batch-size 32 -q --steps 100000 --out "$run" 2>/dev/null &
trainer=$!
i=0
while [ "$({ wc -l < "$run/metrics.csv"; } 2>/dev/null || echo 0)" -lt 3 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done

# ---- one run, trained by another process ----
follow "$run"
wait_for "following $run" "the follower opens the run and says whose it is"
wait_for "read-only: steering keys are off" "the status line says the steering keys are off"
wait_for " step " "the status line shows the step"
advancing "the step advances as the trainer appends to metrics.csv"
wait_for "Loss terms" "the loss panel is drawn"
journal=$(cksum < "$run/journal")
lock=$(cat "$run/lock")
keys 4 + ] '>' Space e s x
wait_for "read-only: this run is trained by another process" "4 (and the other steering keys) only say read-only"
sleep 1
check '[ "$(cksum < "$run/journal")" = "$journal" ]' "the steering keys add nothing to the journal"
check '[ "$(cat "$run/lock")" = "$lock" ] && kill -0 "$trainer"' "the trainer keeps its lock and runs on"
keys '?'
wait_for "steering: off, the run trains elsewhere" "? shows the keys, the steering ones off"
keys Escape

# Killed without a final checkpoint, then resumed: metrics.csv is cut back and regrown.
kill -9 "$trainer"
wait "$trainer" 2>/dev/null
inode=$(stat -c %i "$run/metrics.csv")
sleep 1
"$bin" train --resume "$run" --steps 100000 -q 2>/dev/null &
trainer=$!
i=0
# The resumed trainer loads the data before it cuts metrics.csv back: on a busy machine that
# takes seconds, so wait for the cut (up to 30 s) rather than a fixed time.
while { [ "$(stat -c %i "$run/metrics.csv")" = "$inode" ] ||
    ! grep -q -x "step [0-9]* resume" "$run/journal"; } && [ $i -lt 600 ]; do
    sleep 0.05
    i=$((i + 1))
done
sleep 1
check '[ "$(stat -c %i "$run/metrics.csv")" != "$inode" ] && grep -q -x "step [0-9]* resume" "$run/journal"' \
    "the resume cut metrics.csv back to a checkpoint (a new file, renamed over the old)"
check '! [ -f "$tmp/status" ]' "the follower is still up after the run was cut back and resumed"
advancing "the step advances again after the resume"
check 'rows_whole "$run"' "metrics.csv of the resumed run is whole (steps 1, 2, ... without a gap)"
eval_at=$(shown_step)
kill "$trainer"
wait "$trainer" 2>/dev/null
trainer=

# An evaluation written by another process shows up.
"$bin" eval "$run" --k 9,10 >/dev/null 2>&1
wait_for "AMI_max   k=9 0." "eval.csv, written by 'ftlab eval', shows the scores" 10
wait_for "active)" "actmap.csv, written by 'ftlab eval', draws Figure 2" 10
quits "one run"

# ---- several runs, and a folder of runs ----
train --steps 200 --out "$tmp/run2" 2>/dev/null
ls -l --time-style=full-iso "$tmp/run2" "$tmp/run2/checkpoints" > "$tmp/before"
follow "$run" "$tmp/run2"
wait_for "following 2 runs" "two runs open a list"
check 'screen | grep -q "^> run  *[0-9]*/100000 " && screen | grep -q "^  run2  *200/200 "' "one line per run, with step/total"
keys Down Enter
wait_for "following $tmp/run2 " "Enter opens the run under the cursor"
keys 1
wait_for "read-only: this run is trained by another process" "1 in the opened run only says read-only"
keys BSpace
wait_for "following 2 runs" "Backspace goes back to the list"
quits "two runs"
ls -l --time-style=full-iso "$tmp/run2" "$tmp/run2/checkpoints" > "$tmp/after"
check 'cmp -s "$tmp/before" "$tmp/after"' "nothing was written into a followed run (no lock, no file)"

mkdir -p "$tmp/sweep/runs"
cp -r "$tmp/run2" "$tmp/sweep/runs/classify-baseline-run1"
cp -r "$tmp/run2" "$tmp/sweep/runs/classify-proposed-run1"
cols=80 lines=24 follow "$tmp/sweep"
wait_for "following 2 runs" "a folder of runs (runs/*/config) stands for its runs"
check 'screen | grep -q "classify-baseline-run1" && screen | grep -q "classify-proposed-run1"' "each run of the folder has its line"
quits "a folder of runs"

# ---- what is not a run ----
mkdir "$tmp/empty"
"$bin" tui --follow "$tmp/empty" > "$tmp/out" 2>&1
rc=$?
check '[ $rc -eq 1 ] && holds "$tmp/empty: not a run directory" "$tmp/out"' "a folder that is not a run: exit 1, named ($(cat "$tmp/out"))"
"$bin" tui --follow "$tmp/none" > "$tmp/out" 2>&1
rc=$?
check '[ $rc -eq 1 ] && holds "$tmp/none: no such directory" "$tmp/out"' "a missing folder: exit 1, named"
"$bin" tui --follow > "$tmp/out" 2>&1
rc=$?
check '[ $rc -eq 2 ] && grep -q "needs a run directory" "$tmp/out"' "--follow alone: usage error, exit 2"
"$bin" --follow "$run" --lr 0.1 > "$tmp/out" 2>&1
rc=$?
check '[ $rc -eq 2 ] && grep -q "not '"'"'--lr'"'"'" "$tmp/out"' "--follow with a training option: usage error, exit 2"

echo "1..$n"
[ "$fails" -eq 0 ]
