#!/bin/sh
# The pace, n and 0 in the workbench, under tmux, on the embedded sample, in
# a run opened without --epochs or --steps (it must not stop by itself):
#   1. , , , sets the pace to 2 batches/s: the steps per second read off the
#      status line over a few seconds are about 2 (1..3: the machine may be
#      loaded); . . . back to max runs much faster (more than twice that).
#   2. Past step 240 (the sample's old default end) it still runs: no "done".
#   3. At 0.5 batches/s space pauses at once (the trainer's wait between two
#      batches answers keys); n while running only says what n does.
#   4. Paused, n n n trains exactly 3 batches; 0 resets the network, with a
#      "reset" line in the journal; q quits with status 0.
#   5. `ftlab replay` of the journal ends with the session's weights, bit for
#      bit (compared through `ftlab export`), and `ftlab train --resume` of a
#      run without an end asks for --epochs or --steps.
# Needs tmux (exits 77, a skip, without it) and FTLAB_BIN.
set -u
bin=${FTLAB_BIN:-./ftlab}
. "$(dirname "$0")/testlib.sh"
TMUX_TEST=pace
. "$(dirname "$0")/tmuxlib.sh"
# The step on the status line ("| step N epoch E": no total, the run has no end).
step() { screen | sed -n 's/.*| step \([0-9][0-9]*\) epoch [0-9].*/\1/p' | tail -n 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# rate SECONDS: steps per second read off the status line over SECONDS, in hundredths.
rate() {
    s0=$(step) t0=$(now_ms)
    sleep "$1"
    s1=$(step) t1=$(now_ms)
    echo $(((${s1:-0} - ${s0:-0}) * 100000 / (t1 - t0)))
}
hundredths() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }
export OPENBLAS_NUM_THREADS=1

run="$tmp/run"
tmux_start 120 36 \
    "$bin tui --sample --hidden 16 --units 8 --batch-size 32 --paused --out $run; echo \"exit=\$?\" > $tmp/status; sleep 60"
wait_screen "| step 0 epoch 1 |" "opened paused at step 0, with no total (it trains until quit)"
wait_screen "pace max" "the status line shows the pace: max"

# ---- 1. the pace ----
keys , , ,
wait_screen "pace 2/s" ", , , sets the pace to 2/s"
keys Space
wait_screen "running" "space starts training"
sleep 1
slow=$(rate 5)
echo "# at pace 2/s: $(hundredths "$slow") steps/s"
check "at pace 2/s it trains 1..3 steps a second ($(hundredths "$slow"))" \
    [ "$slow" -ge 100 -a "$slow" -le 300 ]
keys . . .
wait_screen "pace max" ". . . sets the pace back to max"
sleep 1
fast=$(rate 3)
echo "# at pace max: $(hundredths "$fast") steps/s"
check "at pace max it runs more than twice as fast ($(hundredths "$fast") steps/s)" \
    [ "$fast" -gt $((2 * slow)) -a "$fast" -gt 300 ]

# ---- 2. no end of its own ----
i=0
while [ "$(step)" -le 250 ] 2>/dev/null && [ $i -lt 1500 ]; do sleep 0.1; i=$((i + 1)); done
check "past step 240 (the old default end) it runs on (step $(step))" [ "$(step)" -gt 250 ]
sleep 1
check "no 'done' on the screen" sh -c "! tmux -L '$sock' capture-pane -p -t $sess | grep -q -w done"
check "no 'done' in the journal" sh -c "! grep -q ' done\$' '$run/journal'"

# ---- 3. keys at the slowest pace ----
keys n
wait_screen "n trains one batch while paused" "n while running says it trains while paused"
keys , , , ,
wait_screen "pace 0.5/s" ", , , , sets the pace to 0.5/s"
sleep 0.7
t0=$(now_ms)
keys Space
wait_screen " paused | step" "space pauses at 0.5/s" 5
took=$(($(now_ms) - t0))
check "at once (${took} ms, the batch period is 2000 ms)" [ "$took" -lt 1000 ]

# ---- 4. n and 0 ----
sleep 0.5
s0=$(step)
keys n n n
wait_screen "| step $((s0 + 3)) epoch" "paused, n n n trains three batches (from step $s0)"
sleep 1
check "exactly three (step $(step))" [ "$(step)" -eq $((s0 + 3)) ]
rows_whole "$run" && [ "$(awk -F, 'END { print $1 }' "$run/metrics.csv")" -eq $((s0 + 3)) ] &&
    ok "metrics.csv has their rows" || not_ok "metrics.csv has their rows"
keys 0
wait_screen "reset to the initial weights" "0 resets the network"
check "the journal has 'step $((s0 + 3)) reset'" grep -q -x "step $((s0 + 3)) reset" "$run/journal"
keys n
wait_screen "| step $((s0 + 4)) epoch" "n trains on from the reset"
keys ?
wait_screen "pace slower / faster" "the ? overlay lists , and ."
keys Escape
keys q
i=0
while [ ! -f "$tmp/status" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "q quits with status 0" grep -qx "exit=0" "$tmp/status"

# ---- 5. the replay ----
if "$bin" replay "$run/journal" --out "$tmp/replayed" >"$tmp/replay.log" 2>&1 &&
    "$bin" export "$run" "$tmp/w1" >/dev/null 2>&1 && "$bin" export "$tmp/replayed" "$tmp/w2" >/dev/null 2>&1 &&
    diff -r "$tmp/w1" "$tmp/w2" >/dev/null; then
    ok "replaying the journal ends with the session's weights, bit for bit"
else
    not_ok "replaying the journal ends with the session's weights, bit for bit"
    sed 's/^/#   /' "$tmp/replay.log" "$run/journal"
fi
"$bin" train --resume "$run" >"$tmp/train.out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q -- "--epochs or --steps" "$tmp/train.out"; then
    ok "ftlab train --resume of a run without an end asks for --epochs or --steps"
else
    not_ok "ftlab train --resume of a run without an end asks for --epochs or --steps (status $rc)"
    sed 's/^/#   /' "$tmp/train.out"
fi
tmux_done
