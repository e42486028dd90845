#!/bin/sh
# Every mutant of tests/mutants.list still applies to the code, each to exactly one
# line (no build: half a second). A change that moves a mutant's line fails here,
# so the list is updated with the change instead of rotting until `make mutants`.
# Inside a mutant's own run the mutated line is gone on purpose: that is no kill.
[ -n "${FTLAB_IN_MUTANT:-}" ] && { echo "# SKIP: inside tests/mutants.sh, the tree is mutated"; exit 77; }
out=$(sh "$(dirname "$0")/mutants.sh" --check 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 0 ] || echo "# tests/mutants.list is out of date: fix the stanzas marked ERROR"
exit "$rc"
