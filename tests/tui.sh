#!/bin/sh
# The workbench end to end, in a real terminal: ftlab runs under tmux on the
# embedded sample; keys go in with send-keys, the screen comes out with
# capture-pane, and we check what a user would see. Then the session's
# journal is replayed headless and must end with the same weights.
# Needs tmux (says SKIP, status 77, without it) and FTLAB_BIN; without gnuplot
# the export checks are reported as '# SKIP' lines.
set -u
bin=${FTLAB_BIN:-./ftlab}
command -v tmux >/dev/null 2>&1 || { echo "# SKIP: tmux is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-tui-XXXXXX")
sock="ftlab-test-$$"
cleanup() { tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export XDG_DATA_HOME="$tmp/xdg"
unset FTLAB_DATA
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
not_ok() {
    n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1))
    tmux -L "$sock" capture-pane -p -t ftlab 2>/dev/null | sed 's/^/#   /'
}
screen() { tmux -L "$sock" capture-pane -p -t ftlab 2>/dev/null; }
# wait_for TEXT DESCRIPTION [SECONDS]: polls the screen until TEXT (a grep pattern) shows.
wait_for() {
    i=0; limit=$(( ${3:-30} * 10 ))
    while [ $i -lt $limit ]; do
        if screen | grep -q -- "$1"; then ok "$2"; return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    not_ok "$2 (no '$1' on screen)"
    return 1
}
# status_is REGEX: a field of the status line ("| ... |") is REGEX, whole (an awk ERE).
status_is() {
    screen | STATUS_FIELD=$1 awk -F'|' '
        /\| step [0-9]/ {
            for (i = 1; i <= NF; i++) {
                f = $i; gsub(/^ +| +$/, "", f)
                if (f ~ ("^(" ENVIRON["STATUS_FIELD"] ")$")) found = 1
            }
        }
        END { exit !found }'
}
# wait_status REGEX DESCRIPTION [SECONDS]: polls until the status line has that field.
wait_status() {
    i=0; limit=$(( ${3:-30} * 10 ))
    while [ $i -lt $limit ]; do
        if status_is "$1"; then ok "$2"; return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    not_ok "$2 (no field '$1' on the status line)"
    return 1
}
keys() { tmux -L "$sock" send-keys -t ftlab "$@"; }

run="$tmp/run"
tmux -L "$sock" new-session -d -s ftlab -x 100 -y 32 \
    "OPENBLAS_NUM_THREADS=1 $bin --sample --hidden 16 --units 8 --batch-size 32 --epochs 1000 --out $run; echo \"exit=\$?\" > $tmp/status; sleep 30"
wait_status "running" "the workbench opens and trains" 30
wait_for "embedded sample" "the status line names the data"
keys 4
wait_status "loss proposed" "key 4 switches to the proposed loss"
keys +
wait_status "(λ|lambda) 0\.2" "+ doubles lambda (0.1, the proposed loss's own, to 0.2)"
keys Space
wait_status "paused" "space pauses"
keys Space
wait_status "running" "space resumes"
keys e
wait_for "AMI_max *k=9 [0-9][0-9.]* " "e evaluates the clusters and shows AMI_max" 60
if command -v gnuplot >/dev/null 2>&1; then
    keys x
    wait_for "figures (.png, .gp, .dat) in " "x exports the figures" 60
    for f in loss actmap clusters; do
        if [ -s "$run/figures/$f.png" ] && [ -s "$run/figures/$f.gp" ]; then ok "x wrote figures/$f.png and .gp"; else not_ok "x wrote figures/$f.png and .gp"; fi
    done
else
    skip "x exports the figures" "gnuplot is not on PATH"
    for f in loss actmap clusters; do skip "x wrote figures/$f.png and .gp" "gnuplot is not on PATH"; done
fi
keys '?'
wait_for "Keys" "? shows the key overlay"
keys Escape
tmux -L "$sock" resize-window -t ftlab -x 60 -y 18
sleep 0.5
wait_status "running|paused" "a resize to 60x18 keeps drawing"
tmux -L "$sock" resize-window -t ftlab -x 30 -y 8
wait_for "too small" "below 40x12 it says so"
tmux -L "$sock" resize-window -t ftlab -x 100 -y 32
wait_status "running" "back to 100x32"
keys q
i=0
while [ ! -f "$tmp/status" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if [ -f "$tmp/status" ] && grep -q -x "exit=0" "$tmp/status"; then ok "q quits with status 0"; else not_ok "q quits with status 0"; fi
if [ -f "$run/checkpoints/final.ckpt" ]; then ok "quitting wrote final.ckpt"; else not_ok "quitting wrote final.ckpt"; fi
# Values as the journal writes them (%.17g): 0.2 is 0.20000000000000001.
for ev in "loss proposed" "lambda 0.20000000000000001" "pause" "resume" "eval" "quit"; do
    if grep -q -x "step [0-9]* $ev" "$run/journal"; then ok "the journal has '$ev'"; else not_ok "the journal has '$ev'"; cat "$run/journal" | sed 's/^/#   /'; fi
done

# The interactive session, replayed headless, ends with the same weights.
if OPENBLAS_NUM_THREADS=1 "$bin" replay "$run/journal" --out "$tmp/replayed" 2>/dev/null &&
    "$bin" export "$run" "$tmp/w1" >/dev/null && "$bin" export "$tmp/replayed" "$tmp/w2" >/dev/null; then
    same=1
    for f in "$tmp"/w1/*.npy; do cmp -s "$f" "$tmp/w2/$(basename "$f")" || same=0; done
    if [ $same -eq 1 ]; then ok "the replay ends with the session's weights"; else not_ok "the replay ends with the session's weights"; fi
else
    not_ok "replay and export ran"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
