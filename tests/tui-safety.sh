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
on_screen_grep() { screen | grep -q -- "$1"; }

# ---- 7: a terminal without cursor addressing ----
start 80 24 "TERM=dumb $bin $small --out $tmp/dumb"
wait_until 20 exited
check "TERM=dumb: ftlab exits with status 1" exit_is 1
check "TERM=dumb: the message names the terminal and points to 'ftlab train'" on_screen \
    "ftlab: TERM=dumb cannot move the cursor; use 'ftlab train' for headless runs"
check "TERM=dumb: no run folder is left behind" [ ! -e "$tmp/dumb" ]
start 80 24 "TERM=no-such-terminal $bin $small --out $tmp/unknown"
wait_until 20 exited
check "an unknown TERM: ftlab exits with status 1" exit_is 1
check "an unknown TERM: no run folder is left behind" [ ! -e "$tmp/unknown" ]

# ---- 8a: training done, then keys ----
run="$tmp/done"
start 100 30 "$bin $small --steps 20 --out $run"
wait_until 30 status_field "done" && ok "a 20-step run reaches done" || not_ok "a 20-step run reaches done"
check "done: the status line shows the epoch step 20 was in (epoch 1)" status_field "step 20/20 epoch 1"
cp "$run/journal" "$tmp/journal.done"
for k in 4 + ] '>' Space 2 - '[' '<' 3; do keys "$k"; done
sleep 1
check "done: keys leave the status line's step and epoch" status_field "step 20/20 epoch 1"
check "done: keys leave the loss" status_field "loss baseline"
check "done: keys leave lambda" status_field "(λ|lambda) 1"
check "done: keys leave the state" status_field "done"
check "done: the message line says keys change nothing now" on_screen \
    "training done: keys change nothing now; e evaluates, x exports, q quits"
keys q
wait_until 30 exited
check "done: q exits with status 0" exit_is 0
{ cat "$tmp/journal.done"; echo "step 20 quit"; } >"$tmp/journal.want"
if cmp -s "$tmp/journal.want" "$run/journal"; then ok "done: the journal got only 'quit'"; else
    not_ok "done: the journal got only 'quit'"; diff "$tmp/journal.want" "$run/journal" | sed 's/^/#   /'
fi

# A finished run, resumed: done from the start, so keys sent at once change nothing either.
cp "$run/journal" "$tmp/journal.done"
start 100 30 "$bin --resume $run"
for i in 1 2 3 4 5 6 7 8 9 10; do keys 4 + ] '>' Space; sleep 0.1; done
wait_until 30 status_field "done" && ok "a finished run resumes done" || not_ok "a finished run resumes done"
check "resumed done: keys leave the loss" status_field "loss baseline"
keys q
wait_until 30 exited
{ cat "$tmp/journal.done"; echo "step 20 resume"; echo "step 20 quit"; } >"$tmp/journal.want"
if cmp -s "$tmp/journal.want" "$run/journal"; then ok "resumed done: the journal got only 'resume' and 'quit'"; else
    not_ok "resumed done: the journal got only 'resume' and 'quit'"; diff "$tmp/journal.want" "$run/journal" | sed 's/^/#   /'
fi

# An evaluation whose files cannot be written (eval.csv is a folder) says so, and frees what it
# computed: under AddressSanitizer a leak there makes ftlab's status 23.
start 100 30 "$bin --resume $run"
wait_until 30 status_field "done" || not_ok "the finished run opens again"
rm -f "$run/eval.csv" # the live evaluation wrote one while the run trained
mkdir "$run/eval.csv"
keys e
if wait_until 60 on_screen_grep "evaluation failed: .*eval.csv"; then ok "e with eval.csv a folder: evaluation failed, said so"; else
    not_ok "e with eval.csv a folder: evaluation failed, said so"
fi
keys q
wait_until 60 exited
check "after a failed evaluation q exits with status 0" exit_is 0
rmdir "$run/eval.csv"

# At an epoch's end, done shows that epoch, not the next.
start 100 30 "$bin $small --epochs 1 --out $tmp/epoch"
wait_until 30 status_field "done" && ok "a 1-epoch run reaches done" || not_ok "a 1-epoch run reaches done"
check "done after 1 epoch: the status line says epoch 1" status_field "step 188/188 epoch 1"
keys q
wait_until 30 exited

# ---- 8b: "too small", at every size down to 10x2 ----
start 100 30 "$bin $small --paused --out $tmp/small"
wait_until 30 status_field "paused" || not_ok "the workbench opens paused"
# small_fits W H: the screen holds the whole message, in one of its lengths, on one line.
# The message whole, and the size needed on its line or the next wherever it fits (10 columns).
small_fits() {
    screen | W=$1 H=$2 awk '
        { sub(/^ +/, ""); sub(/ +$/, "") }
        $0 == "terminal too small: " ENVIRON["W"] "x" ENVIRON["H"] ", need 40x12" ||
        $0 == "too small: " ENVIRON["W"] "x" ENVIRON["H"] ", need 40x12" { found = need = 1 }
        $0 == "too small: " ENVIRON["W"] "x" ENVIRON["H"] || $0 == "too small" { found = 1 }
        $0 == "need 40x12" { need = 1 }
        END { exit !(found && (need || ENVIRON["W"] < 10 || ENVIRON["H"] < 2)) }'
}
for size in 39x11 30x8 20x5 12x3 10x2; do
    w=${size%x*} h=${size#*x}
    tmux -L "$sock" resize-window -t "$win" -x "$w" -y "$h"
    if wait_until 5 small_fits "$w" "$h"; then ok "at ${size} the 'too small' message is whole"; else
        not_ok "at ${size} the 'too small' message is whole"
    fi
done
tmux -L "$sock" resize-window -t "$win" -x 100 -y 30
wait_until 10 status_field "paused" && ok "back at 100x30 it draws" || not_ok "back at 100x30 it draws"
keys q
wait_until 30 exited

# ---- 8c: a resumed run shows its last evaluation ----
run="$tmp/resumed"
"$bin" train $small --steps 20 --out "$run" >/dev/null 2>&1 && "$bin" eval "$run" >/dev/null 2>&1
ami=$(awk -F, 'NR == 2 { printf "%.3f", $3 }' "$run/eval.csv")
acc=$(awk -F, 'NR == 2 { printf "%.4f", $NF }' "$run/eval.csv")
start 120 32 "$bin --resume $run --steps 40 --paused"
wait_until 30 status_field "paused" || not_ok "the resumed workbench opens paused"
check "resumed: the clusters panel shows eval.csv's AMI_max for k=9 ($ami)" on_screen "k=9 $ami"
check "resumed: and its step and test accuracy" on_screen "at step 20: test accuracy $acc"
keys q
wait_until 30 exited
check "resumed: q exits with status 0" exit_is 0

# ---- 8d: the sample's message: how to install the real data, or that it is not the data ----
# (while it trains: a paused or finished run's message line says so instead)
start 100 30 "$bin $small --out $tmp/s1"
wait_until 30 status_field "running" || not_ok "the sample run trains"
check "nothing installed: the message says how to install the MNIST strokes" wait_until 10 \
    on_screen_grep "embedded sample data: install MNIST strokes with 'ftlab data fetch'"
keys q
wait_until 30 exited
mkdir -p "$tmp/installed" && : >"$tmp/installed/train.npz" && : >"$tmp/installed/test.npz"
start 100 30 "FTLAB_DATA=$tmp/installed $bin $small --out $tmp/s2"
wait_until 30 status_field "running" || not_ok "the sample run beside installed data trains"
check "data installed: the message says the sample is not it" wait_until 10 \
    on_screen_grep "embedded sample data (synthetic pen strokes), not the installed data"
keys q
wait_until 30 exited

echo "1..$n"
[ "$fails" -eq 0 ]
