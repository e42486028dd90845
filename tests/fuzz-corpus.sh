#!/bin/sh
# Every fuzz harness of tests/fuzz/harnesses, linked with a plain compiler
# ($FTLAB_CC, else cc) and tests/fuzz/replay.c instead of libFuzzer, runs its
# seed corpus: a harness whose link list fell behind the code fails here, in
# make check, and not after a quarter of an hour of CI. The fuzzing itself is
# tests/fuzz/run-short.sh.
src=${FTLAB_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
cc=${FTLAB_CC:-cc}
work=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-fuzz-corpus-XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
flags="-std=c11 -D_POSIX_C_SOURCE=200809L -I$src/src -I$src/ui/tui"
n=0
fail=0
while read -r name deps <&3; do
    case $name in '' | '#'*) continue ;; esac
    n=$((n + 1))
    args=""
    for d in $deps; do
        case $d in -*) args="$args $d" ;; *) args="$args $src/$d" ;; esac
    done
    # shellcheck disable=SC2086
    if ! out=$($cc $flags "$src/tests/fuzz/fuzz_$name.c" "$src/tests/fuzz/replay.c" \
        "$src/src/util.c" $args -o "$work/$name" 2>&1); then
        echo "not ok $n - fuzz_$name links with what tests/fuzz/harnesses lists"
        echo "$out" | sed 's/^/# /' | head -n 20
        fail=1
        continue
    fi
    if "$work/$name" "$src/tests/fuzz/corpus/$name"/*; then
        echo "ok $n - fuzz_$name: its seed corpus ($(ls "$src/tests/fuzz/corpus/$name" | wc -l) inputs)"
    else
        echo "not ok $n - fuzz_$name: its seed corpus broke a promise (status $?)"
        fail=1
    fi
done 3<"$src/tests/fuzz/harnesses"
echo "1..$n"
exit "$fail"
