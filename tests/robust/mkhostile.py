#!/usr/bin/env python3
"""mkhostile.py - writes hostile captures for tests/robust/hostile.sh.

    mkhostile.py OUTDIR CASE...      (CASE "list" prints the case names)

Every capture is classic pcap (microsecond, little endian, DLT_EN10MB) of
Ethernet + IPv4 + UDP or TCP frames with correct IPv4 header checksums
(UDP checksum 0 is allowed over IPv4, RFC 768; TCP checksums are left 0
as offloaded captures often show them). Output depends only on the case
name, so a failure can be reproduced by hand. Written at test time into a
temporary directory: nothing big is committed.
"""
import os
import struct
import sys

LINKTYPE_ETHERNET = 1
T0 = 1704067200  # 2024-01-01T00:00:00Z


class Pcap:
    """Minimal classic pcap writer (the format of pcap-savefile(5))."""

    def __init__(self, path, snaplen=262144):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen,
                                 LINKTYPE_ETHERNET))
        self.t = 0

    def add(self, frame, caplen=None, dt_us=1000):
        self.t += dt_us
        cap = len(frame) if caplen is None else min(caplen, len(frame))
        sec, usec = divmod(self.t, 1000000)
        self.f.write(struct.pack("<IIII", T0 + sec, usec, cap, len(frame)))
        self.f.write(frame[:cap])

    def close(self):
        self.f.close()


def ip_checksum(hdr):
    if len(hdr) % 2:
        hdr += b"\0"
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipaddr(a):
    return bytes(int(x) for x in a.split("."))


def eth(payload):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + payload


def ipv4(src, dst, proto, payload, ident=1, mf=False, frag_off=0):
    flags = (0x2000 if mf else 0) | (frag_off // 8)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF,
                      flags, 64, proto, 0, ipaddr(src), ipaddr(dst))
    hdr = hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
    return hdr + payload


def udp_frame(src, sport, dst, dport, data, ident=1):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    return eth(ipv4(src, dst, 17, u, ident))


def udp_fragments(src, sport, dst, dport, data, ident, mtu=1500):
    """The frames of one UDP datagram cut into IPv4 fragments (RFC 791)."""
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    step = ((mtu - 20) // 8) * 8
    out = []
    for off in range(0, len(u), step):
        chunk = u[off:off + step]
        out.append(eth(ipv4(src, dst, 17, chunk, ident, mf=off + step < len(u),
                            frag_off=off)))
    return out


SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


def tcp_frame(src, sport, dst, dport, seq, ack, flags, data=b""):
    t = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                    5 << 4, flags, 65535, 0, 0) + data
    return eth(ipv4(src, dst, 6, t))


class TcpConn:
    """One client->server connection: handshake, data in MSS pieces, FIN."""

    def __init__(self, pc, src, sport, dst, dport, isn=1000, sisn=5000):
        self.pc, self.src, self.sport, self.dst, self.dport = pc, src, sport, dst, dport
        self.seq, self.sseq = isn, sisn
        pc.add(tcp_frame(src, sport, dst, dport, self.seq, 0, SYN))
        pc.add(tcp_frame(dst, dport, src, sport, self.sseq, self.seq + 1, SYN | ACK))
        self.seq += 1
        self.sseq += 1
        pc.add(tcp_frame(src, sport, dst, dport, self.seq, self.sseq, ACK))

    def send(self, data, mss=1460):
        for off in range(0, len(data), mss):
            chunk = data[off:off + mss]
            self.pc.add(tcp_frame(self.src, self.sport, self.dst, self.dport, self.seq,
                                  self.sseq, ACK | PSH, chunk), dt_us=10)
            self.seq += len(chunk)

    def close(self):
        self.pc.add(tcp_frame(self.src, self.sport, self.dst, self.dport, self.seq,
                              self.sseq, FIN | ACK))
        self.pc.add(tcp_frame(self.dst, self.dport, self.src, self.sport, self.sseq,
                              self.seq + 1, FIN | ACK))


A, B = "10.0.0.1", "10.0.0.2"

SDP = (b"v=0\r\no=alice 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
       b"t=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n")
SDP_ANSWER = SDP.replace(b"alice", b"bob").replace(b"10.0.0.1", b"10.0.0.2")


def request(method, callid=b"c1@h", cseq=1, ftag=b"ft1", ttag=None, body=b"",
            ctype=b"application/sdp", extra=b"", clen=None, via=None,
            from_dn=b"Alice", to_dn=b"Bob", ruri=b"sip:bob@10.0.0.2"):
    to = b'"' + to_dn + b'" <sip:bob@10.0.0.2>'
    if ttag is not None:
        to += b";tag=" + ttag
    if via is None:
        via = b"SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-" + method.lower() + b"-%d" % cseq
    m = (method + b" " + ruri + b" SIP/2.0\r\n"
         b"Via: " + via + b"\r\n"
         b"Max-Forwards: 70\r\n"
         b'From: "' + from_dn + b'" <sip:alice@10.0.0.1>;tag=' + ftag + b"\r\n"
         b"To: " + to + b"\r\n"
         b"Call-ID: " + callid + b"\r\n"
         b"CSeq: %d " % cseq + method + b"\r\n"
         b"Contact: <sip:alice@10.0.0.1:5060>\r\n" + extra)
    if body:
        m += b"Content-Type: " + ctype + b"\r\n"
    m += b"Content-Length: " + (b"%d" % len(body) if clen is None else clen) + b"\r\n\r\n"
    return m + body


def response(code, reason, method, callid=b"c1@h", cseq=1, ftag=b"ft1", ttag=b"tt1",
             body=b"", extra=b""):
    m = (b"SIP/2.0 %d " % code + reason + b"\r\n"
         b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-" + method.lower() + b"-%d\r\n" % cseq +
         b'From: "Alice" <sip:alice@10.0.0.1>;tag=' + ftag + b"\r\n"
         b'To: "Bob" <sip:bob@10.0.0.2>' + (b";tag=" + ttag if ttag else b"") + b"\r\n"
         b"Call-ID: " + callid + b"\r\n"
         b"CSeq: %d " % cseq + method + b"\r\n" + extra)
    if body:
        m += b"Content-Type: application/sdp\r\n"
    return m + b"Content-Length: %d\r\n\r\n" % len(body) + body


def basic_call(callid=b"c1@h", ftag=b"ft1", ttag=b"tt1"):
    """The 7 messages of sipp's basic UAC scenario."""
    return [
        (A, B, request(b"INVITE", callid, 1, ftag, body=SDP)),
        (B, A, response(100, b"Trying", b"INVITE", callid, 1, ftag, None)),
        (B, A, response(180, b"Ringing", b"INVITE", callid, 1, ftag, ttag)),
        (B, A, response(200, b"OK", b"INVITE", callid, 1, ftag, ttag, SDP_ANSWER)),
        (A, B, request(b"ACK", callid, 1, ftag, ttag)),
        (A, B, request(b"BYE", callid, 2, ftag, ttag)),
        (B, A, response(200, b"OK", b"BYE", callid, 2, ftag, ttag)),
    ]


def udp_msgs(pc, msgs, ident0=1):
    for i, (s, d, m) in enumerate(msgs):
        pc.add(udp_frame(s, 5060, d, 5060, m, ident0 + i))


# ---- the cases -------------------------------------------------------------

def c_cut_mid_record(path):
    """A basic call whose 7th record is cut short in the middle of its data."""
    pc = Pcap(path)
    udp_msgs(pc, basic_call())
    pc.close()
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(size - 60)


def c_not_capture(path):
    with open(path, "wb") as f:
        f.write(b"This is not a capture file, just some text.\n" * 20)


def c_empty(path):
    open(path, "wb").close()


def c_zero_packets(path):
    Pcap(path).close()


def c_snap_ip(path):
    """Frames cut by snaplen inside the IPv4 header (14 + 10 bytes)."""
    pc = Pcap(path, snaplen=24)
    for s, d, m in basic_call():
        pc.add(udp_frame(s, 5060, d, 5060, m), caplen=24)
    pc.close()


def c_snap_sip(path):
    """The INVITE cut by snaplen in the middle of its SIP headers."""
    pc = Pcap(path, snaplen=200)
    msgs = basic_call()
    for i, (s, d, m) in enumerate(msgs):
        f = udp_frame(s, 5060, d, 5060, m, i + 1)
        pc.add(f, caplen=14 + 20 + 8 + 120 if i == 0 else None)
    pc.close()


def c_snap_sdp(path):
    """The INVITE and the 200 cut by snaplen inside their SDP bodies."""
    pc = Pcap(path)
    for i, (s, d, m) in enumerate(basic_call()):
        f = udp_frame(s, 5060, d, 5060, m, i + 1)
        cut = None
        if m.startswith(b"INVITE") or m.startswith(b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-invite"):
            cut = len(f) - 40
        pc.add(f, caplen=cut)
    pc.close()


def c_clen_big(path, value=b"2147483648"):
    """Content-Length 2^31 over UDP, then over TCP, then a good call."""
    pc = Pcap(path)
    pc.add(udp_frame(A, 5060, B, 5060, request(b"INVITE", b"big-udp@h", body=SDP, clen=value)))
    conn = TcpConn(pc, A, 40000, B, 5060)
    conn.send(request(b"INVITE", b"big-tcp@h", body=SDP, clen=value))
    conn.close()
    udp_msgs(pc, basic_call(b"after@h"), 100)
    pc.close()


def c_clen_neg(path):
    c_clen_big(path, b"-1")


def big_header_msg(n):
    return request(b"OPTIONS", b"long@h", extra=b"X-Long: " + b"a" * n + b"\r\n")


def c_no_eoh_udp(path):
    """A whole UDP INVITE whose headers never end (no empty line), then the
    rest of a basic call: the INVITE's record says incomplete, and so must
    the stats."""
    pc = Pcap(path)
    msgs = basic_call(b"noeoh@h")
    for i, (s, d, m) in enumerate(msgs):
        if m.startswith(b"INVITE"):
            m = m[:m.index(b"\r\n\r\n") + 2]
        pc.add(udp_frame(s, 5060, d, 5060, m, i + 1))
    pc.close()


def c_long_strings(path):
    """A call whose Call-ID is 30000 bytes of 0xAA and whose INVITE has a
    30000-byte User-Agent of 0x01 (each byte 6 in JSON), over IPv4
    fragments: its records must stay short enough for log shippers."""
    pc = Pcap(path)
    cid = b"\xaa" * 30000
    for i, (s, d, m) in enumerate(basic_call(cid)):
        if m.startswith(b"INVITE"):
            m = m.replace(b"Max-Forwards: 70\r\n", b"Max-Forwards: 70\r\nUser-Agent: " + b"\x01" * 30000 + b"\r\n")
        for f in udp_fragments(s, 5060, d, 5060, m, i + 1):
            pc.add(f)
    pc.close()


def c_options_only(path):
    """Three OPTIONS keepalives with their 200s, each its own Call-ID: no
    dialog, so no call anywhere (text report, summary, stats)."""
    pc = Pcap(path)
    for i in range(3):
        cid = b"ka%d@h" % i
        pc.add(udp_frame(A, 5060, B, 5060, request(b"OPTIONS", cid, 1, b"f%d" % i), 2 * i + 1))
        pc.add(udp_frame(B, 5060, A, 5060, response(200, b"OK", b"OPTIONS", cid, 1, b"f%d" % i, b"t%d" % i),
                         2 * i + 2))
    pc.close()


def c_junk_tcp(path):
    """A SIP/TCP stream with two runs of non-SIP bytes: three lines (one
    binary) before the INVITE, one line between it and the BYE."""
    pc = Pcap(path)
    msgs = basic_call()
    inv = next(m for s, d, m in msgs if m.startswith(b"INVITE"))
    bye = next(m for s, d, m in msgs if m.startswith(b"BYE"))
    conn = TcpConn(pc, A, 40000, B, 5060)
    conn.send(b"\x16\x03\x01\x02\x00junk\r\nHELLO there\r\nnot sip either\r\n" + inv +
              b"garbage between\r\n" + bye)
    conn.close()
    pc.close()


def c_longline_tcp(path, n=1000000):
    """A 1 MB header line over TCP, then an INVITE on the same stream."""
    pc = Pcap(path)
    conn = TcpConn(pc, A, 40001, B, 5060)
    conn.send(big_header_msg(n))
    for _s, _d, m in basic_call(b"after-tcp@h")[:1]:
        conn.send(m)
    conn.close()
    pc.close()


def c_hugeline_tcp(path):
    """A 2 MiB header line over TCP (over the 1 MiB message cap), then an
    INVITE on the same stream."""
    c_longline_tcp(path, 2 * 1024 * 1024)


def c_longline_frag(path):
    """A 64000-byte header line in one UDP datagram over 44 IPv4 fragments
    (a UDP datagram cannot carry 1 MiB)."""
    pc = Pcap(path)
    for f in udp_fragments(A, 5060, B, 5060, big_header_msg(64000), ident=77):
        pc.add(f, dt_us=10)
    pc.close()


def c_many_headers(path):
    """100000 headers in one message over TCP."""
    pc = Pcap(path)
    conn = TcpConn(pc, A, 40002, B, 5060)
    conn.send(request(b"OPTIONS", b"many@h", extra=b"X-A: 1\r\n" * 100000))
    conn.close()
    pc.close()


def c_many_via(path):
    """One Via header with 10000 comma-separated values, over TCP."""
    vias = b", ".join(b"SIP/2.0/TCP 10.9.%d.%d:5060;branch=z9hG4bK%d" % (i >> 8, i & 255, i)
                      for i in range(10000))
    pc = Pcap(path)
    conn = TcpConn(pc, A, 40003, B, 5060)
    conn.send(request(b"INVITE", b"vias@h", body=SDP, via=vias))
    conn.close()
    pc.close()


def c_multipart_deep(path):
    """A body of multipart/mixed nested 50 deep with SDP at the bottom."""
    body, ctype = SDP, b"application/sdp"
    for depth in range(50):
        b = b"b%d" % depth
        body = (b"--" + b + b"\r\nContent-Type: " + ctype + b"\r\n\r\n" + body +
                b"\r\n--" + b + b"--\r\n")
        ctype = b"multipart/mixed;boundary=" + b
    pc = Pcap(path)
    pc.add(udp_frame(A, 5060, B, 5060, request(b"INVITE", b"deep@h", body=body, ctype=ctype)))
    pc.close()


def c_nul_utf8(path):
    """NUL bytes and invalid UTF-8 in display names, URIs and Call-IDs."""
    bad = [b"\0", b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
           b"\xe2\x82", b"\x01\x1f\x7f", b"\xc0\xaf"]
    pc = Pcap(path)
    for i, x in enumerate(bad):
        cid = b"cid" + x + b"%d@h" % i
        inv = request(b"INVITE", cid, 1, b"ft" + x, body=SDP, from_dn=b"Al" + x + b"ice",
                      to_dn=b"B" + x, ruri=b"sip:b" + x + b"ob@10.0.0.2")
        pc.add(udp_frame(A, 5060, B, 5060, inv, 10 + i))
        pc.add(udp_frame(B, 5060, A, 5060,
                         response(200, b"O" + x + b"K", b"INVITE", cid, 1, b"ft" + x,
                                  b"tt" + x, SDP_ANSWER), 50 + i))
        pc.add(udp_frame(A, 5060, B, 5060, request(b"BYE", cid, 2, b"ft" + x, b"tt" + x), 90 + i))
    pc.close()


def c_frag_never(path):
    """First fragments of 50 datagrams whose rest never comes, then a good
    call 60 s later (past the 30 s reassembly timeout)."""
    pc = Pcap(path)
    for i in range(50):
        frags = udp_fragments(A, 5060, B, 5060, big_header_msg(3000), ident=1000 + i)
        pc.add(frags[0])
    pc.t += 60 * 1000000
    udp_msgs(pc, basic_call(b"late@h"), 200)
    pc.close()


def c_halfopen(path):
    """100000 TCP connections that send a SYN and the start of a request,
    then nothing: no end of headers, no FIN."""
    pc = Pcap(path)
    part = b"INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK"
    for i in range(100000):
        src = "10.%d.%d.%d" % (1 + (i >> 16), (i >> 8) & 255, i & 255)
        sport = 1024 + (i % 60000)
        pc.add(tcp_frame(src, sport, B, 5060, 100, 0, SYN), dt_us=5)
        pc.add(tcp_frame(src, sport, B, 5060, 101, 0, ACK | PSH, part + b"%d\r\n" % i), dt_us=5)
    pc.close()


def c_many_dialogs(path):
    """One INVITE answered by 100000 forked 180s with distinct to-tags."""
    pc = Pcap(path)
    pc.add(udp_frame(A, 5060, B, 5060, request(b"INVITE", b"fork@h", body=SDP)))
    for i in range(100000):
        pc.add(udp_frame(B, 5060, A, 5060,
                         response(180, b"Ringing", b"INVITE", b"fork@h", 1, b"ft1",
                                  b"tt%d" % i), i), dt_us=10)
    pc.close()


def c_refer_storm(path):
    """An established dialog receiving 10000 REFERs, each accepted by 202."""
    pc = Pcap(path)
    msgs = basic_call(b"storm@h")
    udp_msgs(pc, msgs[:5])
    for i in range(10000):
        cseq = 10 + i
        ref = request(b"REFER", b"storm@h", cseq, b"ft1", b"tt1",
                      extra=b"Refer-To: <sip:carol%d@10.0.0.3>\r\n"
                            b"Referred-By: <sip:alice@10.0.0.1>\r\n" % i)
        pc.add(udp_frame(A, 5060, B, 5060, ref, 2 * i), dt_us=100)
        pc.add(udp_frame(B, 5060, A, 5060,
                         response(202, b"Accepted", b"REFER", b"storm@h", cseq), 2 * i + 1),
               dt_us=100)
    pc.add(udp_frame(A, 5060, B, 5060, request(b"BYE", b"storm@h", 20000, b"ft1", b"tt1")))
    pc.add(udp_frame(B, 5060, A, 5060, response(200, b"OK", b"BYE", b"storm@h", 20000)))
    pc.close()


def c_big(path):
    """5000 basic calls: enough output to fill a pipe many times over."""
    pc = Pcap(path)
    for c in range(5000):
        cid = b"big%d@h" % c
        udp_msgs(pc, basic_call(cid, b"f%d" % c, b"t%d" % c), c * 7)
    pc.close()


CASES = {name[2:].replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("c_")}


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: mkhostile.py OUTDIR CASE... (CASE 'list' prints the names)")
    if sys.argv[2] == "list":
        print("\n".join(sorted(CASES)))
        return
    for case in sys.argv[2:]:
        CASES[case](os.path.join(sys.argv[1], case + ".pcap"))


if __name__ == "__main__":
    main()
