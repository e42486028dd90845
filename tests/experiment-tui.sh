#!/bin/sh
# The experiment through the workbench's keys: ftlab opens paused under tmux
# on the tiny data set of tests/data/experiment, from its fixed initial
# checkpoint, with proposed / lambda 0.35 / margin 1.5 / lr 0.25; the keys
# 2 (DeCov, whose lambda is its own default) 4 (back: lambda 0.35 again)
# + ] > make that proposed / 0.7 / 2.5 / 0.5 before the first batch, space
# trains the two steps. The run must then end with the weights PyTorch
# computes for proposed / 0.7 / 2.5 / 0.5 (the case proposed-classify of
# tests/ref/experiment_ref.h, which `ftlab train` meets in test_experiment),
# and each metrics row must match the journal the keys wrote.
# Needs tmux (exits 77, a skip, without it), FTLAB_BIN and FTLAB_TEST_DATA.
set -u
bin=${FTLAB_BIN:-./ftlab}
check=${FTLAB_TEST_EXPERIMENT:-tests/test_experiment}
fix=${FTLAB_TEST_DATA:-tests/data}/experiment
command -v tmux >/dev/null 2>&1 || { echo "# SKIP: tmux is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-xtui-XXXXXX")
sock="ftlab-xtest-$$"
cleanup() { tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1))
    tmux -L "$sock" capture-pane -p -t ftlab 2>/dev/null | sed 's/^/#   /'
}
status_line() { tmux -L "$sock" capture-pane -p -t ftlab 2>/dev/null | grep ' step [0-9]*/' | tail -n 1; }
# wait_for FIELD DESCRIPTION: polls until the status line holds FIELD (an
# extended regex) as a whole '|'-separated field, so "λ 0\.7" does not match "λ 0.75".
wait_for() {
    i=0
    while [ $i -lt 100 ]; do
        if status_line | tr '|' '\n' | sed 's/^ *//; s/ *$//' | grep -qxE -- "$1"; then
            ok "$2"; return 0
        fi
        sleep 0.1; i=$((i + 1))
    done
    not_ok "$2 (no field '$1' in the status line)"
    return 1
}
keys() { tmux -L "$sock" send-keys -t ftlab "$@"; }

run="$tmp/run"
tmux -L "$sock" new-session -d -s ftlab -x 120 -y 32 \
    "OPENBLAS_NUM_THREADS=1 $bin tui --data $fix --init $fix/init-classify.ckpt --hidden 6 --units 5 \
     --batch-size 6 --optimizer sgd --no-shuffle --steps 2 --threads 1 --loss proposed \
     --lambda 0.35 --margin 1.5 --lr 0.25 --paused --out $run; echo \"exit=\$?\" > $tmp/status; sleep 30"
wait_for "paused" "the workbench opens paused"
wait_for "step 0/2 epoch 1" "at step 0"
keys 2
wait_for "loss decov" "2 selects DeCov"
wait_for "(λ|lambda) 1" "with DeCov's own lambda, 1"
keys 4
wait_for "loss proposed" "4 selects the proposed loss again"
wait_for "(λ|lambda) 0\.35" "with the lambda it had, 0.35"
keys +
wait_for "(λ|lambda) 0\.7" "+ doubles lambda to 0.7"
keys ']'
wait_for "m 2\.5" "] raises the margin to 2.5"
keys '>'
wait_for "lr 0\.5" "> doubles the learning rate to 0.5"
keys Space
wait_for "step 2/2 epoch 1" "space trains the two steps"
keys q
i=0
while [ ! -f "$tmp/status" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if grep -qx "exit=0" "$tmp/status" 2>/dev/null; then ok "q quits with status 0"; else not_ok "q quits with status 0"; fi

# The weights and every metrics row, against PyTorch and the journal.
if "$check" --check "$run" proposed-classify >"$tmp/check.log" 2>&1; then
    ok "the workbench's run ends with PyTorch's weights; metrics match the journal"
else
    not_ok "the workbench's run ends with PyTorch's weights; metrics match the journal"
    sed 's/^/#   /' "$tmp/check.log"
    sed 's/^/#   journal: /' "$run/journal"
fi
# The same session replayed headless: the same reference again.
if OPENBLAS_NUM_THREADS=1 "$bin" replay "$run/journal" --out "$tmp/replayed" >"$tmp/replay.log" 2>&1 &&
    "$check" --check "$tmp/replayed" proposed-classify >"$tmp/check2.log" 2>&1; then
    ok "its journal replays to PyTorch's weights"
else
    not_ok "its journal replays to PyTorch's weights"
    sed 's/^/#   /' "$tmp/replay.log" "$tmp/check2.log" 2>/dev/null
fi
echo "1..$n"
[ "$fails" -eq 0 ]
