#!/usr/bin/env bash
# samples/record.sh - regenerate the demo captures in samples/ from real SIP
# traffic played by SIPp (tests/scenarios/*.xml).
#
# Usage: sudo samples/record.sh [SAMPLE...]     (default: every sample)
#        samples/record.sh --list
#
# Needs root (network namespaces, packet capture), tcpdump, sipp and ip
# (iproute2); dumpcap for the pcapng sample and tshark for the check at the
# end are optional.  Nothing touches the host's interfaces: every sample runs
# in network namespaces created here (named ssrec-*-PID) and deleted on exit:
#   - "lo" samples: a private namespace with only its loopback up (127.0.0.1
#     and ::1), so no other traffic of the host can leak into a capture;
#   - "veth" samples: two namespaces joined by a veth pair (small MTU for
#     TCP segmentation and IP fragmentation, 802.1Q sub-interfaces for VLAN).
# Every sipp and tcpdump runs under timeout(1) and is stopped by its PID.
# Each sample uses its own port set.  Timestamps are those of the actual run,
# so re-recording changes the bytes (and Call-IDs, tags, branches): re-run
# tests/golden/update-golden.sh and review the diff afterwards.

set -u -o pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
SCEN="$TOP/tests/scenarios"
OUT="$TOP/samples"
TAG="ssrec-$$"
NS_LO="$TAG-lo"
NS_A="$TAG-a"
NS_B="$TAG-b"
WORK=""
PIDS=()        # background sipp processes of the current sample
TCPDUMP_PID=""
FAILED=()
VLAN_MODE=""
ALICE_OPTS=()   # extra sipp options for alice in call2 (e.g. a fixed Call-ID)

die() { echo "record.sh: $*" >&2; exit 1; }
note() { echo "record.sh: $*" >&2; }

ALL_SAMPLES="basic-udp basic-tcp basic-ipv6 basic-pcapng busy-486 cancel-487 forked-invite
hold-sendonly hold-inactive hold-null-addr hold-ipv6-null hold-update hold-callee hold-491
hold-double xfer-blind xfer-blind-failed xfer-attended pickup-replaces tcp-segments
udp-frag-ipv4 udp-frag-ipv6 vlan-8021q sll sll2 seed-hold seed-refer"

if [ "${1:-}" = "--list" ]; then
    echo $ALL_SAMPLES | tr ' ' '\n'
    exit 0
fi

# ---- prerequisites -----------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces and packet capture)"
missing=""
for t in tcpdump sipp ip timeout; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -z "$missing" ] || die "missing tool(s):$missing (Debian: apt-get install tcpdump sip-tester iproute2)"
[ -d "$SCEN" ] || die "no scenario folder $SCEN"

cleanup() {
    local p
    for p in "${PIDS[@]}" $TCPDUMP_PID; do
        kill "$p" 2>/dev/null
    done
    for ns in "$NS_LO" "$NS_A" "$NS_B"; do
        ip netns del "$ns" 2>/dev/null
    done
    [ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ssrec.XXXXXX") || die "mktemp failed"

# ---- namespaces ----------------------------------------------------------------
setup_lo_ns() {
    ip netns add "$NS_LO" || die "ip netns add failed"
    ip -n "$NS_LO" link set lo up
    # ::1 appears with lo; wait for it (no DAD on loopback, but be safe).
    local i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        ip -n "$NS_LO" -6 addr show dev lo | grep -q '::1' && return 0
        sleep 0.1
    done
    note "warning: ::1 missing in $NS_LO (IPv6 disabled?)"
}

# vlan_mode: "subif" when the kernel has 802.1Q devices, else "tc" when a
# tc eBPF tagger can be built (clang -target bpf) and loaded, else "".
vlan_mode() {
    ip netns add "$NS_A" || return 1
    ip -n "$NS_A" link add ssvx type veth peer name ssvy 2>/dev/null
    if ip -n "$NS_A" link add link ssvx name ssvx.100 type vlan id 100 2>/dev/null; then
        VLAN_MODE=subif
    else
        VLAN_MODE=""
        local inc=""
        [ -d "/usr/include/$(uname -m)-linux-gnu" ] && inc="-I/usr/include/$(uname -m)-linux-gnu"
        cat >"$WORK/vlan_tc.c" <<'EOF'
/* tc eBPF: push 802.1Q VID 100 on egress, pop VID 100 on ingress. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#define SEC(n) __attribute__((section(n), used))
static long (*vlan_push)(struct __sk_buff *, __u16, __u16) = (void *)BPF_FUNC_skb_vlan_push;
static long (*vlan_pop)(struct __sk_buff *) = (void *)BPF_FUNC_skb_vlan_pop;
SEC("egress") int tag(struct __sk_buff *skb)
{
    vlan_push(skb, __builtin_bswap16(0x8100), 100);
    return TC_ACT_OK;
}
SEC("ingress") int untag(struct __sk_buff *skb)
{
    if (skb->vlan_present && skb->vlan_tci == 100)
        vlan_pop(skb);
    return TC_ACT_OK;
}
char _license[] SEC("license") = "GPL";
EOF
        if command -v clang >/dev/null 2>&1 && command -v tc >/dev/null 2>&1 &&
            clang -O2 -target bpf $inc -c "$WORK/vlan_tc.c" -o "$WORK/vlan_tc.o" 2>"$WORK/clang.err"; then
            VLAN_MODE=tc
        fi
    fi
    ip netns del "$NS_A"
    [ -n "$VLAN_MODE" ]
}

# setup_veth MTU [vlan]: two namespaces A and B joined by veth ssva <-> ssvb.
#   A: 10.201.0.1/24 fd00:5151::1/64     B: 10.201.0.2/24 fd00:5151::2/64
#   with vlan: sub-interfaces ssva.100 / ssvb.100 (802.1Q VID 100) carrying
#   10.100.0.1/24 and 10.100.0.2/24.
setup_veth() {
    local mtu=$1 vlan=${2:-}
    ip netns add "$NS_A" && ip netns add "$NS_B" || die "ip netns add failed"
    ip -n "$NS_A" link set lo up
    ip -n "$NS_B" link set lo up
    ip -n "$NS_A" link add ssva type veth peer name ssvb netns "$NS_B" || die "veth failed"
    local ns dev n
    for n in a b; do
        if [ $n = a ]; then ns=$NS_A; dev=ssva; else ns=$NS_B; dev=ssvb; fi
        local host=1; [ $n = b ] && host=2
        ip -n "$ns" link set "$dev" mtu "$mtu"
        # No segmentation offload: the capture must show the segments and
        # fragments as they are on the wire, not 64 KiB GSO/GRO super-packets.
        ip -n "$ns" link set "$dev" gso_max_size 1500 gso_max_segs 1 2>/dev/null
        ip -n "$ns" link set "$dev" up
        if [ -n "$vlan" ] && [ "$VLAN_MODE" = subif ]; then
            ip -n "$ns" link add link "$dev" name "$dev.100" type vlan id 100
            ip -n "$ns" link set "$dev.100" up
            ip -n "$ns" addr add "10.100.0.$host/24" dev "$dev.100"
        elif [ -n "$vlan" ]; then
            # No 8021q in this kernel: tag on egress / untag on ingress with
            # a tc eBPF program, so the veth link carries 802.1Q frames.
            ip -n "$ns" addr add "10.100.0.$host/24" dev "$dev"
            ip netns exec "$ns" tc qdisc add dev "$dev" clsact &&
                ip netns exec "$ns" tc filter add dev "$dev" egress bpf da obj "$WORK/vlan_tc.o" sec egress &&
                ip netns exec "$ns" tc filter add dev "$dev" ingress bpf da obj "$WORK/vlan_tc.o" sec ingress ||
                { note "tc eBPF VLAN tagging failed"; return 1; }
        else
            ip -n "$ns" addr add "10.201.0.$host/24" dev "$dev"
            [ "$mtu" -lt 1280 ] || ip -n "$ns" -6 addr add "fd00:5151::$host/64" dev "$dev" nodad
        fi
    done
    sleep 0.3
}

teardown_veth() {
    ip netns del "$NS_A" 2>/dev/null
    ip netns del "$NS_B" 2>/dev/null
}

# ---- capture and SIPp helpers --------------------------------------------------
# capture NS IFACE FILE FILTER [extra tcpdump options...]
capture() {
    local ns=$1 ifc=$2 file=$3 filter=$4
    shift 4
    rm -f "$file"
    ip netns exec "$ns" timeout 120 tcpdump -i "$ifc" -n -s 0 -U --immediate-mode -w "$file" "$@" "$filter" \
        2>"$WORK/tcpdump.err" &
    TCPDUMP_PID=$!
    local i
    for i in $(seq 1 50); do
        grep -q 'listening on' "$WORK/tcpdump.err" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$WORK/tcpdump.err" >&2
    die "tcpdump did not start"
}

# capture_pcapng NS IFACE FILE FILTER: same with dumpcap (pcapng output).
capture_pcapng() {
    local ns=$1 ifc=$2 file=$3 filter=$4
    rm -f "$file"
    ip netns exec "$ns" timeout 120 dumpcap -q -i "$ifc" -f "$filter" -w "$file" \
        2>"$WORK/tcpdump.err" &
    TCPDUMP_PID=$!
    local i
    for i in $(seq 1 50); do
        [ -s "$file" ] && { sleep 0.2; return 0; }
        sleep 0.1
    done
    cat "$WORK/tcpdump.err" >&2
    die "dumpcap did not start"
}

stop_capture() {
    sleep 0.5                       # let the last datagrams reach the capture
    kill "$TCPDUMP_PID" 2>/dev/null
    wait "$TCPDUMP_PID" 2>/dev/null
    TCPDUMP_PID=""
    # tcpdump drops privileges to its own user: hand the file to the tree's owner
    chown --reference="$OUT" "$OUT"/*.pcap* 2>/dev/null
}

# sipp_bg NS NAME SCENARIO LOCAL_IP PORT [sipp options...]: a UAS in background.
sipp_bg() {
    local ns=$1 name=$2 scen=$3 ip=$4 port=$5
    shift 5
    (cd "$WORK" && exec ip netns exec "$ns" timeout 60 sipp -sf "$SCEN/$scen" \
        -i "$ip" -p "$port" -m 1 -nostdin -timeout 50s -timeout_error -trace_err "$@" \
        >"$WORK/$name.log" 2>&1) &
    PIDS+=($!)
    wait_port "$ns" "$port"
}

# sipp_fg NS NAME SCENARIO LOCAL_IP PORT REMOTE [sipp options...]: the UAC.
sipp_fg() {
    local ns=$1 name=$2 scen=$3 ip=$4 port=$5 remote=$6
    shift 6
    (cd "$WORK" && exec ip netns exec "$ns" timeout 60 sipp -sf "$SCEN/$scen" \
        -i "$ip" -p "$port" -m 1 -nostdin -timeout 50s -timeout_error -trace_err "$@" "$remote" \
        >"$WORK/$name.log" 2>&1)
    local rc=$?
    [ $rc -eq 0 ] || { note "$name: sipp exit $rc"; return 1; }
}

# wait_port NS PORT: until something listens on PORT (UDP or TCP) in NS.
wait_port() {
    local ns=$1 port=$2 i
    for i in $(seq 1 50); do
        ip netns exec "$ns" ss -Hlnu "sport = :$port" 2>/dev/null | grep -q . && return 0
        ip netns exec "$ns" ss -Hlnt "sport = :$port" 2>/dev/null | grep -q . && return 0
        sleep 0.1
    done
    note "nothing listens on port $port"
    return 1
}

# abort_bg: stop this sample's background sipp processes (by PID) after a failure.
abort_bg() {
    local p
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    show_logs
    PIDS=()
}

# show_logs: the end of every sipp log and error log of the current sample.
show_logs() {
    local f
    for f in "$WORK"/*.log; do
        [ -e "$f" ] || continue
        echo "--- ${f##*/}" >&2
        grep -v '^\s*$' "$f" | grep -v -e '^  ' -e '^---' | tail -n 20 >&2
    done
}

# wait_bg: every background sipp must end with status 0.
wait_bg() {
    local p rc ok=0
    for p in "${PIDS[@]}"; do
        wait "$p"
        rc=$?
        [ $rc -eq 0 ] || { note "background sipp (pid $p) exit $rc"; ok=1; }
    done
    PIDS=()
    [ $ok -eq 0 ] || show_logs
    return $ok
}

LO4=127.0.0.1
LO6=::1

# ---- samples ---------------------------------------------------------------------
# Each function records samples/NAME.pcap and returns non-zero on failure.
# Port sets: alice = P, bob = P+1, carol = P+2 unless said otherwise.

# call2 FILE CAPNS IFACE FILTER T NS_A IP_A PA NS_B IP_B PB UAC UAS [-- tcpdump opts]
# A two-party call: bob's UAS in background (namespace NS_B), alice's UAC in
# the foreground (NS_A), captured in CAPNS on IFACE.
call2() {
    local file=$1 capns=$2 ifc=$3 filter=$4 t=$5 nsa=$6 ipa=$7 pa=$8 nsb=$9 ipb=${10} pb=${11}
    local uac=${12} uas=${13}
    shift 13
    [ "${1:-}" = "--" ] && shift
    local rip=$ipb
    case $ipb in *:*) rip="[$ipb]" ;; esac
    capture "$capns" "$ifc" "$file" "$filter" "$@"
    sipp_bg "$nsb" bob "$uas" "$ipb" "$pb" -t "$t" || { abort_bg; stop_capture; return 1; }
    sipp_fg "$nsa" alice "$uac" "$ipa" "$pa" "$rip:$pb" -t "$t" ${ALICE_OPTS[@]+"${ALICE_OPTS[@]}"}
    local rc=$?
    wait_bg || rc=1
    stop_capture
    return $rc
}

# lo2 NAME ALICE_PORT BOB_PORT UAC UAS [transport] [ip]: a call on the loopback.
lo2() {
    local t=${6:-u1} ip=${7:-$LO4} proto=udp
    [ "$t" = u1 ] || proto=tcp
    call2 "$OUT/$1.pcap" "$NS_LO" lo "$proto and (port $2 or port $3)" "$t" \
        "$NS_LO" "$ip" "$2" "$NS_LO" "$ip" "$3" "$4" "$5"
}

rec_basic_udp()      { lo2 basic-udp 5062 5060 basic-uac.xml basic-uas.xml; }
rec_basic_tcp()      { lo2 basic-tcp 20020 20021 basic-uac.xml basic-uas.xml t1; }
rec_basic_ipv6()     { lo2 basic-ipv6 20030 20031 basic-uac.xml basic-uas.xml u1 $LO6; }
rec_busy_486()       { lo2 busy-486 20040 20041 busy-486-uac.xml busy-486-uas.xml; }
rec_cancel_487()     { lo2 cancel-487 20050 20051 cancel-487-uac.xml cancel-487-uas.xml; }
rec_forked_invite()  { lo2 forked-invite 20060 20061 basic-uac.xml forked-invite-uas.xml; }
rec_hold_sendonly()  { lo2 hold-sendonly 20070 20071 hold-sendonly-uac.xml hold-sendonly-uas.xml; }
rec_hold_inactive()  { lo2 hold-inactive 20080 20081 hold-inactive-uac.xml hold-inactive-uas.xml; }
rec_hold_null_addr() { lo2 hold-null-addr 20090 20091 hold-null-addr-uac.xml hold-null-addr-uas.xml; }
rec_hold_ipv6_null() { lo2 hold-ipv6-null 20100 20101 hold-ipv6-null-uac.xml hold-ipv6-null-uas.xml u1 $LO6; }
rec_hold_update()    { lo2 hold-update 20110 20111 hold-update-uac.xml hold-update-uas.xml; }
rec_hold_callee()    { lo2 hold-callee 20120 20121 hold-callee-uac.xml hold-callee-uas.xml; }
rec_hold_491()       { lo2 hold-491 20130 20131 hold-491-uac.xml hold-491-uas.xml; }
rec_hold_double()    { lo2 hold-double 20140 20141 hold-double-uac.xml hold-double-uas.xml; }

# three_party NAME P ALICE_XML BOB_XML CAROL_XML [alice's sipp options]: alice P (UAC, foreground),
# bob P+1 and carol P+2 (UAS, background), all on 127.0.0.1 over UDP; every
# party learns the others' ports by -key.
three_party() {
    local name=$1 p=$2 xa=$3 xb=$4 xc=$5
    shift 5
    local pa=$p pb=$((p + 1)) pc=$((p + 2))
    local keys=(-key alice_port $pa -key bob_port $pb -key carol_port $pc)
    capture "$NS_LO" lo "$OUT/$name.pcap" "udp and (port $pa or port $pb or port $pc)"
    sipp_bg "$NS_LO" carol "$xc" $LO4 $pc -t u1 "${keys[@]}" &&
        sipp_bg "$NS_LO" bob "$xb" $LO4 $pb -t u1 "${keys[@]}" || { abort_bg; stop_capture; return 1; }
    sipp_fg "$NS_LO" alice "$xa" $LO4 $pa "$LO4:$pb" -t u1 "${keys[@]}" "$@"
    local rc=$?
    wait_bg || rc=1
    stop_capture
    return $rc
}

rec_xfer_blind()        { three_party xfer-blind 20150 xfer-blind-a.xml xfer-blind-b.xml xfer-blind-c.xml; }
rec_xfer_blind_failed() { three_party xfer-blind-failed 20160 xfer-blind-a.xml xfer-blind-failed-b.xml xfer-blind-failed-c.xml; }
rec_xfer_attended()     { three_party xfer-attended 20170 xfer-attended-a.xml xfer-attended-b.xml xfer-attended-c.xml; }

# ---- transport and link-layer variants ----
rec_basic_pcapng() {
    command -v dumpcap >/dev/null 2>&1 || { note "dumpcap missing: skipping basic-pcapng"; return 0; }
    local pa=20270 pb=20271
    capture_pcapng "$NS_LO" lo "$OUT/basic-pcapng.pcapng" "udp and (port $pa or port $pb)"
    sipp_bg "$NS_LO" bob basic-uas.xml $LO4 $pb -t u1 || { abort_bg; stop_capture; return 1; }
    sipp_fg "$NS_LO" alice basic-uac.xml $LO4 $pa "$LO4:$pb" -t u1
    local rc=$?
    wait_bg || rc=1
    stop_capture
    return $rc
}

# Linux cooked captures: "any" pseudo-interface in the private namespace.
rec_sll() {
    call2 "$OUT/sll.pcap" "$NS_LO" any "udp and (port 20230 or port 20231)" u1 \
        "$NS_LO" $LO4 20230 "$NS_LO" $LO4 20231 basic-uac.xml basic-uas.xml -- -y LINUX_SLL
}
rec_sll2() {
    call2 "$OUT/sll2.pcap" "$NS_LO" any "udp and (port 20240 or port 20241)" u1 \
        "$NS_LO" $LO4 20240 "$NS_LO" $LO4 20241 basic-uac.xml basic-uas.xml -- -y LINUX_SLL2
}

# SIP over TCP on a 576-byte MTU link: the ~3 kB INVITE and 200 span several
# segments (MSS 536); bob's 100+180 share one segment.
rec_tcp_segments() {
    setup_veth 576
    call2 "$OUT/tcp-segments.pcap" "$NS_A" ssva "tcp and (port 20190 or port 20191)" t1 \
        "$NS_A" 10.201.0.1 20190 "$NS_B" 10.201.0.2 20191 bigsdp-uac.xml coalesce-uas.xml
    local rc=$?
    teardown_veth
    return $rc
}

# Big UDP INVITE fragmented by IPv4 (MTU 576) / IPv6 (MTU 1280).  The filter
# names hosts, not ports: non-first fragments carry no UDP header.
rec_udp_frag_ipv4() {
    setup_veth 576
    call2 "$OUT/udp-frag-ipv4.pcap" "$NS_A" ssva "ip and host 10.201.0.2" u1 \
        "$NS_A" 10.201.0.1 20200 "$NS_B" 10.201.0.2 20201 bigsdp-uac.xml basic-uas.xml
    local rc=$?
    teardown_veth
    return $rc
}
rec_udp_frag_ipv6() {
    setup_veth 1280
    call2 "$OUT/udp-frag-ipv6.pcap" "$NS_A" ssva "ip6 and host fd00:5151::2 and not icmp6" u1 \
        "$NS_A" fd00:5151::1 20210 "$NS_B" fd00:5151::2 20211 bigsdp-uac.xml basic-uas.xml
    local rc=$?
    teardown_veth
    return $rc
}

# 802.1Q: the call runs over ssva.100/ssvb.100 (VID 100); the capture is on
# the parent ssva, where libpcap re-inserts the tag the kernel keeps aside.
rec_vlan_8021q() {
    vlan_mode || { note "no 802.1Q support (kernel 8021q or clang+tc eBPF): cannot record vlan-8021q"; return 1; }
    note "  802.1Q tagging by: $VLAN_MODE"
    setup_veth 1500 vlan || { teardown_veth; return 1; }
    call2 "$OUT/vlan-8021q.pcap" "$NS_A" ssva "vlan 100 and udp and (port 20220 or port 20221)" u1 \
        "$NS_A" 10.100.0.1 20220 "$NS_B" 10.100.0.2 20221 basic-uac.xml basic-uas.xml
    local rc=$?
    teardown_veth
    return $rc
}

# ---- the seed's examples ----
rec_seed_hold() {
    ALICE_OPTS=(-cid_str 12345601@atlanta.example.com)
    call2 "$OUT/seed-hold.pcap" "$NS_LO" lo "udp and (port 20250 or port 20251)" u1 \
        "$NS_LO" $LO4 20250 "$NS_LO" $LO4 20251 seed-hold-a.xml seed-hold-b.xml
    local rc=$?
    ALICE_OPTS=()
    return $rc
}
rec_seed_refer() {
    three_party seed-refer 20260 seed-refer-a.xml seed-refer-b.xml seed-refer-c.xml \
        -cid_str 12345601@atlanta.example.com
}

# Call pickup: bob rings (UAS), alice calls him (UAC, background), then
# carol (UAC) sends alice the INVITE with Replaces.  alice and carol share a
# fixed Call-ID (see tests/scenarios/pickup-replaces-a.xml).
rec_pickup_replaces() {
    local pa=20180 pb=20181 pc=20182
    local cid="f81d4fae7dec11d0a76500a0c91e6bf6@127.0.0.1"
    local keys=(-key alice_port $pa -key bob_port $pb -key carol_port $pc)
    capture "$NS_LO" lo "$OUT/pickup-replaces.pcap" "udp and (port $pa or port $pb or port $pc)"
    sipp_bg "$NS_LO" bob pickup-replaces-b.xml $LO4 $pb -t u1 "${keys[@]}" &&
        sipp_bg "$NS_LO" alice pickup-replaces-a.xml $LO4 $pa -t u1 "${keys[@]}" \
            -cid_str "$cid" "$LO4:$pb" || { abort_bg; stop_capture; return 1; }
    sleep 1.2                       # bob has been ringing for about a second
    sipp_fg "$NS_LO" carol pickup-replaces-c.xml $LO4 $pc "$LO4:$pa" -t u1 "${keys[@]}" -cid_str "$cid"
    local rc=$?
    wait_bg || rc=1
    stop_capture
    return $rc
}

# ---- main ------------------------------------------------------------------------
samples=${*:-$ALL_SAMPLES}
setup_lo_ns
for s in $samples; do
    fn="rec_${s//-/_}"
    declare -F "$fn" >/dev/null || die "unknown sample '$s' (see --list)"
    note "recording $s"
    if "$fn" && [ ${#PIDS[@]} -eq 0 ]; then
        f=$(ls "$OUT/$s".pcap* 2>/dev/null | head -n 1)
        note "  -> $f ($(stat -c %s "$f") bytes)"
    else
        [ ${#PIDS[@]} -eq 0 ] || abort_bg
        [ -z "$TCPDUMP_PID" ] || stop_capture
        FAILED+=("$s")
        note "  FAILED: $s"
    fi
    rm -f "$WORK"/*.log "$WORK"/*.err
done
if [ ${#FAILED[@]} -ne 0 ]; then
    note "failed samples: ${FAILED[*]}"
    exit 1
fi
exit 0
