#!/bin/sh
# Ghosts, bookmarks and rewinds in the workbench, under tmux, on the embedded
# sample:
#   1. `ftlab train` makes a run to draw as a ghost; `tui --ghost` draws it (its
#      name in the loss chart's key) and g flips Figure 2 to it; a wrong --ghost
#      is refused before any run folder is made.
#   2. Paused at step 0, b bookmarks; > doubles lr and space trains to the end;
#      R opens the menu, the bookmark is chosen, Enter rewinds: step 0 again,
#      lr as it was, the line left drawn as "branch 1" and kept in
#      RUN/branches/1; 4 takes the proposed loss, space trains to the end, q.
#   3. `ftlab replay` of the journal ends with the same weights, bit for bit
#      (compared through `ftlab export`), and metrics.csv holds one line.
#   4. `ftlab plot` draws the line left in the loss figure.
# Needs tmux (exits 77, a skip, without it) and FTLAB_BIN.
set -u
bin=${FTLAB_BIN:-./ftlab}
. "$(dirname "$0")/testlib.sh"
TMUX_TEST=branch
. "$(dirname "$0")/tmuxlib.sh"
quit_and_wait() {
    keys q
    i=0
    while [ ! -f "$tmp/status" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}
export OPENBLAS_NUM_THREADS=1

# ---- 1. a ghost ----
"$bin" train --sample --steps 48 --loss decov --out "$tmp/other" -q >/dev/null 2>&1 &&
    "$bin" eval "$tmp/other" >/dev/null 2>&1 || { echo "not ok - cannot make the ghost run"; exit 1; }
if "$bin" tui --sample --ghost "$tmp/nothing" --out "$tmp/never" </dev/null >"$tmp/g.out" 2>&1; then
    not_ok "a --ghost that is no run is refused"
elif grep -q "nothing" "$tmp/g.out" && [ ! -e "$tmp/never" ]; then
    ok "a --ghost that is no run is refused, naming it, before a run folder is made"
else
    not_ok "a --ghost that is no run is refused, naming it, before a run folder is made"
    sed 's/^/#   /' "$tmp/g.out"
fi
# A folder of runs (table1's layout) stands for its runs of the live task.
mkdir -p "$tmp/folder/runs" "$tmp/ae/runs"
cp -r "$tmp/other" "$tmp/folder/runs/classify-decov-run1"
cp -r "$tmp/other" "$tmp/ae/runs/autoencode-decov-run1"
sed -i 's/^task .*/task autoencode/' "$tmp/ae/runs/autoencode-decov-run1/config"
if "$bin" tui --sample --ghost "$tmp/ae" --out "$tmp/never" </dev/null >"$tmp/g.out" 2>&1; then
    not_ok "a folder without a run of this task is refused"
elif grep -q "no run of the classify task" "$tmp/g.out" && [ ! -e "$tmp/never" ]; then
    ok "a folder without a run of this task is refused, saying so"
else
    not_ok "a folder without a run of this task is refused, saying so"
    sed 's/^/#   /' "$tmp/g.out"
fi
tmux_start 120 36 \
    "$bin tui --sample --steps 24 --ghost $tmp/other --ghost $tmp/folder --out $tmp/ghosted; sleep 30"
wait_screen "━ other" "the ghost's name is in the loss chart's key"
wait_screen "━ decov-run1" "a folder's run is a ghost too, named without its task"
keys g
wait_screen "Figure 2 of other" "g flips Figure 2 to the ghost"
keys g g
wait_screen "g: ghosts" "g flips through the ghosts back to the live run"
keys q
sleep 1

# ---- 2. bookmark, train, rewind, train ----
run="$tmp/run"
tmux_start 120 36 \
    "$bin tui --sample --steps 30 --paused --out $run; echo \"exit=\$?\" > $tmp/status; sleep 30"
wait_screen "step 0/30" "the workbench opens paused at step 0"
keys b
wait_screen "bookmark bookmark-0" "b bookmarks step 0"
keys '>' Space
wait_screen "step 30/30" "> and space train to the end with lr 0.002"
screen | grep -q "lr 0.002" && ok "at lr 0.002" || not_ok "at lr 0.002"
keys R
wait_screen "Rewind to" "R opens the rewind menu"
# The menu lists the newest first; move down to the bookmark.
pos=$(screen | awk '/Rewind to/ { on = 1; next } on && / step [0-9]+/ { i++; if ($0 ~ /bookmark-0 /) { print i - 1; exit } }')
if [ -n "$pos" ]; then
    ok "the menu lists the bookmark"
    while [ "$pos" -gt 0 ]; do keys Down; pos=$((pos - 1)); done
    keys Enter
else
    not_ok "the menu lists the bookmark"
fi
wait_screen "rewound from step 30 to bookmark-0" "Enter rewinds to the bookmark"
wait_screen "step 0/30" "the run is at step 0 again"
screen | grep -q "lr 0.001" && ok "with lr 0.001 again" || not_ok "with lr 0.001 again"
wait_screen "branch 1" "the line left is drawn as branch 1"
[ -f "$run/branches/1/metrics.csv" ] && [ "$(wc -l <"$run/branches/1/metrics.csv")" -eq 31 ] &&
    ok "branches/1/metrics.csv holds the 30 steps left" ||
    not_ok "branches/1/metrics.csv holds the 30 steps left"
keys 4 Space
wait_screen "step 30/30" "4 and space train the new line to the end"
quit_and_wait
grep -qx "exit=0" "$tmp/status" 2>/dev/null && ok "q quits with status 0" || not_ok "q quits with status 0"
rows_whole "$run" && [ "$(wc -l <"$run/metrics.csv")" -eq 31 ] &&
    ok "metrics.csv holds one line of 30 steps" || not_ok "metrics.csv holds one line of 30 steps"
grep -qxE "rewind 0 [0-9]+" "$run/journal" && ok "the journal records the rewind" ||
    { not_ok "the journal records the rewind"; sed 's/^/#   /' "$run/journal"; }

# ---- 3. the replay ends with the same weights ----
if "$bin" replay "$run/journal" --out "$tmp/replayed" >"$tmp/replay.log" 2>&1 &&
    "$bin" export "$run" "$tmp/w1" >/dev/null 2>&1 && "$bin" export "$tmp/replayed" "$tmp/w2" >/dev/null 2>&1 &&
    diff -r "$tmp/w1" "$tmp/w2" >/dev/null; then
    ok "replaying the journal ends with the session's weights, bit for bit"
else
    not_ok "replaying the journal ends with the session's weights, bit for bit"
    sed 's/^/#   /' "$tmp/replay.log" "$run/journal"
fi
# And the left line is not what the run ended with (the test could not pass by accident).
if "$bin" export "$run/branches/1/checkpoints/epoch-1.ckpt" "$tmp/w3" >/dev/null 2>&1 &&
    ! diff -r "$tmp/w1" "$tmp/w3" >/dev/null; then
    ok "the line left ended elsewhere"
else
    not_ok "the line left ended elsewhere"
fi
# ---- 4. ftlab plot draws the line left beside the run ----
if command -v gnuplot >/dev/null 2>&1; then
    if "$bin" plot "$run" --out "$tmp/fig" >/dev/null 2>&1 &&
        [ "$(awk '/^\$branch1 << EOD/ { on = 1; next } on && /^EOD/ { exit } on { n++ } END { print n + 0 }' "$tmp/fig/loss.gp")" -eq 30 ] &&
        grep -q 'left 1-30 (task)' "$tmp/fig/loss.gp"; then
        ok "ftlab plot draws the line left (30 steps) in the loss figure"
    else
        not_ok "ftlab plot draws the line left (30 steps) in the loss figure"
    fi
else
    echo "# gnuplot is not installed: the plot of the branches is not checked"
fi
tmux_done
