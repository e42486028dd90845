#!/bin/sh
# A short fuzzing run for CI: builds every harness in tests/fuzz/ with clang's
# libFuzzer plus AddressSanitizer and UBSan, and runs each for FUZZ_SECONDS
# (default 20) over a copy of its seed corpus, so the repository is never
# touched. When it cannot fuzz (no clang, or no libFuzzer) it prints
# "fuzz: SKIP: reason" and exits 77, automake's SKIP status. On a finding it
# prints the input that triggered it and exits 1.
# The long runs (10 minutes and more) are the same commands with a larger
# FUZZ_SECONDS.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${FUZZ_SECONDS:-20}
cc=${FUZZ_CC:-clang}
flags="-g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I$src/src -I$src/ui/tui"

work=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-fuzz-XXXXXX")
keep=0
trap '[ "$keep" -eq 1 ] || rm -rf "$work"' EXIT

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "fuzz: SKIP: $cc not found (FUZZ_CC names the compiler)"
    exit 77
fi
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$work/probe.c"
if ! $cc $flags "$work/probe.c" -o "$work/probe" >/dev/null 2>&1; then
    echo "fuzz: SKIP: $cc cannot link libFuzzer with ASan and UBSan (-fsanitize=fuzzer,address,undefined)"
    exit 77
fi

# tests/fuzz/harnesses: each harness and what it links besides tests/fuzz/fuzz_NAME.c and src/util.c
while read -r name list <&3; do
    case $name in '' | '#'*) continue ;; esac
    deps=""
    for d in $list; do
        case $d in -*) deps="$deps $d" ;; *) deps="$deps $src/$d" ;; esac
    done
    # shellcheck disable=SC2086
    $cc $flags "$src/tests/fuzz/fuzz_$name.c" "$src/src/util.c" $deps -o "$work/fuzz_$name"
    mkdir -p "$work/corpus-$name" "$work/crash-$name"
    cp "$src/tests/fuzz/corpus/$name"/* "$work/corpus-$name/"
    if "$work/fuzz_$name" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/crash-$name/" "$work/corpus-$name" >"$work/$name.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
        echo "fuzz: $name: ${runs:-?} inputs in $seconds s, no finding"
    else
        keep=1
        tail -n 40 "$work/$name.log"
        for f in "$work/crash-$name"/*; do
            [ -f "$f" ] || continue
            echo "fuzz: $name: finding $f:"
            od -A d -c "$f" | head -n 40
        done
        echo "fuzz: $name FAILED (reproduce: $work/fuzz_$name $work/crash-$name/*)"
        exit 1
    fi
done 3<"$src/tests/fuzz/harnesses"
