#!/bin/sh
# Live cluster quality in the workbench: without any key, evaluations start by
# themselves; their scores reach the clusters panel and RUN_DIR/evals.csv, the
# history chart appears once there are two, and none of them is journaled (a
# replay has nothing to redo). A resumed run shows the history again.
# Needs tmux (exit 77 without it) and FTLAB_BIN.
set -u
bin=${FTLAB_BIN:-./ftlab}
command -v tmux >/dev/null 2>&1 || { echo "# SKIP: tmux is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-live-XXXXXX")
sock="ftlab-live-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT # the last server
export XDG_DATA_HOME="$tmp/xdg"
unset FTLAB_DATA
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1))
    tmux -L "$sock" capture-pane -p -t w 2>/dev/null | sed 's/^/#   /'
}
screen() { tmux -L "$sock" capture-pane -p -t w 2>/dev/null; }
wait_for() { # REGEX DESCRIPTION SECONDS
    i=0
    while [ $i -lt $(( $3 * 10 )) ]; do
        if screen | grep -qE -- "$1"; then ok "$2"; return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    not_ok "$2 (no /$1/ on screen)"
    return 1
}
run="$tmp/run"
start() {
    rm -f "$tmp/status"
    tmux -L "$sock" new-session -d -s w -x 120 -y 40 \
        "OPENBLAS_NUM_THREADS=1 $bin $*; echo \$? >$tmp/status; sleep 30"
}
# quit: q, then wait for ftlab to have exited (an evaluation may be finishing).
quit() {
    tmux -L "$sock" send-keys -t w q
    i=0
    while [ ! -s "$tmp/status" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    if [ "$(cat "$tmp/status" 2>/dev/null)" = 0 ]; then ok "q quits with status 0"; else not_ok "q quits with status 0"; fi
    tmux -L "$sock" kill-server 2>/dev/null
    # a new server on a socket just killed may fail to start: the next one gets its own
    sock="$sock-x"
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
echo "1..$n"
[ "$fails" -eq 0 ]
