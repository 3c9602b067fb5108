#include <config.h>
#include "net/net_decode.h"

#include <string.h>
#include "capture/link.h"
#include "common/byte_reader.h"
#include "common/limits.h"
#include "net/ip.h"
#include "net/ip_defrag.h"
#include "net/tcp.h"
#include "net/udp.h"

/* GRE flag bits (RFC 2784 §2, RFC 2890 §2, RFC 1701 §2.1, RFC 2637 §4.1). */
#define GRE_C 0x8000 /* checksum present */
#define GRE_R 0x4000 /* routing present (RFC 1701, deprecated) */
#define GRE_K 0x2000 /* key present */
#define GRE_S 0x1000 /* sequence number present */
#define GRE_A 0x0080 /* acknowledgment present (enhanced GRE, version 1) */
#define GRE_VERSION 0x0007

#define GRE_PROTO_ERSPAN2 0x88BE /* ERSPAN type I (no S bit) and type II */
#define GRE_PROTO_ERSPAN3 0x22EB

struct NetDecoder {
    AnomalySink sink;
    IpDefrag *defrag;
    NetStats st;
    /* per packet */
    SsTime ts;
    bool snapped;        /* caplen < origlen: cut lengths are expected */
    bool trunc_reported; /* one IP_TRUNCATED per packet, not one per layer */
};

NetDecoder *
net_decoder_new(const AnomalySink *anomalies)
{
    NetDecoder *d = g_new0(NetDecoder, 1);
    if (anomalies)
        d->sink = *anomalies;
    d->defrag = ip_defrag_new(anomalies);
    return d;
}

void
net_decoder_free(NetDecoder *d)
{
    if (!d)
        return;
    ip_defrag_free(d->defrag);
    g_free(d);
}

static NetResult
net_bad(NetDecoder *d, SsAnomaly a, const char *detail)
{
    anomaly_report(&d->sink, a, d->ts, detail);
    d->st.bad++;
    return NET_BAD;
}

static NetResult net_ip(NetDecoder *d, L3Proto v, const uint8_t *data, size_t len, unsigned depth,
                        NetPacket *out);

/* Go one tunnel deeper: the inner network layer found by `lr`. */
static NetResult
net_tunnel(NetDecoder *d, const LinkResult *lr, unsigned depth, NetPacket *out)
{
    if (lr->proto == L3_NONE)
        return NET_SKIP;
    if (depth >= SS_MAX_ENCAP_DEPTH)
        return net_bad(d, SS_ANOMALY_IP_TUNNEL_TOO_DEEP, NULL);
    if (out->vlan == 0)
        out->vlan = lr->vlan;
    out->encap_depth = (uint8_t)(depth + 1);
    return net_ip(d, lr->proto, lr->data, lr->len, depth + 1, out);
}

/* GRE (RFC 2784 with the RFC 2890 key and sequence fields; RFC 1701 routing;
 * version 1 is the enhanced GRE of PPTP, RFC 2637 §4.1) and what it carries,
 * including the ERSPAN mirroring headers (draft-foschiano-erspan). */
static NetResult
net_gre(NetDecoder *d, const uint8_t *data, size_t len, unsigned depth, NetPacket *out)
{
    ByteReader r;
    br_init(&r, data, len);
    uint16_t flags, proto;
    if (!br_u16be(&r, &flags) || !br_u16be(&r, &proto))
        return net_bad(d, SS_ANOMALY_IP_TUNNEL_BAD, "GRE header cut short");
    unsigned ver = flags & GRE_VERSION;
    bool ok = true;
    if (ver == 0) {
        /* RFC 1701 §2.1: checksum and offset are both present when either
         * C or R is set. */
        if (flags & (GRE_C | GRE_R))
            ok = br_skip(&r, 4);
        if (ok && (flags & GRE_K))
            ok = br_skip(&r, 4);
        if (ok && (flags & GRE_S))
            ok = br_skip(&r, 4);
        /* RFC 1701 §2.1: source route entries end with family 0, length 0. */
        while (ok && (flags & GRE_R)) {
            uint16_t af;
            uint8_t sre_off, sre_len;
            ok = br_u16be(&r, &af) && br_u8(&r, &sre_off) && br_u8(&r, &sre_len) &&
                 br_skip(&r, sre_len);
            if (ok && af == 0 && sre_len == 0)
                break;
        }
    } else if (ver == 1) {
        /* RFC 2637 §4.1: key (payload length + call id) always present,
         * no checksum or routing. */
        if (!(flags & GRE_K) || (flags & (GRE_C | GRE_R)))
            return net_bad(d, SS_ANOMALY_IP_TUNNEL_BAD, "enhanced GRE with bad flags");
        ok = br_skip(&r, 4);
        if (ok && (flags & GRE_S))
            ok = br_skip(&r, 4);
        if (ok && (flags & GRE_A))
            ok = br_skip(&r, 4);
    } else {
        char detail[32];
        g_snprintf(detail, sizeof(detail), "GRE version %u", ver);
        return net_bad(d, SS_ANOMALY_IP_TUNNEL_BAD, detail);
    }
    if (!ok)
        return net_bad(d, SS_ANOMALY_IP_TUNNEL_BAD, "GRE header cut short");

    LinkResult lr;
    SsAnomaly a;
    bool lok;
    if (proto == GRE_PROTO_ERSPAN2) {
        /* Type I has no ERSPAN header and no GRE sequence; type II has the
         * sequence and an 8-byte header (ver, VLAN, COS, En, T, session,
         * index). An Ethernet frame follows both. */
        if ((flags & GRE_S) && !br_skip(&r, 8))
            return net_bad(d, SS_ANOMALY_IP_TUNNEL_BAD, "ERSPAN II header cut short");
        lok = link_decode(SS_LINKTYPE_ETHERNET, br_cur(&r), br_remaining(&r), &lr, &a);
    } else if (proto == GRE_PROTO_ERSPAN3) {
        /* Type III: 12 bytes (ver/VLAN/COS/BSO/T/session, timestamp,
         * SGT/P/FT/HwID/D/Gra/O), then an 8-byte platform-specific
         * subheader when O is set. FT 0 is Ethernet, 2 is IP. */
        uint32_t w0, ts, w2;
        if (!br_u32be(&r, &w0) || !br_u32be(&r, &ts) || !br_u32be(&r, &w2) ||
            ((w2 & 1) && !br_skip(&r, 8)))
            return net_bad(d, SS_ANOMALY_IP_TUNNEL_BAD, "ERSPAN III header cut short");
        unsigned ft = (w2 >> 10) & 0x1f;
        if (ft == 0)
            lok = link_decode(SS_LINKTYPE_ETHERNET, br_cur(&r), br_remaining(&r), &lr, &a);
        else if (ft == 2)
            lok = link_decode(SS_LINKTYPE_RAW, br_cur(&r), br_remaining(&r), &lr, &a);
        else
            return NET_SKIP;
    } else {
        lok = link_decode_ethertype(proto, br_cur(&r), br_remaining(&r), &lr, &a);
    }
    if (!lok)
        return net_bad(d, a, "inside GRE");
    return net_tunnel(d, &lr, depth, out);
}

static NetResult
net_l4(NetDecoder *d, uint8_t proto, const uint8_t *p, size_t n, bool trunc, unsigned depth,
       NetPacket *out)
{
    SsAnomaly a;
    switch (proto) {
    case SS_IPPROTO_UDP: {
        UdpHeader u;
        UdpParseResult ur = udp_parse(p, n, trunc || d->snapped, &u, &a);
        if (ur == UDP_PARSE_BAD)
            return net_bad(d, a, NULL);
        if (ur == UDP_PARSE_WARN)
            anomaly_report(&d->sink, a, d->ts, NULL);
        out->l4proto = SS_IPPROTO_UDP;
        out->src.port = u.sport;
        out->dst.port = u.dport;
        out->payload = u.payload;
        out->payload_len = u.payload_len;
        out->truncated = u.truncated;
        return NET_OK;
    }
    case SS_IPPROTO_TCP: {
        TcpHeader t;
        if (!tcp_parse(p, n, &t, &a))
            return net_bad(d, a, NULL);
        out->l4proto = SS_IPPROTO_TCP;
        out->src.port = t.sport;
        out->dst.port = t.dport;
        out->payload = t.payload;
        out->payload_len = t.payload_len;
        out->truncated = trunc;
        out->tcp_seq = t.seq;
        out->tcp_ack = t.ack;
        out->tcp_flags = t.flags;
        return NET_OK;
    }
    case SS_IPPROTO_IPIP:
    case SS_IPPROTO_IPV6: {
        LinkResult lr = {
            .proto = proto == SS_IPPROTO_IPIP ? L3_IPV4 : L3_IPV6,
            .data = p,
            .len = n,
        };
        return net_tunnel(d, &lr, depth, out);
    }
    case SS_IPPROTO_GRE:
        return net_gre(d, p, n, depth, out);
    default:
        return NET_SKIP; /* ICMP, SCTP, ESP, ...: not ours */
    }
}

static NetResult
net_ip(NetDecoder *d, L3Proto v, const uint8_t *data, size_t len, unsigned depth, NetPacket *out)
{
    IpHeader h;
    SsAnomaly a;
    bool ok = v == L3_IPV4 ? ip4_parse(data, len, &h, &a) : ip6_parse(data, len, &h, &a);
    if (!ok)
        return net_bad(d, a, NULL);
    out->src = h.src;
    out->dst = h.dst;
    if (h.truncated && !d->snapped && !d->trunc_reported) {
        /* The frame is whole, yet the IP header announces more. */
        d->trunc_reported = true;
        anomaly_report(&d->sink, SS_ANOMALY_IP_TRUNCATED, d->ts, "shorter than its total length");
    }

    const uint8_t *p = h.payload;
    size_t n = h.payload_len;
    uint8_t proto = h.proto;
    if (h.fragment) {
        d->st.fragments++;
        if (h.truncated) {
            /* A fragment without all its bytes would leave a hole (or a
             * wrong end) in the datagram: not stored. */
            return net_bad(d, SS_ANOMALY_IP_TRUNCATED, "fragment cut short, not reassembled");
        }
        IpFragment f = {
            .version = h.version,
            .src = h.src,
            .dst = h.dst,
            .id = h.frag_id,
            .proto = h.proto,
            .offset = h.frag_offset,
            .more = h.frag_more,
            .data = p,
            .len = n,
        };
        if (!ip_defrag_feed(d->defrag, &f, d->ts, &p, &n, &proto))
            return NET_BUFFERED;
        d->st.reassembled++;
        out->reassembled = true;
        if (h.version == 6) {
            /* RFC 8200 §4.5: the fragmentable part may start with more
             * extension headers (destination options, routing). */
            size_t skipped;
            unsigned count = h.ext_headers;
            if (!ip6_skip_ext(proto, p, n, &proto, &skipped, &count, &a))
                return net_bad(d, a, "after reassembly");
            p += skipped;
            n -= skipped;
        }
    }
    return net_l4(d, proto, p, n, h.truncated, depth, out);
}

NetResult
net_decoder_feed(NetDecoder *d, const SsPacket *pkt, NetPacket *out)
{
    memset(out, 0, sizeof(*out));
    d->ts = pkt->ts;
    d->snapped = pkt->caplen < pkt->origlen;
    d->trunc_reported = false;

    LinkResult lr;
    SsAnomaly a;
    if (!link_decode(pkt->linktype, pkt->data, pkt->caplen, &lr, &a)) {
        char detail[48];
        g_snprintf(detail, sizeof(detail), "link type %d (%s)", pkt->linktype,
                   link_type_name(pkt->linktype));
        return net_bad(d, a, detail);
    }
    if (lr.proto == L3_NONE) {
        d->st.non_ip++;
        return NET_SKIP;
    }
    d->st.ip_packets++;
    out->vlan = lr.vlan;
    return net_ip(d, lr.proto, lr.data, lr.len, 0, out);
}

void
net_decoder_expire(NetDecoder *d, SsTime now)
{
    ip_defrag_expire(d->defrag, now);
}

void
net_decoder_get_stats(const NetDecoder *d, NetStats *st)
{
    *st = d->st;
    st->frag_timeouts = ip_defrag_timeouts(d->defrag);
    st->frag_evictions = ip_defrag_evictions(d->defrag);
}
