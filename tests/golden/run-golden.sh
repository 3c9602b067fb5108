#!/usr/bin/env bash
# tests/golden/run-golden.sh - golden tests: capture + options -> exact output.
#
# Reads tests/golden/TESTLIST (format in tests/golden/README.md), runs
#   $SIPSLEUTH -r CAPTURE OPTIONS...
# from $top_srcdir with TZ=UTC LC_ALL=C, and compares stdout byte for byte
# with tests/golden/expected/NAME.out.  Emits TAP (automake tap-driver).
#
# Environment: SIPSLEUTH (the binary; default $top_builddir/sipsleuth),
#              top_srcdir, top_builddir (default: derived from this script).
# Usage:       run-golden.sh [NAME...]          run all tests, or only NAMEs
#              run-golden.sh --update NAME...   rewrite expected files
#              run-golden.sh --update --all     (what update-golden.sh runs)

set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=${top_builddir:-$top_srcdir}
top_builddir=$(cd "$top_builddir" && pwd)
SIPSLEUTH=${SIPSLEUTH:-$top_builddir/sipsleuth}
case $SIPSLEUTH in
    /*) ;;
    *) SIPSLEUTH=$(pwd)/$SIPSLEUTH ;;    # we cd to top_srcdir below
esac
TESTLIST=${TESTLIST:-$top_srcdir/tests/golden/TESTLIST}
EXPECTED=${EXPECTED:-$top_srcdir/tests/golden/expected}
TZ=UTC
LC_ALL=C
export TZ LC_ALL

update=0
all=0
only=()
for a in "$@"; do
    case $a in
        --update) update=1 ;;
        --all) all=1 ;;
        -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
        -*) echo "run-golden.sh: unknown option $a" >&2; exit 2 ;;
        *) only+=("$a") ;;
    esac
done
if [ $update -eq 1 ] && [ $all -eq 0 ] && [ ${#only[@]} -eq 0 ]; then
    echo "usage: update-golden.sh NAME... | --all" >&2
    exit 2
fi

# ---- parse TESTLIST -------------------------------------------------------------
# One test per line: NAME CAPTURE [OPTION...] [stderr=expected] [exit=N]
# '#' starts a comment; options are split on white space (no quoting).
names=() captures=() optlists=() errmodes=() exits=()
lineno=0
if [ -r "$TESTLIST" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        lineno=$((lineno + 1))
        line=${line%%#*}
        read -r -a words <<<"$line"
        [ ${#words[@]} -eq 0 ] && continue
        if [ ${#words[@]} -lt 2 ]; then
            echo "Bail out! TESTLIST:$lineno: need at least NAME and CAPTURE"
            exit 1
        fi
        name=${words[0]} capture=${words[1]} opts="" errmode=empty ex=0
        for w in "${words[@]:2}"; do
            case $w in
                stderr=expected) errmode=expected ;;
                exit=[0-9]*) ex=${w#exit=} ;;
                *) opts="$opts $w" ;;
            esac
        done
        for n in "${names[@]+"${names[@]}"}"; do
            if [ "$n" = "$name" ]; then
                echo "Bail out! TESTLIST:$lineno: duplicate test name $name"
                exit 1
            fi
        done
        names+=("$name") captures+=("$capture") optlists+=("$opts")
        errmodes+=("$errmode") exits+=("$ex")
    done <"$TESTLIST"
fi

selected=()
for i in "${!names[@]}"; do
    if [ $all -eq 1 ] || [ ${#only[@]} -eq 0 ]; then
        selected+=("$i")
        continue
    fi
    for o in "${only[@]}"; do
        [ "$o" = "${names[$i]}" ] && selected+=("$i")
    done
done
for o in "${only[@]+"${only[@]}"}"; do
    found=0
    for i in "${!names[@]}"; do
        [ "$o" = "${names[$i]}" ] && found=1
    done
    [ $found -eq 1 ] || { echo "run-golden.sh: no test named '$o' in TESTLIST" >&2; exit 2; }
done

if [ ${#selected[@]} -eq 0 ]; then
    [ $update -eq 1 ] && { echo "update-golden.sh: TESTLIST has no entries" >&2; exit 0; }
    echo "1..0 # SKIP no golden test in tests/golden/TESTLIST"
    exit 0
fi
if [ ! -x "$SIPSLEUTH" ]; then
    [ $update -eq 1 ] && { echo "update-golden.sh: no binary $SIPSLEUTH" >&2; exit 1; }
    echo "Bail out! sipsleuth binary not found: $SIPSLEUTH"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# run_one INDEX: runs the test, leaves $tmp/out, $tmp/err, and sets $status.
run_one() {
    local i=$1
    local -a opts
    read -r -a opts <<<"${optlists[$i]}"
    (cd "$top_srcdir" && exec "$SIPSLEUTH" -r "${captures[$i]}" ${opts[@]+"${opts[@]}"}) \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
}

# diag FILE: a file as TAP comment lines.
diag() {
    sed 's/^/# /' "$1"
}

if [ $update -eq 1 ]; then
    mkdir -p "$EXPECTED"
    rc=0
    for i in "${selected[@]}"; do
        name=${names[$i]}
        run_one "$i"
        cp "$tmp/out" "$EXPECTED/$name.out"
        if [ "${errmodes[$i]}" = expected ]; then
            cp "$tmp/err" "$EXPECTED/$name.err"
        elif [ -s "$tmp/err" ]; then
            echo "update-golden.sh: $name: unexpected stderr (not saved):" >&2
            cat "$tmp/err" >&2
            rc=1
        fi
        if [ "$status" -ne "${exits[$i]}" ]; then
            echo "update-golden.sh: $name: exit status $status, TESTLIST says exit=${exits[$i]}" >&2
            rc=1
        fi
        echo "updated $name ($(wc -l <"$EXPECTED/$name.out") lines)"
    done
    exit $rc
fi

echo "1..${#selected[@]}"
n=0
failed=0
for i in "${selected[@]}"; do
    n=$((n + 1))
    name=${names[$i]}
    exp=$EXPECTED/$name.out
    if [ ! -f "$exp" ]; then
        echo "not ok $n - $name"
        echo "# no expected output $exp (create it with tests/golden/update-golden.sh $name)"
        failed=$((failed + 1))
        continue
    fi
    run_one "$i"
    why=()
    if [ "$status" -ne "${exits[$i]}" ]; then
        why+=("exit status $status, expected ${exits[$i]}")
    fi
    if ! cmp -s "$exp" "$tmp/out"; then
        why+=("stdout differs from expected/$name.out")
        diff -u --label "expected/$name.out" --label "actual stdout" "$exp" "$tmp/out" |
            head -n 200 >"$tmp/diff"
    fi
    # JSON output must also satisfy the schema and the stream's promises
    case " ${optlists[$i]} " in
    *" -T json "*)
        if command -v python3 >/dev/null 2>&1; then
            python3 "$top_srcdir/tests/validate-json.py" "$tmp/out" >"$tmp/schema" 2>&1
            vs=$?
            if [ $vs -ne 0 ] && [ $vs -ne 77 ]; then
                why+=("JSON does not validate against docs/sipsleuth.schema.json")
                head -n 20 "$tmp/schema" >>"$tmp/diff"
            fi
        fi
        ;;
    esac
    if [ "${errmodes[$i]}" = expected ]; then
        if ! cmp -s "$EXPECTED/$name.err" "$tmp/err"; then
            why+=("stderr differs from expected/$name.err")
            diff -u --label "expected/$name.err" --label "actual stderr" "$EXPECTED/$name.err" \
                "$tmp/err" 2>&1 | head -n 50 >>"$tmp/diff"
        fi
    elif [ -s "$tmp/err" ]; then
        why+=("unexpected stderr")
        { echo "stderr:"; head -n 50 "$tmp/err"; } >>"$tmp/diff"
    fi
    if [ ${#why[@]} -eq 0 ]; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name"
        for w in "${why[@]}"; do
            echo "# $w"
        done
        [ -s "$tmp/diff" ] && diag "$tmp/diff"
        echo "# command: cd \$top_srcdir && sipsleuth -r ${captures[$i]}${optlists[$i]}"
        failed=$((failed + 1))
    fi
    rm -f "$tmp/diff"
done
exit 0
