#!/bin/sh
# Presenter mode (--present) under tmux, on the embedded sample, at 120x35 and
# 240x70, in each theme (dark, light, mono): the strip in large type (its captions and 5-row glyphs), Figure 2 as
# the main panel with cells at least 3 columns wide, "what the network sees"
# (a test digit, P(5-9), its strongest unit, that unit's label highlighted in
# Figure 2), the curves below; v moves to another sequence, d pins digits;
# and the normal layout shows the panel only on a wide terminal.
# Needs tmux (exits 77, a skip, without it) and FTLAB_BIN.
set -u
bin=${FTLAB_BIN:-./ftlab}
TMUX_TEST=present
. "$(dirname "$0")/tmuxlib.sh"
start() { # W H ARGS: the workbench on the sample
    w=$1 h=$2
    shift 2
    tmux_start "$w" "$h" "OPENBLAS_NUM_THREADS=1 $bin tui --sample $* ; sleep 30"
}

for size in "120 35 dark" "240 70 dark" "120 35 light" "240 70 light" "120 35 mono" "240 70 mono"; do
    set -- $size
    start "$1" "$2" --steps 100000 --present --theme "$3" --out "$tmp/run-$1-$3"
    wait_screen "task loss, training with baseline" "$1x$2 $3: the strip's captions"
    wait_screen "AMI_max k=10" "$1x$2 $3: AMI_max in the strip once evaluated"
    # Large type: a row of the strip holds runs of at least 3 block characters.
    if screen | sed -n '3,7p' | grep -q '███'; then ok "$1x$2 $3: the strip is in large type"; else
        not_ok "$1x$2 $3: the strip is in large type"; fi
    wait_screen "What the network sees" "$1x$2 $3: the panel of one test digit"
    wait_screen "strongest unit: u" "$1x$2 $3: with its strongest unit"
    # Figure 2's column header: the digits at least 3 columns apart.
    gap=$(screen | awk '/^ +0 +1 +2 +3 +4 +5 +6 +7 +8 +9( |$)/ { print index($0, "1") - index($0, "0"); exit }')
    if [ -n "$gap" ] && [ "$gap" -ge 3 ]; then ok "$1x$2 $3: Figure 2's cells are $gap columns wide"; else
        not_ok "$1x$2 $3: Figure 2's cells at least 3 columns wide (got '${gap:-no header}')"; fi
    # The strongest unit's label is highlighted (reverse video or a background colour).
    unit=$(screen | sed -n 's/.*strongest unit: u\([0-9]*\).*/\1/p' | head -n 1)
    if tm capture-pane -e -p -t "$sess" | grep -E "\[[0-9;]*(7|4[0-9]|48;5;[0-9]+)[0-9;]*m *u$unit" >/dev/null; then
        ok "$1x$2 $3: unit u$unit is marked in Figure 2"
    else
        not_ok "$1x$2 $3: unit u$unit is marked in Figure 2"
    fi
    wait_screen "Loss terms" "$1x$2 $3: the loss curves below"
    keys q
    sleep 1
done

# Keys: d pins digits, v moves on, and a panel of a pinned digit shows only that digit.
start 120 35 --steps 100000 --present --paused --out "$tmp/keys"
wait_screen "test #" "the panel shows a test sequence while paused"
keys d
wait_screen "only 0s" "d pins the digit 0"
digit=$(screen | sed -n 's/.*test #[0-9]*: a \([0-9]\).*/\1/p' | head -n 1)
[ "$digit" = 0 ] && ok "the sequence shown is a 0" || not_ok "the sequence shown is a 0 (a '$digit')"
first=$(screen | sed -n 's/.*test #\([0-9]*\).*/\1/p' | head -n 1)
keys v
i=0
while [ $i -lt 50 ]; do
    now=$(screen | sed -n 's/.*test #\([0-9]*\).*/\1/p' | head -n 1)
    [ -n "$now" ] && [ "$now" != "$first" ] && break
    sleep 0.1; i=$((i + 1))
done
digit=$(screen | sed -n 's/.*test #[0-9]*: a \([0-9]\).*/\1/p' | head -n 1)
[ "$now" != "$first" ] && [ "$digit" = 0 ] && ok "v moves to another 0 (#$first, then #$now)" ||
    not_ok "v moves to another 0 (#$first, then #${now:-?}, a $digit)"
keys d d d d d d d d d d
wait_screen "v next, d one digit" "d after 9 goes back to any digit"
keys q
sleep 1

# The normal layout: the panel on a wide terminal only.
start 200 50 --steps 100000 --out "$tmp/wide"
wait_screen "What the network sees" "200 columns: the normal layout shows the panel too"
keys q
sleep 1
start 120 35 --steps 100000 --out "$tmp/narrow"
wait_screen "Loss terms" "120 columns: the normal layout"
screen | grep -qF "What the network sees" && not_ok "120 columns: no room for the panel" ||
    ok "120 columns: no room for the panel"
keys q
tmux_done
