#!/bin/sh
# Faults, driven through the real binary as a user would meet them:
#   - a checkpoint write killed halfway (kill -9): the previous checkpoints
#     load, eval/export work on the run, and --resume continues;
#   - a checkpoint with one flipped byte: rejected with one line naming it;
#   - training that diverges (sgd, lr 1000): exit 1, final.ckpt finite.
# The full disk and the read-only folder need a mount namespace: faults-root.sh.
# Needs FTLAB_BIN (set by 'make check'); POSIX sh, plus od, dd and awk.
set -u
bin=${FTLAB_BIN:-./ftlab}
export OPENBLAS_NUM_THREADS=1
unset FTLAB_DATA
. "$(dirname "$0")/testlib.sh"
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); [ -s "$tmp/err" ] && sed 's/^/#   /' "$tmp/err"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
one_line() { [ "$(wc -l <"$tmp/err")" -eq 1 ]; }
# says TEXT: stderr holds TEXT as a whole value (testlib.sh).
says() { holds "$1" "$tmp/err"; }
# Every float32 of every exported .npy is finite (od prints nan/inf for the rest).
all_finite() {
    for f in "$1"/*.npy; do
        hlen=$(od -A n -t u2 -j 8 -N 2 "$f" | tr -d ' ')
        if od -A n -v -t f4 -j $((10 + hlen)) "$f" | grep -qi 'nan\|inf'; then return 1; fi
    done
    return 0
}
small="--sample --hidden 16 --units 8 --batch-size 32"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-faults-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/xdg"

# ---- kill -9 while a checkpoint is being written ----
# A large model and one-batch epochs make every step end in a 2.5 MB checkpoint;
# the shell polls (without forking) for a temp file and kills the moment one shows.
hits=0
for try in 1 2 3; do
    run="$tmp/killed$try"
    "$bin" train --sample --hidden 256 --units 32 --batch-size 32 --limit 32 --steps 1000000 \
        --out "$run" -q 2>"$tmp/err" &
    pid=$!
    i=0
    while [ ! -e "$run/checkpoints/initial.ckpt" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    i=0
    while [ $i -lt 1000000 ]; do
        set -- "$run"/checkpoints/*.tmp.*
        [ -e "$1" ] && break
        i=$((i + 1))
    done
    kill -9 $pid
    wait $pid 2>/dev/null
    [ -e "$1" ] && hits=$((hits + 1))
    loadable=1
    for ck in "$run"/checkpoints/*.ckpt; do
        "$bin" export "$ck" "$tmp/x" >/dev/null 2>"$tmp/err" || loadable=0
        rm -rf "$tmp/x"
    done
    check "kill -9 mid-checkpoint ($try): every checkpoint left loads" '[ $loadable -eq 1 ]'
done
echo "# $hits of 3 kills landed while a checkpoint temp file existed"
run="$tmp/killed1"
check "after kill -9: eval works on the run" \
    '"$bin" eval "$run" --k 3 --n-init 1 >/dev/null 2>"$tmp/err"'
check "after kill -9: --resume continues" \
    '"$bin" train --resume "$run" --steps 3 -q 2>"$tmp/err" && [ -f "$run/checkpoints/final.ckpt" ]'
set -- "$run"/checkpoints/*.tmp.*
check "after kill -9: --resume cleared the dead writer's temp file" '[ ! -e "$1" ]'
check "after kill -9: metrics.csv is whole" 'rows_whole "$run"'
rm -rf "$tmp"/killed*

# ---- one flipped byte ----
run="$tmp/run"
"$bin" train $small --steps 3 --out "$run" -q 2>"$tmp/err" || not_ok "a small run trains"
size=$(wc -c <"$run/checkpoints/final.ckpt")
for at in 0 9 100 $((size / 2)) $((size - 1)); do
    cp "$run/checkpoints/final.ckpt" "$tmp/flip.ckpt"
    byte=$(od -A n -t u1 -j "$at" -N 1 "$tmp/flip.ckpt" | tr -d ' ')
    printf "\\$(printf '%03o' $((byte ^ 4)))" | dd of="$tmp/flip.ckpt" bs=1 seek="$at" conv=notrunc 2>/dev/null
    "$bin" eval "$tmp/flip.ckpt" --k 3 --n-init 1 >/dev/null 2>"$tmp/err"
    status=$?
    check "a byte flipped at offset $at: eval exits 1 with one line naming the file" \
        '[ $status -eq 1 ] && one_line && says "$tmp/flip.ckpt"'
done
check "the checksum is what catches a flip in the weights" 'grep -q -i -w "checksum\|CRC" "$tmp/err"'

# ---- divergence ----
run="$tmp/diverged"
"$bin" train --optimizer sgd --lr 1000 --task autoencode --sample --out "$run" -q 2>"$tmp/err"
status=$?
check "lr 1000 diverges: exit 1, one line saying so" '[ $status -eq 1 ] && one_line && says "diverged"'
check "lr 1000: final.ckpt kept" '[ -f "$run/checkpoints/final.ckpt" ]'
check "lr 1000: export works and every weight is finite" \
    '"$bin" export "$run" "$tmp/x-div" >/dev/null 2>"$tmp/err" && all_finite "$tmp/x-div"'

echo "1..$n"
[ "$fails" -eq 0 ]
