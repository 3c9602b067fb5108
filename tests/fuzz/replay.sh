#!/bin/sh
# Replays every fuzz corpus through its target (built with fuzz-replay.c):
# a crash or sanitizer report fails the test. Emits TAP.
dir=${top_builddir:-.}/tests/fuzz
src=${top_srcdir:-.}/tests/fuzz
n=0
for t in sip sdp framer tcp-reasm net defrag pipeline; do
    [ -x "$dir/replay-$t" ] || continue
    n=$((n + 1))
done
echo "1..$n"
i=0
for t in sip sdp framer tcp-reasm net defrag pipeline; do
    [ -x "$dir/replay-$t" ] || continue
    i=$((i + 1))
    corpus="$src/corpus/$t"
    [ -d "$corpus" ] || corpus=/dev/null
    if out=$("$dir/replay-$t" "$corpus" 2>&1); then
        echo "ok $i - $t: $(echo "$out" | tail -n 1)"
    else
        echo "not ok $i - $t"
        echo "$out" | tail -n 20 | sed 's/^/# /'
    fi
done
