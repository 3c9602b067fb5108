#!/bin/bash
# CLI behaviour on the bundled samples (TAP): call filters with linked
# calls, -w written packets read back, stdin, several files, version.
set -u
top=${top_srcdir:-.}
bin=${SIPSLEUTH:-./sipsleuth}
s=$top/samples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
ko() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
check() { # name expected actual
    if [ "$2" = "$3" ]; then ok "$1"; else ko "$1"; echo "# expected: $2"; echo "# got:      $3"; fi
}
calls() { grep -v '^ \|^$\|^Summary' | awk '{print $3}' | tr '\n' ' ' | sed 's/ $//'; }

echo "1..22"
three="-r $s/xfer-attended.pcap -r $s/hold-sendonly.pcap -r $s/busy-486.pcap"

check "no filter: three files, calls in start order" \
  "1-20164@127.0.0.1 1-20242@127.0.0.1 1-21740@127.0.0.1 consult-21740///1-21740@127.0.0.1 xfer-21733///1-21740@127.0.0.1" \
  "$("$bin" -q $three | calls)"
check "--label replaces_transfer brings the calls the transfer links" \
  "1-21740@127.0.0.1 consult-21740///1-21740@127.0.0.1 xfer-21733///1-21740@127.0.0.1" \
  "$("$bin" -q --label replaces_transfer $three | calls)"
check "--label hold" \
  "1-20242@127.0.0.1 1-21740@127.0.0.1 consult-21740///1-21740@127.0.0.1 xfer-21733///1-21740@127.0.0.1" \
  "$("$bin" -q --label hold $three | calls)"
check "--label hold: the summary counts the input and says how many calls were shown" \
  "  calls: 5  dialogs: 5  (shown: 4, by the filters and their links)" \
  "$("$bin" -q --label hold $three | grep '^  calls:')"
check "no filter: no shown count" "  calls: 5  dialogs: 5" "$("$bin" -q $three | grep '^  calls:')"
check "JSON stats with a filter: calls_selected" "4" \
  "$("$bin" -T json --emit=stats --label hold $three | sed 's/.*"calls_selected":\([0-9]*\).*/\1/')"
"$bin" -T json --emit= -r "$s/basic-udp.pcap" > "$tmp/e.out" 2> "$tmp/e.err"
check "--emit with no kind: exit 2, one error line, nothing on stdout" "2 1 0" \
  "$? $(wc -l < "$tmp/e.err" | tr -d ' ') $(wc -c < "$tmp/e.out" | tr -d ' ')"
check "--emit given twice: the kinds add up" "sipsleuth.dialog sipsleuth.stats" \
  "$("$bin" -T json --emit=dialog --emit=stats -r "$s/basic-udp.pcap" | sed 's/.*"dataset":"\([a-z.]*\)".*/\1/' | sort -u | tr '\n' ' ' | sed 's/ $//')"
check "--emit=, (only commas): exit 2" "2" \
  "$("$bin" -T json --emit=, -r "$s/basic-udp.pcap" > /dev/null 2>&1; echo $?)"
head -c 20 "$s/basic-udp.pcap" > "$tmp/cut-header.pcap"
check "a file cut inside its header cannot be opened: exit 3, as for any input that cannot be" "3" \
  "$("$bin" -q -r "$s/basic-udp.pcap" -r "$tmp/cut-header.pcap" > /dev/null 2>&1; echo $?)"
head -c 24 "$s/basic-udp.pcap" > "$tmp/no-packets.pcap"
check "no packets: the stats record is stamped now, without start/end (not 1970)" "no-1970 no-start" \
  "$("$bin" -T json --emit=stats -r "$tmp/no-packets.pcap" | sed -e 's/.*"@timestamp":"1970.*/1970/' -e 's/^{.*/no-1970/') $("$bin" -T json --emit=stats -r "$tmp/no-packets.pcap" | grep -q '"start"' && echo start || echo no-start)"
check "--call-id" "1-20164@127.0.0.1" "$("$bin" -q --call-id 1-20164@127.0.0.1 $three | calls)"
check "--user glob on the callee" \
  "1-21740@127.0.0.1 consult-21740///1-21740@127.0.0.1 xfer-21733///1-21740@127.0.0.1" \
  "$("$bin" -q --user 'car*' $three | calls)"
check "filters on stdin (one pass) still select the labelled call" \
  "1-20242@127.0.0.1" "$("$bin" -q --label resume -r - < "$s/hold-sendonly.pcap" | calls)"
check "JSON with a filter: only the selected call's records" \
  "1" "$("$bin" -q -T json --call-id 1-20242@127.0.0.1 $three | grep -c '"dataset":"sipsleuth.dialog"')"

"$bin" -q -w "$tmp/sel.pcap" --label hold $three > "$tmp/a.txt"
"$bin" -q -r "$tmp/sel.pcap" > "$tmp/b.txt"
check "-w: the written packets give the same calls back" "$(calls < "$tmp/a.txt")" "$(calls < "$tmp/b.txt")"
if command -v tshark > /dev/null 2>&1; then
    check "-w: tshark reads the file" "42" "$(tshark -r "$tmp/sel.pcap" 2>/dev/null | wc -l | tr -d ' ')"
else
    ok "-w: tshark reads the file # SKIP tshark not installed"
fi
"$bin" -q -w "$tmp/all.pcap" -r "$s/basic-udp.pcap" > /dev/null
check "-w without filter keeps every SIP packet" \
  "$("$bin" -T json --emit=stats -r "$s/basic-udp.pcap" | sed 's/.*"sip_messages":\([0-9]*\).*/\1/')" \
  "$("$bin" -T json --emit=stats -r "$tmp/all.pcap" | sed 's/.*"sip_messages":\([0-9]*\).*/\1/')"
# -w keeps the TCP segments and IP fragments a message was rebuilt from
for f in tcp-segments udp-frag-ipv4; do
    "$bin" -q -w "$tmp/$f.pcap" -r "$s/$f.pcap" > "$tmp/$f.a"
    check "-w $f: same calls and SIP messages read back" \
      "$(calls < "$tmp/$f.a") $("$bin" -T json --emit=stats -r "$s/$f.pcap" | sed 's/.*"sip_messages":\([0-9]*\).*/\1/')" \
      "$("$bin" -q -r "$tmp/$f.pcap" | calls) $("$bin" -T json --emit=stats -r "$tmp/$f.pcap" | sed 's/.*"sip_messages":\([0-9]*\).*/\1/')"
done
check "-r - reads stdin like the file" "$("$bin" -q -r "$s/hold-sendonly.pcap")" "$("$bin" -q -r - < "$s/hold-sendonly.pcap")"
check "--version" "sipsleuth $(sed -n 's/^AC_INIT(\[sipsleuth\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")" "$("$bin" --version)"
exit 0
