/* ip.h - IPv4 (RFC 791) and IPv6 (RFC 8200) header decoding.
 *
 * Stateless: one call decodes one header (and, for IPv6, its extension
 * header chain) from borrowed bytes; fragments are described, not
 * reassembled (that is ip_defrag's job). Bounds-checked reads only.
 */
#ifndef SIPSLEUTH_IP_H
#define SIPSLEUTH_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/anomaly.h"
#include "common/endpoint.h"

#define SS_IPPROTO_HOPOPTS 0
#define SS_IPPROTO_IPIP 4
#define SS_IPPROTO_IPV6 41
#define SS_IPPROTO_ROUTING 43
#define SS_IPPROTO_FRAGMENT 44
#define SS_IPPROTO_GRE 47
#define SS_IPPROTO_ESP 50
#define SS_IPPROTO_AH 51
#define SS_IPPROTO_NONE 59
#define SS_IPPROTO_DSTOPTS 60
#define SS_IPPROTO_MOBILITY 135
#define SS_IPPROTO_HIP 139
#define SS_IPPROTO_SHIM6 140

typedef struct {
    uint8_t version;        /* 4 or 6 */
    Endpoint src, dst;      /* ports 0 */
    uint8_t proto;          /* upper protocol; for a fragment, the protocol
                             * of the fragmentable part (IPv6: the header
                             * that follows the fragment header) */
    const uint8_t *payload; /* after the IP header(s), borrowed */
    size_t payload_len;     /* bytes present, at most what the header announces */
    bool truncated;         /* the header announces more than was captured */
    bool fragment;          /* a real fragment (not offset 0 with no more) */
    bool frag_more;         /* MF / M */
    uint32_t frag_offset;   /* bytes */
    uint32_t frag_id;
    unsigned ext_headers; /* IPv6 extension headers skipped */
} IpHeader;

/* Decode an IPv4 header. Returns false with *anom set (IP_TRUNCATED when the
 * header itself is cut short, IP_BAD_HEADER for a wrong version, IHL or total
 * length). Ethernet padding past the total length is dropped. A total length
 * of 0 is taken as "TCP/UDP segmentation offload" (Linux captures on the
 * sending host) and the captured length is used. */
bool ip4_parse(const uint8_t *data, size_t len, IpHeader *h, SsAnomaly *anom);
/* Decode an IPv6 header and walk its extension headers up to the upper
 * protocol, a fragment header, ESP (50) or No Next Header (59). Returns false
 * with *anom set (IP_TRUNCATED, IP_EXT_TRUNCATED, IP_BAD_HEADER for a wrong
 * version or more than SS_MAX_IPV6_EXT_HEADERS extension headers). An
 * atomic fragment (offset 0, M clear; RFC 6946) is walked through. */
bool ip6_parse(const uint8_t *data, size_t len, IpHeader *h, SsAnomaly *anom);
/* Skip IPv6 extension headers starting with next header `next` at data
 * (used on a reassembled fragmentable part, RFC 8200 §4.5). *proto gets the
 * upper protocol, *skipped the bytes of extension headers, *count is
 * increased by the headers skipped. A fragment header in this chain is
 * skipped when atomic and makes the walk stop (proto 44) otherwise. */
bool ip6_skip_ext(uint8_t next, const uint8_t *data, size_t len, uint8_t *proto, size_t *skipped,
                  unsigned *count, SsAnomaly *anom);
bool ip_proto_is_ipv6_ext(uint8_t proto);

#endif
