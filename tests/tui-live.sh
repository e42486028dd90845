#!/bin/sh
# Live cluster quality in the workbench: without any key, evaluations start by
# themselves; their scores reach the clusters panel and RUN_DIR/evals.csv, the
# history chart appears once there are two, and none of them is journaled (a
# replay has nothing to redo). A resumed run shows the history again.
# Needs tmux (exit 77 without it) and FTLAB_BIN.
set -u
bin=${FTLAB_BIN:-./ftlab}
TMUX_TEST=live
. "$(dirname "$0")/tmuxlib.sh"
sess=w
export XDG_DATA_HOME="$tmp/xdg"
unset FTLAB_DATA
run="$tmp/run"
start() {
    rm -f "$tmp/status"
    tmux_start 120 40 "OPENBLAS_NUM_THREADS=1 $bin $*; echo \$? >$tmp/status; sleep 30"
}
# quit: q, then wait for ftlab to have exited (an evaluation may be finishing).
quit() {
    keys q
    i=0
    while [ ! -s "$tmp/status" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    if [ "$(cat "$tmp/status" 2>/dev/null)" = 0 ]; then ok "q quits with status 0"; else not_ok "q quits with status 0"; fi
}

start --sample --hidden 16 --units 8 --batch-size 32 --epochs 1000 --out "$run"
wait_for "^ AMI_max +k=9 0\.[0-9]{3} +k=10 0\.[0-9]{3} +k=11 0\.[0-9]{3}" \
    "scores appear without pressing e" 60
wait_for "^AMI_max k=10 over steps" "the AMI history chart appears" 60
wait_for "━ paper baseline 0\.467" "with the paper's Table 1 value for the loss in force" 5
quit
rows=$(awk -F, 'NR > 1 && $2 == 10' "$run/evals.csv" 2>/dev/null | wc -l)
if [ "$rows" -ge 2 ]; then ok "evals.csv holds the history ($rows evaluations)"; else not_ok "evals.csv holds the history ($rows)"; fi
if grep -q '^step [0-9]* eval$' "$run/journal"; then not_ok "automatic evaluations are not journaled"; else ok "automatic evaluations are not journaled"; fi

start --resume "$run" --paused
wait_for "^AMI_max k=10 over steps" "a resumed run shows its history again" 20
quit
tmux_done
