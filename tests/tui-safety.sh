#!/bin/sh
# The workbench where a user can hurt a run or lose the screen (issue 13):
# a terminal without cursor addressing (TERM=dumb) is refused with a message
# that points to 'ftlab train'; once training is done, control keys change
# nothing (not the controls, not the status line, not the journal, which gets
# only "quit"); the "too small" message fits every size down to 10x2; a
# resumed run shows its last evaluation from eval.csv. Under tmux, like
# tests/tui.sh. Needs tmux (exits 77, a skip, without it) and FTLAB_BIN.
set -u
bin=${FTLAB_BIN:-./ftlab}
command -v tmux >/dev/null 2>&1 || { echo "# SKIP: tmux is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-safety-XXXXXX")
sock="ftlab-safety-$$"
cleanup() { tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export XDG_DATA_HOME="$tmp/xdg" OPENBLAS_NUM_THREADS=1
unset FTLAB_DATA
. "${FTLAB_SRCDIR:-.}/tests/testlib.sh"
fails=0
n=0
small="--sample --hidden 16 --units 8 --batch-size 32"

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1))
    screen | sed 's/^/#   /'
}
check() { # DESCRIPTION COMMAND...: ok when the command succeeds
    d=$1; shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}
win=none
screen() { tmux -L "$sock" capture-pane -p -t "$win" 2>/dev/null; }
keys() { tmux -L "$sock" send-keys -t "$win" "$@"; }
# start COLS ROWS COMMAND: a new session running COMMAND, then its exit status into $tmp/status.
# (One server throughout: a session that sleeps keeps it up between cases.)
tmux -L "$sock" new-session -d -s keep "sleep 600"
cases=0
start() {
    tmux -L "$sock" kill-session -t "$win" 2>/dev/null
    rm -f "$tmp/status"
    cases=$((cases + 1)); win="case$cases"
    tmux -L "$sock" new-session -d -s "$win" -x "$1" -y "$2" \
        "$3; echo \"exit=\$?\" > $tmp/status; sleep 60"
}
# status_field REGEX: the status line ("| step ... |") has a field that is REGEX, whole.
status_field() {
    screen | STATUS_FIELD=$1 awk -F'|' '
        /\| step [0-9]/ {
            for (i = 1; i <= NF; i++) {
                f = $i; gsub(/^ +| +$/, "", f)
                if (f ~ ("^(" ENVIRON["STATUS_FIELD"] ")$")) found = 1
            }
        }
        END { exit !found }'
}
# wait_until SECONDS COMMAND...: polls until the command succeeds.
wait_until() {
    i=0; limit=$(($1 * 10)); shift
    while [ $i -lt $limit ]; do
        "$@" && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
exited() { [ -f "$tmp/status" ]; }
exit_is() { exited && grep -q -x "exit=$1" "$tmp/status"; }
on_screen() { screen | holds "$1"; }

# ---- 7: a terminal without cursor addressing ----
start 80 24 "TERM=dumb $bin $small --out $tmp/dumb"
wait_until 20 exited
check "TERM=dumb: ftlab exits with status 1" exit_is 1
check "TERM=dumb: the message names the terminal and points to 'ftlab train'" on_screen \
    "ftlab: TERM=dumb cannot move the cursor; use 'ftlab train' for headless runs"

echo "1..$n"
[ "$fails" -eq 0 ]
