/* tcp_reasm.h - TCP stream reassembly, per direction, keyed by the 4-tuple.
 * flags are the SS_TCP_* bits of net/net_decode.h.
 *
 * Delivers each direction's bytes in sequence order exactly once:
 * out-of-order segments are held, retransmissions (identical or partial) are
 * dropped, overlapping bytes keep the first copy (a conflicting overlap is an
 * anomaly), sequence numbers wrap. A stream whose SYN was not captured starts
 * at its first segment with data. A hole that does not fill within
 * SS_TCP_GAP_TIMEOUT (capture time) or SS_TCP_MAX_STREAM_BYTES is skipped:
 * the sink is told of the gap (bytes lost) before the data after it.
 * SYN after FIN/RST on the same 4-tuple starts a new connection.
 * Knows nothing of SIP.
 *
 * Close reasons: a new SYN (different ISN) on a 4-tuple still in use closes
 * the old connection's directions with TCP_STREAM_TIMEOUT (its end was not
 * seen), or TCP_STREAM_FIN for a direction whose FIN was. A direction that
 * was seen only as a SYN is still a stream: it is counted and closed.
 *
 * Ownership: tcp_reasm_new() (transfer full) / tcp_reasm_free(). Bytes passed
 * to the sink live only during the callback.
 */
#ifndef SIPSLEUTH_TCP_REASM_H
#define SIPSLEUTH_TCP_REASM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "common/anomaly.h"
#include "common/endpoint.h"
#include "common/sstime.h"

typedef struct {
    Endpoint src, dst;  /* this direction: bytes flow src -> dst */
    uint64_t conn_id;   /* unique per connection (both directions share it) */
    void *user;         /* the sink's per-direction state, initially NULL */
} TcpStream;

typedef enum {
    TCP_STREAM_FIN,     /* orderly end of this direction */
    TCP_STREAM_RST,     /* connection reset */
    TCP_STREAM_TIMEOUT, /* idle timeout */
    TCP_STREAM_EVICTED, /* dropped by a cap */
    TCP_STREAM_FLUSH,   /* end of input */
} TcpCloseReason;

typedef struct {
    /* in-order bytes; ts is the time of the segment that completed them,
     * frame its frame number */
    void (*data)(void *user, TcpStream *s, const uint8_t *bytes, size_t len, SsTime ts,
                 uint64_t frame);
    /* len bytes were never captured before the next data() call */
    void (*gap)(void *user, TcpStream *s, uint64_t len, SsTime ts);
    /* the direction is finished: free s->user here */
    void (*close)(void *user, TcpStream *s, TcpCloseReason why, SsTime ts);
    void *user;
} TcpReasmSink;

typedef struct {
    uint64_t segments;
    uint64_t bytes_delivered;
    uint64_t retransmissions;  /* segments whose bytes were all seen before */
    uint64_t out_of_order;
    uint64_t gaps;
    uint64_t gap_bytes;
    uint64_t overlap_conflicts;
    uint64_t streams_opened;
    uint64_t streams_evicted;
    uint64_t streams_open;     /* now */
    uint64_t bytes_buffered;   /* now */
} TcpReasmStats;

typedef struct TcpReasm TcpReasm;

/* Caps and timeouts; tcp_reasm_new() starts with the SS_TCP_* values of
 * common/limits.h. Tests and tuning may lower them. */
typedef struct {
    uint64_t max_streams;      /* >= 2; eviction: least recently active connection */
    uint64_t max_stream_bytes; /* out-of-order bytes held per direction */
    uint64_t max_total_bytes;  /* out-of-order bytes held in all directions */
    SsTime gap_timeout;
    SsTime idle_timeout;
} TcpReasmLimits;

TcpReasm *tcp_reasm_new(const TcpReasmSink *sink, const AnomalySink *anomalies);
void tcp_reasm_feed(TcpReasm *r, const Endpoint *src, const Endpoint *dst, uint32_t seq,
                    uint8_t flags, const uint8_t *payload, size_t len, SsTime ts, uint64_t frame);
/* Apply gap and idle timeouts relative to now (capture time). */
void tcp_reasm_expire(TcpReasm *r, SsTime now);
/* End of input: deliver what can be delivered (skipping holes), close all. */
void tcp_reasm_flush(TcpReasm *r, SsTime now);
void tcp_reasm_get_stats(const TcpReasm *r, TcpReasmStats *st);
/* Replace the caps (call before the first feed). */
void tcp_reasm_set_limits(TcpReasm *r, const TcpReasmLimits *lim);
/* Calls no sink function: streams still open are dropped without close(),
 * so their s->user is not released; call tcp_reasm_flush() first. */
void tcp_reasm_free(TcpReasm *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TcpReasm, tcp_reasm_free)

#endif
