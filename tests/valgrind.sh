#!/bin/sh
# valgrind memcheck over a short life of a run: train (with a resume), eval,
# plot, export. Any invalid access, use of uninitialised memory or leak
# fails. Suppressions, if ever needed, go in tests/valgrind.supp (third-party
# noise only, each entry explained). Slow (a minute or two): not part of
# 'make check'; run it as FTLAB_BIN=./ftlab tests/valgrind.sh.
# Skips (77) without valgrind.
set -u
bin=${FTLAB_BIN:-./ftlab}
here=$(cd "$(dirname "$0")" && pwd)
command -v valgrind >/dev/null 2>&1 || { echo "# valgrind not installed: skipping"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-valgrind-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/xdg" OPENBLAS_NUM_THREADS=1 # one BLAS thread: no pool to report
unset FTLAB_DATA
supp=""
[ -f "$here/valgrind.supp" ] && supp="--suppressions=$here/valgrind.supp"
fails=0
n=0
memcheck() { # STATUS DESCRIPTION -- COMMAND...: runs it under memcheck, expecting STATUS
    want=$1; what=$2; shift 3
    n=$((n + 1))
    # shellcheck disable=SC2086
    valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes \
        --error-exitcode=99 $supp "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then
        echo "ok $n - $what"
    else
        echo "not ok $n - $what: exit $got (99: memcheck errors)"; sed 's/^/#   /' "$tmp/err" | head -n 60
        fails=$((fails + 1))
    fi
}

run="$tmp/run"
memcheck 0 "train" -- "$bin" train --sample --steps 5 --hidden 16 --units 8 --out "$run" -q
memcheck 0 "train --resume" -- "$bin" train --resume "$run" --steps 7 -q
memcheck 0 "eval" -- "$bin" eval "$run" --n-init 1 --k 3
if command -v gnuplot >/dev/null 2>&1; then
    memcheck 0 "plot" -- "$bin" plot "$run"
else
    echo "# gnuplot not installed: plot not checked"
fi
memcheck 0 "export" -- "$bin" export "$run" "$tmp/export"
cp "$run/checkpoints/final.ckpt" "$tmp/bad.ckpt"
printf 'X' | dd of="$tmp/bad.ckpt" bs=1 seek=100 conv=notrunc 2>/dev/null
memcheck 1 "export of a damaged checkpoint fails cleanly" -- "$bin" export "$tmp/bad.ckpt" "$tmp/x"
memcheck 1 "diverging training stops cleanly" -- "$bin" train --sample --steps 20 --hidden 16 --units 8 \
    --optimizer sgd --lr 1000 --task autoencode --out "$tmp/diverged" -q

echo "1..$n"
[ "$fails" -eq 0 ]
