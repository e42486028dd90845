#!/bin/sh
# Your own sequences from the command line: every refusal of the malformed-input corpus
# (tests/data/npz-bad, EXPECT) in one line naming the file, the array and the problem;
# data info on the good formats; data import; and a small train + eval on the vitals
# sample and on an imported folder (with --standardize and --nan, resumed and evaluated
# with the same scaling).
set -u
bin=${FTLAB_BIN:-./ftlab}
data=${FTLAB_TEST_DATA:-$(dirname "$0")/data}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-seqdata-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/xdg"
unset FTLAB_DATA
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }

# ---- refusals: exit 1, one line, the expected text ----
while IFS='|' read -r case text; do
    [ -n "$case" ] || continue
    "$bin" data info --data "$data/npz-bad/$case" >"$tmp/out" 2>"$tmp/err"
    st=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$st" -eq 1 ] && [ "$lines" -eq 1 ] && grep -qF -- "$text" "$tmp/err"; then
        ok "refused $case: $(cat "$tmp/err")"
    else
        not_ok "refused $case (exit $st, $lines lines, wanted '$text'): $(head -3 "$tmp/err")"
    fi
done <"$data/npz-bad/EXPECT"

# ---- the good formats ----
for f in stored deflated npy; do
    if "$bin" data info --data "$data/npz/$f" >"$tmp/out" 2>"$tmp/err" &&
        grep -q 'values per step: 3' "$tmp/out" && grep -qE '^  b +2 +2$' "$tmp/out"; then
        ok "data info --data npz/$f"
    else
        not_ok "data info --data npz/$f: $(cat "$tmp/err" "$tmp/out" | head -20)"
    fi
done
if "$bin" data info --data "$data/npz/nan" >/dev/null 2>"$tmp/err"; then
    not_ok "NaN refused by default"
elif grep -qF 'sequence 1, step 0, feature 2 is NaN' "$tmp/err"; then
    ok "NaN refused by default, naming the sequence and step"
else
    not_ok "NaN message: $(cat "$tmp/err")"
fi
if "$bin" data info --data "$data/npz/nan" --nan carry >"$tmp/out" 2>&1 &&
    grep -qF 'carried forward: 2 in train' "$tmp/out"; then
    ok "--nan carry counts what it filled"
else
    not_ok "--nan carry: $(cat "$tmp/out")"
fi
"$bin" data info --data "$data/npz/nan" --nan sometimes >/dev/null 2>&1
[ $? -eq 2 ] && ok "--nan with a bad mode is a usage error" || not_ok "--nan sometimes"

# ---- import ----
{
    echo "sequence_id,t,a,b,y,group"
    i=0
    while [ $i -lt 40 ]; do
        t=0
        while [ $t -lt $((3 + i % 5)) ]; do
            echo "s$i,$t,$((i % 4)).$t,$((t * 2)),$((i % 2)),g$((i % 4))"
            t=$((t + 1))
        done
        i=$((i + 1))
    done
} >"$tmp/long.csv"
if "$bin" data import "$tmp/long.csv" --out "$tmp/imported" >"$tmp/out" 2>"$tmp/err" &&
    grep -qF '32 training and 8 test sequences, 2 values per step, 4 groups' "$tmp/out" &&
    [ -f "$tmp/imported/train_x.npy" ] && [ "$(sed -n 2p "$tmp/imported/groups.txt")" = g1 ]; then
    ok "data import writes the .npy folder and groups.txt"
else
    not_ok "data import: $(cat "$tmp/err" "$tmp/out")"
fi
ls "$tmp/imported" | grep -q tmp && not_ok "import left temporary files" || ok "import leaves no temporary files"
printf 'sequence_id,t,a,y\n1,0,1,3\n' >"$tmp/bad.csv"
"$bin" data import "$tmp/bad.csv" --out "$tmp/bad" >/dev/null 2>"$tmp/err"
if [ $? -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF "bad.csv: line 2: y '3' is not 0 or 1" "$tmp/err"; then
    ok "import refuses a bad label in one line"
else
    not_ok "import refusal: $(cat "$tmp/err")"
fi

# ---- train + eval on imported data, standardised; resume and eval keep the scaling ----
run="$tmp/run-imp"
if "$bin" train --data "$tmp/imported" --standardize --steps 6 --hidden 8 --units 6 --batch-size 8 \
    --out "$run" -q >/dev/null 2>"$tmp/err" && grep -q '^input_dim 2$' "$run/config" &&
    grep -q '^standardize_mean ' "$run/config" && "$bin" eval "$run" >"$tmp/out" 2>"$tmp/err" &&
    grep -q '^  3 ' "$tmp/out" && grep -q '^  5 ' "$tmp/out" && [ "$(head -1 "$run/actmap.csv")" = "unit,g0,g1,g2,g3" ] &&
    [ "$(cat "$run/groups.txt" | tr '\n' ' ')" = "g0 g1 g2 g3 " ]; then
    ok "train --standardize and eval on imported data (k 3,4,5; actmap columns g0..g3 named by groups.txt)"
else
    not_ok "train/eval imported: $(cat "$tmp/err" | head -5)"
fi
if "$bin" train --resume "$run" --steps 9 -q >/dev/null 2>"$tmp/err"; then
    ok "resume on standardised data"
else
    not_ok "resume: $(cat "$tmp/err")"
fi

# ---- the vitals sample: data info, train and eval with every loss (a smoke test) ----
"$bin" data info --sample vitals >"$tmp/out" 2>&1 && grep -q 'values per step: 6' "$tmp/out" &&
    grep -qE '^  septic ' "$tmp/out" && ok "data info --sample vitals" || not_ok "data info --sample vitals: $(cat "$tmp/out")"
for loss in baseline decov xcov proposed; do
    r="$tmp/vitals-$loss"
    if "$bin" train --sample vitals --loss "$loss" --steps 4 --hidden 8 --units 8 --batch-size 32 \
        --limit 128 --out "$r" -q >/dev/null 2>"$tmp/err" && grep -q '^data sample:vitals$' "$r/config" &&
        "$bin" eval "$r" --n-init 2 >"$tmp/out" 2>"$tmp/err" && grep -q 'cardiogenic' "$tmp/out" &&
        [ "$(head -1 "$r/actmap.csv")" = "unit,g0,g1,g2,g3,g4,g5" ]; then
        ok "vitals: train --loss $loss and eval by the six latent types"
    else
        not_ok "vitals $loss: $(cat "$tmp/err" | head -5)"
    fi
done
# MNIST-like sample keeps its digit columns
r="$tmp/digits"
if "$bin" train --sample --steps 2 --hidden 8 --units 6 --batch-size 16 --limit 64 --out "$r" -q >/dev/null 2>&1 &&
    "$bin" eval "$r" --n-init 1 >/dev/null 2>&1 &&
    [ "$(head -1 "$r/actmap.csv")" = "unit,digit0,digit1,digit2,digit3,digit4,digit5,digit6,digit7,digit8,digit9" ] &&
    ! grep -q input_dim "$r/config" && [ ! -f "$r/groups.txt" ]; then
    ok "the digit sample keeps actmap.csv's digit columns and its config"
else
    not_ok "digit sample columns"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
