# Sourced by the shell tests (. "$(dirname "$0")/testlib.sh"): matching whole
# values, so that a wrong number or path fails a check instead of passing it
# as a prefix ("λ 2" must not pass for "λ 2.5", nor "$tmp/none" for "$tmp/none2").

# holds TEXT [FILE]: FILE (default: standard input) has a line holding TEXT, a
# fixed string, as a whole value: not followed by a letter, a digit, '_', '-',
# '/' or a '.' before one of those (a full stop may end it), and, when TEXT
# starts with a letter or digit, not preceded by one (nor by '.' or '-' before
# a digit: "2" is not in "0.2" or "-2").
holds() {
    HOLDS_TEXT=$1 awk '
        BEGIN { t = ENVIRON["HOLDS_TEXT"]; first = substr(t, 1, 1) }
        {
            line = $0; off = 0
            while ((i = index(substr(line, off + 1), t)) > 0) {
                at = off + i
                before = at > 1 ? substr(line, at - 1, 1) : ""
                after = substr(line, at + length(t))
                bad_before = (first ~ /[[:alnum:]_]/ && before ~ /[[:alnum:]_]/) ||
                             (first ~ /[0-9]/ && before ~ /[.-]/)
                if (!bad_before && after !~ /^([[:alnum:]_\/-]|\.[[:alnum:]_])/) { found = 1; exit }
                off = at
            }
        }
        END { exit !found }' "${2:--}"
}

# rows_whole RUN_DIR: metrics.csv holds a header and whole rows (as many fields as the
# header names) for steps 1, 2, ... with no gap, and ends in a newline.
rows_whole() {
    awk -F, 'NR == 1 { nf = NF } NR > 1 && ($1 != NR - 1 || NF != nf) { bad = 1 } END { exit bad || NR < 2 }' "$1/metrics.csv" &&
        [ "$(tail -c 1 "$1/metrics.csv" | od -A n -c | tr -d ' ')" = '\n' ]
}

# pdf_words_apart PDF: the PDF is there and has words (pdftotext -bbox), every one on the
# page, no two overlapping, and no row of numbers run together into one word ("0.050.10"); prints what
# is wrong, at most five of each, and fails. A word's box is its font's whole height, so it
# is shrunk to the ink (a fifth off the top and bottom: a subscript's box reaches into the
# line under it, its ink does not) and by 0.3 pt at the sides.
pdf_words_apart() {
    [ -s "$1" ] || { echo "$1: no PDF there"; return 1; }
    pdf_words_=$(pdftotext -bbox "$1" - 2>&1) || { echo "$1: pdftotext failed: $pdf_words_"; return 1; }
    printf '%s\n' "$pdf_words_" | awk '
        /<page width=/ {
            match($0, /width="[^"]*"/); W = substr($0, RSTART + 7, RLENGTH - 8) + 0
            match($0, /height="[^"]*"/); H = substr($0, RSTART + 8, RLENGTH - 9) + 0
        }
        match($0, /<word xMin="[^"]*" yMin="[^"]*" xMax="[^"]*" yMax="[^"]*">/) {
            split(substr($0, RSTART, RLENGTH), f, "\"")
            w = substr($0, RSTART + RLENGTH); sub(/<\/word>.*/, "", w)
            if (f[2] < -0.5 || f[6] > W + 0.5 || f[4] < -0.5 || f[8] > H + 0.5)
                if (edge++ < 5) printf "\"%s\" is past the page edge\n", w
            # several numbers read as one word, their characters closer than a spaced axis
            # sets its tic labels (0 1 2 ... 9 a digit apart, which pdftotext also joins)
            if (w ~ /^[0-9.]+$/ && (w ~ /\..*\./ || length(w) > 5) &&
                (f[6] - f[2]) / length(w) < 0.8 * (f[8] - f[4]))
                if (merged++ < 5) printf "\"%s\": numbers run together\n", w
            h = (f[8] - f[4]) * 0.2
            n++; x0[n] = f[2] + 0.3; y0[n] = f[4] + h; x1[n] = f[6] - 0.3; y1[n] = f[8] - h
            word[n] = w
        }
        END {
            for (i = 1; i <= n; i++)
                for (j = i + 1; j <= n; j++)
                    if (x0[i] < x1[j] && x0[j] < x1[i] && y0[i] < y1[j] && y0[j] < y1[i])
                        if (bad++ < 5) printf "\"%s\" overlaps \"%s\"\n", word[i], word[j]
            if (bad) printf "%d overlapping pairs of %d words\n", bad, n
            if (!n) print "no words at all"
            exit bad + edge + merged > 0 || !n
        }'
}
