#!/bin/bash
# Memory flatness (TAP): memory must grow with the calls in flight, not with
# the length of the capture (DESIGN.md §4). bench/sipgen writes a capture of
# completed calls with about 500 in flight at any time; sipsleuth reads one
# with N packets and one with 10 N through a pipe (nothing big on disk), and
# the peak RSS of the long run must stay within 10% + 4 MiB of the short
# one. Also checks that every call of the capture was seen, from sipgen's
# own summary: calls + blind transfers (one new call) + attended transfers
# (consultation + new call).
#
# MEMFLAT_PACKETS (default 150000, about 18k calls) sets N; below ~100k
# packets the run is still warming up and the ratio means nothing.
set -u
if [ -n "${SIPSLEUTH_QUICK:-}" ]; then
    echo "1..0 # SKIP SIPSLEUTH_QUICK is set (CI runs this once, in the main build)"
    exit 0
fi
bin=${SIPSLEUTH:-./sipsleuth}
sipgen=${top_builddir:-.}/bench/sipgen
N=${MEMFLAT_PACKETS:-150000}
SLACK_KB=4096
if nm "$bin" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
    echo "1..0 # SKIP $bin is built with a sanitizer (its memory is not the program's)"
    exit 0
fi
if [ ! -x "$sipgen" ]; then
    echo "1..0 # SKIP bench/sipgen not built (make bench/sipgen)"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memflat.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
echo "1..5"

# run TAG PACKETS: sets rss_TAG (KiB) and checks the call count
i=0
run() {
    local tag=$1 pk=$2
    "$sipgen" -o - -n "$pk" 2> "$tmp/$tag.gen" |
        /usr/bin/time -f %M -o "$tmp/$tag.rss" "$bin" -T json --emit=flow,dialog,stats -r - \
            2> "$tmp/$tag.err" | tail -n 1 > "$tmp/$tag.stats"
    local st=("${PIPESTATUS[@]}")
    local rss want got
    rss=$(tail -n 1 "$tmp/$tag.rss")
    eval "rss_$tag=\${rss:-0}"
    want=$(sed -n 's/.* \([0-9]*\) calls (\([0-9]*\) hold, \([0-9]*\) blind, \([0-9]*\) attended).*/\1 \3 \4/p' \
        "$tmp/$tag.gen" | awk '{ print $1 + $2 + 2 * $3 }')
    got=$(sed -n 's/.*"calls":\([0-9]*\).*/\1/p' "$tmp/$tag.stats")
    i=$((i + 1))
    if [ "${st[0]}" = 0 ] && [ "${st[1]}" = 0 ] && [ ! -s "$tmp/$tag.err" ] && [ -n "$want" ] &&
        [ "$got" = "$want" ]; then
        echo "ok $i - $tag: $pk packets, $got calls, peak RSS $rss KiB"
    else
        echo "not ok $i - $tag: $pk packets: status ${st[*]}, calls '$got' (want '$want')"
        sed 's/^/#   /' "$tmp/$tag.err" "$tmp/$tag.gen" | head -n 5
    fi
}
run x1 "$N"
run x10 $((N * 10))
limit=$((rss_x1 * 11 / 10 + SLACK_KB))
i=$((i + 1))
if [ "$rss_x10" -gt 0 ] && [ "$rss_x10" -le "$limit" ]; then
    echo "ok $i - peak RSS 10x ($rss_x10 KiB) <= 1.1 * 1x ($rss_x1 KiB) + $SLACK_KB KiB"
else
    echo "not ok $i - peak RSS 10x ($rss_x10 KiB) > 1.1 * 1x ($rss_x1 KiB) + $SLACK_KB KiB"
fi

# The same over TCP (stream reassembly and framing state per connection),
# at N and 3 N packets to stay within a minute. Below ~100k packets the
# run is still warming up (transactions linger 32 s of capture time).
"$sipgen" -t tcp -o - -n "$N" 2>/dev/null |
    /usr/bin/time -f %M -o "$tmp/t1.rss" "$bin" -T json -r - > /dev/null 2>&1
"$sipgen" -t tcp -o - -n $((N * 3)) 2>/dev/null |
    /usr/bin/time -f %M -o "$tmp/t3.rss" "$bin" -T json -r - > /dev/null 2>&1
t1=$(tail -n 1 "$tmp/t1.rss"); t3=$(tail -n 1 "$tmp/t3.rss")
i=$((i + 1))
if [ "${t1:-0}" -gt 0 ]; then
    echo "ok $i - tcp: $N packets: peak RSS $t1 KiB"
else
    echo "not ok $i - tcp: no RSS figure"
fi
limit=$((${t1:-0} * 11 / 10 + SLACK_KB))
i=$((i + 1))
if [ "${t3:-0}" -gt 0 ] && [ "$t3" -le "$limit" ]; then
    echo "ok $i - tcp: peak RSS 3x ($t3 KiB) <= 1.1 * 1x ($t1 KiB) + $SLACK_KB KiB"
else
    echo "not ok $i - tcp: peak RSS 3x (${t3:-?} KiB) > 1.1 * 1x (${t1:-?} KiB) + $SLACK_KB KiB"
fi
