#include <config.h>
#include "net/udp.h"

#include <string.h>
#include "common/byte_reader.h"

UdpParseResult
udp_parse(const uint8_t *data, size_t len, bool ip_truncated, UdpHeader *h, SsAnomaly *anom)
{
    ByteReader r;
    br_init(&r, data, len);
    memset(h, 0, sizeof(*h));
    uint16_t csum;
    if (!br_u16be(&r, &h->sport) || !br_u16be(&r, &h->dport) || !br_u16be(&r, &h->length) ||
        !br_u16be(&r, &csum)) {
        *anom = SS_ANOMALY_UDP_TRUNCATED;
        return UDP_PARSE_BAD;
    }
    /* The checksum is not verified: captures on the sending host see it
     * before the NIC fills it in (checksum offload). */
    if (h->length < 8) {
        *anom = SS_ANOMALY_UDP_BAD_LENGTH; /* RFC 768: length includes the header */
        return UDP_PARSE_BAD;
    }
    size_t announced = (size_t)h->length - 8;
    size_t avail = br_remaining(&r);
    h->payload = br_cur(&r);
    if (announced > avail) {
        h->payload_len = avail;
        h->truncated = true;
        if (ip_truncated)
            return UDP_PARSE_OK;
        *anom = SS_ANOMALY_UDP_BAD_LENGTH;
        return UDP_PARSE_WARN;
    }
    h->payload_len = announced;
    if (announced < avail && !ip_truncated) {
        *anom = SS_ANOMALY_UDP_BAD_LENGTH;
        return UDP_PARSE_WARN;
    }
    return UDP_PARSE_OK;
}
