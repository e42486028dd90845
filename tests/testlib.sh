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
