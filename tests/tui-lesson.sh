#!/bin/sh
# Lessons (--lesson) under tmux on the embedded sample:
#   1. each shipped lesson (sample-data/lessons/), its cues at a tenth of their steps,
#      at 50 batches a second on a small network, runs to its end: every caption it has appears, Enter
#      lets each "wait" and "on enter" cue go on, the controls it sets land in
#      the journal, and `ftlab replay` of the journal ends with the same weights;
#   2. a lesson's "keys" keep the other keys off (and say so);
#   3. malformed lessons are refused before anything starts, naming FILE:LINE.
# Needs tmux (exits 77, a skip, without it) and FTLAB_BIN.
set -u
bin=${FTLAB_BIN:-./ftlab}
lessons=${FTLAB_LESSONS:-sample-data/lessons}
TMUX_TEST=lesson
. "$(dirname "$0")/tmuxlib.sh"
start() { # ARGS: the workbench at 120x40
    rm -f "$tmp/status"
    tmux_start 120 40 \
        "OPENBLAS_NUM_THREADS=1 $bin tui --sample $*; echo \"exit=\$?\" > $tmp/status; sleep 60"
}
export OPENBLAS_NUM_THREADS=1

# ---- 1. the shipped lessons, to their end ----
for file in "$lessons"/*.lesson; do
    name=$(basename "$file" .lesson)
    # Its cues at a tenth of their steps, paced at 50 batches a second: the same script in
    # seconds (the captions stay up a second or more each, long enough to be read here).
    awk '$1 == "pace" { print "  pace 50"; next }
         $1 == "at" && $2 == "step" { print "at step " int($3 / 10); next } { print }' \
        "$file" >"$tmp/$name.lesson"
    last_step=$(awk '$1 == "at" && $2 == "step" { s = $3 } END { print s + 0 }' "$tmp/$name.lesson")
    # A small network: the lesson's cues and captions are what is tested, not its figures.
    start --steps $((last_step + 24)) --hidden 16 --units 8 --batch-size 32 \
        --lesson "$tmp/$name.lesson" --out "$tmp/run-$name"
    # Every caption's first words must show, in order; Enter whenever the lesson asks for it.
    awk '$1 == "caption" { $1 = ""; sub(/^ /, ""); print substr($0, 1, 40) }' "$file" >"$tmp/$name.captions"
    seen=0 total=$(wc -l <"$tmp/$name.captions") i=0
    while [ $i -lt 3000 ] && [ $seen -lt "$total" ]; do
        want=$(sed -n "$((seen + 1))p" "$tmp/$name.captions")
        # One picture for both questions: Enter only when the line wanted is not up yet.
        screen >"$tmp/shot"
        if grep -qF -- "$want" "$tmp/shot"; then
            seen=$((seen + 1))
            continue
        fi
        grep -q "Enter: go on" "$tmp/shot" && keys Enter
        sleep 0.1; i=$((i + 1))
    done
    if [ "$seen" -eq "$total" ]; then ok "$name: all $total caption lines appear, in order"; else
        not_ok "$name: caption line $((seen + 1)) of $total never appeared: '$want'"; fi
    i=0 # the end: its last wait let go, and training stopped (a lesson's last pause, or --steps)
    while [ $i -lt 600 ]; do
        screen >"$tmp/shot"
        if grep -q "Enter: go on" "$tmp/shot"; then
            keys Enter
        elif grep -qE "^ (paused|done) \|" "$tmp/shot"; then
            break
        fi
        sleep 0.1; i=$((i + 1))
    done
    keys q
    i=0
    while [ ! -f "$tmp/status" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    grep -qx "exit=0" "$tmp/status" 2>/dev/null && ok "$name: runs to its end and quits with 0" ||
        not_ok "$name: runs to its end and quits with 0"
    changes=$(awk '$1 == "loss" || $1 == "lambda" || $1 == "margin" || $1 == "lr" { n++ } END { print n + 0 }' "$file")
    got=$(grep -cE '^step [0-9]+ (loss|lambda|margin|lr) ' "$tmp/run-$name/journal")
    [ "$got" -ge 1 ] && [ "$changes" -ge 1 ] && ok "$name: its control changes are in the journal ($got lines)" ||
        not_ok "$name: its control changes are in the journal ($got lines for $changes items)"
    if "$bin" replay "$tmp/run-$name/journal" --out "$tmp/replay-$name" -q >/dev/null 2>&1 &&
        "$bin" export "$tmp/run-$name" "$tmp/w1-$name" >/dev/null 2>&1 &&
        "$bin" export "$tmp/replay-$name" "$tmp/w2-$name" >/dev/null 2>&1 &&
        diff -r "$tmp/w1-$name" "$tmp/w2-$name" >/dev/null; then
        ok "$name: the replay of its journal ends with the same weights"
    else
        not_ok "$name: the replay of its journal ends with the same weights"
    fi
done

# ---- 2. keys a lesson keeps off ----
printf 'lesson 1\ntitle Keys\nkeys space\nat step 0\n  caption Only space works here.\n  pause\n' >"$tmp/keys.lesson"
start --steps 100 --lesson "$tmp/keys.lesson" --out "$tmp/run-keys"
i=0
# (once the lesson's pause is in: its "paused" would take the message line after ours)
while [ $i -lt 100 ] && ! { screen | grep -q "Only space works here." && screen | grep -q "^ paused |"; }; do
    sleep 0.1; i=$((i + 1))
done
keys 4
i=0
while [ $i -lt 50 ] && ! screen | grep -q "this lesson keeps that key off"; do sleep 0.1; i=$((i + 1)); done
if screen | grep -q "this lesson keeps that key off" && ! screen | grep -q "loss proposed"; then
    ok "a key the lesson keeps off does nothing, and says so"
else
    not_ok "a key the lesson keeps off does nothing, and says so"
fi
keys q

# ---- 2b. a caption wider than the terminal: wrapped in a band of its own, not cut ----
long="A GRU reads the pen strokes of handwritten digits and answers one question: is this digit 0-4, or 5-9?"
printf 'lesson 1\ntitle Narrow\nat step 0\n  caption %s\n  pause\n' "$long" >"$tmp/narrow.lesson"
rm -f "$tmp/status"
tmux_start 80 24 "OPENBLAS_NUM_THREADS=1 $bin tui --sample --steps 100 --lesson $tmp/narrow.lesson \
    --out $tmp/run-narrow; echo \"exit=\$?\" > $tmp/status; sleep 60"
i=0
while [ $i -lt 100 ] && ! screen | grep -q "^ paused |"; do sleep 0.1; i=$((i + 1)); done
# every word of the caption on the screen, in order, when its lines are joined
screen >"$tmp/shot"
got=$(sed -n '/ Narrow$/,/^ *$/p' "$tmp/shot" | sed '1d' | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
if [ "$got" = "$long" ]; then ok "at 80x24 a long caption wraps, every word shown"; else
    not_ok "at 80x24 a long caption wraps, every word shown (got '$got')"; fi
# the band right above the status band (its blank last row, then the message row), not over a panel
if awk '/ Narrow$/ { t = 1 } t && /^ *$/ { getline m; ok = m ~ /^ paused$/; exit } END { exit !ok }' "$tmp/shot"
then ok "the caption's band sits right above the status band"; else
    not_ok "the caption's band sits right above the status band"; sed 's/^/#   /' "$tmp/shot"; fi
keys q

# ---- 3. malformed lessons ----
check_bad() { # TEXT WANT
    printf "$1" >"$tmp/bad.lesson"
    if "$bin" tui --sample --lesson "$tmp/bad.lesson" --out "$tmp/never" </dev/null >"$tmp/bad.out" 2>&1; then
        not_ok "refused: $2"
    elif grep -qF "$tmp/bad.lesson:$2" "$tmp/bad.out" && [ ! -e "$tmp/never" ]; then
        ok "refused before a run folder is made: bad.lesson:$2"
    else
        not_ok "refused: bad.lesson:$2"
        sed 's/^/#   /' "$tmp/bad.out"
    fi
}
check_bad 'lesson 1\nat step 0\n  loss fancy\n' "3: "
check_bad 'lesson 1\nat step 9\nat step 2\n' "3: step 2 comes before"
check_bad 'lesson 1\nat step 0\n  pace 3\n' "3: pace is max, 50, 10, 2 or 0.5"
check_bad 'lesson 2\n' "1: lesson format"
tmux_done
