#!/bin/sh
# The faults that need a private mount namespace, driven through the real binary:
#   - a full disk (a 2 MB tmpfs) under --on-write-error stop and continue,
#     and from the start;
#   - a read-only run folder (a read-only bind mount), new or resumed.
# As root it uses unshare -m, otherwise a user namespace (unshare -r -m) where
# the kernel allows one; without either it says SKIP (status 77) with the reason.
# Needs FTLAB_BIN (set by 'make check'); POSIX sh, plus dd and awk.
set -u
bin=${FTLAB_BIN:-./ftlab}
export OPENBLAS_NUM_THREADS=1
unset FTLAB_DATA
. "$(dirname "$0")/testlib.sh"
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); [ -s "$tmp/err" ] && sed 's/^/#   /' "$tmp/err"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
one_line() { [ "$(wc -l <"$tmp/err")" -eq 1 ]; }
# says TEXT: stderr holds TEXT as a whole value (testlib.sh).
says() { holds "$1" "$tmp/err"; }
small="--sample --hidden 16 --units 8 --batch-size 32"

if [ "${1:-}" != "--in-namespace" ]; then
    command -v unshare >/dev/null 2>&1 ||
        { echo "# SKIP: unshare(1) is not installed: no private mount namespace"; exit 77; }
    if [ "$(id -u)" -eq 0 ] && unshare -m --propagation private true 2>/dev/null; then
        ns="unshare -m --propagation private"
    elif unshare -r -m --propagation private true 2>/dev/null; then
        ns="unshare -r -m --propagation private" # root of a user namespace
    else
        echo "# SKIP: no private mount namespace here (not root, and no user namespaces)"
        exit 77
    fi
    echo "# in a private mount namespace: $ns"
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-faults-root-XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    $ns sh "$0" --in-namespace "$tmp"
    status=$?
    exit $status
fi

# ---- in the namespace ----
tmp=$2
disk="$tmp/disk"
mkdir -p "$disk"
if ! mount -t tmpfs -o size=2m tmpfs "$disk" 2>"$tmp/err"; then
    echo "# SKIP: cannot mount a tmpfs in the namespace: $(cat "$tmp/err")"
    exit 77
fi
fill() { dd if=/dev/zero of="$disk/filler" bs=4k 2>/dev/null; }
wait_rows() { # RUN ROWS: until metrics.csv has that many lines
    i=0
    while [ $i -lt 300 ] && ! { [ -f "$1/metrics.csv" ] && [ "$(wc -l <"$1/metrics.csv")" -gt "$2" ]; }; do
        sleep 0.1; i=$((i + 1))
    done
}
wait_err() { # TEXT: until stderr holds it
    i=0
    while [ $i -lt 300 ] && ! says "$1"; do sleep 0.1; i=$((i + 1)); done
}

# stop (the default): exit 1, one line naming the file, the step and what is safe
run="$disk/stop"
"$bin" train $small --limit 256 --steps 1000000 --out "$run" -q 2>"$tmp/err" &
pid=$!
wait_rows "$run" 20
fill
wait $pid
status=$?
check "full disk, stop: exit 1" '[ $status -eq 1 ]'
check "full disk, stop: one line on stderr" one_line
check "full disk, stop: the message says why, where and what to do" \
    'says "No space left on device" && grep -q "training stopped at step [0-9][0-9]*\([^0-9.]\|$\)" "$tmp/err" && says "resume $run"'
check "full disk, stop: metrics.csv holds whole rows only" 'rows_whole "$run"'
rm -f "$disk/filler"
check "full disk, stop: export works on what was saved" '"$bin" export "$run" "$tmp/x-stop" >/dev/null 2>"$tmp/err"'
rm -rf "$tmp/x-stop"
check "full disk, stop: --resume continues once there is space" \
    '"$bin" train --resume "$run" --steps 60 -q 2>"$tmp/err" && rows_whole "$run"'
rm -rf "$run"

# continue: one warning, training goes on, and picks the writes up again
run="$disk/continue"
"$bin" train $small --limit 256 --steps 1000000 --out "$run" --on-write-error continue -q 2>"$tmp/err" &
pid=$!
wait_rows "$run" 20
fill
wait_err "training goes on"
check "full disk, continue: it warns and trains on" 'says "No space left on device" && kill -0 $pid'
rm -f "$disk/filler"
wait_err "writing works again"
check "full disk, continue: it says when writing works again" 'says "writing works again"'
kill -TERM $pid
wait $pid
check "full disk, continue: one warning, one recovery, one stop" \
    '[ "$(grep -c -F "training goes on" "$tmp/err")" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 3 ]'
check "full disk, continue: no metrics row lost or torn" 'rows_whole "$run"'
check "full disk, continue: --resume continues" \
    '"$bin" train --resume "$run" --steps 400 -q 2>"$tmp/err" && rows_whole "$run"'
rm -rf "$run"

# a full disk from the start: a clear error, and no half-made run left to trip on
fill
"$bin" train $small --steps 3 --out "$disk/nospace" -q 2>"$tmp/err"
status=$?
check "full disk at the start: exit 1 with one line" '[ $status -eq 1 ] && one_line && says "No space left"'
rm -f "$disk/filler"

# a read-only run folder, new or resumed
mkdir -p "$tmp/ro"
"$bin" train $small --steps 3 --out "$tmp/ro/run" -q 2>"$tmp/err"
if mount --bind "$tmp/ro" "$tmp/ro" 2>"$tmp/err" && mount -o remount,bind,ro "$tmp/ro" 2>"$tmp/err"; then
    "$bin" train $small --steps 3 --out "$tmp/ro/new" -q 2>"$tmp/err"
    status=$?
    check "read-only folder, new run: exit 1, one line naming the folder" \
        '[ $status -eq 1 ] && one_line && says "$tmp/ro/new" && says "Read-only file system"'
    "$bin" train --resume "$tmp/ro/run" --steps 6 -q 2>"$tmp/err"
    status=$?
    check "read-only folder, resume: exit 1, one line" \
        '[ $status -eq 1 ] && one_line && says "Read-only file system"'
    check "read-only folder: eval still reads the run" \
        '"$bin" export "$tmp/ro/run" "$tmp/x-ro" >/dev/null 2>"$tmp/err"'
    "$bin" eval "$tmp/ro/run" --k 3 >"$tmp/out" 2>"$tmp/err"
    status=$?
    check "read-only folder, eval into the run: exit 1, one line, no results printed" \
        '[ $status -eq 1 ] && one_line && says "Read-only file system" && [ ! -s "$tmp/out" ]'
    umount "$tmp/ro"
else
    why="cannot make a read-only bind mount: $(head -n 1 "$tmp/err")"
    skip "read-only folder, new run: exit 1, one line naming the folder" "$why"
    skip "read-only folder, resume: exit 1, one line" "$why"
    skip "read-only folder: eval still reads the run" "$why"
    skip "read-only folder, eval into the run: exit 1, one line, no results printed" "$why"
fi
umount "$disk"

echo "1..$n"
[ "$fails" -eq 0 ]
