#!/bin/sh
# Figure 2 at a glance and over time, driven as a user would: `ftlab plot
# --evolution` of a small run trained on the embedded sample (its checkpoints
# found, evaluated as 'ftlab eval CKPT' does, once), and the one-line usage
# errors of --order, --normalize, --order-from, --at. TAP.
set -u
bin=${FTLAB_BIN:-./ftlab}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-evolution-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/xdg"
unset FTLAB_DATA
. "$(dirname "$0")/testlib.sh"
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
# expect STATUS DESCRIPTION -- COMMAND...
expect() {
    want=$1; what=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok "$what"; else
        not_ok "$what: exit $got, expected $want"; sed 's/^/#   /' "$tmp/err"; fi
}
# usage DESCRIPTION TEXT -- ARGS...: `ftlab plot ARGS` exits 2 with one line naming TEXT.
usage() {
    what=$1; text=$2; shift 3
    "$bin" plot "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    first=$(head -n 1 "$tmp/err")
    if [ "$got" -eq 2 ] && holds "$text" "$tmp/err" && case $first in *"$text"*) true ;; *) false ;; esac; then
        ok "$what"
    else
        not_ok "$what: exit $got (want 2), stderr:"; sed 's/^/#   /' "$tmp/err"
    fi
}
# has FILE TEXT DESCRIPTION: FILE holds the fixed TEXT.
has() {
    if grep -q -F -- "$2" "$1"; then ok "$3"; else not_ok "$3: no '$2' in $1"; fi
}
hasnt() {
    if grep -q -F -- "$2" "$1"; then not_ok "$3: '$2' in $1"; else ok "$3"; fi
}

# gnuplot itself when there is one, else a stand-in writing the image the script names
if ! command -v gnuplot >/dev/null 2>&1; then
    cat >"$tmp/gnuplot" <<'EOS'
#!/bin/sh
line=$(grep -m1 "set output '" "${2:--}")
case $line in "cd '"*) d=${line#cd \'}; cd "${d%%\'*}" || exit 1 ;; esac
out=${line##*set output \'}; out=${out%\'}
printf 'placeholder\n' > "$out"
EOS
    chmod +x "$tmp/gnuplot"
    export FTLAB_GNUPLOT="$tmp/gnuplot"
fi

run="$tmp/run"
expect 0 "train 3 epochs on the sample" -- "$bin" train --sample --epochs 3 --hidden 16 --units 8 --batch-size 32 --out "$run" --quiet

# ---- every epoch checkpoint, evaluated where it was not ----
expect 0 "plot --evolution" -- "$bin" plot "$run" --evolution --order digit --hide-dead
has "$tmp/out" "$run/figures/evolution.png" "it prints the image's path"
[ -s "$run/figures/evolution.png" ] && ok "evolution.png written" || not_ok "no evolution.png"
gp="$run/figures/evolution.gp"
for e in 0 1 2 3; do has "$gp" "set title 'epoch $e'" "a panel titled epoch $e"; done
hasnt "$gp" "# ---- panel 5 ----" "four panels: initial and three epochs"
has "$gp" "AMI_{max}" "AMI_max under the panels"
for c in initial epoch-1 epoch-2; do
    [ -s "$run/checkpoints/$c-eval/actmap.csv" ] && [ -s "$run/checkpoints/$c-eval/eval.csv" ] &&
        ok "$c evaluated into checkpoints/$c-eval, as ftlab eval does" || not_ok "no checkpoints/$c-eval tables"
done
[ -s "$run/actmap.csv" ] && ok "the newest checkpoint evaluated into the run, as ftlab eval does" ||
    not_ok "no $run/actmap.csv"
c=$(grep -c "evaluating" "$tmp/err")
[ "$c" -eq 4 ] && ok "four evaluations said on stderr" || not_ok "$c evaluations said, want 4"

expect 0 "plot --evolution again" -- "$bin" plot "$run" --evolution
hasnt "$tmp/err" "evaluating" "the tables made once are reused"

# The cairolatex pair: gnuplot guesses the tic labels' width from their characters, the size
# command's included, and placed the y label off the page, where it was left out.
expect 0 "--format tex" -- "$bin" plot "$run" --evolution --format tex --out "$tmp/tex"
has "$tmp/tex/evolution.tex" "rotatebox{-270}{\\makebox(0,0){\\strut{}FC1 unit}}" "evolution.tex sets its y label"

# ---- a paper's column: panels as many a row as fit, nothing overlapping ----
# Four panels asked into a row 3 in wide at 10 pt were each 0.3 in wide: their titles, digits
# and AMI lines ran into each other (146 pairs of words overlapped in the PDF) and the title
# ran off the page. No two words' boxes may overlap (pdf_words_apart, testlib.sh).
# no_overlap PDF DESCRIPTION
no_overlap() {
    if pdf_words_apart "$1" >"$tmp/overlaps"; then ok "$2"; else
        not_ok "$2"; sed 's/^/#   /' "$tmp/overlaps"; fi
}
if [ -z "${FTLAB_GNUPLOT:-}" ] && command -v pdftotext >/dev/null 2>&1; then
    for size in acl-column:10 acl-column:8 column:8 page:10; do
        w=${size%:*} pt=${size#*:}
        expect 0 "--width $w --font-size $pt" -- "$bin" plot "$run" --evolution --width "$w" --font-size "$pt" --format pdf --out "$tmp/narrow"
        no_overlap "$tmp/narrow/evolution.pdf" "evolution at $w, $pt pt: every word on the page, none overlapping"
        words=$(pdftotext "$tmp/narrow/evolution.pdf" - | tr -s ' \n' '\n\n')
        for word in Baseline: training epoch digit AMI; do
            echo "$words" | grep -q "^$word" || { not_ok "evolution at $w, $pt pt: '$word' on the page"; continue 2; }
        done
        ok "evolution at $w, $pt pt: the title's and the panels' words on the page"
    done
    hasnt "$tmp/err" "note:" "evolution at page, 10 pt: no note that anything does not fit"
    # A height that leaves no room for more rows: the figure is drawn, and stderr says why
    # its digits run together.
    expect 0 "--width column --height 2in" -- "$bin" plot "$run" --evolution --width column --height 2in --format pdf --out "$tmp/short"
    has "$tmp/err" "ftlab plot: note: $tmp/short/evolution.pdf: 3.50 in wide, its panels are" "a note on stderr names the figure and what does not fit"
    has "$tmp/err" "or a taller --height for more rows)" "... and what would fit it"
    # A run's folder name longer than a panel is wide is cut over lines, not left past the edge.
    long="$tmp/classify-proposed-lambda0.03-margin1-run1"
    cp -r "$run" "$long"
    expect 0 "--compare with a long folder name at acl-column, 10 pt" -- "$bin" plot --compare "$run" "$long" --width acl-column --font-size 10 --format pdf --out "$tmp/longcmp"
    no_overlap "$tmp/longcmp/compare-actmap.pdf" "compare-actmap with a long folder name: every word on the page, none overlapping"
    expect 0 "--compare at acl-column, 10 pt" -- "$bin" plot --compare "$run" "$run" "$run" --width acl-column --font-size 10 --format pdf --out "$tmp/narrowcmp"
    no_overlap "$tmp/narrowcmp/compare-actmap.pdf" "compare-actmap at acl-column, 10 pt: every word on the page, none overlapping"
    # Panels on one colour scale show their counts at one size, or none does: at 2.5 in, 10 pt
    # the run's three-digit counts had no room while the fixture's two-digit ones were shown.
    expect 0 "eval the run" -- "$bin" eval "$run"
    expect 0 "--compare with the fixture run at 2.5 in, 10 pt" -- "$bin" plot --compare "$run" "${FTLAB_TEST_DATA:-tests/data}/plots/run-a" --width 2.5in --font-size 10 --format pdf --out "$tmp/mixcmp"
    shown=$(grep -c 'with labels' "$tmp/mixcmp/compare-actmap-pdf.gp")
    if [ "$shown" -eq 0 ] || [ "$shown" -eq 2 ]; then ok "both panels show their counts, or neither ($shown of 2)"; else
        not_ok "both panels show their counts, or neither ($shown of 2)"; fi
else
    echo "# skipped the layout checks: they need gnuplot and pdftotext"
fi

# ---- the points asked for ----
expect 0 "--at 0,2" -- "$bin" plot "$run" --evolution --at 0,2 --normalize digit
has "$gp" "set title 'epoch 2'" "--at 0,2: epoch 2"
hasnt "$gp" "set title 'epoch 1'" "--at 0,2: no epoch 1"
has "$gp" "fraction of the digit" "--normalize digit: shares on the colour box"
step=$(awk -F, 'NR == 2 { print $1 }' "$run/checkpoints/epoch-1-eval/eval.csv")
expect 0 "--at $step --at-unit step" -- "$bin" plot "$run" --evolution --at "0,$step" --at-unit step
has "$gp" "set title 'step $step'" "panels titled by their step"
expect 1 "--at 7: no such epoch" -- "$bin" plot "$run" --evolution --at 7
has "$tmp/err" "epoch-7.ckpt: missing" "names the checkpoint that is missing"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok "in one line" || not_ok "$(wc -l <"$tmp/err") lines"
expect 1 "--at-unit step at a step without a checkpoint" -- "$bin" plot "$run" --evolution --at 1 --at-unit step
has "$tmp/err" "no checkpoint at step 1 (its checkpoints are at steps 0, " "says where the checkpoints are"
cp -r "$run" "$tmp/noinit"
rm "$tmp/noinit/checkpoints/initial.ckpt"
expect 1 "--at 0 without initial.ckpt" -- "$bin" plot "$tmp/noinit" --evolution --at 0,1
has "$tmp/err" "initial.ckpt: missing" "says epoch 0's weights are missing"
expect 0 "default points without initial.ckpt" -- "$bin" plot "$tmp/noinit" --evolution
hasnt "$tmp/noinit/figures/evolution.gp" "'epoch 0'" "no epoch 0 panel"

# ---- --order-from across runs ----
expect 0 "train a run of 4 units" -- "$bin" train --sample --steps 20 --hidden 16 --units 4 --batch-size 32 --out "$tmp/four" --quiet
"$bin" eval "$tmp/four" >/dev/null 2>&1
expect 0 "--compare --order digit --order-from a compared run" -- "$bin" plot --compare "$run" "$tmp/noinit" --order digit --order-from "$run" --out "$tmp/cmp"
expect 1 "--order-from a run of other units" -- "$bin" plot --compare "$run" "$tmp/noinit" --order digit --order-from "$tmp/four" --out "$tmp/cmp"
has "$tmp/err" "8 units, but $tmp/four/actmap.csv has 4" "names both tables and their units"

# ---- usage errors: one line each, exit 2 ----
usage "--order-from without --compare" "--order-from RUN needs --compare" -- "$run" --order digit --order-from "$run"
usage "--order-from without --order digit" "--order-from RUN needs --order digit" -- --compare "$run" "$run" --order-from "$run"
usage "--order bogus" "--order must be digit or unit, not 'bogus'" -- "$run" --order bogus
usage "--normalize unit" "--normalize must be digit, not 'unit'" -- "$run" --normalize unit
usage "--at without --evolution" "--at, --at-unit, --data and --sample need --evolution" -- "$run" --at 1
usage "--sample without --evolution" "--at, --at-unit, --data and --sample need --evolution" -- "$run" --sample
usage "--evolution with --compare" "--evolution draws one run: not with --compare" -- --compare "$run" "$run" --evolution
usage "--at out of order" "--at needs 1 to 8 increasing numbers like 0,1,3,10, not '3,1'" -- "$run" --evolution --at 3,1
usage "--at too many" "--at needs 1 to 8 increasing numbers" -- "$run" --evolution --at 0,1,2,3,4,5,6,7,8
usage "--at-unit hours" "--at-unit must be epoch or step, not 'hours'" -- "$run" --evolution --at-unit hours
usage "--data and --sample" "--data and --sample both name the data: give one" -- "$run" --evolution --sample --data "$tmp"

echo "1..$n"
[ "$fails" -eq 0 ]
