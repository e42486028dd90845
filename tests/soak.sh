#!/bin/sh
# Soak: the workbench under tmux on the embedded sample, for SOAK_SECONDS
# (default 20), with what a user and a terminal throw at it at once: random
# keys at about 50 a second (every key of the workbench but q, bookmarks,
# rewinds, the pace, n, resets, the cursor and focus keys among them; x only
# with gnuplot), random window sizes from 30x8 to 250x80, storms of SIGWINCH,
# SIGTSTP/SIGCONT and SIGSTOP/SIGCONT. Then an SSH disconnect, twice: SIGHUP
# to ftlab, after which the terminal must be as it was (normal screen, cursor
# on, icanon and echo, our text printed after it shows); and, after a
# --resume, the tmux pane killed under it. Each time ftlab must exit 0 with
# final.ckpt written and no sanitizer report, and at the end the journal of
# both sessions must replay headless to the same weights, byte for byte.
#
# Runs in the ASan and TSan builds of .ci/run (SOAK_SECONDS=120 there).
# SOAK_SEED repeats a run's random choices (it is printed). Needs tmux (exits
# 77, a skip, without it) and FTLAB_BIN.
set -u
bin=${FTLAB_BIN:-./ftlab}
secs=${SOAK_SECONDS:-20}
seed=${SOAK_SEED:-$(( $(date +%s) % 100000 + $$ ))}
command -v tmux >/dev/null 2>&1 || { echo "# SKIP: tmux is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-soak-XXXXXX")
sock="ftlab-soak-$$"
cleanup() { tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export XDG_DATA_HOME="$tmp/xdg" OPENBLAS_NUM_THREADS=1
unset FTLAB_DATA
# Sanitizer reports go to files of their own as well as to stderr.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$tmp/san-asan"
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}log_path=$tmp/san-tsan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$tmp/san-ubsan"
fails=0
n=0
seed0=$seed
echo "# soak: $secs s, SOAK_SEED=$seed"

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
check() { # DESCRIPTION COMMAND...
    d=$1; shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}
tm() { tmux -L "$sock" "$@"; }
screen() { tm capture-pane -p -t soak 2>/dev/null; }
wait_until() { # SECONDS COMMAND...
    i=0; limit=$(($1 * 10)); shift
    while [ $i -lt $limit ]; do
        "$@" && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
exited() { [ -s "$tmp/status.$phase" ]; }
# The pane runs ftlab, then records what a user would find afterwards. The
# wrapper ignores SIGHUP so that it outlives a killed pane to write the status,
# and lingers until the test's folder is gone.
# A session that sleeps keeps the server up between phases: killing the last
# session makes tmux exit, and a new session asked for meanwhile fails ("server
# exited unexpectedly").
tm new-session -d -s keep "sleep 900"
start() { # PHASE ARGS...
    phase=$1; shift
    tm kill-session -t soak 2>/dev/null
    tm new-session -d -s soak -x 100 -y 32 "trap '' HUP; \
        $bin $* 2>>$tmp/stderr; echo \"exit=\$?\" > $tmp/status.$phase; \
        stty -a > $tmp/stty.$phase 2>&1; echo 'soak: the shell again'; \
        while [ -d $tmp ]; do sleep 1; done"
    i=0 pid=
    while [ -z "$pid" ] && [ $i -lt 100 ]; do
        sh_pid=$(tm display -p -t soak '#{pane_pid}' 2>/dev/null)
        # (Never pgrep -P 0: that names init, and the storm would signal it.)
        [ -n "$sh_pid" ] && pid=$(pgrep -P "$sh_pid" 2>/dev/null | head -n 1)
        sleep 0.1; i=$((i + 1))
    done
}
keyset='1234 +-[]<>esl{}?bRgjk,.n0czfuvd'
command -v gnuplot >/dev/null 2>&1 && keyset="${keyset}x"

# storm SECONDS: 10 rounds a second of 5 random keys, and now and then a resize,
# a storm of SIGWINCH, a suspension, a stop; for SECONDS of wall-clock time.
storm() {
    deadline=$(( $(date +%s) + $1 ))
    awk -v seed="$seed" -v rounds="$(($1 * 10))" -v keys="$keyset" 'BEGIN {
        srand(seed)
        for (r = 0; r < rounds; r++) {
            s = ""
            for (i = 0; i < 5; i++) s = s substr(keys, int(rand() * length(keys)) + 1, 1)
            print "keys " s
            if (rand() < 0.05) print "enter" # chooses in the rewind menu when R opened it
            if (rand() < 0.1) { # the cursor and focus keys
                split("Tab Left Right Home End Escape BTab", sk, " ")
                print "special " sk[1 + int(rand() * 7)]
            }
            x = rand()
            if (x < 0.08) printf "resize %d %d\n", 30 + int(rand() * 221), 8 + int(rand() * 73)
            else if (x < 0.11) print "winch"
            else if (x < 0.13) print "tstp"
            else if (x < 0.14) print "stop"
            print "sleep"
        }
    }' | while read -r what a b; do
        case $what in
        keys) tm send-keys -t soak -l "$a" 2>/dev/null ;;
        enter) tm send-keys -t soak Enter 2>/dev/null ;;
        special) tm send-keys -t soak "$a" 2>/dev/null ;;
        resize) tm resize-window -t soak -x "$a" -y "$b" 2>/dev/null ;;
        winch) for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
                kill -WINCH "$pid" 2>/dev/null; done ;;
        tstp) kill -TSTP "$pid" 2>/dev/null; sleep 0.2; kill -CONT "$pid" 2>/dev/null ;;
        stop) kill -STOP "$pid" 2>/dev/null; sleep 0.3; kill -CONT "$pid" 2>/dev/null ;;
        sleep) sleep 0.1; [ "$(date +%s)" -lt "$deadline" ] || break ;;
        esac
    done
    seed=$((seed + 1))
}
steps() { awk -F, 'END { print $1 + 0 }' "$1/metrics.csv" 2>/dev/null; }
no_sanitizer_report() {
    ! ls "$tmp"/san-* >/dev/null 2>&1 &&
        ! grep -q -E 'Sanitizer|runtime error:|LeakSanitizer' "$tmp/stderr" 2>/dev/null
}
stty_restored() { # PHASE: icanon and echo on, as whole words
    tr ' ;' '\n\n' <"$tmp/stty.$1" | grep -q -x icanon &&
        tr ' ;' '\n\n' <"$tmp/stty.$1" | grep -q -x echo
}

run="$tmp/run"
small="--sample --hidden 16 --units 8 --batch-size 32"
phase1=$((secs * 4 / 5)) phase2=$((secs / 5 > 3 ? secs / 5 : 3))
# Training stops (done) partway through each phase at this build's speed (under the storm
# it runs at a quarter of its headless speed, half of the time paused), so
# the keys meet a finished run too, and the replay takes no longer than that.
# (The speed is the difference of two runs, so that starting up does not count.)
t0=$(date +%s%N)
"$bin" train $small --steps 50 --out "$tmp/speed1" >/dev/null 2>&1
t1=$(date +%s%N)
"$bin" train $small --steps 450 --out "$tmp/speed2" >/dev/null 2>&1
t2=$(date +%s%N)
short=$((t1 - t0)) long=$((t2 - t1))
rate=$(( 400 * 1000000000 / (long > short ? long - short : long) ))
steps1=$((rate * phase1 / 8 + 1)) steps2=$((rate * (phase1 + phase2) / 8 + 2))
echo "# $rate steps/s headless: sessions of up to $steps1 and $steps2 steps"

# ---- 1: keys, sizes and signals, then SIGHUP ----
start 1 "$small --steps $steps1 --out $run"
check "the workbench starts (pid ${pid:-none})" [ -n "$pid" ]
t0=$(date +%s)
storm "$phase1"
echo "# session 1: $(steps "$run") steps in $(( $(date +%s) - t0 )) s"
tm resize-window -t soak -x 100 -y 32
kill -HUP "$pid" 2>/dev/null
check "after SIGHUP ftlab exits" wait_until 120 exited
check "with status 0 ($(cat "$tmp/status.1" 2>/dev/null))" grep -q -x "exit=0" "$tmp/status.1"
check "final.ckpt is written" [ -s "$run/checkpoints/final.ckpt" ]
check "the journal ends with quit" sh -c "tail -n 1 '$run/journal' | grep -q -x 'step [0-9]* quit'"
check "the terminal is back: icanon and echo on" stty_restored 1
check "the terminal is back: normal screen, cursor shown" \
    [ "$(tm display -p -t soak '#{alternate_on} #{cursor_flag}')" = "0 1" ]
check "the terminal is back: the shell's text shows" \
    wait_until 5 sh -c "tmux -L '$sock' capture-pane -p -t soak | grep -q -x 'soak: the shell again'"
check "no sanitizer report so far" no_sanitizer_report

# ---- 2: resumed, then the pane killed under it (the SSH session gone) ----
start 2 "--resume $run --steps $steps2"
check "the workbench resumes (pid ${pid:-none})" [ -n "$pid" ]
storm "$phase2"
tm kill-pane -t soak
check "with its pane killed ftlab exits" wait_until 120 exited
check "with status 0 ($(cat "$tmp/status.2" 2>/dev/null))" grep -q -x "exit=0" "$tmp/status.2"
check "final.ckpt is written again" [ "$run/checkpoints/final.ckpt" -nt "$tmp/status.1" ]
check "no sanitizer report" no_sanitizer_report
check "after 'done' the journal has only 'quit' (or a rewind to go on from)" awk '
    done && $3 != "quit" && $1 != "rewind" { bad = 1 } { done = $3 == "done" } END { exit bad }' "$run/journal"
echo "# journal: $(grep -c '^step' "$run/journal") events, $(grep -c -E '^step [0-9]+ (loss|lambda|margin|lr) ' "$run/journal") changes, $(steps "$run") steps"

# ---- the journal of both sessions, replayed headless, ends with the same weights ----
if "$bin" replay "$run/journal" --out "$tmp/replayed" >"$tmp/replay.log" 2>&1; then
    ok "the journal replays"
else
    not_ok "the journal replays"; sed 's/^/#   /' "$tmp/replay.log"
fi
if "$bin" export "$run" "$tmp/w1" >/dev/null 2>&1 && "$bin" export "$tmp/replayed" "$tmp/w2" >/dev/null 2>&1; then
    same=1
    for f in "$tmp"/w1/*.npy; do cmp -s "$f" "$tmp/w2/$(basename "$f")" || same=0; done
    check "the replay ends with the session's weights, byte for byte" [ $same -eq 1 ]
else
    not_ok "both runs export"
fi
check "no sanitizer report in replay or export" no_sanitizer_report

if [ "$fails" -ne 0 ]; then
    echo "# stderr:"; sed 's/^/#   /' "$tmp/stderr" 2>/dev/null | tail -n 40
    for f in "$tmp"/san-*; do [ -f "$f" ] && sed 's/^/#   /' "$f" | head -n 60; done
    echo "# journal (last lines):"; tail -n 20 "$run/journal" | sed 's/^/#   /'
    echo "# repeat with SOAK_SEED=$seed0"
fi
echo "1..$n"
[ "$fails" -eq 0 ]
