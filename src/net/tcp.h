/* tcp.h - TCP header decoding (RFC 9293 §3.1). Stateless, bounds-checked;
 * stream reassembly is tcp_reasm's job. */
#ifndef SIPSLEUTH_TCP_H
#define SIPSLEUTH_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/anomaly.h"

typedef struct {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags; /* low 8 bits: CWR ECE URG ACK PSH RST SYN FIN */
    uint16_t window;
    size_t header_len;      /* data offset in bytes, options included */
    const uint8_t *payload; /* borrowed */
    size_t payload_len;
} TcpHeader;

/* Returns false with *anom: TCP_TRUNCATED when the 20-byte header or its
 * options are cut short, TCP_BAD_HEADER when the data offset is below 5. */
bool tcp_parse(const uint8_t *data, size_t len, TcpHeader *h, SsAnomaly *anom);

#endif
