#!/bin/sh
# The workbench when gnuplot misbehaves (x exports figures through it): a
# gnuplot that hangs (and leaves a child behind), one that dies of SIGSEGV,
# and one that is missing. The screen must keep updating and answering keys,
# the failure must reach the status line, the hung process group must be
# killed at the time limit, and q must quit.
# Needs tmux (says SKIP, status 77, without it) and FTLAB_BIN.
set -u
bin=${FTLAB_BIN:-./ftlab}
command -v tmux >/dev/null 2>&1 || { echo "# SKIP: tmux is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-tuif-XXXXXX")
sock="ftlab-tuif-$$-0"
cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null
    # a hung fake left behind (a failed check): only our own sleeper, by its pid
    for p in $(cat "$tmp/hang.pids" 2>/dev/null); do
        grep -q 100000 "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_DATA_HOME="$tmp/xdg"
unset FTLAB_DATA
fails=0
n=0
limit=4 # seconds: FTLAB_GNUPLOT_TIMEOUT for these runs

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1))
    tmux -L "$sock" capture-pane -p -t ftlab 2>/dev/null | tail -n 4 | sed 's/^/#   /'
}
screen() { tmux -L "$sock" capture-pane -p -t ftlab 2>/dev/null; }
wait_for() { # TEXT DESCRIPTION [SECONDS]
    i=0; lim=$(( ${3:-30} * 10 ))
    while [ $i -lt $lim ]; do
        if screen | grep -q -- "$1"; then ok "$2"; return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    not_ok "$2 (no '$1' on screen)"
    return 1
}
keys() { tmux -L "$sock" send-keys -t ftlab "$@"; }
step() { screen | grep -o 'step [0-9]*/' | head -n 1 | tr -dc '0-9'; }
# steps_advance DESCRIPTION: the step counter on screen moves within 3 s.
steps_advance() {
    a=$(step); i=0
    while [ $i -lt 30 ]; do
        sleep 0.1; i=$((i + 1)); b=$(step)
        if [ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ]; then ok "$1"; return 0; fi
    done
    not_ok "$1 (step stayed at '$a')"
}
# start GNUPLOT: the workbench on the sample, with that program as gnuplot.
runs=0
start() {
    rm -rf "$tmp/run" "$tmp/status"
    tmux -L "$sock" kill-server 2>/dev/null
    runs=$((runs + 1))
    sock="ftlab-tuif-$$-$runs" # a new server each time: never one that is still going away
    tmux -L "$sock" new-session -d -s ftlab -x 200 -y 40 \
        "OPENBLAS_NUM_THREADS=1 FTLAB_GNUPLOT='$1' FTLAB_GNUPLOT_TIMEOUT=$limit $bin --sample --hidden 16 --units 8 --batch-size 32 --epochs 1000 --out $tmp/run; echo \"exit=\$?\" > $tmp/status; sleep 30"
    wait_for "running" "the workbench starts with gnuplot = $(basename "$1")"
    # a few steps first, so that there is a loss figure to draw (and gnuplot to run)
    i=0
    while s=$(step) && [ $i -lt 300 ] && [ "${s:-0}" -lt 10 ]; do sleep 0.1; i=$((i + 1)); done
}
# quits_within SECONDS DESCRIPTION: q, then the program exits 0 within that time.
quits_within() {
    keys q
    i=0
    while [ ! -f "$tmp/status" ] && [ $i -lt $(($1 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    if [ -f "$tmp/status" ] && grep -q -x "exit=0" "$tmp/status"; then ok "$2"; else not_ok "$2"; fi
}

# A gnuplot that never reads its script nor exits, with a child of its own.
cat >"$tmp/gp-hang" <<EOF
#!/bin/sh
echo \$\$ >>"$tmp/hang.pids"
sleep 100000 &
echo \$! >>"$tmp/hang.pids"
wait
EOF
# A gnuplot that reads its script and dies of a segmentation fault.
printf '#!/bin/sh\ncat >/dev/null\nkill -SEGV $$\n' >"$tmp/gp-segv"
chmod +x "$tmp/gp-hang" "$tmp/gp-segv"

start "$tmp/gp-hang"
keys x
wait_for "exporting figures" "x starts the export"
steps_advance "while gnuplot hangs, training and the screen go on"
keys Space
wait_for "paused" "while gnuplot hangs, keys answer (space pauses)" 5
keys Space
wait_for "running" "space resumes" 5
wait_for "did not finish within $limit s\([^[:alnum:]]\|$\)" "the hung gnuplot is reported on the status line" $((limit + 10))
sleep 0.5
alive=""
# (a zombie has been killed already: it waits only for whoever inherited it to reap it)
for p in $(cat "$tmp/hang.pids"); do
    kill -0 "$p" 2>/dev/null && ! grep -q ') Z' "/proc/$p/stat" 2>/dev/null && alive="$alive $p"
done
if [ -z "$alive" ]; then ok "the hung gnuplot and its child were killed"; else not_ok "still alive:$alive"; fi
steps_advance "after the failed export training goes on"
keys x
wait_for "exporting figures" "x starts a second export that hangs too"
quits_within $((limit + 5)) "q quits while gnuplot hangs, within its time limit"

start "$tmp/gp-segv"
keys x
wait_for "gnuplot was killed by signal 11\([^0-9]\|$\)" "a gnuplot killed by SIGSEGV is reported on the status line" 15
steps_advance "after the crash training goes on"
quits_within 10 "q quits after the crash"

start "$tmp/no-such-gnuplot"
keys x
wait_for "not found or not executable" "a missing gnuplot is reported on the status line" 10
quits_within 10 "q quits after that"

echo "1..$n"
[ "$fails" -eq 0 ]
