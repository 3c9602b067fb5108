#include <config.h>
#include "net/ip.h"

#include <string.h>
#include "common/byte_reader.h"
#include "common/limits.h"

bool
ip_proto_is_ipv6_ext(uint8_t proto)
{
    switch (proto) {
    case SS_IPPROTO_HOPOPTS:
    case SS_IPPROTO_ROUTING:
    case SS_IPPROTO_FRAGMENT:
    case SS_IPPROTO_DSTOPTS:
    case SS_IPPROTO_AH:
    case SS_IPPROTO_MOBILITY:
    case SS_IPPROTO_HIP:
    case SS_IPPROTO_SHIM6:
    case 253: /* RFC 3692 experimentation; RFC 8200 §4.8 generic format */
    case 254:
        return true;
    default:
        return false;
    }
}

bool
ip4_parse(const uint8_t *data, size_t len, IpHeader *h, SsAnomaly *anom)
{
    ByteReader r;
    br_init(&r, data, len);
    memset(h, 0, sizeof(*h));
    h->version = 4;

    uint8_t vihl, tos, ttl, proto;
    uint16_t total, id, frag;
    const uint8_t *src, *dst;
    if (!br_u8(&r, &vihl)) {
        *anom = SS_ANOMALY_IP_TRUNCATED;
        return false;
    }
    if ((vihl >> 4) != 4) {
        *anom = SS_ANOMALY_IP_BAD_HEADER;
        return false;
    }
    size_t hlen = (size_t)(vihl & 0x0f) * 4;
    if (hlen < 20) {
        *anom = SS_ANOMALY_IP_BAD_HEADER; /* RFC 791 §3.1: IHL minimum is 5 */
        return false;
    }
    if (!br_u8(&r, &tos) || !br_u16be(&r, &total) || !br_u16be(&r, &id) || !br_u16be(&r, &frag) ||
        !br_u8(&r, &ttl) || !br_u8(&r, &proto) || !br_skip(&r, 2) || !br_bytes(&r, 4, &src) ||
        !br_bytes(&r, 4, &dst) || !br_skip(&r, hlen - 20)) {
        *anom = SS_ANOMALY_IP_TRUNCATED;
        return false;
    }
    if (total == 0) {
        total = (uint16_t)(len > 0xffff ? 0xffff : len); /* TSO, see ip.h */
    } else if (total < hlen) {
        *anom = SS_ANOMALY_IP_BAD_HEADER;
        return false;
    }

    h->src.family = h->dst.family = 4;
    memcpy(h->src.addr, src, 4);
    memcpy(h->dst.addr, dst, 4);
    h->proto = proto;
    h->payload = br_cur(&r);
    size_t announced = total - hlen;
    size_t avail = br_remaining(&r);
    h->payload_len = announced < avail ? announced : avail;
    h->truncated = announced > avail;
    /* RFC 791 §3.1: flags 0 DF MF, 13-bit offset in 8-byte units. A packet
     * with offset 0 and MF clear is whole, whatever DF says. */
    h->frag_more = (frag & 0x2000) != 0;
    h->frag_offset = (uint32_t)(frag & 0x1fff) * 8;
    h->frag_id = id;
    h->fragment = h->frag_more || h->frag_offset != 0;
    return true;
}

/* Walk the extension header chain (RFC 8200 §4). Stops at an upper-layer
 * protocol, ESP (its payload is encrypted), No Next Header, or a fragment
 * header that is a real fragment (filled into *frag when given). */
static bool
ip6_walk(uint8_t next, ByteReader *r, uint8_t *proto, unsigned *count, IpHeader *frag,
         SsAnomaly *anom)
{
    while (ip_proto_is_ipv6_ext(next)) {
        if (*count >= SS_MAX_IPV6_EXT_HEADERS) {
            *anom = SS_ANOMALY_IP_BAD_HEADER;
            return false;
        }
        uint8_t nh, hlen;
        if (!br_peek_u8(r, 0, &nh) || !br_peek_u8(r, 1, &hlen)) {
            *anom = SS_ANOMALY_IP_EXT_TRUNCATED;
            return false;
        }
        if (next == SS_IPPROTO_FRAGMENT) {
            /* §4.5: next(1) reserved(1) offset(13 bits) res(2) M(1) id(4) */
            uint16_t offm;
            uint32_t id;
            ByteReader t = *r;
            if (!br_skip(&t, 2) || !br_u16be(&t, &offm) || !br_u32be(&t, &id)) {
                *anom = SS_ANOMALY_IP_EXT_TRUNCATED;
                return false;
            }
            *r = t;
            (*count)++;
            uint32_t off = (uint32_t)(offm & 0xfff8);
            bool more = (offm & 1) != 0;
            if (off == 0 && !more) {
                next = nh; /* RFC 6946: atomic fragment, processed in isolation */
                continue;
            }
            if (!frag) {
                *proto = SS_IPPROTO_FRAGMENT; /* nested fragmentation: not followed */
                return true;
            }
            frag->fragment = true;
            frag->frag_more = more;
            frag->frag_offset = off;
            frag->frag_id = id;
            *proto = nh;
            return true;
        }
        size_t ext_len;
        if (next == SS_IPPROTO_AH)
            ext_len = ((size_t)hlen + 2) * 4; /* RFC 4302 §2.2: in 4-byte units, minus 2 */
        else
            ext_len = ((size_t)hlen + 1) * 8; /* RFC 8200 §4.3: 8-byte units, minus the first */
        if (!br_skip(r, ext_len)) {
            *anom = SS_ANOMALY_IP_EXT_TRUNCATED;
            return false;
        }
        (*count)++;
        next = nh;
    }
    *proto = next;
    return true;
}

bool
ip6_parse(const uint8_t *data, size_t len, IpHeader *h, SsAnomaly *anom)
{
    ByteReader r;
    br_init(&r, data, len);
    memset(h, 0, sizeof(*h));
    h->version = 6;

    uint32_t vtcfl;
    uint16_t plen;
    uint8_t next, hop;
    const uint8_t *src, *dst;
    if (!br_u32be(&r, &vtcfl)) {
        *anom = SS_ANOMALY_IP_TRUNCATED;
        return false;
    }
    if ((vtcfl >> 28) != 6) {
        *anom = SS_ANOMALY_IP_BAD_HEADER;
        return false;
    }
    if (!br_u16be(&r, &plen) || !br_u8(&r, &next) || !br_u8(&r, &hop) || !br_bytes(&r, 16, &src) ||
        !br_bytes(&r, 16, &dst)) {
        *anom = SS_ANOMALY_IP_TRUNCATED;
        return false;
    }
    h->src.family = h->dst.family = 6;
    memcpy(h->src.addr, src, 16);
    memcpy(h->dst.addr, dst, 16);

    /* Payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675)
     * or a segmentation-offload capture: take what was captured. */
    size_t avail = br_remaining(&r);
    if (plen == 0 && next == SS_IPPROTO_HOPOPTS) {
        plen = (uint16_t)(avail > 0xffff ? 0xffff : avail);
    }
    h->truncated = plen > avail;
    if (plen < avail)
        r.len = r.off + plen; /* drop link-layer padding */

    if (!ip6_walk(next, &r, &h->proto, &h->ext_headers, h, anom))
        return false;
    h->payload = br_cur(&r);
    h->payload_len = br_remaining(&r);
    return true;
}

bool
ip6_skip_ext(uint8_t next, const uint8_t *data, size_t len, uint8_t *proto, size_t *skipped,
             unsigned *count, SsAnomaly *anom)
{
    ByteReader r;
    br_init(&r, data, len);
    if (!ip6_walk(next, &r, proto, count, NULL, anom))
        return false;
    *skipped = r.off;
    return true;
}
