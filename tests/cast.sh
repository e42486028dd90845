#!/bin/sh
# Recordings (asciicast v2): `tui --record` and `replay --render`, on the embedded sample.
#   1. --record refuses a file that exists (before any run folder is made).
#   2. A workbench session under tmux, recorded: opened paused, the window
#      resized, trained to step 40, quit with q. tests/cast_check checks the
#      cast against the format (header fields, events, times never going down,
#      valid UTF-8, output that stays on the screen) and rebuilds the last
#      screen from it: it says "step 40/40"; the resize is an "r" event.
#   3. `replay JOURNAL --render` makes a cast of the same session without a
#      terminal: valid, 120x36 by default, UTF-8 (braille, λ), the last screen
#      at step 40, and the run it trains ends with the weights of a plain
#      `replay --out` and of the session itself (ftlab export, diff -r); a
#      journal of control changes (tests/data/journals) renders to the
#      weights its own version's replay ended with.
#   4. --size; bad input (a bad --size, a journal that is none, a cast that
#      cannot be written) fails with one line naming the file and leaves no
#      cast, temporary or not, and no run folder.
#   5. A recorded session killed with SIGKILL leaves a cast that still passes.
#   6. If asciinema is installed (bootstrap does not install it), `asciinema
#      cat` accepts both casts.
# Needs tmux (exits 77, a skip, without it), FTLAB_BIN and FTLAB_CAST_CHECK.
set -u
bin=${FTLAB_BIN:-./ftlab}
check=${FTLAB_CAST_CHECK:-$(dirname "$bin")/tests/cast_check}
. "$(dirname "$0")/testlib.sh"
TMUX_TEST=cast
. "$(dirname "$0")/tmuxlib.sh"
[ -x "$check" ] || { echo "not ok - no cast checker at $check (make check builds it)"; exit 1; }
export OPENBLAS_NUM_THREADS=1
# Its own not_ok and check: a failure shows a file (a cast's last screen, a log), not the pane.
not_ok() {
    n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1))
    [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/#   /' "$2" | cut -c1-200 | head -n 40
}
check() { if eval "$1"; then ok "$2"; else not_ok "$2" "${3:-}"; fi; }
# wait_screen TEXT DESCRIPTION: polls (30 s) until the screen holds TEXT, a fixed string.
wait_screen() {
    i=0
    while [ $i -lt 300 ]; do
        if screen | grep -qF -- "$1"; then ok "$2"; return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    screen >"$tmp/screen.txt"
    not_ok "$2 (no '$1' on the screen)" "$tmp/screen.txt"
    return 1
}
# valid CAST DESCRIPTION: the checker passes; its last screen goes to CAST.screen.
valid() {
    if "$check" "$1" --screen >"$1.screen" 2>"$1.err"; then ok "$2"; else not_ok "$2" "$1.err"; fi
}
header_size() { head -n 1 "$1" | sed -n 's/.*"width": \([0-9]*\), "height": \([0-9]*\).*/\1x\2/p'; }
# no_cast_left DIR: no *.cast or *.cast.tmp.* file there.
no_cast_left() { [ -z "$(find "$1" -maxdepth 1 -name '*.cast*' 2>/dev/null)" ]; }

# in_tmux SECONDS COMMAND: runs COMMAND in a terminal (tmux), waits for it
# (at most SECONDS) and leaves its status in $tmp/once.status.
in_tmux() {
    rm -f "$tmp/once.status"
    tmux_start 120 36 "$2; echo \$? > $tmp/once.status"
    i=0
    while [ ! -f "$tmp/once.status" ] && [ $i -lt $(($1 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    tm kill-server 2>/dev/null
}

# ---- 1. an existing file is never overwritten ----
echo keep >"$tmp/taken.cast"
in_tmux 20 "$bin tui --sample --record $tmp/taken.cast --out $tmp/never 2>$tmp/o"
check "[ \"\$(cat '$tmp/once.status' 2>/dev/null)\" = 1 ]" "--record refuses a file that exists, status 1" \
    "$tmp/o"
check "grep -q 'taken.cast: exists' '$tmp/o' && [ ! -e '$tmp/never' ] && [ \"\$(cat '$tmp/taken.cast')\" = keep ]" \
    "naming it, before a run folder is made, and the file is kept" "$tmp/o"

# ---- 2. a recorded session ----
run="$tmp/run"
tmux_start 120 36 \
    "LC_ALL=C.UTF-8 $bin tui --sample --steps 40 --paused --record $tmp/F.cast --out $run; echo \"exit=\$?\" > $tmp/status; sleep 30"
wait_screen "step 0/40" "the recorded workbench opens paused"
tm resize-window -t "$sess" -x 100 -y 30 2>/dev/null
sleep 0.5
keys Space
wait_screen "step 40/40" "it trains to step 40"
sleep 0.3
keys q
i=0
while [ ! -f "$tmp/status" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "grep -q 'exit=0' '$tmp/status' 2>/dev/null" "q quits, status 0"
valid "$tmp/F.cast" "the recording is an asciicast v2 file (header, events, times, UTF-8, screen)"
check "grep -q 'step 40/40' '$tmp/F.cast.screen'" "its last frame shows step 40/40" "$tmp/F.cast.screen"
check "[ \"\$(header_size '$tmp/F.cast')\" = 120x36 ]" "its header has the terminal's size, 120x36"
check "grep -q '\"r\", \"100x30\"' '$tmp/F.cast'" "the resize is recorded as an \"r\" event"
check "grep -q '⣀\\|⠉\\|⠒' '$tmp/F.cast'" "braille curves are recorded as UTF-8"

# ---- 3. the same session rendered from its journal ----
"$bin" replay "$run/journal" --render "$tmp/G.cast" --out "$tmp/rendered" >"$tmp/o" 2>&1
rc=$?
check "[ $rc -eq 0 ]" "replay --render runs" "$tmp/o"
valid "$tmp/G.cast" "the render is an asciicast v2 file"
check "grep -q 'step 40/40' '$tmp/G.cast.screen' && grep -q 'journal ends here' '$tmp/G.cast.screen'" \
    "its last frame shows step 40/40 and the journal's end" "$tmp/G.cast.screen"
check "[ \"\$(header_size '$tmp/G.cast')\" = 120x36 ]" "it is 120x36 by default"
check "grep -q 'λ' '$tmp/G.cast' && grep -q '⣀\\|⠉\\|⠒' '$tmp/G.cast'" "it is drawn in UTF-8 (λ, braille)"
check "[ \"\$(grep -c '^\\[' '$tmp/G.cast')\" -ge 30 ]" "it has a frame for most steps"
# The last event: 20 frames a second plus the hold at the end, so well under a minute here.
last=$(tail -n 1 "$tmp/G.cast" | sed 's/^\[\([0-9.]*\),.*/\1/')
check "awk -v t='$last' 'BEGIN { exit !(t > 2 && t < 10) }'" "it plays in a few seconds ($last s)"
"$bin" replay "$run/journal" --out "$tmp/plain" -q >"$tmp/o" 2>&1
for r in run rendered plain; do "$bin" export "$tmp/$r" "$tmp/w-$r" >/dev/null 2>&1; done
check "diff -r '$tmp/w-plain' '$tmp/w-rendered' >/dev/null && [ -n \"\$(ls '$tmp/w-plain')\" ]" \
    "the rendered run ends with the weights of a plain replay, bit for bit"
check "diff -r '$tmp/w-run' '$tmp/w-rendered' >/dev/null" "and of the recorded session"

# A journal with every kind of control change (tests/data/journals): the render applies each at
# its step, as the version that wrote the journal did (its final.ckpt), and shows the last ones.
fixture=${FTLAB_TEST_DATA:-$(dirname "$0")/data}/journals
"$bin" replay "$fixture/classify-controls.journal" --render "$tmp/C.cast" --out "$tmp/controls" -q \
    >"$tmp/o" 2>&1
valid "$tmp/C.cast" "a journal of control changes renders a valid cast"
check "grep -q 'loss xcov' '$tmp/C.cast.screen' && grep -q 'lr 0.002' '$tmp/C.cast.screen'" \
    "its last frame shows the controls the journal ended with" "$tmp/C.cast.screen"
"$bin" export "$tmp/controls" "$tmp/w-controls" >/dev/null 2>&1
"$bin" export "$fixture/classify-controls.final.ckpt" "$tmp/w-fixture" >/dev/null 2>&1
check "diff -r '$tmp/w-fixture' '$tmp/w-controls' >/dev/null && [ -n \"\$(ls '$tmp/w-fixture')\" ]" \
    "and ends with the weights the journal's own replay ended with"

# ---- 4. --size and bad input ----
"$bin" replay "$run" --render "$tmp/S.cast" --size 80x24 --out "$tmp/small" -q >"$tmp/o" 2>&1
valid "$tmp/S.cast" "--size 80x24 renders a valid cast"
check "[ \"\$(header_size '$tmp/S.cast')\" = 80x24 ]" "of 80x24"
mkdir "$tmp/bad"
if "$bin" replay "$run" --render "$tmp/bad/x.cast" --size 10x5 --out "$tmp/bad/run" >"$tmp/o" 2>&1; then
    not_ok "--size 10x5 is refused"
else
    check "grep -q \"10x5\" '$tmp/o' && [ ! -e '$tmp/bad/run' ] && no_cast_left '$tmp/bad'" \
        "--size 10x5 is refused, saying so, and nothing is made" "$tmp/o"
fi
printf 'not a journal\n' >"$tmp/bad/journal"
if "$bin" replay "$tmp/bad/journal" --render "$tmp/bad/x.cast" --out "$tmp/bad/run" >"$tmp/o" 2>&1; then
    not_ok "a file that is no journal is refused"
else
    check "[ \$(wc -l <'$tmp/o') -eq 1 ] && grep -q 'bad/journal' '$tmp/o' && no_cast_left '$tmp/bad' && [ ! -e '$tmp/bad/run' ]" \
        "a file that is no journal: one line naming it, no cast, no run" "$tmp/o"
fi
if "$bin" replay "$run" --render "$tmp/nodir/x.cast" --out "$tmp/bad/run" >"$tmp/o" 2>&1; then
    not_ok "a cast that cannot be written is refused"
else
    check "[ \$(wc -l <'$tmp/o') -eq 1 ] && grep -q 'nodir/x.cast' '$tmp/o' && [ ! -e '$tmp/bad/run' ]" \
        "a cast that cannot be written: one line naming it, before a run folder is made" "$tmp/o"
fi
check "no_cast_left '$tmp/bad'" "no temporary cast is left behind"

# ---- 5. killed while recording ----
tmux_start 100 30 \
    "LC_ALL=C.UTF-8 exec $bin tui --sample --steps 100000 --record $tmp/K.cast --out $tmp/killed"
wait_screen "step 1" "a long recorded session trains"
sleep 1
pid=$(tm list-panes -t "$sess" -F '#{pane_pid}' 2>/dev/null)
[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
sleep 0.5
valid "$tmp/K.cast" "killed with SIGKILL mid-session, its recording still passes (whole lines)"

# ---- the checker itself refuses what breaks the format (else it proves nothing) ----
head -n 1 "$tmp/G.cast" >"$tmp/h"
refused() { # DESCRIPTION EVENT-LINES [HEADER-SED]
    { sed "${3:-}" "$tmp/h"; printf '%b' "$2"; } >"$tmp/bad.cast"
    if "$check" "$tmp/bad.cast" 2>/dev/null; then not_ok "the checker refuses $1"; else ok "the checker refuses $1"; fi
}
refused "times going down" '[1.0, "o", "a"]\n[0.5, "o", "b"]\n'
refused "bytes that are not UTF-8" '[1.0, "o", "a\377"]\n'
refused "a raw ESC in a string" '[1.0, "o", "\033[H"]\n'
refused "version 1" '[1.0, "o", "a"]\n' 's/"version": 2/"version": 1/'
refused "a width that is no integer" '[1.0, "o", "a"]\n' 's/"width": 120/"width": 120.5/'
refused "a last line without a newline" '[1.0, "o", "a"]'
refused "an event type other than o or r" '[1.0, "x", "a"]\n'
refused "output past the screen's edge" '[1.0, "o", "\\u001b[1;120Hab"]\n'

# ---- 6. asciinema itself, when installed (it plays on a terminal: under tmux) ----
if command -v asciinema >/dev/null 2>&1; then
    for c in F G; do
        in_tmux 30 "asciinema play -s 50 -i 0.2 $tmp/$c.cast >/dev/null 2>$tmp/$c.out"
        check "[ \"\$(cat '$tmp/once.status' 2>/dev/null)\" = 0 ]" "asciinema play plays the $c cast" "$tmp/$c.out"
    done
else
    n=$((n + 1)); echo "ok $n - asciinema plays the casts # SKIP asciinema is not installed"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
