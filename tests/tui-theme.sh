#!/bin/sh
# Themes and the display config file, under tmux, on the embedded sample:
#   1. the workbench in each theme at 120x35 and 240x70, read back with
#      `tmux capture-pane -e`: light paints every cell's background (no cell
#      keeps the terminal's default), mono sends no colour at all, dark is
#      today's look (the terminal's own background, the 256-colour series);
#   2. $XDG_CONFIG_HOME/ftlab/config with "theme light" is obeyed, and
#      --theme dark overrides it; `tui --follow` takes the theme too;
#   3. a bad config line is refused before anything else, naming FILE:LINE,
#      with exit status 1 and no run folder made; so is a bad --theme (2).
# TERM is tmux-256color, the terminal tmux is: with a TERM that claims
# back_color_erase (xterm-256color) curses erases in colour, which tmux
# does not keep, and the check would see holes that a real xterm fills.
# Needs tmux (exits 77, a skip, without it) and FTLAB_BIN.
set -u
bin=${FTLAB_BIN:-./ftlab}
. "$(dirname "$0")/testlib.sh"
TMUX_TEST=theme
. "$(dirname "$0")/tmuxlib.sh"
term=tmux-256color
infocmp "$term" >/dev/null 2>&1 || term=screen-256color
infocmp "$term" >/dev/null 2>&1 || { echo "# SKIP: no 256-colour terminfo entry for tmux"; exit 77; }
export XDG_DATA_HOME="$tmp/xdg" XDG_CONFIG_HOME="$tmp/config" OPENBLAS_NUM_THREADS=1
export LANG=C.UTF-8
mkdir -p "$tmp/config/ftlab"
# Its own not_ok: the pane is gone by the time a check runs (shot keeps it in files).
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
check() { # DESCRIPTION COMMAND...
    d=$1
    shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}

# ---- reading a capture: SGR state carries from line to line, as tmux writes it ----

# sgr_stats FILE: "cells default_bg colour_codes bg231" over the capture.
sgr_stats() {
    LC_ALL=C awk '
        function count(s) { gsub(/[\200-\277]/, "", s); return length(s) }
        function apply(p,   a, k, i, v) {
            k = split(p, a, ";")
            if (k == 0) { bg = ""; return }
            for (i = 1; i <= k; i++) {
                v = a[i] + 0
                if (a[i] == "" || v == 0) bg = ""
                else if (v == 38 || v == 48) {
                    colour++
                    if (v == 48) bg = a[i + 1] == 5 ? "c" a[i + 2] : "rgb"
                    if (v == 48 && a[i + 1] == 5 && a[i + 2] == 231) white++
                    i += a[i + 1] == 5 ? 2 : 4
                } else if (v == 49) bg = ""
                else if ((v >= 30 && v <= 37) || (v >= 90 && v <= 97)) colour++
                else if ((v >= 40 && v <= 47) || (v >= 100 && v <= 107)) { colour++; bg = "b" v }
            }
        }
        {
            line = $0
            while (match(line, /\033\[[0-9;]*m/)) {
                c = count(substr(line, 1, RSTART - 1))
                cells += c; if (bg == "") dflt += c
                apply(substr(line, RSTART + 2, RLENGTH - 3))
                line = substr(line, RSTART + RLENGTH)
            }
            c = count(line); cells += c; if (bg == "") dflt += c
        }
        END { printf "%d %d %d %d\n", cells, dflt, colour, white }' "$1"
}

# ---- running the workbench ----

# shot NAME W H CMD: runs CMD (ftlab's arguments) in a W x H pane until the screen says
# WAIT_FOR (default: the 12 steps are done), then keeps the pane in $tmp/NAME.ansi.
shot() {
    name=$1 w=$2 h=$3
    shift 3
    sess=$name
    tmux_start "$w" "$h" "TERM=$term $bin $*; sleep 30"
    i=0
    while [ $i -lt 200 ]; do
        screen | grep -qF -- "${WAIT_FOR:-step 12/12}" && break
        sleep 0.1
        i=$((i + 1))
    done
    sleep 0.5 # the frame after
    tm capture-pane -N -e -p -t "$sess" >"$tmp/$name.ansi"
    screen >"$tmp/$name.txt"
    tm kill-server 2>/dev/null
    [ $i -lt 200 ] || echo "# $name: '${WAIT_FOR:-step 12/12}' never showed"
}

wb() { # NAME W H ARGS...: the workbench on the sample, 12 steps
    name=$1 w=$2 h=$3
    shift 3
    shot "$name" "$w" "$h" tui --sample --steps 12 --out "$tmp/run-$name" "$@"
}

# is_light NAME W H: every cell of the capture has a background colour, white the most.
is_light() {
    set -- "$1" "$2" "$3" $(sgr_stats "$tmp/$1.ansi")
    [ "$4" -eq $(($2 * $3)) ] && [ "$5" -eq 0 ] && [ "$7" -gt 0 ] ||
        { echo "#   $1: $4 cells of $(($2 * $3)), $5 on the default background"; return 1; }
}
# is_mono NAME: no colour code at all (and the screen is there).
is_mono() {
    set -- "$1" $(sgr_stats "$tmp/$1.ansi")
    grep -qF "Figure 2" "$tmp/$1.txt" && [ "$4" -eq 0 ] ||
        { echo "#   $1: $4 colour codes"; return 1; }
}
# is_dark NAME: the terminal's own background (most cells), no white paint, the sky-blue
# task curve and key of the 256-colour table as before.
is_dark() {
    set -- "$1" $(sgr_stats "$tmp/$1.ansi")
    [ "$3" -gt $(($2 * 7 / 10)) ] && [ "$5" -eq 0 ] && grep -q '38;5;74m' "$tmp/$1.ansi" ||
        { echo "#   $1: $3 of $2 cells on the default background, $5 painted white"; return 1; }
}

# ---- 1. each theme at two sizes ----
for size in "120 35" "240 70"; do
    set -- $size
    w=$1 h=$2
    wb "light-$w" "$w" "$h" --theme light
    check "light at ${w}x$h: every cell has a background colour (white, not the terminal's)" \
        is_light "light-$w" "$w" "$h"
    wb "mono-$w" "$w" "$h" --theme mono
    check "mono at ${w}x$h: no colour code at all" is_mono "mono-$w"
    check "mono at ${w}x$h: the series are told apart by their marks in the key" \
        grep -qF '* task  o DeCov' "$tmp/mono-$w.txt"
    wb "dark-$w" "$w" "$h" --theme dark
    check "dark at ${w}x$h: today's look (the terminal's background, the 256-colour series)" \
        is_dark "dark-$w"
done
wb "default-120" 120 35
check "no theme and no config: dark" is_dark "default-120"
wb "block" 120 35 --symbols block
# Braille is U+2800..U+28FF: the bytes E2 A0..A3 in UTF-8.
braille=$(printf '\342[\240-\243]')
has_braille() { LC_ALL=C grep -q "$braille" "$1"; }
check "--symbols block draws quadrant blocks, not braille" \
    sh -c "grep -qF -e ▖ -e ▗ -e ▘ -e ▝ -e ▚ -e ▞ -e ▙ -e ▛ -e ▜ -e ▟ -e ▀ -e ▄ -e ▌ -e ▐ '$tmp/block.txt'"
check "--symbols block: no braille" eval "! has_braille '$tmp/block.txt'"
check "the default symbols are braille" has_braille "$tmp/dark-120.txt"
wb "ascii" 120 35 --symbols ascii
check "--symbols ascii draws ASCII marks and axes" \
    sh -c "grep -qF '* task  o DeCov' '$tmp/ascii.txt' && ! grep -qF '│' '$tmp/ascii.txt'"
check "--symbols ascii: no braille" eval "! has_braille '$tmp/ascii.txt'"

# ---- 2. the config file, and the command line over it ----
cfg="$tmp/config/ftlab/config"
printf '# the projector in room 4\ntheme light\nsmoothing 0   # raw curves\nlog_scale off\n' >"$cfg"
wb "cfg-light" 120 35
check "config 'theme light' is obeyed" is_light "cfg-light" 120 35
check "config 'smoothing 0' and 'log_scale off' are obeyed: the loss chart is neither (log) nor smoothed" \
    sh -c "grep -q 'Loss terms' '$tmp/cfg-light.txt' && ! grep -q 'Loss terms (log)\|Loss terms.*smoothed' '$tmp/cfg-light.txt'"
wb "cfg-dark" 120 35 --theme dark
check "--theme dark overrides the config's light" is_dark "cfg-dark"
WAIT_FOR="Figure 2" shot "follow" 120 35 tui --follow "$tmp/run-light-120"
check "tui --follow takes the config's theme" is_light "follow" 120 35
WAIT_FOR="Figure 2" shot "follow-mono" 120 35 tui --follow "$tmp/run-light-120" --theme mono
check "tui --follow --theme mono overrides it" is_mono "follow-mono"

# ---- 3. mistakes ----
printf 'theme light\n\nthme dark\n' >"$cfg"
"$bin" tui --sample --out "$tmp/never" </dev/null >"$tmp/bad.out" 2>&1
rc=$?
check "a bad config line: exit status 1" [ "$rc" -eq 1 ]
check "a bad config line is named FILE:LINE, with the known keys" holds \
    "ftlab: $cfg:3: unknown key 'thme' (known keys: theme, symbols, smoothing, log_scale, mouse)" \
    "$tmp/bad.out"
check "a bad config line: no run folder is made" [ ! -e "$tmp/never" ]
"$bin" tui --follow "$tmp/run-light-120" </dev/null >"$tmp/bad.out" 2>&1
rc=$?
check "tui --follow refuses the bad config too, naming it" \
    sh -c "[ $rc -eq 1 ] && grep -qF '$cfg:3:' '$tmp/bad.out'"
printf 'smoothing 0.5\n' >"$cfg"
"$bin" tui --sample --out "$tmp/never" </dev/null >"$tmp/bad.out" 2>&1
check "a smoothing that is not a level is refused, naming the levels" \
    holds "ftlab: $cfg:1: smoothing must be one of 0 0.6 0.8 0.9 0.95 0.98, not '0.5'" "$tmp/bad.out"
rm -f "$cfg"
"$bin" tui --sample --theme blue --out "$tmp/never" </dev/null >"$tmp/bad.out" 2>&1
rc=$?
check "--theme blue is a usage error (status 2) naming the themes" \
    sh -c "[ $rc -eq 2 ] && grep -qF \"ftlab tui: --theme must be dark, light or mono, not 'blue'\" '$tmp/bad.out'"
"$bin" train --sample --theme light -q </dev/null >"$tmp/bad.out" 2>&1
rc=$?
check "train refuses --theme: it draws nothing" \
    sh -c "[ $rc -eq 2 ] && grep -qF -- '--theme is for the workbench' '$tmp/bad.out'"

tmux_done
