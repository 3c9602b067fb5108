#include <config.h>
#include "net/tcp.h"

#include <string.h>
#include "common/byte_reader.h"

bool
tcp_parse(const uint8_t *data, size_t len, TcpHeader *h, SsAnomaly *anom)
{
    ByteReader r;
    br_init(&r, data, len);
    memset(h, 0, sizeof(*h));
    uint8_t off, flags;
    if (!br_u16be(&r, &h->sport) || !br_u16be(&r, &h->dport) || !br_u32be(&r, &h->seq) ||
        !br_u32be(&r, &h->ack) || !br_u8(&r, &off) || !br_u8(&r, &flags) ||
        !br_u16be(&r, &h->window) || !br_skip(&r, 4)) {
        *anom = SS_ANOMALY_TCP_TRUNCATED;
        return false;
    }
    /* RFC 9293 §3.1: data offset in 32-bit words, at least 5. */
    h->header_len = (size_t)(off >> 4) * 4;
    if (h->header_len < 20) {
        *anom = SS_ANOMALY_TCP_BAD_HEADER;
        return false;
    }
    if (!br_skip(&r, h->header_len - 20)) {
        *anom = SS_ANOMALY_TCP_TRUNCATED;
        return false;
    }
    h->flags = flags;
    h->payload = br_cur(&r);
    h->payload_len = br_remaining(&r);
    return true;
}
