#!/bin/sh
# Reading exact values in the workbench: c puts a cursor on the focused chart
# and the status line reads out the point under it; its step and every loss
# term must be the row of RUN_DIR/metrics.csv at that step, to six
# significant digits. Then z (x window), u (epochs), f (maximise) and Tab
# (focus) must change what is on screen, the cursor must stay on its step
# while training adds points, and an 80x24 terminal must keep working with the
# cursor on (the ? overlay whole). Needs tmux (exit 77 without it) and FTLAB_BIN.
set -u
bin=${FTLAB_BIN:-./ftlab}
TMUX_TEST=cursor
. "$(dirname "$0")/tmuxlib.sh"
sess=w
export XDG_DATA_HOME="$tmp/xdg"
unset FTLAB_DATA
wait_gone() { # REGEX DESCRIPTION
    i=0
    while [ $i -lt 50 ]; do
        if ! screen | grep -qE -- "$1"; then ok "$2"; return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    not_ok "$2 (/$1/ still on screen)"
    return 1
}
# The step the cursor reads, from the status band (the screen's last four lines).
cursor_step() { screen | tail -n 4 | sed -n 's/.*cursor at step \([0-9][0-9]*\).*/\1/p' | head -n 1; }
# settle: the read-out once it stopped changing (the keys sent have all been drawn).
settle() {
    prev=x; i=0
    while [ $i -lt 30 ]; do
        cur=$(cursor_step)
        [ -n "$cur" ] && [ "$cur" = "$prev" ] && { echo "$cur"; return; }
        prev=$cur; sleep 0.2; i=$((i + 1))
    done
    echo "$cur"
}
start() { # WIDTH HEIGHT ARGS...
    w=$1 h=$2; shift 2
    rm -f "$tmp/status"
    tmux_start "$w" "$h" "OPENBLAS_NUM_THREADS=1 $bin tui $*; echo \$? >$tmp/status; sleep 30"
}
quit() {
    keys q
    i=0
    while [ ! -s "$tmp/status" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    if [ "$(cat "$tmp/status" 2>/dev/null)" = 0 ]; then ok "q quits with status 0"; else not_ok "q quits with status 0"; fi
}

# check_readout: every loss term the read-out shows equals metrics.csv's at its step (%.6g).
check_readout() {
    step=$1 what=$2
    band=$(screen | tail -n 4 | tr '\n' ' ')
    row=$(awk -F, -v s="$step" 'NR == 1 { for (i = 1; i <= NF; i++) col[i] = $i; next }
        $1 == s {
            for (i = 4; i <= NF && col[i - 1] != "total"; i++) printf "%s %.6g\n", col[i], $i
        }' "$run/metrics.csv")
    if [ -z "$row" ]; then not_ok "$what: metrics.csv has a row for step $step"; return; fi
    bad=""
    echo "$row" | {
        while read -r name want; do
            got=$(echo "$band" | sed -n "s/.* $name \([^ ]*\) .*/\1/p")
            [ "$got" = "$want" ] || echo "$name: screen '$got', metrics.csv '$want'"
        done
    } >"$tmp/diff"
    if [ -s "$tmp/diff" ]; then
        not_ok "$what: the read-out at step $step is metrics.csv's row"
        sed 's/^/#   /' "$tmp/diff"
    else
        ok "$what: the read-out at step $step is metrics.csv's row ($(echo "$row" | wc -l) terms)"
    fi
    # The epoch: the step over the steps of an epoch (the first row of epoch 1 ends one).
    spe=$(awk -F, 'NR > 1 && $2 == 1 { print $1; exit }' "$run/metrics.csv")
    if [ -n "$spe" ]; then
        want=$(awk -v s="$step" -v e="$spe" 'BEGIN { printf "%.6g", s / e }')
        if echo "$band" | grep -q " epoch $want "; then ok "$what: epoch $want"; else not_ok "$what: epoch $want ($spe steps an epoch)"; fi
    fi
}

run="$tmp/run"
start 120 40 --sample --steps 60 --out "$run"
wait_for "\| step 60/60 " "the sample trains its 60 steps" 60
wait_for "^ done " "and is done" 30
keys c
wait_for "cursor at step 60 " "c: the cursor starts at the newest point" 5
keys Left Left Left Left Left Left Left Left
s1=$(settle)
if [ -n "$s1" ] && [ "$s1" -lt 60 ]; then ok "Left moves it back (step $s1)"; else not_ok "Left moves it back (step '$s1')"; fi
check_readout "$s1" "after Left"
keys Right Right Right
s2=$(settle)
if [ -n "$s2" ] && [ "$s2" -gt "$s1" ]; then ok "Right moves it on (step $s2)"; else not_ok "Right moves it on ('$s1' to '$s2')"; fi
check_readout "$s2" "after Right"
keys Home
wait_for "cursor at step 1 " "Home: the first point" 5
keys NPage NPage
s3=$(settle)
check_readout "$s3" "after PgDn"
keys End
wait_for "cursor at step 60 " "End: the newest point" 5

keys z
wait_for "Loss terms.*, last 10000 steps" "z: the last 10000 steps" 5
keys z
wait_for "Loss terms.*, last 1000 steps" "z again: the last 1000 steps" 5
keys z
wait_gone "Loss terms.*, last" "z a third time: the whole run"
keys u
wait_for "Loss terms.*, x in epochs" "u: the x axis in epochs" 5
wait_for "cursor at step 60  epoch " "the read-out still gives the step and the epoch" 5
keys u
wait_gone "x in epochs" "u again: steps"
keys c
wait_gone "cursor at step" "c again leaves the cursor"

wait_for "Figure 2" "Figure 2 is on screen" 5
keys f
wait_gone "Figure 2" "f maximises the loss chart: Figure 2 is gone"
keys f
wait_for "Figure 2" "f again restores the layout" 5
keys Tab
wait_for "(▶|>) Figure 2" "Tab moves the focus to Figure 2" 5
keys c
wait_for "the cursor reads charts" "c on Figure 2 says the cursor is for charts" 5
keys Tab
wait_for "(▶|>) Clusters" "Tab again: the clusters panel" 5
keys BTab BTab
wait_for "(▶|>) Loss terms" "Shift-Tab back to the loss chart" 5

# An 80x24 terminal, with the cursor on: still drawn, the read-out and the keys whole.
keys c Left Left
tm resize-window -t "$sess" -x 80 -y 24
wait_for "cursor at step [0-9]+ " "80x24 with the cursor on: the read-out is drawn" 5
s4=$(settle)
check_readout "$s4" "at 80x24"
keys f
wait_for "cursor at step [0-9]+ " "80x24, maximised, with the cursor on" 5
keys '?'
wait_for "quit \(saves final\.ckpt\)" "? at 80x24 shows the last key" 5
wait_for "Home End +cursor: first" "and the cursor's keys" 5
keys Escape
quit

# While training adds points the cursor stays on its step; at the end it follows.
run="$tmp/run2"
start 120 40 --sample --steps 100000 --out "$run"
wait_for "\| step [0-9]{3,}/100000 " "a long run trains" 60
keys c Home Right Right Right
s5=$(settle)
sleep 2
s6=$(settle)
if [ -n "$s5" ] && [ "$s5" = "$s6" ]; then ok "the cursor stays on step $s5 as points arrive"; else not_ok "the cursor stays on its step ('$s5', then '$s6')"; fi
keys End
sleep 0.5
e1=$(cursor_step)
sleep 2
e2=$(cursor_step)
if [ -n "$e1" ] && [ -n "$e2" ] && [ "$e2" -gt "$e1" ]; then ok "at the end it follows the newest point ($e1, then $e2)"; else not_ok "at the end it follows the newest point ('$e1', then '$e2')"; fi
quit
tmux_done
