/* ip_defrag.h - IPv4 (RFC 791) and IPv6 (RFC 8200 §4.5) fragment reassembly.
 *
 * Keyed by (version, src, dst, id, protocol for IPv4). Fragments may arrive
 * out of order and duplicated; an overlap with different bytes is reported
 * (first copy wins, RFC 5722 would drop the datagram: we keep it and flag it
 * so the analysis still sees the message). Incomplete datagrams expire after
 * SS_DEFRAG_TIMEOUT capture time; caps in common/limits.h.
 *
 * Ownership: ip_defrag_new() (transfer full) / ip_defrag_free(). A completed
 * datagram handed out by ip_defrag_feed() lives until the next call.
 */
#ifndef SIPSLEUTH_IP_DEFRAG_H
#define SIPSLEUTH_IP_DEFRAG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "common/anomaly.h"
#include "common/endpoint.h"

typedef struct {
    uint8_t version;        /* 4 or 6 */
    Endpoint src, dst;      /* ports unused */
    uint32_t id;            /* IPv4 16-bit id, IPv6 32-bit */
    uint8_t proto;          /* next protocol of the fragmentable part */
    uint32_t offset;        /* in bytes */
    bool more;              /* MF / M flag */
    const uint8_t *data;    /* fragment payload */
    size_t len;
} IpFragment;

typedef struct IpDefrag IpDefrag;

IpDefrag *ip_defrag_new(const AnomalySink *anomalies);
/* Returns true when the datagram is complete: *out / *out_len is the whole
 * reassembled payload (after the IP header), *proto its protocol. */
bool ip_defrag_feed(IpDefrag *d, const IpFragment *frag, SsTime ts, const uint8_t **out,
                    size_t *out_len, uint8_t *proto);
/* Expire incomplete datagrams older than SS_DEFRAG_TIMEOUT; returns how many. */
unsigned ip_defrag_expire(IpDefrag *d, SsTime now);
unsigned ip_defrag_pending(const IpDefrag *d);
uint64_t ip_defrag_evictions(const IpDefrag *d);
/* Datagrams dropped because they never completed (by ip_defrag_expire() or
 * found stale when a late fragment arrives). */
uint64_t ip_defrag_timeouts(const IpDefrag *d);
/* Bytes currently held for incomplete datagrams (counted against
 * SS_DEFRAG_MAX_BYTES). */
size_t ip_defrag_bytes(const IpDefrag *d);
void ip_defrag_free(IpDefrag *d);

#endif
