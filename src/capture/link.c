#include <config.h>
#include "capture/link.h"

#include <string.h>
#include "common/byte_reader.h"

/* Ethertypes (IEEE registry) we look at. */
#define ET_IPV4 0x0800
#define ET_IPV6 0x86DD
#define ET_VLAN 0x8100      /* IEEE 802.1Q C-tag */
#define ET_QINQ 0x88A8      /* IEEE 802.1ad S-tag */
#define ET_QINQ_OLD1 0x9100 /* pre-standard QinQ tags still seen on switches */
#define ET_QINQ_OLD2 0x9200
#define ET_PPPOE_SESSION 0x8864
#define ET_PPP 0x880B /* PPP in GRE (RFC 2637) */
#define ET_TEB 0x6558 /* transparent Ethernet bridging (GRE, RFC 1701) */
#define ET_MPLS 0x8847
#define ET_MPLS_MC 0x8848

/* PPP protocol numbers (RFC 1332, RFC 5072). */
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

/* An Ethernet frame nests at most: tags, PPPoE, PPP. MPLS stacks are capped
 * so a frame of all-zero labels cannot loop for long (it is bounded by the
 * length anyway). */
#define LINK_MAX_MPLS_LABELS 16

static void
link_set(LinkResult *out, L3Proto proto, const ByteReader *r)
{
    out->proto = proto;
    if (proto == L3_NONE) {
        out->data = NULL;
        out->len = 0;
    } else {
        out->data = br_cur(r);
        out->len = br_remaining(r);
    }
}

/* RAW and MPLS payloads: the IP version is the first nibble (RFC 791 §3.1,
 * RFC 8200 §3). Anything else is not ours. */
static bool
link_by_version(ByteReader *r, LinkResult *out, SsAnomaly *anom)
{
    uint8_t b;
    if (!br_peek_u8(r, 0, &b)) {
        *anom = SS_ANOMALY_LINK_TRUNCATED;
        return false;
    }
    switch (b >> 4) {
    case 4:
        link_set(out, L3_IPV4, r);
        break;
    case 6:
        link_set(out, L3_IPV6, r);
        break;
    default:
        link_set(out, L3_NONE, r);
        break;
    }
    return true;
}

/* PPP (RFC 1661 §2) as found after PPPoE, in GRE, or as LINKTYPE_PPP: an
 * optional 0xff 0x03 address/control pair (RFC 1662 §3.1; absent when
 * address-and-control-field compression is on), then the protocol, one byte
 * when protocol-field compression is on (RFC 1661 §6.5: an odd first byte). */
static bool
link_ppp(ByteReader *r, LinkResult *out, SsAnomaly *anom)
{
    uint8_t a, c;
    if (br_peek_u8(r, 0, &a) && a == 0xff) {
        /* A leading 0xff is the all-stations address (RFC 1662 §3.1);
         * no protocol is numbered 0x00ff, so it cannot be a compressed
         * protocol field. */
        if (!br_peek_u8(r, 1, &c)) {
            *anom = SS_ANOMALY_LINK_TRUNCATED;
            return false;
        }
        if (c == 0x03)
            br_skip(r, 2);
    }
    uint8_t b0;
    if (!br_u8(r, &b0)) {
        *anom = SS_ANOMALY_LINK_TRUNCATED;
        return false;
    }
    uint16_t proto = b0;
    if ((b0 & 1) == 0) {
        uint8_t b1;
        if (!br_u8(r, &b1)) {
            *anom = SS_ANOMALY_LINK_TRUNCATED;
            return false;
        }
        proto = (uint16_t)((b0 << 8) | b1);
    }
    if (proto == PPP_IPV4)
        link_set(out, L3_IPV4, r);
    else if (proto == PPP_IPV6)
        link_set(out, L3_IPV6, r);
    else
        link_set(out, L3_NONE, r); /* LCP, IPCP, CCP...: not ours */
    return true;
}

/* RFC 3032 §2.1: 4-byte label stack entries until the S (bottom) bit; no
 * type field follows, so the payload is guessed from the IP version. */
static bool
link_mpls(ByteReader *r, LinkResult *out, SsAnomaly *anom)
{
    for (unsigned i = 0; i < LINK_MAX_MPLS_LABELS; i++) {
        uint32_t e;
        if (!br_u32be(r, &e)) {
            *anom = SS_ANOMALY_LINK_TRUNCATED;
            return false;
        }
        if (e & 0x100)
            return link_by_version(r, out, anom);
    }
    link_set(out, L3_NONE, r);
    return true;
}

static bool
is_vlan_tag(uint16_t type)
{
    return type == ET_VLAN || type == ET_QINQ || type == ET_QINQ_OLD1 || type == ET_QINQ_OLD2;
}

/* From an ethertype to the network layer: VLAN tags (any number, 802.1Q and
 * 802.1ad), PPPoE session (RFC 2516 §4), MPLS, IPv4, IPv6. r is positioned on
 * the bytes after the ethertype. */
static bool
link_ethertype(uint16_t type, ByteReader *r, LinkResult *out, SsAnomaly *anom)
{
    while (is_vlan_tag(type)) {
        uint16_t tci;
        if (!br_u16be(r, &tci) || !br_u16be(r, &type)) {
            *anom = SS_ANOMALY_LINK_TRUNCATED;
            return false;
        }
        if (out->vlan == 0)
            out->vlan = tci & 0x0fff;
    }
    switch (type) {
    case ET_IPV4:
        link_set(out, L3_IPV4, r);
        return true;
    case ET_IPV6:
        link_set(out, L3_IPV6, r);
        return true;
    case ET_MPLS:
    case ET_MPLS_MC:
        return link_mpls(r, out, anom);
    case ET_PPPOE_SESSION: {
        /* RFC 2516 §4: ver/type, code, session id, length of the PPP part. */
        uint8_t vt, code;
        uint16_t sid, plen;
        if (!br_u8(r, &vt) || !br_u8(r, &code) || !br_u16be(r, &sid) || !br_u16be(r, &plen)) {
            *anom = SS_ANOMALY_LINK_TRUNCATED;
            return false;
        }
        /* The length bounds the PPP frame (Ethernet padding follows it);
         * a length past the capture is left to the IP layer to flag. */
        if (plen < br_remaining(r))
            r->len = r->off + plen;
        return link_ppp(r, out, anom);
    }
    default:
        link_set(out, L3_NONE, r);
        return true; /* ARP, LLDP, PPPoE discovery... */
    }
}

static bool
link_ethernet(ByteReader *r, LinkResult *out, SsAnomaly *anom)
{
    uint16_t type;
    /* dst(6) src(6) type(2) */
    if (!br_skip(r, 12) || !br_u16be(r, &type)) {
        *anom = SS_ANOMALY_LINK_TRUNCATED;
        return false;
    }
    /* IEEE 802.3 §3.2.6: values up to 1500 are a length (802.2 LLC frame:
     * STP, CDP, NetBIOS...), never IP for us. */
    if (type <= 1500) {
        link_set(out, L3_NONE, r);
        return true;
    }
    return link_ethertype(type, r, out, anom);
}

/* BSD loopback: the address family of the capturing host. AF_INET is 2
 * everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD),
 * 30 (macOS). */
static L3Proto
link_family(uint32_t fam)
{
    switch (fam) {
    case 2:
        return L3_IPV4;
    case 10:
    case 24:
    case 28:
    case 30:
        return L3_IPV6;
    default:
        return L3_NONE;
    }
}

bool
link_decode(int linktype, const uint8_t *data, size_t len, LinkResult *out, SsAnomaly *anom)
{
    ByteReader r;
    br_init(&r, data, len);
    memset(out, 0, sizeof(*out));
    *anom = SS_ANOMALY_LINK_TRUNCATED;

    switch (linktype) {
    case SS_LINKTYPE_ETHERNET:
        return link_ethernet(&r, out, anom);
    case SS_LINKTYPE_NULL: {
        /* LINKTYPE_NULL: the family in the byte order of the host that
         * wrote the file, which the file does not tell; accept both. */
        uint32_t le, be;
        ByteReader t = r;
        if (!br_u32le(&t, &le) || !br_u32be(&r, &be)) {
            *anom = SS_ANOMALY_LINK_TRUNCATED;
            return false;
        }
        L3Proto p = link_family(le);
        if (p == L3_NONE)
            p = link_family(be);
        link_set(out, p, &r);
        return true;
    }
    case SS_LINKTYPE_LOOP: {
        uint32_t fam; /* LINKTYPE_LOOP: network byte order */
        if (!br_u32be(&r, &fam)) {
            *anom = SS_ANOMALY_LINK_TRUNCATED;
            return false;
        }
        link_set(out, link_family(fam), &r);
        return true;
    }
    case SS_LINKTYPE_PPP:
        return link_ppp(&r, out, anom);
    case SS_LINKTYPE_RAW:
    case SS_LINKTYPE_RAW_OLD:
    case SS_LINKTYPE_RAW_OLD2:
        return link_by_version(&r, out, anom);
    case SS_LINKTYPE_IPV4:
        link_set(out, L3_IPV4, &r);
        return true;
    case SS_LINKTYPE_IPV6:
        link_set(out, L3_IPV6, &r);
        return true;
    case SS_LINKTYPE_LINUX_SLL: {
        /* packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2) */
        uint16_t proto;
        if (!br_skip(&r, 14) || !br_u16be(&r, &proto)) {
            *anom = SS_ANOMALY_LINK_TRUNCATED;
            return false;
        }
        return link_ethertype(proto, &r, out, anom);
    }
    case SS_LINKTYPE_LINUX_SLL2: {
        /* protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1)
         * addr len(1) addr(8) */
        uint16_t proto;
        if (!br_u16be(&r, &proto) || !br_skip(&r, 18)) {
            *anom = SS_ANOMALY_LINK_TRUNCATED;
            return false;
        }
        return link_ethertype(proto, &r, out, anom);
    }
    default:
        *anom = SS_ANOMALY_LINK_UNSUPPORTED;
        return false;
    }
}

bool
link_decode_ethertype(uint16_t ethertype, const uint8_t *data, size_t len, LinkResult *out,
                      SsAnomaly *anom)
{
    ByteReader r;
    br_init(&r, data, len);
    memset(out, 0, sizeof(*out));
    *anom = SS_ANOMALY_LINK_TRUNCATED;
    /* Protocol types that only tunnels carry (GRE, RFC 2784 §2.4): a whole
     * Ethernet frame or a PPP frame. Not accepted inside an Ethernet frame,
     * so nesting always goes through the tunnel depth cap. */
    if (ethertype == ET_TEB)
        return link_ethernet(&r, out, anom);
    if (ethertype == ET_PPP)
        return link_ppp(&r, out, anom);
    return link_ethertype(ethertype, &r, out, anom);
}

const char *
link_type_name(int linktype)
{
    switch (linktype) {
    case SS_LINKTYPE_NULL:
        return "NULL";
    case SS_LINKTYPE_ETHERNET:
        return "ETHERNET";
    case SS_LINKTYPE_PPP:
        return "PPP";
    case SS_LINKTYPE_RAW_OLD:
    case SS_LINKTYPE_RAW_OLD2:
    case SS_LINKTYPE_RAW:
        return "RAW";
    case SS_LINKTYPE_LOOP:
        return "LOOP";
    case SS_LINKTYPE_LINUX_SLL:
        return "LINUX_SLL";
    case SS_LINKTYPE_IPV4:
        return "IPV4";
    case SS_LINKTYPE_IPV6:
        return "IPV6";
    case SS_LINKTYPE_LINUX_SLL2:
        return "LINUX_SLL2";
    default:
        return "unknown";
    }
}

bool
link_type_supported(int linktype)
{
    return strcmp(link_type_name(linktype), "unknown") != 0;
}
