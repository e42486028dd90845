#!/bin/sh
# The sweep behind table1's defaults: trains the classifier for each
# LOSS:LAMBDA:MARGIN setting (one run, seed 1) and prints AMI_max at
# k = 9, 10, 11 beside the baseline. Results: bench/table1-sweep.md.
#
#   bench/table1-sweep.sh OUT_DIR EPOCHS JOBS SPEC...
#   bench/table1-sweep.sh /tmp/sweep 3 2 baseline:1:5 proposed:1:5 proposed:0.1:5
set -eu
bin=${FTLAB_BIN:-./ftlab}
out=$1 epochs=$2 jobs=$3
shift 3
for spec in "$@"; do
    loss=${spec%%:*} rest=${spec#*:}
    lambda=${rest%%:*} margin=${rest#*:}
    dir="$out/$loss-l$lambda-m$margin"
    "$bin" table1 --tasks classify --losses "$loss" --runs 1 --epochs "$epochs" \
        --lambda "$loss=$lambda" --margin "$margin" --jobs "$jobs" --out "$dir" >/dev/null
done
printf '| loss | lambda | margin | epochs | AMI_max k=9 | k=10 | k=11 | test accuracy |\n|---|---|---|---|---|---|---|---|\n'
for spec in "$@"; do
    loss=${spec%%:*} rest=${spec#*:}
    lambda=${rest%%:*} margin=${rest#*:}
    dir="$out/$loss-l$lambda-m$margin"
    awk -F, -v l="$loss" -v lam="$lambda" -v m="$margin" -v e="$epochs" '
        NR > 1 && $1 == "classify" { v[$3] = $5; acc = $9 }
        END { printf "| %s | %s | %s | %s | %.3f | %.3f | %.3f | %.4f |\n", l, lam, m, e, v[9], v[10], v[11], acc }' \
        "$dir/table1.csv"
done
