#!/bin/bash
# Live capture under load (run by hand, as root; not part of make check):
#
#   sudo RATE=1000 DURATION=60 SIPSLEUTH=./sipsleuth tests/live/load.sh
#
# SS_ARGS adds sipsleuth options (e.g. SS_ARGS="-B 64" for a 64 MiB kernel
# buffer); KEEP=1 keeps the temporary directory with every log.
# sipp's built-in UAC calls sipp's built-in UAS over lo at RATE calls/s for
# DURATION s while `sipsleuth -i lo -T json --emit=flow,dialog,stats` runs;
# then SIGINT. Prints TAP and the figures: calls sipp completed, dialog
# records, kernel drops (stats.kernel_dropped), sipsleuth's CPU time and
# the delay between a dialog's last message (its "end", capture time) and
# the moment its record came out of sipsleuth's stdout (wall clock).
# Every call sipp completed must have a dialog record ended by bye; kernel
# drops are reported (and fail the run when not 0).
set -u
top=${top_srcdir:-$(dirname "$0")/../..}
bin=${SIPSLEUTH:-./sipsleuth}
RATE=${RATE:-1000}
DURATION=${DURATION:-60}
UAC_PORT=${UAC_PORT:-25060}
UAS_PORT=${UAS_PORT:-25061}
if [ "$(id -u)" != 0 ] || ! command -v sipp > /dev/null 2>&1; then
    echo "1..0 # SKIP needs root and sipp"
    exit 0
fi
. "$top/tests/live/lib.sh"
live_setup load
echo "1..3"

# Each line of sipsleuth's output with the wall-clock time it arrived.
cat > "$tmp/stamp.py" <<'EOF'
import sys, time
out = open(sys.argv[1], "w")
for line in sys.stdin:
    out.write("%.6f\t%s" % (time.time(), line))
EOF

sipp -sn uas -i 127.0.0.1 -p "$UAS_PORT" -nostdin -timeout $((DURATION + 120)) \
    > "$tmp/uas.log" 2>&1 &
pids+=($!)
/usr/bin/time -f "%e %U %S %M" -o "$tmp/ss.time" \
    "$bin" -i lo -T json --emit=flow,dialog,stats ${SS_ARGS:-} -f "udp port $UAC_PORT or udp port $UAS_PORT" \
    2> "$tmp/ss.err" > >(python3 "$tmp/stamp.py" "$tmp/ss.out") &
tp=$!
pids+=($tp)
sleep 2
# /usr/bin/time does not pass signals on: signal its child, sipsleuth
sp=$(ps -o pid=,comm= --ppid "$tp" | awk '$2 == "sipsleuth" { print $1 }')
start=$(date +%s.%N)
sipp -sn uac "127.0.0.1:$UAS_PORT" -i 127.0.0.1 -p "$UAC_PORT" -r "$RATE" \
    -m $((RATE * DURATION)) -timeout $((DURATION + 60)) -nostdin > "$tmp/uac.log" 2>&1
uac=$?
end=$(date +%s.%N)
sleep 2
kill -INT "$sp"
for _ in $(seq 100); do kill -0 "$sp" 2>/dev/null || break; sleep 0.2; done
wait "$tp"
rc=$?
sleep 1

python3 - "$tmp" "$rc" "$uac" "$start" "$end" "$RATE" "$DURATION" <<'EOF'
import datetime, json, re, sys
tmp, rc, uac, start, end, rate, dur = sys.argv[1:8]
log = open(tmp + "/uac.log", errors="replace").read()
def last(name):
    m = re.findall(r"%s\s*\|\s*(\d+)\s*\|\s*(\d+)" % name, log)
    return int(m[-1][1]) if m else None
ok, failed = last("Successful call"), last("Failed call")
wall = float(end) - float(start)
dialogs, stats, delays = {}, None, []
def ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
for line in open(tmp + "/ss.out"):
    t, rec = line.split("\t", 1)
    r = json.loads(rec)
    ds = r["event"]["dataset"]
    if ds == "sipsleuth.dialog":
        d = r["sip"]["dialog"]
        dialogs[r["sip"]["call_id"]] = d["end_reason"]
        delays.append(float(t) - ts(r["event"]["end"]))
    elif ds == "sipsleuth.stats":
        stats = r["stats"]
bye = sum(1 for v in dialogs.values() if v == "bye")
delays.sort()
pct = lambda p: delays[min(len(delays) - 1, int(p * len(delays)))] * 1000 if delays else -1
cpu = open(tmp + "/ss.time").read().split()
print("# sipp: rate %s/s for %s s: %s successful, %s failed, %.1f s wall (%.0f calls/s achieved), exit %s"
      % (rate, dur, ok, failed, wall, (ok or 0) / wall, uac))
print("# sipsleuth: exit %s, %d dialog records (%d bye), cpu user %s s sys %s s, peak RSS %s KiB"
      % (rc, len(dialogs), bye, cpu[-3], cpu[-2], cpu[-1]))
if stats:
    print("# stats: packets %d sip_messages %d kernel_received %s kernel_dropped %s"
          % (stats["packets"], stats["sip_messages"], stats.get("kernel_received"),
             stats.get("kernel_dropped")))
print("# record delay after the dialog's last message: p50 %.1f ms, p99 %.1f ms, max %.1f ms"
      % (pct(0.5), pct(0.99), pct(1.0)))
print("%s 1 - sipsleuth exit 0 with a stats record" % ("ok" if rc == "0" and stats else "not ok"))
print("%s 2 - every call sipp completed (%s) has a dialog record ended by bye (%d)"
      % ("ok" if ok is not None and bye >= ok else "not ok", ok, bye))
kd = stats.get("kernel_dropped") if stats else None
print("%s 3 - kernel_dropped == 0 (%s)" % ("ok" if kd == 0 else "not ok", kd))
EOF
