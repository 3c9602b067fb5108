#!/bin/bash
# Live capture on the loopback interface (TAP). Needs root, sipp and tcpdump
# (skipped otherwise). sipp's built-in UAS and UAC make 20 calls on a pair of
# free UDP ports while sipsleuth captures on lo; then sipsleuth is stopped by
# a signal and must exit 0 with every call's dialog record, a stats record
# and a complete last line:
#   round int:  SIGINT, with -w: the written pcap is read by tshark and gives
#               the same 20 calls when sipsleuth reads it back
#   round term: SIGTERM
#   round hup:  SIGHUP
#   round drop: -Z nobody: the process runs without uid 0 while capturing
# Only the processes this script starts are signalled, by their PID.
set -u
top=${top_srcdir:-.}
bin=${SIPSLEUTH:-./sipsleuth}
here=$top/tests/robust
if [ "$(id -u)" != 0 ]; then
    echo "1..0 # SKIP needs root to capture on lo"
    exit 0
fi
for t in sipp tcpdump python3; do
    if ! command -v $t > /dev/null 2>&1; then
        echo "1..0 # SKIP $t not installed"
        exit 0
    fi
done
. "$top/tests/live/lib.sh"
live_setup live

# A pair of UDP ports nobody listens on (several checks may run at once).
port_free() { ! ss -Hlun "sport = :$1" 2>/dev/null | grep -q .; }
base=$((20000 + ($$ % 4000) * 2))
for _ in $(seq 50); do
    port_free $base && port_free $((base + 1)) && break
    base=$((base + 2))
done
UAC_PORT=$base
UAS_PORT=$((base + 1))
FILTER="udp port $UAC_PORT or udp port $UAS_PORT"
CALLS=20

n=0
expect() { # DESC ACTUAL WANTED
    n=$((n + 1))
    if [ "$2" = "$3" ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        echo "#   got '$2', want '$3'"
    fi
}
q() { # SUMMARY EXPR
    python3 - "$1" "$2" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
st = s["stats"] or {}
print(eval(sys.argv[2]))
EOF
}
echo "1..24"

sipp -sn uas -i 127.0.0.1 -p $UAS_PORT -nostdin -timeout 300 > "$tmp/uas.log" 2>&1 &
pids+=($!)
sleep 0.5

# round NAME SIGNAL [sipsleuth options]: sets $sum (the NDJSON summary)
round() {
    local name=$1 sig=$2
    shift 2
    "$bin" -i lo -T json --emit=flow,dialog,stats -f "$FILTER" "$@" \
        > "$tmp/$name.out" 2> "$tmp/$name.err" &
    local sp=$!
    pids+=($sp)
    sleep 1.5  # the device is open and the filter set well within this
    if [ -n "${on_capture:-}" ]; then $on_capture "$sp"; fi
    sipp -sn uac 127.0.0.1:$UAS_PORT -i 127.0.0.1 -p $UAC_PORT -m $CALLS -r 10 \
        -timeout 30 -timeout_error -nostdin > "$tmp/$name.uac" 2>&1
    local uac=$?
    sleep 1  # let the last packets through the capture buffer
    kill -s "$sig" "$sp"
    local t
    for t in $(seq 50); do
        kill -0 "$sp" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$sp" 2>/dev/null; then
        kill -KILL "$sp"
        echo "# $name: sipsleuth still running 10 s after SIG$sig: killed"
    fi
    wait "$sp"
    local rc=$?
    python3 "$here/ndjson-check.py" "$tmp/$name.sum" < "$tmp/$name.out" 2> "$tmp/$name.chk"
    local chk=$?
    sum=$tmp/$name.sum
    expect "$name: SIG$sig: exit 0, quiet, valid NDJSON ending in a complete line (sipp $uac)" \
        "$rc $chk $(wc -c < "$tmp/$name.err")" "0 0 0"
    [ -s "$tmp/$name.err" ] && sed 's/^/#   /' "$tmp/$name.err" "$tmp/$name.chk" | head -n 5
    [ $chk -ne 0 ] && sed 's/^/#   /' "$tmp/$name.chk"
    expect "$name: $CALLS dialog records, all ended by bye" \
        "$(q "$sum" 'len(s["dialogs"]), sorted(set(d["end_reason"] for d in s["dialogs"]))')" \
        "($CALLS, ['bye'])"
    expect "$name: stats record: live, $CALLS calls" \
        "$(q "$sum" 'st.get("live"), st.get("calls")')" "(True, $CALLS)"
    expect "$name: every record names the observer: this host, interface lo" \
        "$(python3 -c '
import json, sys
seen = set()
for line in open(sys.argv[1]):
    o = json.loads(line).get("observer", {})
    seen.add((o.get("hostname"), o.get("ingress", {}).get("interface", {}).get("name")))
print(sorted(seen))' "$tmp/$name.out")" "[('$(hostname)', 'lo')]"
    echo "# $name: kernel_received $(q "$sum" 'st.get("kernel_received")') kernel_dropped $(q "$sum" 'st.get("kernel_dropped")')"
    # loopback gives a packet socket each packet as sent and as received:
    # only the received copy may enter the kernel ring
    expect "$name: on lo the kernel ring holds each packet once, none dropped" \
        "$(q "$sum" 'st.get("kernel_received") == st.get("packets"), st.get("kernel_dropped")')" "(True, 0)"
}

# int, with -w
round int INT -w "$tmp/live.pcap"
live_sum=$sum
if command -v tshark > /dev/null 2>&1; then
    tshark -r "$tmp/live.pcap" > "$tmp/tshark.out" 2> "$tmp/tshark.err"
    trc=$?
    npk=$(wc -l < "$tmp/tshark.out")
    # tshark's only remark as root: 'Running as user "root" ... dangerous.'
    expect "int: -w file is a pcap tshark reads" \
        "$trc:$(grep -vc 'Running as user' "$tmp/tshark.err")" "0:0"
    expect "int: -w file holds every SIP packet" "$npk" "$(q "$live_sum" 'st["sip_messages"]')"
else
    n=$((n + 2)); echo "ok $((n - 1)) # SKIP tshark not installed"; echo "ok $n # SKIP tshark not installed"
fi
"$bin" -T json --emit=dialog -r "$tmp/live.pcap" 2> "$tmp/reread.err" |
    python3 "$here/ndjson-check.py" "$tmp/reread.sum"
expect "int: reading the -w file back gives the same $CALLS calls" \
    "$(q "$tmp/reread.sum" 'sorted((d["call_id"], d["end_reason"]) for d in s["dialogs"])')" \
    "$(q "$live_sum" 'sorted((d["call_id"], d["end_reason"]) for d in s["dialogs"])')"

round term TERM
round hup HUP

# -Z nobody: look at the uid while the capture runs
uid_seen=""
check_uid() { uid_seen=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$1/status" 2>/dev/null); }
on_capture=check_uid round drop INT -Z nobody
nobody=$(id -u nobody)
expect "drop: -Z nobody: real, effective, saved and fs uid are nobody's while capturing" \
    "$uid_seen" "$nobody $nobody $nobody $nobody"
