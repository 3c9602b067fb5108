#!/usr/bin/env bash
# tests/golden/update-golden.sh - rewrite the expected output of golden tests.
#
# Usage: tests/golden/update-golden.sh NAME [NAME...]
#        tests/golden/update-golden.sh --all
#
# Runs each TESTLIST entry exactly as run-golden.sh does (from $top_srcdir,
# TZ=UTC LC_ALL=C) and writes tests/golden/expected/NAME.out (and NAME.err
# for entries marked stderr=expected).  Review the result with `git diff
# tests/golden/expected` before committing: the expected files ARE the
# specification.  New files must also be listed in Makefile.am (EXTRA_DIST).
# SIPSLEUTH defaults to $top_builddir/sipsleuth (top_builddir defaults to the
# source tree).
if [ $# -eq 0 ]; then
    sed -n '4,5p' "$0" | sed 's/^# //' >&2
    exit 2
fi
exec bash "$(dirname "$0")/run-golden.sh" --update "$@"
