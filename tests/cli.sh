#!/bin/sh
# The command line, driven as a user would: exit statuses, messages, help.
# Needs FTLAB_BIN (set by 'make check'); uses only POSIX sh.
set -u
bin=${FTLAB_BIN:-./ftlab}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-cli-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/xdg" # never the user's real data folder
unset FTLAB_DATA
. "$(dirname "$0")/testlib.sh"
fails=0
n=0

# expect STATUS DESCRIPTION -- COMMAND...: runs the command, checks its status.
expect() {
    want=$1; what=$2; shift 3
    n=$((n + 1))
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "not ok $n - $what: exit $got, expected $want"; sed 's/^/#   /' "$tmp/err"
        fails=$((fails + 1))
    else
        echo "ok $n - $what"
    fi
}
# contains FILE TEXT DESCRIPTION: TEXT (fixed) is in FILE as a whole value (testlib.sh).
contains() {
    n=$((n + 1))
    if holds "$2" "$tmp/$1"; then echo "ok $n - $3"; else
        echo "not ok $n - $3: '$2' not in $1:"; sed 's/^/#   /' "$tmp/$1"; fails=$((fails + 1)); fi
}
# has_line FILE REGEX DESCRIPTION: a whole line of FILE matches the extended REGEX.
has_line() {
    n=$((n + 1))
    if grep -q -x -E -- "$2" "$tmp/$1"; then echo "ok $n - $3"; else
        echo "not ok $n - $3: no line '$2' in $1:"; sed 's/^/#   /' "$tmp/$1"; fails=$((fails + 1)); fi
}
# near FILE KEY VALUE TOLERANCE DESCRIPTION: FILE has the line "KEY NUMBER", |NUMBER - VALUE| <= TOLERANCE.
near() {
    n=$((n + 1))
    if awk -v k="$2" -v v="$3" -v tol="$4" '
        NF == 2 && $1 == k && $2 ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ {
            d = $2 - v; if (d < 0) d = -d; if (d <= tol) found = 1 }
        END { exit !found }' "$tmp/$1"; then echo "ok $n - $5"; else
        echo "not ok $n - $5: no '$2 $3' (within $4) in $1:"; sed 's/^/#   /' "$tmp/$1"; fails=$((fails + 1)); fi
}
one_line() {
    n=$((n + 1))
    lines=$(wc -l <"$tmp/err")
    if [ "$lines" -eq 1 ]; then echo "ok $n - $1 (one line)"; else
        echo "not ok $n - $1: $lines lines on stderr"; sed 's/^/#   /' "$tmp/err"; fails=$((fails + 1)); fi
}

expect 0 "--version" -- "$bin" --version
has_line out "ftlab [0-9]+\.[0-9]+\.[0-9]+" "--version prints the version"
expect 0 "--help" -- "$bin" --help
contains out "data" "--help lists the commands"
expect 0 "help data" -- "$bin" help data
expect 0 "data --help" -- "$bin" data --help
contains out "usage: ftlab data" "data --help shows its usage"
expect 0 "no command: overview" -- "$bin"
contains out "embedded sample" "overview says where the data stand"
expect 2 "unknown command" -- "$bin" frobnicate
expect 2 "help for an unknown command" -- "$bin" help frobnicate
expect 2 "data without subcommand" -- "$bin" data
expect 2 "data with a bad subcommand" -- "$bin" data eat
expect 2 "data info with a bad option" -- "$bin" data info --bogus
expect 2 "data info --sample --data" -- "$bin" data info --sample --data "$tmp"
expect 2 "data fetch --sample" -- "$bin" data fetch --sample

expect 0 "data info --sample" -- "$bin" data info --sample
contains out "train" "data info shows the training split"
contains out "synthetic" "data info says the sample is synthetic"
expect 0 "data info falls back to the sample" -- "$bin" data info
contains err "embedded sample" "the fallback is announced"

expect 1 "data info on a missing folder" -- "$bin" data info --data "$tmp/none"
one_line "missing folder"
contains err "$tmp/none" "the message names the folder"

mkdir -p "$tmp/bad"
printf 'not a numpy file' >"$tmp/bad/train-padded-trailing.npy"
for f in test-padded-leading.npy train-labels.npy test-labels.npy; do cp "$tmp/bad/train-padded-trailing.npy" "$tmp/bad/$f"; done
expect 1 "data info on a malformed file" -- "$bin" data info --data "$tmp/bad"
one_line "malformed file"
contains err "$tmp/bad/train-padded-trailing.npy" "the message names the file"
FTLAB_DATA="$tmp/bad" expect 1 "FTLAB_DATA is honoured" -- "$bin" data info

mkdir -p "$tmp/emptymirror"
expect 1 "data fetch from an empty folder" -- "$bin" data fetch --from "$tmp/emptymirror" --data "$tmp/dest"
one_line "fetch from an empty folder"
n=$((n + 1))
if [ -e "$tmp/dest" ]; then echo "not ok $n - a failed fetch left $tmp/dest"; fails=$((fails + 1)); else echo "ok $n - a failed fetch leaves nothing"; fi

# ---- train and export ----
expect 2 "train with an unknown loss" -- "$bin" train --sample --loss fancy
expect 2 "train with a bad number" -- "$bin" train --sample --lr abc
expect 2 "train --epochs and --steps" -- "$bin" train --sample --epochs 1 --steps 3
expect 0 "train --help" -- "$bin" train --help
contains out "--margin" "train --help lists the options"
run="$tmp/run"
expect 0 "train 3 steps on the sample" -- "$bin" train --sample --steps 3 --hidden 16 --units 8 --batch-size 32 --out "$run"
for f in config metrics.csv journal checkpoints/initial.ckpt checkpoints/final.ckpt; do
    n=$((n + 1))
    if [ -s "$run/$f" ]; then echo "ok $n - train wrote $f"; else echo "not ok $n - train did not write $f"; fails=$((fails + 1)); fi
done
n=$((n + 1))
rows=$(($(wc -l <"$run/metrics.csv") - 1))
if [ "$rows" -eq 3 ]; then echo "ok $n - metrics.csv has a row per step"; else echo "not ok $n - metrics.csv has $rows rows"; fails=$((fails + 1)); fi
expect 1 "train into an existing run" -- "$bin" train --sample --steps 1 --out "$run"
one_line "existing run"
expect 0 "train --resume to more steps" -- "$bin" train --resume "$run" --steps 5 --quiet
n=$((n + 1))
rows=$(($(wc -l <"$run/metrics.csv") - 1))
if [ "$rows" -eq 5 ]; then echo "ok $n - the resumed run continued to step 5"; else echo "not ok $n - $rows rows after resume"; fails=$((fails + 1)); fi
expect 1 "resume a folder without a run" -- "$bin" train --resume "$tmp/none"
one_line "resume without a run"
expect 0 "export" -- "$bin" export "$run" "$tmp/export"
n=$((n + 1))
if [ -s "$tmp/export/fc1.weight.npy" ] && [ -s "$tmp/export/gru.weight_hh_l0.npy" ]; then echo "ok $n - export wrote the state_dict files"; else echo "not ok $n - export files missing"; fails=$((fails + 1)); fi
cp "$run/checkpoints/final.ckpt" "$tmp/bad.ckpt"
printf 'X' | dd of="$tmp/bad.ckpt" bs=1 seek=100 conv=notrunc 2>/dev/null
expect 1 "export of a damaged checkpoint" -- "$bin" export "$tmp/bad.ckpt" "$tmp/export2"
one_line "damaged checkpoint"
contains err "$tmp/bad.ckpt" "the message names the checkpoint"
expect 2 "export without arguments" -- "$bin" export

# ---- replay ----
expect 0 "replay a run's journal" -- "$bin" replay "$run/journal" --out "$tmp/replayed"
expect 0 "export the replayed run" -- "$bin" export "$tmp/replayed" "$tmp/export-replayed"
n=$((n + 1))
same=1
for f in "$tmp"/export/*.npy; do cmp -s "$f" "$tmp/export-replayed/$(basename "$f")" || same=0; done
if [ "$same" -eq 1 ]; then echo "ok $n - the replay ends with the same weights"; else echo "not ok $n - replayed weights differ"; fails=$((fails + 1)); fi
printf '# ftlab journal 1\nstep x loss\n' >"$tmp/bad-journal"
expect 1 "replay a malformed journal" -- "$bin" replay "$tmp/bad-journal" --out "$tmp/replayed2"
one_line "malformed journal"
contains err "$tmp/bad-journal:2" "the message names the file and line"

# ---- score, cluster, embed, eval ----
# SPEC.md §8.3 V7, as text files, against scikit-learn 1.2.1's values.
printf '0\n0\n0\n1\n1\n1\n2\n2\n2\n' >"$tmp/t.txt"
printf '0\n0\n1\n1\n1\n2\n2\n2\n2\n' >"$tmp/p.txt"
expect 0 "score of two text label files" -- "$bin" score --true "$tmp/t.txt" --pred "$tmp/p.txt"
near out ami_max 0.39863062297231 1e-14 "ami_max matches scikit-learn"
near out ami_arithmetic 0.40867050972172 1e-14 "ami_arithmetic matches scikit-learn"
near out mi 0.63651416829481 1e-14 "mi matches scikit-learn"
# Labels are decimal whatever their leading zeros: "010" is ten, "08" eight (not octal).
printf '010\n10\n08\n8\n09\n9\n' >"$tmp/zeros.txt"
printf '1\n1\n2\n2\n3\n3\n' >"$tmp/pairs.txt"
expect 0 "score of labels with leading zeros" -- "$bin" score --true "$tmp/zeros.txt" --pred "$tmp/pairs.txt"
near out ami_max 1 1e-12 "leading zeros read as decimal: the same partition"
printf '0\n0\n' >"$tmp/short.txt"
expect 1 "score of labelings of different lengths" -- "$bin" score --true "$tmp/t.txt" --pred "$tmp/short.txt"
one_line "different lengths"
printf '0\nzero\n' >"$tmp/bad.txt"
expect 1 "score of a malformed label file" -- "$bin" score --true "$tmp/bad.txt" --pred "$tmp/bad.txt"
contains err "$tmp/bad.txt:2" "the message names the file and line"
expect 2 "score without --pred" -- "$bin" score --true "$tmp/t.txt"

expect 0 "embed the test split" -- "$bin" embed "$run" --out "$tmp/emb.npy"
expect 0 "cluster the embedding" -- "$bin" cluster "$tmp/emb.npy" --k 3 --n-init 2 --out "$tmp/assign.npy"
has_line out "inertia [0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?" "cluster prints the inertia"
expect 1 "cluster a non-feature file" -- "$bin" cluster "$tmp/t.txt" --k 3
one_line "cluster of a text file"
expect 2 "cluster without --k" -- "$bin" cluster "$tmp/emb.npy"
expect 0 "eval a run" -- "$bin" eval "$run" --k 3,4 --n-init 2
contains out "AMI_max" "eval prints the score table"
contains out "Figure 2" "eval prints the heatmap"
n=$((n + 1))
if [ -s "$run/eval.csv" ] && [ -s "$run/actmap.csv" ]; then echo "ok $n - eval wrote eval.csv and actmap.csv"; else echo "not ok $n - eval files missing"; fails=$((fails + 1)); fi
expect 1 "eval of a missing checkpoint" -- "$bin" eval "$tmp/none.ckpt"
one_line "missing checkpoint"
cp "$run/eval.csv" "$tmp/eval.before"
expect 2 "eval --k 1 is a usage error (one cluster scores nothing)" -- "$bin" eval "$run" --k 1
n=$((n + 1))
if cmp -s "$run/eval.csv" "$tmp/eval.before"; then echo "ok $n - eval --k 1 leaves eval.csv as it was"; else
    echo "not ok $n - eval --k 1 changed eval.csv"; fails=$((fails + 1)); fi
# activation histograms (issue 16): written beside actmap.csv; plot --histograms draws them
n=$((n + 1))
if head -1 "$run/acthist.csv" | grep -qx 'unit,digit,bin,lo,hi,count' && head -1 "$run/actmean.csv" | grep -q '^unit,digit0,.*,digit9,min,max,dead$'; then echo "ok $n - eval wrote acthist.csv and actmean.csv"; else echo "not ok $n - acthist.csv or actmean.csv missing"; fails=$((fails + 1)); fi
mkdir -p "$tmp/old-eval"
cp "$run/config" "$run/actmap.csv" "$tmp/old-eval/"
FTLAB_GNUPLOT=/bin/true expect 1 "plot --histograms of a run evaluated before acthist.csv" -- "$bin" plot "$tmp/old-eval" --histograms
contains err ".csv: not there yet; run 'ftlab eval" "--histograms says what makes its input"
expect 2 "plot --histograms with --compare" -- "$bin" plot --histograms --compare "$run" "$run"

# ---- table1 --collect (tests/data/table1; the answers are worked out in tests/test_table1.c) ----
fix=${FTLAB_TEST_DATA:-$(dirname "$0")/data}/table1
expect 1 "table1 --collect refuses missing runs" -- "$bin" table1 --collect "$fix/shard1" "$fix/shard2" "$fix/shard3" --out "$tmp/table1"
one_line "missing runs"
contains err "autoencode-xcov-run3" "the message names a missing run"
contains err "classify-decov-run2 (no k=11)" "the message names a run that lacks a k"
n=$((n + 1))
if [ -e "$tmp/table1/table1.md" ]; then echo "not ok $n - a refused collect wrote table1.md"; fails=$((fails + 1)); else echo "ok $n - a refused collect writes nothing"; fi
expect 1 "table1 --collect --runs 2 still misses runs" -- "$bin" table1 --collect "$fix/shard1" "$fix/shard2" --runs 2 --tasks classify --out "$tmp/table1"
contains err "classify-decov-run1 (no k=11)" "--runs and --tasks set what is expected"
expect 0 "table1 --collect --partial" -- "$bin" table1 --collect "$fix/shard1" "$fix/shard2" "$fix/shard3" --partial --out "$tmp/table1"
has_line out "missing: autoencode-baseline-run3, .*" "the partial table says what is missing"
has_line out "\| XCov \| – \(0\.396\) \| – \(0\.414\) \| – \(0\.428\) \| 0 \| – \|" "a loss without runs shows – cells"
has_line out "\| Proposed \(KL margin\) \| 0\.450 \(0\.439\) \| 0\.350 \(0\.457\) \| 0\.500 \(0\.460\) \| 1 \| 0\.0400 \|" "one run: the mean alone, no ± 0.000"
has_line out "\| DeCov \| 0\.300 ± 0\.100 \(0\.285\) \| .* \| 3 \| 0\.9300 \|" "the test column is a cell with runs, not the missing k's"
has_line table1/table1.csv "autoencode,proposed,9,1,0\.450000,nan,.*" "one run: std nan in the csv"
has_line table1/table1.csv "classify,decov,11,0,nan,nan,.*" "no runs: mean and std nan in the csv"
has_line out "\| Proposed \(KL margin\) \| \*\*0\.600 ± 0\.173\*\* \(0\.512\) \|.*" "the best of a column in bold, its sample std beside"
has_line table1/table1.csv "classify,baseline,9,3,0\.500000,0\.100000,.*" "table1.csv holds the mean and sample std"
expect 2 "table1 --collect without folders" -- "$bin" table1 --collect
expect 2 "table1 --partial without --collect" -- "$bin" table1 --partial
expect 2 "table1 --k with an empty item" -- "$bin" table1 --collect "$fix/shard1" --k 9,,10
expect 2 "table1 --k with a repeat" -- "$bin" table1 --collect "$fix/shard1" --k 10,10
mkdir -p "$tmp/no-runs"
expect 1 "table1 --collect of a folder without runs" -- "$bin" table1 --collect "$tmp/no-runs" --out "$tmp/table1-none"
one_line "no runs to collect"

# ---- messages that name the problem (issue 13 item 9) ----
for cmd in "train --sample" "eval $run" "embed $run" "cluster x.npy" "replay x" "plot $run" "table1" "data info" "score --true a"; do
    opt=--out
    case $cmd in data*) opt=--data ;; score*) opt=--pred ;; esac
    # shellcheck disable=SC2086
    expect 2 "$cmd $opt without a value" -- "$bin" $cmd $opt
    has_line err "ftlab [a-z0-9]+: $opt needs a value" "$cmd: '$opt needs a value'"
done
expect 2 "an unknown option" -- "$bin" eval "$run" --bogus
has_line err "ftlab eval: unknown option '--bogus'" "the unknown option is named"
expect 2 "a value for a flag" -- "$bin" data info --sample=yes
has_line err "ftlab data: --sample takes no value" "a flag given a value is named"
expect 2 "export with an extra argument" -- "$bin" export "$run" "$tmp/export3" extra
has_line err "ftlab export: unexpected argument 'extra'" "export names the extra argument"
expect 2 "score with an extra argument" -- "$bin" score --true "$tmp/t.txt" --pred "$tmp/p.txt" extra
has_line err "ftlab score: unexpected argument 'extra'" "score names the extra argument"
expect 2 "help with two commands" -- "$bin" help data extra
expect 2 "version with an argument" -- "$bin" version extra
expect 2 "--version with an argument" -- "$bin" --version extra
expect 2 "eval --k with an empty item" -- "$bin" eval "$run" --k 9,,10
expect 2 "eval --k with a repeat" -- "$bin" eval "$run" --k 10,10
# An empty 0 x 2 float32 .npy: it has no rows (not "not a 2-d array").
printf '\223NUMPY\001\000\166\000%-117s\n' "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2), }" >"$tmp/empty.npy"
expect 1 "cluster of an empty feature file" -- "$bin" cluster "$tmp/empty.npy" --k 2
one_line "empty features"
contains err "no rows" "an empty feature file is said to have no rows"
mkdir -p "$tmp/noloss"
printf 'task classify\n' >"$tmp/noloss/config"
FTLAB_GNUPLOT=/bin/true expect 1 "plot of a run with a bad config" -- "$bin" plot "$tmp/noloss"
one_line "a bad config is reported once"
FTLAB_GNUPLOT=/bin/true FTLAB_GNUPLOT_TIMEOUT=abc expect 1 "plot with a bad FTLAB_GNUPLOT_TIMEOUT" -- "$bin" plot "$run"
one_line "bad timeout"
contains err "FTLAB_GNUPLOT_TIMEOUT=abc" "the bad timeout is named"
expect 0 "data info --sample" -- "$bin" data info --sample
has_line out "  test: +embedded sample \(synthetic strokes v[0-9]+, test, seed [0-9]+\)" "data info --sample names the test split's source too"
expect 0 "eval --help" -- "$bin" eval --help
contains out "clusters.csv" "eval --help names clusters.csv"
expect 0 "--help" -- "$bin" --help
contains out "man ./man/ftlab.1" "--help names a man page that exists before make install"

# Ctrl-C stops train like 'q' stops the workbench: exit 0, final.ckpt written.
"$bin" train --sample --steps 1000000 --hidden 16 --units 8 --batch-size 32 --out "$tmp/sigint" --quiet 2>"$tmp/err" &
pid=$!
i=0
while [ "$i" -lt 300 ] && ! { [ -f "$tmp/sigint/metrics.csv" ] && [ "$(wc -l <"$tmp/sigint/metrics.csv")" -gt 2 ]; }; do sleep 0.1; i=$((i + 1)); done
kill -INT "$pid"
wait "$pid"
st=$?
n=$((n + 1))
if [ "$st" -eq 0 ] && [ -s "$tmp/sigint/checkpoints/final.ckpt" ]; then echo "ok $n - train stopped by Ctrl-C exits 0 with final.ckpt"; else
    echo "not ok $n - train stopped by Ctrl-C: exit $st"; sed 's/^/#   /' "$tmp/err"; ls "$tmp/sigint/checkpoints" | sed 's/^/#   /'; fails=$((fails + 1)); fi

# data fetch says where it installed once (needs the upstream tarballs: FTLAB_MIRROR).
mirror=${FTLAB_MIRROR:-${FTLAB_SRCDIR:-.}/../shared/data/mnist-strokes}
n=$((n + 1))
if [ -f "$mirror/train-labels.tar.gz" ]; then
    "$bin" data fetch --from "$mirror" --data "$tmp/fetched" >"$tmp/out" 2>"$tmp/err"
    said=$(cat "$tmp/out" "$tmp/err" | grep -c "installed")
    if [ "$said" -eq 1 ]; then echo "ok $n - data fetch prints its result once"; else
        echo "not ok $n - data fetch printed its result $said times"; fails=$((fails + 1)); fi
else
    echo "ok $n # SKIP data fetch prints its result once: no mirror at $mirror"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
