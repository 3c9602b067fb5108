#!/bin/bash
# Memcheck over every capture in samples/ (TAP): text with the timeline of
# every message and the ladder (-vv --flow), and JSON with every record
# kind. Any invalid read/write, use of uninitialised memory or definite
# leak fails. Skipped when valgrind is not installed, or when sipsleuth was
# built with a sanitizer (the two do not mix).
set -u
top=${top_srcdir:-.}
if [ -n "${SIPSLEUTH_QUICK:-}" ]; then
    echo "1..0 # SKIP SIPSLEUTH_QUICK is set (CI runs this once, in the main build)"
    exit 0
fi
bin=${SIPSLEUTH:-./sipsleuth}
if ! command -v valgrind > /dev/null 2>&1; then
    echo "1..0 # SKIP valgrind not installed"
    exit 0
fi
if nm "$bin" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
    echo "1..0 # SKIP $bin is built with a sanitizer"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vg.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

files=()
for f in "$top"/samples/*.pcap "$top"/samples/*.pcapng; do
    [ -f "$f" ] && files+=("$f")
done
echo "1..$((2 * ${#files[@]}))"
i=0
for f in "${files[@]}"; do
    name=$(basename "$f")
    for mode in "-vv --flow" "-T json --emit=all"; do
        i=$((i + 1))
        # G_SLICE / G_DEBUG: plain malloc, so valgrind sees every block
        G_SLICE=always-malloc G_DEBUG=gc-friendly \
            valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
            --show-leak-kinds=definite --log-file="$tmp/vg.log" \
            "$bin" $mode -r "$f" > /dev/null 2> "$tmp/err"
        rc=$?
        # 0, or 5 for a capture cut short: both are normal ends
        if [ $rc -eq 0 ] || [ $rc -eq 5 ]; then
            echo "ok $i - $name ($mode)"
        else
            echo "not ok $i - $name ($mode): exit $rc"
            sed 's/^/#   /' "$tmp/vg.log" "$tmp/err" | head -n 40
        fi
    done
done
