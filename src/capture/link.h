/* link.h - link-layer decoding: from a captured frame to its network layer.
 *
 * Handles Ethernet (with 802.1Q/802.1ad VLAN tags, QinQ, and PPPoE session
 * frames carrying PPP), Linux cooked SLL and SLL2, BSD NULL/LOOP, RAW (IPv4 or
 * IPv6 by version nibble), LINKTYPE_IPV4 and LINKTYPE_IPV6, PPP.
 * Bounds-checked reads only.
 */
#ifndef SIPSLEUTH_LINK_H
#define SIPSLEUTH_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/anomaly.h"

/* LINKTYPE_* values we decode (pcap-linktype(7)). */
#define SS_LINKTYPE_NULL 0
#define SS_LINKTYPE_ETHERNET 1
#define SS_LINKTYPE_PPP 9
#define SS_LINKTYPE_RAW_OLD 12     /* DLT_RAW on some BSDs */
#define SS_LINKTYPE_RAW_OLD2 14    /* DLT_RAW on OpenBSD */
#define SS_LINKTYPE_RAW 101
#define SS_LINKTYPE_LOOP 108
#define SS_LINKTYPE_LINUX_SLL 113
#define SS_LINKTYPE_IPV4 228
#define SS_LINKTYPE_IPV6 229
#define SS_LINKTYPE_LINUX_SLL2 276

typedef enum {
    L3_NONE = 0, /* not IP (ARP, LLDP...): not an anomaly, just not ours */
    L3_IPV4 = 4,
    L3_IPV6 = 6,
} L3Proto;

typedef struct {
    L3Proto proto;
    const uint8_t *data; /* network-layer bytes (borrowed from the frame) */
    size_t len;
    uint16_t vlan;       /* outermost 802.1Q VLAN id, 0 if none */
} LinkResult;

/* Returns true with *out filled (proto may be L3_NONE for non-IP frames);
 * false with *anom set when the frame is too short or the link type is not
 * supported. */
bool link_decode(int linktype, const uint8_t *data, size_t len, LinkResult *out, SsAnomaly *anom);
/* Decode an ethertype payload (used inside tunnels: GRE, ERSPAN). */
bool link_decode_ethertype(uint16_t ethertype, const uint8_t *data, size_t len, LinkResult *out,
                           SsAnomaly *anom);
const char *link_type_name(int linktype);
bool link_type_supported(int linktype);

#endif
