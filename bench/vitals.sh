#!/bin/sh
# bench/vitals.sh — the four losses on the embedded vitals sample, three seeds each, at a small
# size; AMI_max against the six latent patient types (k = 5, 6, 7). Writes the table that
# bench/vitals-results.md records. Usage: bench/vitals.sh [FTLAB] [OUT_DIR]
set -e
ftlab=${1:-./ftlab}
out=${2:-runs/vitals-bench}
mkdir -p "$out"
printf 'loss,seed,accuracy,k,ami_max\n' >"$out/ami.csv"
for loss in baseline decov xcov proposed; do
    for seed in 1 2 3; do
        run="$out/$loss-$seed"
        rm -rf "$run"
        "$ftlab" train --sample vitals --loss "$loss" --seed "$seed" --hidden 64 --units 32 \
            --batch-size 64 --epochs 10 --threads 1 --out "$run" -q >/dev/null
        "$ftlab" eval "$run" >"$run/eval.txt"
        acc=$(awk '/^test accuracy/ {print $3}' "$run/eval.txt")
        awk -F, -v l="$loss" -v s="$seed" -v a="$acc" 'NR > 1 {print l "," s "," a "," $2 "," $3}' \
            "$run/eval.csv" >>"$out/ami.csv"
    done
done
# Mean and spread over the seeds, per loss and k.
awk -F, 'NR > 1 {k = $1 "," $4; n[k]++; s[k] += $5; q[k] += $5 * $5; acc[$1] += $3; na[$1]++}
END {for (k in n) {m = s[k] / n[k]; v = q[k] / n[k] - m * m; if (v < 0) v = 0;
                   split(k, p, ","); printf "%s,%s,%.4f,%.4f,%.4f\n", p[1], p[2], m, sqrt(v), acc[p[1]] / na[p[1]]}}' \
    "$out/ami.csv" | sort >"$out/summary.csv"
cat "$out/summary.csv"
