#!/bin/sh
# mutants.sh — would the tests notice a plausible bug? Applies each mutant of
# tests/mutants.list (one line changed in src/, ui/ or plots/), one at a time,
# to a private copy of the tree, rebuilds, runs the tests and prints a table:
# which mutants the tests killed, with the tests that failed, and which survived.
#
#   tests/mutants.sh                   every mutant, each against all of make check
#   tests/mutants.sh NAME...           only these (or MUTANTS="NAME NAME")
#   tests/mutants.sh --fast            the subset CI runs, each against its own tests
#   tests/mutants.sh --list [--fast]   names, files and why, without building
#   tests/mutants.sh --check           only that every mutant still applies (no build)
#   make mutants                       the same as the first line
#
# Options: --keep leaves the private tree (its path is printed). Environment:
# MUTANTS_JOBS (make -j, default the core count), MUTANTS_TIMEOUT (seconds for one
# mutant's tests, default 600; a timeout counts as a kill), CONFIGURE_FLAGS (given to
# ./configure in the private tree), MUTANTS_LIST (another list), TMPDIR.
#
# The working tree is never touched: the sources (git's tracked and untracked,
# not ignored, files; the whole folder outside git) are copied to a temporary
# folder, configured and built there once, and each mutant then costs an
# incremental rebuild plus the tests. The unmutated copy must pass the same
# tests first, so that a failure can be blamed on the mutant.
#
# Exit status: 0 when every mutant was killed; 1 when one survived; 2 when the
# list is out of date — a mutant whose text is found on no line or on more than
# one, or whose code no longer compiles, is an error of the list, not a kill (2 also
# when the unmutated copy does not build or fails its tests).
#
# Adding a mutant: add a stanza to tests/mutants.list —
#     name:  short-name
#     file:  src/whatever.c
#     from:  the exact text now on one line of that file
#     to:    the text with the bug in it
#     why:   the real mistake it stands for, in one line
#     tests: (optional) tests/test_whatever tests/cli.sh — what --fast runs for it
#     fast:  (optional) yes — to make it one of the CI subset
# and run `tests/mutants.sh --check` then `tests/mutants.sh short-name`. If the
# text is on several lines, add "after: TEXT", TEXT being on exactly one line
# before it: the first line holding the text after that one is changed. Make it
# a bug someone could write (a swapped argument, an off-by-one, a copy-paste),
# one that compiles, and not one that changes nothing (an equivalent mutant).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
list=${MUTANTS_LIST:-$here/mutants.list}
# The private tree gets its own make, not the jobserver or variables of a make that called us.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
make=${MAKE:-make}
jobs=${MUTANTS_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
limit=${MUTANTS_TIMEOUT:-600}

usage() { # STATUS: the whole header for --help, the command lines after a mistake
    if [ "$1" -eq 0 ]; then sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"
    else sed -n '/^#   tests/,/^#   make/s/^# \{0,1\}//p' "$0" >&2; fi
    exit "$1"
}

mode=run fast=0 keep=0 names=
for arg in "$@"; do
    case $arg in
    --list) mode=list ;;
    --check) mode=check ;;
    --fast) fast=1 ;;
    --keep) keep=1 ;;
    -h | --help) usage 0 ;;
    -*) echo "mutants: unknown option $arg" >&2; usage 2 ;;
    *) names="$names $arg" ;;
    esac
done
[ -z "$names" ] && names=${MUTANTS:-}

work=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-mutants-XXXXXX") || exit 2
cleanup() { if [ "$keep" -eq 1 ]; then echo "mutants: kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT
trap 'exit 2' INT TERM HUP
meta=$work/meta
tree=$work/tree
mkdir -p "$meta" "$tree"

# ---- the list: one folder per mutant under $meta, one file per key ----

perl -e '
    use strict; use warnings;
    my ($list, $out) = @ARGV;
    my %keys = map { $_ => 1 } qw(name file after from to why tests fast);
    my (@order, %seen, $cur);
    my $bad = 0;
    sub complain { print STDERR "mutants: $list:$_[0]: $_[1]\n"; $bad = 1; }
    sub finish {
        return unless $cur;
        my $m = $cur; $cur = undef;
        my $at = $m->{line};
        for my $k (qw(file from to why)) {
            complain($at, "mutant \"$m->{name}\" has no \"$k:\"") unless defined $m->{$k};
        }
        complain($at, "\"$m->{name}\" is not a [a-z0-9.-] name") unless $m->{name} =~ /^[a-z0-9][a-z0-9.-]*$/;
        complain($at, "\"$m->{name}\" is named twice") if $seen{$m->{name}}++;
        complain($at, "\"$m->{name}\": from and to are the same")
            if defined $m->{from} && defined $m->{to} && $m->{from} eq $m->{to};
        complain($at, "\"$m->{name}\": an empty \"from:\"") if defined $m->{from} && $m->{from} eq "";
        complain($at, "\"$m->{name}\": \"fast:\" is yes or no")
            if defined $m->{fast} && $m->{fast} !~ /^(yes|no)$/;
        return if $bad;
        my $dir = "$out/m/$m->{name}";
        mkdir "$out/m"; mkdir $dir or die "$dir: $!\n";
        for my $k (keys %keys) {
            open my $fh, ">", "$dir/$k" or die "$dir/$k: $!\n";
            print $fh $m->{$k} // "";
            close $fh;
        }
        push @order, $m->{name};
    }
    open my $in, "<", $list or die "mutants: $list: $!\n";
    while (my $line = <$in>) {
        $line =~ s/\r?\n\z//;
        next if $line =~ /^\s*#/;
        if ($line =~ /^\s*$/) { finish(); next; }
        if ($line !~ /^([a-z]+):[ \t]*(.*?)[ \t]*$/) { complain($., "not a \"key: value\" line"); next; }
        my ($k, $v) = ($1, $2);
        if (!$keys{$k}) { complain($., "unknown key \"$k\""); next; }
        if ($k eq "name") { finish(); $cur = { name => $v, line => $. }; next; }
        if (!$cur) { complain($., "\"$k:\" before the \"name:\" of its mutant"); next; }
        if (exists $cur->{$k}) { complain($., "\"$k:\" twice in \"$cur->{name}\""); next; }
        $cur->{$k} = $v;
    }
    finish();
    exit 2 if $bad;
    open my $fh, ">", "$out/order" or die "$out/order: $!\n";
    print $fh "$_\n" for @order;
' "$list" "$meta" || exit 2

field() { cat "$meta/m/$1/$2"; } # NAME KEY

# The mutants chosen: the names asked for, else the --fast subset, else all.
chosen=
if [ -n "$names" ]; then
    for n in $names; do
        [ -d "$meta/m/$n" ] || { echo "mutants: no mutant named '$n' (see --list)" >&2; exit 2; }
        chosen="$chosen $n"
    done
else
    for n in $(cat "$meta/order"); do
        if [ "$fast" -eq 0 ] || [ "$(field "$n" fast)" = yes ]; then chosen="$chosen $n"; fi
    done
fi

[ -n "$chosen" ] || { echo "mutants: no mutants chosen" >&2; exit 2; }

if [ "$mode" = list ]; then
    for n in $chosen; do
        printf '%-26s %-20s %s\n' "$n" "$(field "$n" file)" "$(field "$n" why)"
    done
    exit 0
fi

# apply NAME ROOT: mutant NAME applied to the tree at ROOT; prints the line changed,
# or why it cannot be applied (exit 3).
apply() {
    perl -e '
        use strict; use warnings;
        my ($tree, $dir) = @ARGV;
        my %m;
        for my $k (qw(file after from)) {
            open my $fh, "<", "$dir/$k" or die "$dir/$k: $!\n";
            local $/; $m{$k} = <$fh>; close $fh;
        }
        my $path = "$tree/$m{file}";
        open my $in, "<", $path or do { print "$m{file} does not exist\n"; exit 3 };
        my @lines = <$in>;
        close $in;
        my @hits = (0 .. $#lines);
        if ($m{after} ne "") {
            my @a = grep { index($lines[$_], $m{after}) >= 0 } @hits;
            if (@a != 1) { printf "the \"after\" text is on %d lines, not one\n", scalar @a; exit 3; }
            @hits = grep { index($lines[$_], $m{from}) >= 0 } ($a[0] + 1 .. $#lines);
            @hits = @hits[0 .. 0] if @hits;
        } else {
            @hits = grep { index($lines[$_], $m{from}) >= 0 } @hits;
        }
        if (@hits != 1) { printf "the text is on %d lines, not one\n", scalar @hits; exit 3; }
        my $i = $hits[0];
        my $at = index($lines[$i], $m{from});
        if (index($lines[$i], $m{from}, $at + 1) >= 0) { print "the text is twice on line ", $i + 1, "\n"; exit 3; }
        open my $fh, "<", "$dir/to" or die "$dir/to: $!\n";
        my $to = do { local $/; <$fh> };
        close $fh;
        substr($lines[$i], $at, length $m{from}) = $to;
        open my $out, ">", $path or die "$path: $!\n";
        print $out @lines;
        close $out or die "$path: $!\n";
        print $i + 1, "\n";
    ' "$2" "$meta/m/$1"
}

if [ "$mode" = check ]; then
    # Each mutant on a fresh copy of its one file: no tree to copy, no build.
    errors=0
    for n in $chosen; do
        file=$(field "$n" file)
        rm -rf "$tree" && mkdir -p "$tree/$(dirname "$file")"
        cp "$top/$file" "$tree/$file" 2>/dev/null
        if line=$(apply "$n" "$tree"); then
            printf '%-26s %s:%s\n' "$n" "$file" "$line"
        else
            printf '%-26s %s: ERROR: %s\n' "$n" "$file" "$line"
            errors=$((errors + 1))
        fi
    done
    [ "$errors" -eq 0 ] || exit 2
    exit 0
fi

# ---- the private tree ----

if [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
    # Tracked and untracked sources, as they are now (not as committed), and autotools'
    # output when it is there; bootstrap regenerates it when configure.ac is newer.
    { git -C "$top" ls-files -z -co --exclude-standard
      for f in configure aclocal.m4 Makefile.in config.h.in build-aux; do printf '%s\0' "$f"; done
    } | (cd "$top" && perl -0 -ne 'print if -e substr($_, 0, -1)') |
        tar -C "$top" --null --no-recursion -T - -cf - | tar -C "$tree" -xf - || exit 2
    [ -d "$top/build-aux" ] && cp -Rp "$top/build-aux/." "$tree/build-aux/"
else
    cp -Rp "$top/." "$tree" && chmod -R u+w "$tree" || exit 2
    [ -f "$tree/Makefile" ] && (cd "$tree" && $make distclean >/dev/null 2>&1)
fi

start=$(date +%s)
say() { echo "mutants: $* ($(( $(date +%s) - start )) s)" >&2; }

if ! (cd "$tree" && FTLAB_NO_APT=1 MAKE=$make ./bootstrap) >"$work/bootstrap.log" 2>&1; then
    tail -n 30 "$work/bootstrap.log" >&2
    echo "mutants: the unmutated copy does not build" >&2
    exit 2
fi
say "configured and built in $tree"

# Runs the tests SEL ("" for all of make check) on the tree; sets $failed to those
# that failed ("" when all passed), from automake's per-test .trs files.
run_tests() {
    sel=$1
    if [ -z "$sel" ]; then
        find "$tree" -name '*.trs' -exec rm -f {} +
        (cd "$tree" && FTLAB_IN_MUTANT=1 timeout "$limit" "$make" -j"$jobs" check) >"$work/check.log" 2>&1
        status=$?
        trs=$(cd "$tree" && find . -name '*.trs' | sed 's|^\./||; s|\.trs$||' | sort)
    else
        for t in $sel; do rm -f "$tree/$t.trs" "$tree/$t.log"; done
        (cd "$tree" && FTLAB_IN_MUTANT=1 timeout "$limit" "$make" -j"$jobs" check TESTS="$sel") >"$work/check.log" 2>&1
        status=$?
        trs=$sel
    fi
    failed=
    for t in $trs; do
        if [ ! -f "$tree/$t.trs" ]; then
            failed="$failed $t(no result)"
        elif grep -Eq '^:test-result: (FAIL|ERROR|XPASS)' "$tree/$t.trs"; then
            failed="$failed $t"
        fi
    done
    [ "$status" -eq 124 ] && failed="$failed (timeout after $limit s)"
    [ "$status" -ne 0 ] && [ -z "$failed" ] && failed="(make check exited $status)"
    failed=${failed# }
}

# The tests mutant $1 is held to: its own with --fast (all when it names none), else all.
tests_of() {
    if [ "$fast" -eq 1 ]; then field "$1" tests; fi
}

# The unmutated copy must pass them all first, or a failure says nothing of a mutant.
baseline=
for n in $chosen; do
    sel=$(tests_of "$n")
    if [ -z "$sel" ]; then baseline=; break; fi
    for t in $sel; do case " $baseline " in *" $t "*) ;; *) baseline="$baseline $t" ;; esac; done
done
run_tests "${baseline# }"
if [ -n "$failed" ]; then
    tail -n 40 "$work/check.log" >&2
    echo "mutants: the unmutated copy already fails: $failed" >&2
    exit 2
fi
baseline=${baseline# }
say "the unmutated copy passes ${baseline:-all of make check}"

# ---- the mutants ----

table=$work/table
: >"$table"
total=0 killed=0 survived=0 errors=0 i=0
count=$(printf "%s\n" $chosen | grep -c .)
for n in $chosen; do
    i=$((i + 1))
    file=$(field "$n" file)
    t0=$(date +%s)
    cp -p "$tree/$file" "$work/orig" 2>/dev/null
    if ! line=$(apply "$n" "$tree"); then
        result=ERROR detail="no longer applies: $line"
    elif ! (cd "$tree" && "$make" -j"$jobs" check TESTS= >"$work/build.log" 2>&1); then
        result=ERROR detail="does not compile (line $line)"
        grep -m 3 'error' "$work/build.log" | sed 's/^/    /' >&2
    else
        run_tests "$(tests_of "$n")"
        if [ -n "$failed" ]; then result=killed detail=$failed; else result=SURVIVED detail=-; fi
    fi
    # A copy, not a rename: the new time stamp makes the next build recompile it.
    [ -f "$work/orig" ] && cp "$work/orig" "$tree/$file" && rm -f "$work/orig"
    case $result in
    killed) killed=$((killed + 1)) ;;
    SURVIVED) survived=$((survived + 1)) ;;
    *) errors=$((errors + 1)) ;;
    esac
    total=$((total + 1))
    secs=$(( $(date +%s) - t0 ))
    printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$file" "$result" "$secs" "$detail" >>"$table"
    say "[$i/$count] $n: $result"
done

# ---- the table ----

mode_note="each against all of make check"
[ "$fast" -eq 1 ] && mode_note="--fast: each against its own tests"
printf '%-26s | %-20s | %-8s | %4s | %s\n' mutant file result secs "failed tests"
printf '%-26s-+-%-20s-+-%-8s-+-%4s-+-%12s\n' "" "" "" "" "" | tr ' ' '-'
while IFS='	' read -r n file result secs detail; do
    printf '%-26s | %-20s | %-8s | %4s | %s\n' "$n" "$file" "$result" "$secs" "$detail"
done <"$table"
echo
echo "$total mutants ($mode_note): $killed killed, $survived survived, $errors errors," \
    "in $(( $(date +%s) - start )) s"
[ "$errors" -gt 0 ] && exit 2
[ "$survived" -gt 0 ] && exit 1
exit 0
