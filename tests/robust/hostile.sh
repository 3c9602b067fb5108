#!/bin/bash
# Robustness against hostile input (TAP). Each capture made by mkhostile.py
# at test time is read in text mode and in JSON mode with every record kind;
# each run must end within 60 s with the documented exit status, and the
# JSON must be strict UTF-8 NDJSON whose last line is complete. Where a rule
# applies, the expected anomaly code and the exact counts are checked in the
# stats record. Then the command line's error paths and a closed output pipe.
#
# Known bugs reported to the lead are marked "# TODO" (an expected failure
# for the TAP driver): once fixed they show as XPASS and fail the suite, so
# the TODO mark gets removed.
set -u
top=${top_srcdir:-.}
bin=${SIPSLEUTH:-./sipsleuth}
here=$top/tests/robust
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hostile.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
ALL=--emit=flow,dialog,message,stats,anomaly
RSS_LIMIT_KB=$((200 * 1024))

n=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
    n=$((n + 1)); echo "not ok $n - $1"; shift
    local l; for l in "$@"; do printf '%s\n' "$l" | head -n 5 | sed 's/^/#   /'; done
}
# sanitizer builds use shadow memory: peak RSS limits do not apply
sanitized=""
nm "${SIPSLEUTH:-./sipsleuth}" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle' && sanitized=yes
expect_rss() {
    if [ -n "$sanitized" ]; then
        n=$((n + 1)); echo "ok $n - $1 # SKIP sanitizer build"
    else
        expect "$@"
    fi
}
# expect DESC ACTUAL WANTED [TODO-REASON]
expect() {
    if [ "$2" = "$3" ]; then
        n=$((n + 1)); echo "ok $n - $1${4:+ # TODO $4}"
    else
        n=$((n + 1)); echo "not ok $n - $1${4:+ # TODO $4}"
        echo "#   got '$2', want '$3'"
    fi
}
# q CASE EXPR: a Python expression over the JSON run's summary (s) and its
# stats record (st, {} when absent); prints its value.
q() {
    python3 - "$tmp/$1.sum" "$2" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
st = s["stats"] or {}
an = st.get("anomalies", {})
print(eval(sys.argv[2]))
EOF
}
lines() { if [ -s "$1" ]; then wc -l < "$1" | tr -d ' '; else echo 0; fi; }

python3 "$here/mkhostile.py" "$tmp" $(python3 "$here/mkhostile.py" "$tmp" list) ||
    { echo "1..0 # SKIP could not generate the captures"; exit 0; }

# run CASE WANTED_STATUS [-- FILE]: text then JSON. Checks the status (124
# means it hung), empty stderr on success, valid NDJSON. Records peak RSS.
run() {
    local c=$1 want=$2 f=$tmp/$1.pcap rc
    [ $# -ge 4 ] && f=$4
    timeout 60 /usr/bin/time -f %M -o "$tmp/$c.rss.text" \
        "$bin" -vv -r "$f" > "$tmp/$c.txt" 2> "$tmp/$c.err.text"
    rc=$?
    if [ $rc -eq "$want" ] && { [ "$want" -ne 0 ] || [ ! -s "$tmp/$c.err.text" ]; }; then
        pass "$c: text: exit $want"
    else
        fail "$c: text: exit $rc (want $want)" "$(cat "$tmp/$c.err.text")"
    fi
    timeout 60 /usr/bin/time -f %M -o "$tmp/$c.rss.json" \
        "$bin" -T json $ALL -r "$f" 2> "$tmp/$c.err.json" |
        python3 "$here/ndjson-check.py" "$tmp/$c.sum" 2> "$tmp/$c.ndjson"
    local st=("${PIPESTATUS[@]}")
    if [ "${st[0]}" -eq "$want" ] && [ "${st[1]}" -eq 0 ] &&
        { [ "$want" -ne 0 ] || [ ! -s "$tmp/$c.err.json" ]; }; then
        pass "$c: json: exit $want, strict UTF-8 NDJSON, last line complete"
    else
        fail "$c: json: exit ${st[0]} (want $want), NDJSON check ${st[1]}" \
            "$(cat "$tmp/$c.err.json" "$tmp/$c.ndjson")"
    fi
    # /usr/bin/time's own line "Command exited with non-zero status" first
    tail -n 1 "$tmp/$c.rss.text" > "$tmp/$c.rss.t" 2>/dev/null
    tail -n 1 "$tmp/$c.rss.json" > "$tmp/$c.rss.j" 2>/dev/null
}
rss() { cat "$tmp/$1.rss.t" "$tmp/$1.rss.j" 2>/dev/null | sort -n | tail -n 1; }

# ---- files that cannot be read whole ----
run cut-mid-record 5
for m in text json; do
    e=$tmp/cut-mid-record.err.$m
    if [ "$(lines "$e")" = 1 ] && grep -q 'warning' "$e" && grep -q 'cut-mid-record.pcap' "$e"; then
        pass "cut-mid-record: $m: one warning naming the file"
    else
        fail "cut-mid-record: $m: stderr" "$(cat "$e")"
    fi
done
expect "cut-mid-record: the 6 complete packets analysed" "$(q cut-mid-record 'st["sip_messages"]')" 6
expect "cut-mid-record: its call has a dialog record" "$(q cut-mid-record 'len(s["dialogs"])')" 1

for c in not-capture empty missing; do
    run $c 3 -- "$tmp/$c.pcap$([ $c = missing ] && echo .none)"
    for m in text json; do
        expect "$c: $m: one line on stderr" "$(lines "$tmp/$c.err.$m")" 1
    done
    expect "$c: nothing on stdout" "$(q $c 's["lines"]')" 0
done

run zero-packets 0
expect "zero-packets: stats record with 0 packets" "$(q zero-packets 'st["packets"]')" 0

# ---- snaplen cuts ----
run snap-ip 0
expect "snap-ip: ip_truncated for each of 7 frames" "$(q snap-ip 'an.get("ip_truncated")')" 7
expect "snap-ip: no SIP message made up" "$(q snap-ip 'st["sip_messages"]')" 0
expect "snap-ip: the cut is in IP, not in SIP: no capture_truncated" \
    "$(q snap-ip 'an.get("capture_truncated", 0)')" 0
run snap-sip 0
expect "snap-sip: INVITE cut in its headers: sip_no_end_of_headers" \
    "$(q snap-sip 'an.get("sip_no_end_of_headers")')" 1
expect "snap-sip: the snaplen cut its SIP bytes: capture_truncated" \
    "$(q snap-sip 'an.get("capture_truncated")')" 1
run snap-sdp 0
expect "snap-sdp: INVITE and 200 cut in the SDP: sip_content_length_mismatch" \
    "$(q snap-sdp 'an.get("sip_content_length_mismatch")')" 2
expect "snap-sdp: the snaplen cut their SIP bytes: capture_truncated" \
    "$(q snap-sdp 'an.get("capture_truncated")')" 2

run no-eoh-udp 0
expect "no-eoh-udp: INVITE without the end of its headers: sip_no_end_of_headers" \
    "$(q no-eoh-udp 'an.get("sip_no_end_of_headers"), st["sip_incomplete"], s["incomplete_messages"]')" "(1, 1, 1)"

run long-strings 0
expect "long-strings: 30 KB Call-ID and User-Agent: one call, every line under 16 KB" \
    "$(q long-strings 'len(s["dialogs"]), s["longest_line"] < 16384')" "(1, True)"

run options-only 0
expect "options-only: OPTIONS make no call: no call line in the text report, calls 0" \
    "$(grep -c ' ka[0-9]@h ' "$tmp/options-only.txt") $(q options-only 'st["calls"], st["sip_messages"]')" "0 (0, 6)"

# ---- bytes on a SIP stream that are not SIP ----
run junk-tcp 0
expect "junk-tcp: two runs of junk: sip_stream_junk once each" \
    "$(q junk-tcp 'an.get("sip_stream_junk")')" 2
expect "junk-tcp: the INVITE and the BYE are found" "$(q junk-tcp 'st["sip_messages"]')" 2

# ---- Content-Length out of range (UDP, then TCP, then a good call) ----
run clen-big 0
expect "clen-big: 2147483648 over UDP: sip_content_length_mismatch" \
    "$(q clen-big 'an.get("sip_content_length_mismatch")')" 2
expect "clen-big: 2147483648 over TCP waits for the body: sip_incomplete at the end" \
    "$(q clen-big 'an.get("sip_incomplete")')" 1
expect "clen-big: the next call is whole" \
    "$(q clen-big '[d["end_reason"] for d in s["dialogs"] if d["call_id"] == "after@h"]')" "['bye']"
run clen-neg 0
expect "clen-neg: -1: sip_bad_content_length (UDP 1, TCP framer + parser 2)" \
    "$(q clen-neg 'an.get("sip_bad_content_length")')" 3
expect "clen-neg: every message parsed" "$(q clen-neg 'st["sip_messages"]')" 9

# ---- huge lines, many headers ----
run longline-tcp 0
expect "longline-tcp: 1 MB header line is one message, then the INVITE" \
    "$(q longline-tcp 'st["sip_messages"], st["anomalies_total"]')" "(2, 0)"
run hugeline-tcp 0
expect "hugeline-tcp: 2 MiB line cut at the cap: sip_message_too_big" \
    "$(q hugeline-tcp 'an.get("sip_message_too_big")')" 1
expect "hugeline-tcp: the INVITE after it is found" "$(q hugeline-tcp 'st["sip_messages"]')" 2
run longline-frag 0
expect "longline-frag: 64000-byte line in 44 fragments reassembled" \
    "$(q longline-frag 'st["ip_fragments"], st["ip_reassembled"], st["sip_messages"]')" "(44, 1, 1)"
run many-headers 0
expect "many-headers: 100000 headers: sip_too_many_headers" \
    "$(q many-headers 'an.get("sip_too_many_headers"), st["sip_messages"]')" "(1, 1)"
run many-via 0
expect "many-via: 10000 Via values parse without anomaly" \
    "$(q many-via 'st["sip_messages"], st["anomalies_total"]')" "(1, 0)"
run multipart-deep 0
expect "multipart-deep: depth 50 parsed as one message" "$(q multipart-deep 'st["sip_messages"]')" 1

# ---- bytes that are not text ----
run nul-utf8 0
expect "nul-utf8: sip_nul_byte in the 3 messages with NUL" "$(q nul-utf8 'an.get("sip_nul_byte")')" 3
expect "nul-utf8: 8 calls, each ended by BYE" \
    "$(q nul-utf8 'sorted(set(d["end_reason"] for d in s["dialogs"])), len(s["dialogs"])')" "(['bye'], 8)"
expect "nul-utf8: text output keeps control bytes escaped" \
    "$(LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/nul-utf8.txt")" 0

# ---- state that must not grow without bound ----
run frag-never 0
expect "frag-never: 50 fragment sets time out" \
    "$(q frag-never 'an.get("frag_timeout"), st["frag_timeouts"]')" "(50, 50)"
expect "frag-never: the call after them is analysed" "$(q frag-never 'st["sip_messages"]')" 7
run halfopen 0
expect "halfopen: 100000 streams, 34464 evicted past the 65536 cap" \
    "$(q halfopen 'st["tcp_stream_evictions"], an.get("tcp_stream_evicted")')" "(34464, 34464)"
expect "halfopen: each partial message reported incomplete" \
    "$(q halfopen 'an.get("sip_incomplete")')" 100000
r=$(rss halfopen)
expect_rss "halfopen: peak RSS ${r} KiB under $RSS_LIMIT_KB KiB" "$([ "${r:-0}" -lt $RSS_LIMIT_KB ] && echo yes)" yes
run many-dialogs 0
expect "many-dialogs: dialogs capped at 32 per call" "$(q many-dialogs 'st["dialogs"], len(s["dialogs"])')" "(32, 32)"
expect "many-dialogs: dialog_evicted reported" "$(q many-dialogs 'an.get("dialog_evicted", 0) > 0')" True
expect "many-dialogs: each refused fork counted once, not called an orphan" \
    "$(q many-dialogs 'st["dialog_evictions"], an.get("dialog_evicted"), an.get("orphan_response", 0)')" \
    "(99968, 99968, 0)"
r=$(rss many-dialogs)
expect_rss "many-dialogs: peak RSS ${r} KiB under 64 MiB" "$([ "${r:-0}" -lt 65536 ] && echo yes)" yes
run refer-storm 0
expect "refer-storm: 10000 REFERs: one dialog, transfers capped at 64 per call" \
    "$(q refer-storm 'len(s["dialogs"]), s["kinds"].get("sipsleuth.flow:refer_transfer"), st["sip_messages"]')" \
    "(1, 64, 20007)"
expect "refer-storm: the cap is reported once" "$(q refer-storm 'an.get("transfer_cap")')" 1
expect "refer-storm: dialog ends by bye" "$(q refer-storm 's["dialogs"][0]["end_reason"]')" bye

# every_case DESC EXPR: EXPR (as for q) is True for every case run
every_case() {
    local bad="" f c
    for f in "$tmp"/*.sum; do
        c=$(basename "$f" .sum)
        [ "$(q "$c" "$2")" = True ] || bad="$bad $c"
    done
    expect "$1 in every case" "${bad:-none}" none
}
# every message-level anomaly must give one anomaly record, as counted
every_case "anomaly records == stats anomalies_total" \
    's["kinds"].get("sipsleuth.anomaly", 0) == st.get("anomalies_total", 0)'
# and the incomplete message records are what stats.sip_incomplete counts
every_case "message records marked incomplete == stats sip_incomplete" \
    's["incomplete_messages"] == st.get("sip_incomplete", 0)'

# ---- the checks that only raise anomalies ----
# JSON without message, stats or anomaly records skips them (the values
# the dialogs need are still read): its flow and dialog records must be
# exactly those of a run that makes every check, on every hostile capture.
same=0 differ=""
for f in "$tmp"/*.pcap; do
    c=$(basename "$f" .pcap)
    timeout 60 "$bin" -T json -r "$f" > "$tmp/$c.light" 2> /dev/null
    timeout 60 "$bin" -T json --emit=flow,dialog,stats -r "$f" 2> /dev/null |
        grep -v '"dataset":"sipsleuth.stats"' > "$tmp/$c.full"
    if cmp -s "$tmp/$c.light" "$tmp/$c.full"; then same=$((same + 1)); else differ="$differ $c"; fi
done
expect "default JSON (light checks) == flow and dialog records of a fully checked run" "${differ:-none}" none
# and the skipped checks still run when asked for: snap-sip's cut INVITE
# lacks mandatory headers, which only the full check notices
expect "snap-sip: --emit=anomaly reports sip_missing_header" \
    "$("$bin" -T json --emit=anomaly -r "$tmp/snap-sip.pcap" 2> /dev/null | grep -c '"code":"sip_missing_header"')" 1

# ---- command line ----
cli() { # DESC WANTED_STATUS ARGS...
    local d=$1 want=$2; shift 2
    timeout 20 "$bin" "$@" > "$tmp/cli.out" 2> "$tmp/cli.err"
    local rc=$?
    if [ $rc -eq "$want" ] && [ "$(lines "$tmp/cli.err")" = 1 ] && [ ! -s "$tmp/cli.out" ]; then
        pass "cli: $d: exit $want, one line on stderr"
    else
        fail "cli: $d: exit $rc (want $want), stderr $(lines "$tmp/cli.err") lines" "$(cat "$tmp/cli.err")"
    fi
}
good=$tmp/zero-packets.pcap
cli "unknown option" 2 --no-such-option -r "$good"
cli "bad -T" 2 -T xml -r "$good"
cli "bad --emit" 2 -T json --emit=bogus -r "$good"
cli "bad -c" 2 -c abc -r "$good"
cli "bad BPF filter (-f)" 2 -f 'udp port' -r "$good"
cli "bad BPF filter (argument)" 2 -r "$good" 'tcp and and'
cli "-r and -i together" 2 -r "$good" -i lo
if [ "$(id -u)" = 0 ]; then
    cli "unknown interface" 3 -i nosuchif0
else
    echo "ok $((n += 1)) - cli: unknown interface # SKIP needs root (else permission comes first)"
fi

# ---- output to a pipe closed early ----
for mode in "-T json --emit=message" "-T text -vv"; do
    "$bin" $mode -r "$tmp/big.pcap" 2> "$tmp/pipe.err" | head -n 1 > /dev/null
    rc=${PIPESTATUS[0]}
    if [ "$rc" -eq 0 ] && [ ! -s "$tmp/pipe.err" ]; then
        pass "closed pipe ($mode | head -1): status 0, quiet"
    else
        fail "closed pipe ($mode | head -1): status $rc" "$(cat "$tmp/pipe.err")"
    fi
done

echo "1..$n"
