# Sourced by the tmux scripts (after testlib.sh, with $bin set; TMUX_TEST names
# the script, for its temporary folder and sockets): TAP lines, a temporary
# folder $tmp removed at exit, and panes to run the workbench in.
#
# Every tmux_start gets a tmux server of its own. A new server on a socket
# whose server has just exited sometimes fails to start ("server exited
# unexpectedly"), and a script would then talk to nothing; fresh socket names
# avoid that, and the exit trap kills every server started.

command -v tmux >/dev/null 2>&1 || { echo "# SKIP: tmux is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-${TMUX_TEST:-tmux}-XXXXXX")
sess=ftlab # the session's name; a script may choose another before a tmux_start
sock=
socks=
starts=0
n=0
fails=0
tmux_cleanup() {
    for s in $socks; do tmux -L "$s" kill-server 2>/dev/null; done
    rm -rf "$tmp"
}
trap tmux_cleanup EXIT

# tmux_start W H COMMAND: COMMAND (one shell line) in a W x H pane of a new server.
tmux_start() {
    starts=$((starts + 1))
    sock="ftlab-${TMUX_TEST:-tmux}-$$-$starts"
    socks="$socks $sock"
    tmux -L "$sock" new-session -d -s "$sess" -x "$1" -y "$2" "$3"
}
tm() { tmux -L "$sock" "$@"; } # tmux on the server started last
screen() { tmux -L "$sock" capture-pane -p -t "$sess" 2>/dev/null; }
keys() { tmux -L "$sock" send-keys -t "$sess" "$@"; }

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { # DESCRIPTION: also shows the screen, as the test saw it
    n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1))
    screen | sed 's/^/#   /'
}
check() { # DESCRIPTION COMMAND...
    d=$1; shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# wait_screen TEXT DESCRIPTION [SECONDS]: polls (default 15 s) for a fixed string on the screen.
wait_screen() {
    i=0 limit=$((${3:-15} * 10))
    while [ $i -lt $limit ]; do
        if screen | grep -qF -- "$1"; then ok "$2"; return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    not_ok "$2 (no '$1' on the screen)"
    return 1
}
# wait_for REGEX DESCRIPTION [SECONDS]: the same for an extended regular expression (30 s).
wait_for() {
    i=0 limit=$((${3:-30} * 10))
    while [ $i -lt $limit ]; do
        if screen | grep -qE -- "$1"; then ok "$2"; return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    not_ok "$2 (no /$1/ on the screen)"
    return 1
}
# tmux_done: the TAP plan, and the exit status.
tmux_done() {
    echo "1..$n"
    [ "$fails" -eq 0 ]
}
