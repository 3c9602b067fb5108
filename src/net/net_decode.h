/* net_decode.h - from a captured frame to a UDP datagram or a TCP segment.
 *
 * NetDecoder runs link -> IP (v4/v6 with extension headers) -> tunnels
 * (IP-in-IP, IPv6-in-IP, GRE with ERSPAN I/II/III and transparent Ethernet
 * bridging, PPP in GRE) -> IP fragment reassembly -> UDP or TCP header.
 * It owns the fragment table (ip_defrag), so it is stateful.
 *
 * Ownership: net_decoder_new() (transfer full) pairs with net_decoder_free().
 * The bytes a NetPacket points to belong to the frame or to the decoder and
 * live until the next net_decoder_feed() / net_decoder_expire() call.
 */
#ifndef SIPSLEUTH_NET_DECODE_H
#define SIPSLEUTH_NET_DECODE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "capture/capture.h"
#include "common/anomaly.h"
#include "common/endpoint.h"

#define SS_IPPROTO_TCP 6
#define SS_IPPROTO_UDP 17

#define SS_TCP_FIN 0x01
#define SS_TCP_SYN 0x02
#define SS_TCP_RST 0x04
#define SS_TCP_PSH 0x08
#define SS_TCP_ACK 0x10

typedef struct {
    Endpoint src, dst;       /* innermost IP addresses + L4 ports */
    uint8_t l4proto;         /* SS_IPPROTO_UDP or SS_IPPROTO_TCP */
    const uint8_t *payload;  /* UDP payload or TCP segment data */
    size_t payload_len;
    bool truncated;          /* payload shorter than the headers announce (snaplen) */
    bool reassembled;        /* rebuilt from IP fragments */
    uint32_t tcp_seq;
    uint32_t tcp_ack;
    uint8_t tcp_flags;       /* SS_TCP_* */
    uint16_t vlan;           /* outermost VLAN id or 0 */
    uint8_t encap_depth;     /* number of tunnels unwrapped */
} NetPacket;

typedef enum {
    NET_OK = 0,       /* *out describes a UDP datagram or TCP segment */
    NET_BUFFERED = 1, /* an IP fragment was stored; nothing to deliver yet */
    NET_SKIP = 2,     /* not IP, or not UDP/TCP (ICMP, SCTP, ...): not ours */
    NET_BAD = 3,      /* broken packet: an anomaly was reported */
} NetResult;

typedef struct {
    uint64_t ip_packets;
    uint64_t fragments;
    uint64_t reassembled;
    uint64_t frag_timeouts;  /* datagrams never completed */
    uint64_t frag_evictions; /* datagrams dropped by a cap */
    uint64_t non_ip;
    uint64_t bad;
} NetStats;

typedef struct NetDecoder NetDecoder;

/* anomalies (transfer none) are reported through the sink with the packet time. */
NetDecoder *net_decoder_new(const AnomalySink *anomalies);
NetResult net_decoder_feed(NetDecoder *d, const SsPacket *pkt, NetPacket *out);
/* Drop fragment sets older than the timeout relative to now (capture time). */
void net_decoder_expire(NetDecoder *d, SsTime now);
void net_decoder_get_stats(const NetDecoder *d, NetStats *st);
void net_decoder_free(NetDecoder *d);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetDecoder, net_decoder_free)

#endif
