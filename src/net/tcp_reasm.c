#include <config.h>
#include "net/tcp_reasm.h"

#include <string.h>
#include "common/limits.h"
#include "net/net_decode.h"

/* tcp_reasm.c - one entry per connection (both directions), found through a
 * hash of the 4-tuple in canonical order, and kept on an LRU list for the
 * stream cap and the idle timeout.
 *
 * Sequence numbers are compared with serial arithmetic (RFC 1982 §3.2,
 * RFC 9293 §3.4): a precedes b when (int32_t)(a - b) < 0.
 *
 * Hot path: a segment that starts at the expected sequence number while
 * nothing is held is handed to the sink straight from the caller's buffer.
 * Only out-of-order segments are copied, into a short list sorted by
 * sequence number whose entries never overlap (the first copy of a byte
 * wins, RFC 9293 §3.10.7.4 leaves the choice to the receiver; captured
 * traffic shows what the first receiver saw first).
 *
 * Known limits: a segment that arrives before the first captured segment of
 * a mid-stream start is taken as a retransmission; bytes already delivered
 * are not kept, so a retransmission that differs from them is not detected.
 */

typedef struct TcpSeg {
    struct TcpSeg *next;
    uint32_t seq;
    uint32_t len;
    uint64_t frame;
    uint8_t data[];
} TcpSeg;

typedef struct TcpConn TcpConn;

typedef struct TcpDir {
    TcpStream pub;
    TcpConn *conn;
    bool exists;     /* this direction was seen (SYN or data) */
    bool closed;     /* close() was delivered */
    bool syn_seen;
    bool fin_seen;
    uint32_t isn;
    uint32_t next_seq; /* first byte not yet delivered */
    uint32_t fin_seq;  /* sequence number of the FIN */
    TcpSeg *held;      /* out-of-order segments, sorted, disjoint */
    size_t held_bytes;
    SsTime hole_since; /* capture time the current hole started waiting */
    /* on the reassembler's list of directions with a hole */
    struct TcpDir *pend_prev, *pend_next;
    bool pending;
} TcpDir;

typedef struct {
    Endpoint a, b; /* a < b (endpoint_cmp) */
} TcpConnKey;

struct TcpConn {
    TcpConnKey key;
    TcpDir dir[2];  /* dir[0]: a -> b, dir[1]: b -> a */
    unsigned first_dir; /* the direction seen first (close order) */
    uint64_t id;
    SsTime last_ts;
    TcpConn *lru_prev, *lru_next; /* head: least recently active */
};

struct TcpReasm {
    TcpReasmSink sink;
    AnomalySink anomalies;
    bool have_anomalies;
    TcpReasmLimits lim;
    GHashTable *conns; /* TcpConnKey* -> TcpConn* (key inside the value) */
    TcpConn *lru_head, *lru_tail;
    TcpDir *pend_head;
    uint64_t next_conn_id;
    TcpReasmStats st;
};

static bool
seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static bool
seq_le(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}

static guint
conn_key_hash(gconstpointer p)
{
    const TcpConnKey *k = p;
    return endpoint_hash(&k->a) * 31u + endpoint_hash(&k->b);
}

static gboolean
conn_key_equal(gconstpointer pa, gconstpointer pb)
{
    const TcpConnKey *x = pa, *y = pb;
    return endpoint_equal(&x->a, &y->a) && endpoint_equal(&x->b, &y->b);
}

static void
report(TcpReasm *r, SsAnomaly a, SsTime ts, const char *detail)
{
    anomaly_report(r->have_anomalies ? &r->anomalies : NULL, a, ts, detail);
}

/* ---- LRU and pending lists ---- */

static void
lru_unlink(TcpReasm *r, TcpConn *c)
{
    if (c->lru_prev)
        c->lru_prev->lru_next = c->lru_next;
    else
        r->lru_head = c->lru_next;
    if (c->lru_next)
        c->lru_next->lru_prev = c->lru_prev;
    else
        r->lru_tail = c->lru_prev;
    c->lru_prev = c->lru_next = NULL;
}

static void
lru_push_tail(TcpReasm *r, TcpConn *c)
{
    c->lru_prev = r->lru_tail;
    c->lru_next = NULL;
    if (r->lru_tail)
        r->lru_tail->lru_next = c;
    else
        r->lru_head = c;
    r->lru_tail = c;
}

static void
pend_update(TcpReasm *r, TcpDir *d)
{
    bool want = !d->closed && (d->held != NULL || (d->fin_seen && d->next_seq != d->fin_seq));
    if (want == d->pending)
        return;
    if (want) {
        d->pend_prev = NULL;
        d->pend_next = r->pend_head;
        if (r->pend_head)
            r->pend_head->pend_prev = d;
        r->pend_head = d;
    } else {
        if (d->pend_prev)
            d->pend_prev->pend_next = d->pend_next;
        else
            r->pend_head = d->pend_next;
        if (d->pend_next)
            d->pend_next->pend_prev = d->pend_prev;
        d->pend_prev = d->pend_next = NULL;
    }
    d->pending = want;
}

/* ---- delivery ---- */

static void
deliver(TcpReasm *r, TcpDir *d, const uint8_t *bytes, size_t len, SsTime ts, uint64_t frame)
{
    if (len == 0)
        return;
    d->next_seq += (uint32_t)len;
    r->st.bytes_delivered += len;
    if (r->sink.data)
        r->sink.data(r->sink.user, &d->pub, bytes, len, ts, frame);
}

static void
seg_free_head(TcpReasm *r, TcpDir *d)
{
    TcpSeg *s = d->held;
    d->held = s->next;
    d->held_bytes -= s->len;
    r->st.bytes_buffered -= s->len;
    g_free(s);
}

/* Deliver the held segments that now start at next_seq. */
static void
drain_contiguous(TcpReasm *r, TcpDir *d, SsTime ts, uint64_t frame, bool own_frame)
{
    while (d->held && d->held->seq == d->next_seq) {
        TcpSeg *s = d->held;
        deliver(r, d, s->data, s->len, ts, own_frame ? s->frame : frame);
        seg_free_head(r, d);
    }
}

static void close_dir(TcpReasm *r, TcpDir *d, TcpCloseReason why, SsTime ts);

/* All bytes up to the FIN were delivered: the direction ends (RFC 9293
 * §3.10.7.4, eighth step). */
static void
maybe_finish(TcpReasm *r, TcpDir *d, SsTime ts)
{
    if (!d->closed && d->fin_seen && d->next_seq == d->fin_seq)
        close_dir(r, d, TCP_STREAM_FIN, ts);
}

/* Declare the first hole lost: tell the sink, then deliver what follows it.
 * Returns false when there was no hole to skip. */
static bool
skip_hole(TcpReasm *r, TcpDir *d, SsTime ts)
{
    uint32_t target;
    if (d->held)
        target = d->held->seq;
    else if (d->fin_seen && d->next_seq != d->fin_seq)
        target = d->fin_seq;
    else
        return false;
    uint64_t gap = (uint32_t)(target - d->next_seq);
    r->st.gaps++;
    r->st.gap_bytes += gap;
    report(r, SS_ANOMALY_TCP_GAP, ts, NULL);
    if (r->sink.gap)
        r->sink.gap(r->sink.user, &d->pub, gap, ts);
    d->next_seq = target;
    drain_contiguous(r, d, ts, 0, true);
    d->hole_since = ts;
    maybe_finish(r, d, ts);
    pend_update(r, d);
    return true;
}

static void
skip_all_holes(TcpReasm *r, TcpDir *d, SsTime ts)
{
    while (!d->closed && skip_hole(r, d, ts))
        ;
}

static void
close_dir(TcpReasm *r, TcpDir *d, TcpCloseReason why, SsTime ts)
{
    if (!d->exists || d->closed)
        return;
    while (d->held)
        seg_free_head(r, d);
    d->closed = true;
    pend_update(r, d);
    r->st.streams_open--;
    if (r->sink.close)
        r->sink.close(r->sink.user, &d->pub, why, ts);
    d->pub.user = NULL;
}

static void
conn_destroy(TcpReasm *r, TcpConn *c)
{
    for (unsigned i = 0; i < 2; i++) {
        TcpDir *d = &c->dir[i];
        while (d->held)
            seg_free_head(r, d);
        d->closed = true;
        pend_update(r, d);
    }
    lru_unlink(r, c);
    g_hash_table_remove(r->conns, &c->key);
    g_free(c);
}

/* Deliver what can be (skipping holes when drain is set) and close both
 * directions, first-seen first; then forget the connection. */
static void
conn_end(TcpReasm *r, TcpConn *c, TcpCloseReason why, bool drain, SsTime ts)
{
    for (unsigned k = 0; k < 2; k++) {
        TcpDir *d = &c->dir[k == 0 ? c->first_dir : 1 - c->first_dir];
        if (!d->exists || d->closed)
            continue;
        if (drain)
            skip_all_holes(r, d, ts);
        /* skip_all_holes may have reached the FIN and closed it */
        close_dir(r, d, d->fin_seen && d->next_seq == d->fin_seq ? TCP_STREAM_FIN : why, ts);
    }
    conn_destroy(r, c);
}

static bool
conn_all_closed(const TcpConn *c)
{
    for (unsigned i = 0; i < 2; i++)
        if (c->dir[i].exists && !c->dir[i].closed)
            return false;
    return true;
}

/* ---- creation and caps ---- */

static TcpConn *
conn_new(TcpReasm *r, const TcpConnKey *key, SsTime ts)
{
    TcpConn *c = g_new0(TcpConn, 1);
    c->key = *key;
    c->id = ++r->next_conn_id;
    c->last_ts = ts;
    for (unsigned i = 0; i < 2; i++) {
        c->dir[i].conn = c;
        c->dir[i].pub.src = i == 0 ? key->a : key->b;
        c->dir[i].pub.dst = i == 0 ? key->b : key->a;
        c->dir[i].pub.conn_id = c->id;
    }
    g_hash_table_insert(r->conns, &c->key, c);
    lru_push_tail(r, c);
    return c;
}

/* Make room for one more stream: evict whole connections, least recently
 * active first, never the one being fed. */
static void
make_room(TcpReasm *r, TcpConn *keep, SsTime ts)
{
    while (r->st.streams_open >= r->lim.max_streams) {
        TcpConn *victim = r->lru_head;
        if (victim == keep)
            victim = victim->lru_next;
        if (!victim)
            return;
        for (unsigned i = 0; i < 2; i++)
            if (victim->dir[i].exists && !victim->dir[i].closed)
                r->st.streams_evicted++;
        report(r, SS_ANOMALY_TCP_STREAM_EVICTED, ts, NULL);
        conn_end(r, victim, TCP_STREAM_EVICTED, true, ts);
    }
}

static void
dir_open(TcpReasm *r, TcpConn *c, unsigned i, SsTime ts)
{
    make_room(r, c, ts);
    TcpDir *d = &c->dir[i];
    if (!c->dir[1 - i].exists)
        c->first_dir = i;
    d->exists = true;
    r->st.streams_opened++;
    r->st.streams_open++;
}

/* ---- out-of-order storage ---- */

static void
store_piece(TcpReasm *r, TcpDir *d, TcpSeg **link, uint32_t seq, const uint8_t *p, size_t n,
            uint64_t frame)
{
    TcpSeg *s = g_malloc(sizeof *s + n);
    s->seq = seq;
    s->len = (uint32_t)n;
    s->frame = frame;
    memcpy(s->data, p, n);
    s->next = *link;
    *link = s;
    d->held_bytes += n;
    r->st.bytes_buffered += n;
}

/* Insert [seq, seq+len) beyond next_seq, keeping only bytes not held yet
 * (first copy wins) and comparing the overlapping ones. Returns the number
 * of new bytes stored. */
static size_t
store_segment(TcpReasm *r, TcpDir *d, uint32_t seq, const uint8_t *p, size_t len, uint64_t frame,
              SsTime ts)
{
    size_t stored = 0;
    bool conflict = false;
    TcpSeg **link = &d->held;
    while (len > 0) {
        TcpSeg *cur = *link;
        if (!cur || seq_lt(seq, cur->seq)) {
            /* bytes before cur (or at the end): new */
            size_t n = len;
            if (cur && (uint32_t)(cur->seq - seq) < n)
                n = (uint32_t)(cur->seq - seq);
            store_piece(r, d, link, seq, p, n, frame);
            link = &(*link)->next;
            stored += n;
            seq += (uint32_t)n;
            p += n;
            len -= n;
            continue;
        }
        uint32_t cur_end = cur->seq + cur->len;
        if (seq_le(cur_end, seq)) {
            link = &cur->next;
            continue;
        }
        /* overlap with cur: cur->seq <= seq < cur_end */
        size_t off = (uint32_t)(seq - cur->seq);
        size_t n = cur->len - off;
        if (n > len)
            n = len;
        if (memcmp(cur->data + off, p, n) != 0)
            conflict = true;
        seq += (uint32_t)n;
        p += n;
        len -= n;
        link = &cur->next;
    }
    if (conflict) {
        r->st.overlap_conflicts++;
        report(r, SS_ANOMALY_TCP_OVERLAP_CONFLICT, ts, NULL);
    }
    return stored;
}

/* In-order bytes [next_seq, +len) from the caller's buffer; held segments
 * already cover part of that range win over them (first copy). */
static void
deliver_in_order(TcpReasm *r, TcpDir *d, const uint8_t *p, size_t len, SsTime ts, uint64_t frame)
{
    bool conflict = false;
    while (len > 0) {
        TcpSeg *h = d->held;
        if (!h || seq_lt(d->next_seq, h->seq)) {
            size_t n = len;
            if (h && (uint32_t)(h->seq - d->next_seq) < n)
                n = (uint32_t)(h->seq - d->next_seq);
            deliver(r, d, p, n, ts, frame);
            p += n;
            len -= n;
            continue;
        }
        /* h starts at next_seq (held segments never start before it) */
        size_t n = h->len < len ? h->len : len;
        if (memcmp(h->data, p, n) != 0)
            conflict = true;
        p += n;
        len -= n;
        deliver(r, d, h->data, h->len, ts, frame);
        seg_free_head(r, d);
    }
    drain_contiguous(r, d, ts, frame, false);
    if (conflict) {
        r->st.overlap_conflicts++;
        report(r, SS_ANOMALY_TCP_OVERLAP_CONFLICT, ts, NULL);
    }
}

static void
check_gap_timeout(TcpReasm *r, TcpDir *d, SsTime now)
{
    while (d->pending && !d->closed && now - d->hole_since >= r->lim.gap_timeout) {
        if (!skip_hole(r, d, now))
            break;
    }
}

/* ---- public API ---- */

TcpReasm *
tcp_reasm_new(const TcpReasmSink *sink, const AnomalySink *anomalies)
{
    TcpReasm *r = g_new0(TcpReasm, 1);
    if (sink)
        r->sink = *sink;
    if (anomalies) {
        r->anomalies = *anomalies;
        r->have_anomalies = true;
    }
    r->lim.max_streams = SS_TCP_MAX_STREAMS;
    r->lim.max_stream_bytes = SS_TCP_MAX_STREAM_BYTES;
    r->lim.max_total_bytes = SS_TCP_MAX_TOTAL_BYTES;
    r->lim.gap_timeout = SS_TCP_GAP_TIMEOUT;
    r->lim.idle_timeout = SS_TCP_IDLE_TIMEOUT;
    r->conns = g_hash_table_new(conn_key_hash, conn_key_equal);
    return r;
}

void
tcp_reasm_set_limits(TcpReasm *r, const TcpReasmLimits *lim)
{
    g_return_if_fail(r != NULL && lim != NULL && lim->max_streams >= 2);
    r->lim = *lim;
}

void
tcp_reasm_feed(TcpReasm *r, const Endpoint *src, const Endpoint *dst, uint32_t seq,
               uint8_t flags, const uint8_t *payload, size_t len, SsTime ts, uint64_t frame)
{
    g_return_if_fail(r != NULL && src != NULL && dst != NULL);
    if (!payload)
        len = 0;
    /* serial arithmetic needs len < 2^31; no IP packet comes near that */
    if (len > (1u << 30))
        return;
    r->st.segments++;

    TcpConnKey key;
    unsigned di;
    if (endpoint_cmp(src, dst) <= 0) {
        key.a = *src;
        key.b = *dst;
        di = 0;
    } else {
        key.a = *dst;
        key.b = *src;
        di = 1;
    }
    TcpConn *c = g_hash_table_lookup(r->conns, &key);

    if (flags & SS_TCP_RST) {
        /* RFC 9293 §3.10.7: the connection is gone in both directions */
        if (c)
            conn_end(r, c, TCP_STREAM_RST, true, ts);
        return;
    }

    bool syn = (flags & SS_TCP_SYN) != 0;
    if (c && syn && c->dir[di].exists && !(c->dir[di].syn_seen && c->dir[di].isn == seq)) {
        /* a new SYN (not a retransmitted one) on a 4-tuple in use: the old
         * connection ended, by a FIN on this side or unseen: close it and
         * start a new one (RFC 9293 §3.6.1, reuse from TIME-WAIT). */
        conn_end(r, c, TCP_STREAM_TIMEOUT, true, ts);
        c = NULL;
    }
    if (!c) {
        if (!syn && len == 0)
            return; /* a pure ACK or FIN for nothing we know */
        c = conn_new(r, &key, ts);
    }
    TcpDir *d = &c->dir[di];
    c->last_ts = ts;
    lru_unlink(r, c);
    lru_push_tail(r, c);

    if (!d->exists) {
        if (!syn && len == 0)
            return;
        dir_open(r, c, di, ts);
        if (syn) {
            d->syn_seen = true;
            d->isn = seq;
            d->next_seq = seq + 1; /* the SYN takes one sequence number */
        } else {
            d->next_seq = seq; /* mid-stream: start at the first data */
        }
    }
    if (d->closed) {
        if (len > 0)
            r->st.retransmissions++;
        return;
    }

    uint32_t dseq = syn ? seq + 1 : seq;
    if (len > 0 && d->fin_seen) {
        /* nothing is sent after the FIN (RFC 9293 §3.10.7.4) */
        if (seq_le(d->fin_seq, dseq))
            len = 0;
        else if ((uint32_t)(d->fin_seq - dseq) < len)
            len = (uint32_t)(d->fin_seq - dseq);
    }
    if (flags & SS_TCP_FIN && !d->fin_seen) {
        d->fin_seen = true;
        d->fin_seq = dseq + (uint32_t)len;
        if (!d->held && d->next_seq != d->fin_seq && seq_lt(d->next_seq, d->fin_seq))
            d->hole_since = ts;
    }

    if (len > 0) {
        const uint8_t *p = payload;
        uint32_t end = dseq + (uint32_t)len;
        if (seq_le(end, d->next_seq)) {
            r->st.retransmissions++;
        } else if (seq_le(dseq, d->next_seq)) {
            /* in order, possibly a partial retransmission: new bytes only */
            size_t skip = (uint32_t)(d->next_seq - dseq);
            deliver_in_order(r, d, p + skip, len - skip, ts, frame);
            /* progress: what is still missing starts waiting now */
            d->hole_since = ts;
        } else {
            bool had_hole = d->held != NULL || d->fin_seen;
            if (store_segment(r, d, dseq, p, len, frame, ts) == 0)
                r->st.retransmissions++;
            else
                r->st.out_of_order++;
            if (!had_hole)
                d->hole_since = ts;
            /* caps: per stream, then in total (bytes held by this stream
             * are released first: it is the one growing) */
            bool over = false;
            while (d->held && (d->held_bytes > r->lim.max_stream_bytes ||
                               r->st.bytes_buffered > r->lim.max_total_bytes)) {
                over = true;
                skip_hole(r, d, ts);
            }
            if (over)
                report(r, SS_ANOMALY_TCP_BUFFER_OVERFLOW, ts, NULL);
        }
    }
    maybe_finish(r, d, ts);
    pend_update(r, d);
    check_gap_timeout(r, d, ts);
    if (conn_all_closed(c))
        conn_destroy(r, c);
}

void
tcp_reasm_expire(TcpReasm *r, SsTime now)
{
    g_return_if_fail(r != NULL);
    /* gap timeouts: only directions with a hole are on the pending list */
    TcpDir *d = r->pend_head;
    while (d) {
        TcpDir *next = d->pend_next;
        if (now - d->hole_since >= r->lim.gap_timeout) {
            TcpConn *c = d->conn;
            check_gap_timeout(r, d, now);
            if (conn_all_closed(c)) {
                /* destroying c unlinks its other direction too */
                while (next && next->conn == c)
                    next = next->pend_next;
                conn_destroy(r, c);
            }
        }
        d = next;
    }
    /* idle timeouts: the LRU head is the least recently active */
    while (r->lru_head && now - r->lru_head->last_ts >= r->lim.idle_timeout)
        conn_end(r, r->lru_head, TCP_STREAM_TIMEOUT, true, now);
}

void
tcp_reasm_flush(TcpReasm *r, SsTime now)
{
    g_return_if_fail(r != NULL);
    while (r->lru_head)
        conn_end(r, r->lru_head, TCP_STREAM_FLUSH, true, now);
}

void
tcp_reasm_get_stats(const TcpReasm *r, TcpReasmStats *st)
{
    g_return_if_fail(r != NULL && st != NULL);
    *st = r->st;
}

void
tcp_reasm_free(TcpReasm *r)
{
    if (!r)
        return;
    /* no sink call here: the sink's own state may already be gone */
    while (r->lru_head)
        conn_destroy(r, r->lru_head);
    g_hash_table_destroy(r->conns);
    g_free(r);
}
