#!/bin/sh
# Figures as a paper takes them: `ftlab plot --format pdf|tex` at venue sizes.
# The PDF's page box is the size asked (to the nearest point, which gnuplot's
# cairo terminals round to), its fonts are embedded, the cairolatex pair
# compiles inside a LaTeX document (where pdflatex is installed; SKIP
# otherwise), and wrong sizes are refused with one line. Needs FTLAB_BIN,
# FTLAB_TEST_DATA, gnuplot and poppler-utils (pdfinfo, pdffonts, pdftotext).
set -u
bin=${FTLAB_BIN:-./ftlab}
run=${FTLAB_TEST_DATA:-tests/data}/plots/run-a
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-figures-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # DESCRIPTION COMMAND...
    what=$1; shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

. "$(dirname "$0")/testlib.sh"

for tool in gnuplot pdfinfo pdffonts pdftotext; do
    command -v "$tool" >/dev/null 2>&1 || { echo "1..0 # SKIP $tool is not installed (gnuplot, poppler-utils)"; exit 77; }
done

# mediabox PDF: "W H" of the first page's MediaBox, in points.
mediabox() { pdfinfo -box "$1" | awk '/^MediaBox:/ { printf "%g %g\n", $4 - $2, $5 - $3; exit }'; }
# plot NAME ARGS...: ftlab plot run-a into $tmp/NAME; the status in $tmp/NAME.rc.
plot() {
    name=$1; shift
    "$bin" plot "$run" --out "$tmp/$name" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    echo $? >"$tmp/$name.rc"
}

# At a column's width and a larger size every word stays on the page, apart from the others:
# the titles wrap and the numbers on the cells shrink. At acl-column, 10 pt, actmap, clusters
# and actmean lost words past the edge, and actmean's means ran together into one word; at
# 2 in the histograms' title was cut.
for size in acl-column:10 2.5in:9 2in:8; do
    w=${size%:*} pt=${size#*:}
    plot "words-$w" --format pdf --width "$w" --font-size "$pt"
    "$bin" plot "$run" --histograms --out "$tmp/words-$w" --format pdf --width "$w" --font-size "$pt" \
        >/dev/null 2>&1
    for fig in loss actmap clusters histograms actmean; do
        if pdf_words_apart "$tmp/words-$w/$fig.pdf" >"$tmp/apart" 2>&1; then
            ok "$fig.pdf at $w, $pt pt: every word on the page, none overlapping"
        else
            not_ok "$fig.pdf at $w, $pt pt: every word on the page, none overlapping"
            sed 's/^/#   /' "$tmp/apart"
        fi
    done
done

# The loss figure of a run changed four times within 15 steps of 200: the changes share one
# label (printed apart they lay over each other), and at 2 in its step numbers keep apart
# ("204060801001201401601800200" before); at 1.4 in what runs off the page is noted.
mk="$tmp/marks"
small="--sample --hidden 8 --units 4 --batch-size 32 --limit 64"
"$bin" train $small --steps 100 --out "$mk" -q 2>/dev/null &&
    "$bin" train --resume "$mk" --steps 105 --lambda 0.5 -q 2>/dev/null &&
    "$bin" train --resume "$mk" --steps 110 --margin 6 -q 2>/dev/null &&
    "$bin" train --resume "$mk" --steps 115 --lr 0.002 -q 2>/dev/null &&
    "$bin" train --resume "$mk" --steps 200 --loss decov -q 2>/dev/null
"$bin" plot "$mk" --out "$tmp/marks-own" >/dev/null 2>&1
check "four changes 15 steps apart: one label naming them all" \
    sh -c "[ \$(grep -c '^set label' '$tmp/marks-own/loss.gp') -eq 1 ] &&
           grep -q \"^set label 1 'λ=0.5; m=6; lr=0.002; → decov, λ=1' at 100,\" '$tmp/marks-own/loss.gp'"
"$bin" plot "$mk" --out "$tmp/marks-2in" --format pdf --width 2in >/dev/null 2>"$tmp/marks-2in.err"
if pdf_words_apart "$tmp/marks-2in/loss.pdf" >"$tmp/apart" 2>&1; then
    ok "the loss figure at 2 in: every word on the page, none overlapping"
else
    not_ok "the loss figure at 2 in: every word on the page, none overlapping"
    sed 's/^/#   /' "$tmp/apart"
fi
check "the loss figure at 2 in: no note" sh -c "! grep -q 'note:' '$tmp/marks-2in.err'"
"$bin" plot "$mk" --out "$tmp/marks-narrow" --format pdf --width 1.4in >/dev/null 2>"$tmp/marks-narrow.err"
check "the loss figure at 1.4 in: a note names it and what runs off the page" \
    grep -q "^ftlab plot: note: $tmp/marks-narrow/loss.pdf: 1.40 in wide, under the" "$tmp/marks-narrow.err"

# Too short for its rows: drawn, and a note on stderr says so; at its own size, no note.
plot short --format pdf --width column --height 1in
check "--height 1in: a note names actmap.pdf and what does not fit" \
    grep -q "^ftlab plot: note: $tmp/short/actmap.pdf: 1.00 in tall, it leaves" "$tmp/short.err"
plot own --format pdf
check "at its own size: no note" sh -c "! grep -q 'note:' '$tmp/own.err'"

# table1's figures take the same options (its fixture: tests/data/table1, three shards).
t1=${FTLAB_TEST_DATA:-tests/data}/table1
"$bin" table1 --collect "$t1/shard1" "$t1/shard2" "$t1/shard3" --partial --out "$tmp/t1" \
    --format pdf --width acl-column --font-size 10 >/dev/null 2>"$tmp/t1.err"
check "table1 --collect --format pdf --width acl-column --font-size 10 (exit $?)" [ -s "$tmp/t1/table1.pdf" ]
for fig in table1 table1-autoencoder figure2 compare-actmap; do
    got=$(mediabox "$tmp/t1/$fig.pdf" 2>/dev/null)
    check "table1's $fig.pdf is acl-column wide, 218 pt (got ${got:-none})" [ "${got% *}" = 218 ]
    if pdf_words_apart "$tmp/t1/$fig.pdf" >"$tmp/apart" 2>&1; then
        ok "table1's $fig.pdf: every word on the page, none overlapping"
    else
        not_ok "table1's $fig.pdf: every word on the page, none overlapping"
        sed 's/^/#   /' "$tmp/apart"
    fi
done

check "table1's figures at acl-column, 10 pt: no note that anything does not fit" \
    sh -c "! grep -q 'note:' '$tmp/t1.err'"
# Too small for its panels: still drawn, and table1 says which figure runs together, as plot does.
"$bin" table1 --collect "$t1/shard1" "$t1/shard2" "$t1/shard3" --partial --out "$tmp/t1s" \
    --format pdf --width 2in --height 0.8in >/dev/null 2>"$tmp/t1s.err"
check "table1 at 2 x 0.8 in: figure2.pdf drawn" [ -s "$tmp/t1s/figure2.pdf" ]
check "table1 at 2 x 0.8 in: a note names figure2.pdf and what does not fit" \
    grep -q "^table1: note: $tmp/t1s/figure2.pdf: 2.00 in wide, its panels are" "$tmp/t1s.err"

# The page is the width asked, in each unit and preset, and the height or aspect asked.
# (width in points, height in points, options): 3.25 in = 234 bp; 8.9 cm = 252.28 bp;
# ACL's text, 16 cm = 453.54 bp, at 3:1 is 151.18 bp tall; 252 TeX pt = 250.9 bp.
i=0
while read -r w h opts; do
    i=$((i + 1))
    name=size$i
    # shellcheck disable=SC2086
    plot "$name" --format pdf $opts
    if [ "$(cat "$tmp/$name.rc")" -ne 0 ]; then
        not_ok "plot $opts: exit $(cat "$tmp/$name.rc"): $(head -n 1 "$tmp/$name.err")"
        continue
    fi
    for fig in loss actmap clusters; do
        got=$(mediabox "$tmp/$name/$fig.pdf")
        case $h in
        -) check "$fig.pdf with $opts is $w pt wide (got $got)" [ "${got% *}" = "$w" ] ;;
        *) check "$fig.pdf with $opts is $w x $h pt (got $got)" [ "$got" = "$w $h" ] ;;
        esac
    done
done <<'EOF_SIZES'
234 144 --width icml-column --height 2in
252 189 --width 8.9cm --aspect 4:3
454 151 --width acl-text --aspect 3
251 - --width 252pt
504 252 --width 7in --height 3.5in --font-size 10
EOF_SIZES

# Fonts: every one embedded, in every figure.
for f in "$tmp"/size*/*.pdf; do
    [ -f "$f" ] || continue
    bad=$(pdffonts "$f" | awk 'NR > 2 && $(NF - 4) != "yes"' | wc -l)
    fonts=$(pdffonts "$f" | awk 'NR > 2' | wc -l)
    check "${f#"$tmp"/}: $fonts fonts, all embedded" [ "$bad" -eq 0 ] && [ "$fonts" -gt 0 ]
done
check "--font-size 10 sets the terminal's font" grep -q "font 'Helvetica,10'" "$tmp/size5/loss-pdf.gp"

# The cairolatex pair: NAME.tex over NAME.pdf; the .pdf holds no text (LaTeX sets it).
plot tex --format tex --width ieee-column
check "--format tex: exit 0" [ "$(cat "$tmp/tex.rc")" -eq 0 ]
plot tex --format tex --width ieee-column --histograms
check "--format tex --histograms: exit 0" [ "$(cat "$tmp/tex.rc")" -eq 0 ]
for fig in loss actmap clusters; do
    check "$fig.tex and $fig.pdf are written, and $fig-tex.gp beside them" \
        [ -s "$tmp/tex/$fig.tex" ] && [ -s "$tmp/tex/$fig.pdf" ] && [ -s "$tmp/tex/$fig-tex.gp" ]
    check "$fig.tex includes $fig.pdf by the name \\input will find" \
        grep -q "includegraphics\[width={[^}]*},height={[^}]*}\]{$fig}" "$tmp/tex/$fig.tex"
done
# gnuplot guesses a tic label's width from its characters, the size command's included, and
# could place the y label of a narrow heatmap off the page, where it is left out
# (tests/plot-evolution.sh checks the evolution figure, where it was).
for fig in actmap actmean; do
    check "$fig.tex sets its y label (the layer's units)" \
        grep -q 'rotatebox{-270}{\\makebox(0,0){\\strut{}[^}]* unit}' "$tmp/tex/$fig.tex"
done
# LaTeX sets the words at the size gnuplot spaced the layout for (8 pt, --font-size's default), not
# at the document's: at 10 pt the two-line titles and labels ran into each other.
check "loss.tex sets its words at 8 pt" grep -q -F '\fontsize{8}{9.6}\selectfont' "$tmp/tex/loss.tex"
plot tex10 --format tex --font-size 10
check "loss.tex at --font-size 10 sets them at 10 pt" \
    grep -q -F '\fontsize{10}{12}\selectfont' "$tmp/tex10/loss.tex"
# The README's example, a narrow column at 10 pt: the loss key takes one column there, and every
# entry is set (with two columns reserved, gnuplot fitted one and left entries off the page).
plot acl10 --format tex --width acl-column --font-size 10
entries=$(sed -n "s/.* with lines .* title '\([^']*\)'.*/\1/p" "$tmp/acl10/loss-tex.gp")
missing=$(printf '%s\n' "$entries" | while read -r t; do
    grep -q -F "strut{}$t}" "$tmp/acl10/loss.tex" || echo "$t"
done)
all_set=no
[ -n "$entries" ] && [ -z "$missing" ] && all_set=yes
check "--width acl-column --font-size 10: all $(printf '%s\n' "$entries" | grep -c .) loss key entries are set${missing:+ (not: $missing)}" \
    [ "$all_set" = yes ]
check "loss.pdf of the pair has no text of its own" [ -z "$(pdftotext "$tmp/tex/loss.pdf" - | tr -d '[:space:]')" ]
check "no temporary left in the folder" [ -z "$(find "$tmp/tex" -name '.*' ! -name . | head -n 1)" ]
if command -v pdflatex >/dev/null 2>&1; then
    cat >"$tmp/tex/paper.tex" <<'EOF_TEX'
\documentclass{article}
\usepackage{graphicx}
\usepackage{color}
\begin{document}
\begin{figure}\input{loss.tex}\caption{Loss.}\end{figure}
\begin{figure}\input{actmap.tex}\caption{Figure 2.}\end{figure}
\begin{figure}\input{clusters.tex}\caption{Clusters.}\end{figure}
\begin{figure}\input{histograms.tex}\caption{Histograms.}\end{figure}
\begin{figure}\input{actmean.tex}\caption{Means.}\end{figure}
\end{document}
EOF_TEX
    (cd "$tmp/tex" && pdflatex -interaction=nonstopmode -halt-on-error paper.tex >latex.out 2>&1)
    rc=$?
    check "a LaTeX document \\inputs the five figures and compiles (pdflatex exit $rc)" [ "$rc" -eq 0 ]
    [ "$rc" -eq 0 ] || grep -A 3 '^!' "$tmp/tex/latex.out" | sed 's/^/#   /'
    pdftotext "$tmp/tex/paper.pdf" "$tmp/tex/paper.txt" 2>/dev/null
    check "LaTeX set the figures' words (training step, digit, AMI)" \
        grep -q "training step" "$tmp/tex/paper.txt" && grep -q "digit" "$tmp/tex/paper.txt" &&
        grep -q "AMI" "$tmp/tex/paper.txt"
    # The heatmaps at a column's width, 10 pt, as LaTeX sets them: gnuplot sized their left
    # margin by the \fontsize before each unit number, the cells were left too narrow and
    # their counts ran together.
    "$bin" plot "$run" --histograms --out "$tmp/acl10" --format tex --width acl-column \
        --font-size 10 >/dev/null 2>&1
    for fig in actmap clusters actmean; do
        printf '%s\n' '\documentclass[10pt]{article}' '\usepackage{graphicx,color}' \
            '\pagestyle{empty}' '\begin{document}' "\\input{$fig.tex}" '\end{document}' \
            >"$tmp/acl10/doc-$fig.tex"
        (cd "$tmp/acl10" && pdflatex -interaction=nonstopmode -halt-on-error "doc-$fig.tex" \
            >/dev/null 2>&1)
        if pdf_words_apart "$tmp/acl10/doc-$fig.pdf" >"$tmp/apart" 2>&1; then
            ok "$fig.tex at acl-column, 10 pt, set by LaTeX: every word on the page, none overlapping"
        else
            not_ok "$fig.tex at acl-column, 10 pt, set by LaTeX: every word on the page, none overlapping"
            sed 's/^/#   /' "$tmp/apart"
        fi
    done
else
    skip "a LaTeX document \\inputs the figures and compiles" "pdflatex is not installed (texlive-latex-base)"
    skip "LaTeX set the figures' words" "pdflatex is not installed (texlive-latex-base)"
fi

# Every figure redraws from its script alone: `gnuplot NAME.gp` in its folder, the image gone.
plot redraw --histograms
plot redraw
for gp in "$tmp"/redraw/*.gp "$tmp"/size1/*-pdf.gp "$tmp"/tex/*-tex.gp; do
    [ -f "$gp" ] || continue
    dir=${gp%/*} base=${gp##*/}
    case $base in
    *-pdf.gp) img=${base%-pdf.gp}.pdf ;;
    *-tex.gp) img=${base%-tex.gp}.tex ;;
    *) img=${base%.gp}.png ;;
    esac
    rm -f "$dir/$img"
    (cd "$dir" && gnuplot "$base" >/dev/null 2>&1)
    check "gnuplot $base alone redraws $img" [ -s "$dir/$img" ]
done

# Wrong sizes: one line naming the option and the problem, status 2, nothing drawn.
while IFS='|' read -r what opts; do
    # shellcheck disable=SC2086
    plot bad --format pdf $opts
    lines=$(wc -l <"$tmp/bad.err")
    check "$opts is refused: exit 2, one line holding '$what'" \
        [ "$(cat "$tmp/bad.rc")" -eq 2 ] && [ "$lines" -le 2 ] && grep -q -- "$what" "$tmp/bad.err"
    check "$opts draws nothing" [ ! -e "$tmp/bad" ]
done <<'EOF_BAD'
--width: '3furlongs' is not a length|--width 3furlongs
--height: 'column' is not a length|--height column
'1cm' is 0.394 in: a figure is between 0.5 and 40 inches|--width 1cm
--aspect: '4:0' is not an aspect ratio|--aspect 4:0
give one|--height 2in --aspect 2
--font-size must be points|--font-size 100
is not a font family name|--font Helvetica,12
EOF_BAD

echo "1..$n"
[ "$fails" -eq 0 ]
