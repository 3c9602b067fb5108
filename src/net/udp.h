/* udp.h - UDP header decoding (RFC 768). Stateless, bounds-checked. */
#ifndef SIPSLEUTH_UDP_H
#define SIPSLEUTH_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/anomaly.h"

typedef struct {
    uint16_t sport, dport;
    uint16_t length;        /* as announced (header included) */
    const uint8_t *payload; /* borrowed */
    size_t payload_len;     /* bytes present, at most length - 8 */
    bool truncated;         /* length announces more than is present */
} UdpHeader;

typedef enum {
    UDP_PARSE_OK = 0,
    UDP_PARSE_WARN = 1, /* decoded, but *anom tells what was odd */
    UDP_PARSE_BAD = 2,  /* not decodable; *anom set */
} UdpParseResult;

/* data/len: the IP payload as present; ip_truncated: whether the IP layer
 * already knows it is cut short (then a long UDP length is no surprise).
 * UDP length > present -> truncated (WARN with UDP_BAD_LENGTH unless
 * ip_truncated); length < 8 -> BAD (UDP_BAD_LENGTH); fewer than 8 bytes ->
 * BAD (UDP_TRUNCATED); length < IP payload -> payload trimmed to the length,
 * WARN with UDP_BAD_LENGTH. */
UdpParseResult udp_parse(const uint8_t *data, size_t len, bool ip_truncated, UdpHeader *h,
                         SsAnomaly *anom);

#endif
