#!/bin/sh
# Every mutant of tests/mutants.list still applies to the code, each to exactly one
# line (no build: half a second). A change that moves a mutant's line fails here,
# so the list is updated with the change instead of rotting until `make mutants`.
out=$(sh "$(dirname "$0")/mutants.sh" --check 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 0 ] || echo "# tests/mutants.list is out of date: fix the stanzas marked ERROR"
exit "$rc"
