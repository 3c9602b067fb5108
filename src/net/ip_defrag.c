#include <config.h>
#include "net/ip_defrag.h"

#include <string.h>
#include "common/limits.h"

/* Largest reassembled payload: the IPv4 total length and the IPv6 payload
 * length are 16-bit (jumbograms cannot be fragmented, RFC 2675 §5). */
#define DEFRAG_MAX_PAYLOAD 65535u

/* Lookup key, laid out without padding so it can be hashed and compared as
 * bytes. proto is 0 for IPv6 (RFC 8200 §4.5 keys on addresses + id only). */
typedef struct {
    uint8_t version;
    uint8_t proto;
    uint8_t pad[2];
    uint32_t id;
    uint8_t src[16];
    uint8_t dst[16];
} FragKey;

/* A byte range [start, end) already filled. */
typedef struct {
    uint32_t start, end;
} FragRange;

typedef struct {
    FragKey key;
    GList link; /* in IpDefrag.queue, oldest first */
    SsTime first_ts;
    uint8_t proto;
    uint8_t *buf; /* one buffer per datagram, grown to its extent */
    uint32_t cap;
    FragRange *ranges; /* sorted, disjoint, not adjacent (merged) */
    unsigned nranges, ranges_cap;
    unsigned nfrags; /* fragments received, duplicates included */
    bool have_last;
    uint32_t total; /* payload length, known once the last fragment came */
} FragDatagram;

struct IpDefrag {
    AnomalySink sink;
    GHashTable *table; /* FragKey* -> FragDatagram* (lookup only) */
    GQueue queue;      /* FragDatagram, insertion order: expiry and eviction */
    size_t bytes;      /* sum of FragDatagram.cap */
    uint8_t *out;      /* the last completed datagram, handed out once */
    uint64_t evictions;
    uint64_t timeouts;
};

static guint
frag_key_hash(gconstpointer p)
{
    const uint8_t *b = p;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < sizeof(FragKey); i++) {
        h ^= b[i];
        h *= 16777619u;
    }
    return h;
}

static gboolean
frag_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(FragKey)) == 0;
}

IpDefrag *
ip_defrag_new(const AnomalySink *anomalies)
{
    IpDefrag *d = g_new0(IpDefrag, 1);
    if (anomalies)
        d->sink = *anomalies;
    d->table = g_hash_table_new(frag_key_hash, frag_key_equal);
    g_queue_init(&d->queue);
    return d;
}

static void
datagram_free(FragDatagram *g)
{
    g_free(g->buf);
    g_free(g->ranges);
    g_free(g);
}

/* Unlink from the table and queue; the caller frees or keeps the buffer. */
static void
datagram_remove(IpDefrag *d, FragDatagram *g)
{
    g_hash_table_remove(d->table, &g->key);
    g_queue_unlink(&d->queue, &g->link);
    d->bytes -= g->cap;
}

static void
datagram_drop(IpDefrag *d, FragDatagram *g, SsAnomaly why, SsTime ts)
{
    char detail[64];
    g_snprintf(detail, sizeof(detail), "IPv%u id 0x%x, %u fragment(s)", g->key.version, g->key.id,
               g->nfrags);
    anomaly_report(&d->sink, why, ts, detail);
    if (why == SS_ANOMALY_FRAG_EVICTED)
        d->evictions++;
    else
        d->timeouts++;
    datagram_remove(d, g);
    datagram_free(g);
}

static void
evict_oldest(IpDefrag *d, const FragDatagram *keep, SsTime ts)
{
    GList *l = d->queue.head;
    if (l && l->data == keep)
        l = l->next;
    if (l)
        datagram_drop(d, l->data, SS_ANOMALY_FRAG_EVICTED, ts);
}

static FragDatagram *
datagram_new(IpDefrag *d, const FragKey *key, uint8_t proto, SsTime ts)
{
    /* Cap on datagrams in flight: the oldest goes first. */
    while (g_hash_table_size(d->table) >= SS_DEFRAG_MAX_DATAGRAMS)
        evict_oldest(d, NULL, ts);
    FragDatagram *g = g_new0(FragDatagram, 1);
    g->key = *key;
    g->link.data = g;
    g->first_ts = ts;
    g->proto = proto;
    g_hash_table_insert(d->table, &g->key, g);
    g_queue_push_tail_link(&d->queue, &g->link);
    return g;
}

/* Make room for bytes up to `end`, evicting the oldest other datagrams
 * while the total would pass SS_DEFRAG_MAX_BYTES. */
static void
datagram_reserve(IpDefrag *d, FragDatagram *g, uint32_t end, SsTime ts)
{
    if (end <= g->cap)
        return;
    uint32_t ncap;
    if (g->have_last)
        ncap = g->total; /* the extent is known: allocate it once */
    else
        ncap = MAX(end, MIN(g->cap * 2, DEFRAG_MAX_PAYLOAD));
    while (d->bytes + (ncap - g->cap) > SS_DEFRAG_MAX_BYTES && d->queue.length > 1)
        evict_oldest(d, g, ts);
    g->buf = g_realloc(g->buf, ncap);
    d->bytes += ncap - g->cap;
    g->cap = ncap;
}

/* Copy [s, e) into the datagram where nothing is yet; where bytes are
 * already there the first copy wins, and a difference is reported
 * (RFC 5722 would drop the datagram; we keep it so the analysis still sees
 * the message). Then record the range. */
static void
datagram_fill(IpDefrag *d, FragDatagram *g, uint32_t s, uint32_t e, const uint8_t *data, SsTime ts)
{
    bool conflict = false;
    uint32_t pos = s;
    unsigned i;
    for (i = 0; i < g->nranges && pos < e; i++) {
        const FragRange *r = &g->ranges[i];
        if (r->end <= pos)
            continue;
        if (r->start >= e)
            break;
        if (r->start > pos) {
            memcpy(g->buf + pos, data + (pos - s), r->start - pos);
            pos = r->start;
        }
        uint32_t oend = MIN(e, r->end);
        if (memcmp(g->buf + pos, data + (pos - s), oend - pos) != 0)
            conflict = true;
        pos = oend;
    }
    if (pos < e)
        memcpy(g->buf + pos, data + (pos - s), e - pos);
    if (conflict) {
        char detail[64];
        g_snprintf(detail, sizeof(detail), "IPv%u id 0x%x, bytes %u-%u", g->key.version, g->key.id,
                   s, e);
        anomaly_report(&d->sink, SS_ANOMALY_FRAG_OVERLAP, ts, detail);
    }

    /* Insert [s, e) and merge with the ranges it touches. */
    unsigned first = 0;
    while (first < g->nranges && g->ranges[first].end < s)
        first++;
    unsigned last = first;
    uint32_t ns = s, ne = e;
    while (last < g->nranges && g->ranges[last].start <= e) {
        ns = MIN(ns, g->ranges[last].start);
        ne = MAX(ne, g->ranges[last].end);
        last++;
    }
    if (last == first) {
        if (g->nranges == g->ranges_cap) {
            g->ranges_cap = g->ranges_cap ? g->ranges_cap * 2 : 4;
            g->ranges = g_renew(FragRange, g->ranges, g->ranges_cap);
        }
        memmove(&g->ranges[first + 1], &g->ranges[first], (g->nranges - first) * sizeof(FragRange));
        g->nranges++;
    } else if (last - first > 1) {
        memmove(&g->ranges[first + 1], &g->ranges[last], (g->nranges - last) * sizeof(FragRange));
        g->nranges -= last - first - 1;
    }
    g->ranges[first].start = ns;
    g->ranges[first].end = ne;
}

static void
fill_key(FragKey *key, const IpFragment *f)
{
    memset(key, 0, sizeof(*key));
    key->version = f->version;
    key->proto = f->version == 4 ? f->proto : 0;
    key->id = f->id;
    size_t alen = f->version == 4 ? 4 : 16;
    memcpy(key->src, f->src.addr, alen);
    memcpy(key->dst, f->dst.addr, alen);
}

static bool
datagram_complete(const FragDatagram *g)
{
    if (!g->have_last)
        return false;
    if (g->total == 0)
        return true;
    return g->nranges == 1 && g->ranges[0].start == 0 && g->ranges[0].end == g->total;
}

bool
ip_defrag_feed(IpDefrag *d, const IpFragment *frag, SsTime ts, const uint8_t **out, size_t *out_len,
               uint8_t *proto)
{
    char detail[96];
    *out = NULL;
    *out_len = 0;

    if ((uint64_t)frag->offset + frag->len > DEFRAG_MAX_PAYLOAD) {
        g_snprintf(detail, sizeof(detail), "IPv%u id 0x%x ends at %" G_GUINT64_FORMAT,
                   frag->version, frag->id, (guint64)frag->offset + frag->len);
        anomaly_report(&d->sink, SS_ANOMALY_FRAG_TOO_BIG, ts, detail);
        return false;
    }
    uint32_t s = frag->offset;
    uint32_t e = (uint32_t)(frag->offset + frag->len);

    FragKey key;
    fill_key(&key, frag);
    FragDatagram *g = g_hash_table_lookup(d->table, &key);
    if (g && ts - g->first_ts > SS_DEFRAG_TIMEOUT) {
        /* A late fragment of a datagram that has timed out starts afresh
         * (the id has likely wrapped around). */
        datagram_drop(d, g, SS_ANOMALY_FRAG_TIMEOUT, ts);
        g = NULL;
    }
    if (!g)
        g = datagram_new(d, &key, frag->proto, ts);

    if (++g->nfrags > SS_DEFRAG_MAX_FRAGMENTS) {
        datagram_drop(d, g, SS_ANOMALY_FRAG_EVICTED, ts);
        return false;
    }

    /* RFC 791 §3.2 / RFC 8200 §4.5: the fragment without MF/M fixes the
     * payload length; fragments must agree with it. The first statement of
     * the end wins, later contradicting fragments are ignored. */
    uint32_t extent = g->nranges ? g->ranges[g->nranges - 1].end : 0;
    bool inconsistent = false;
    if (g->have_last)
        inconsistent = e > g->total || (!frag->more && e != g->total);
    else if (!frag->more)
        inconsistent = extent > e;
    if (inconsistent) {
        g_snprintf(detail, sizeof(detail), "IPv%u id 0x%x: bytes %u-%u%s vs end %u", frag->version,
                   frag->id, s, e, frag->more ? "" : " (last)", g->have_last ? g->total : extent);
        anomaly_report(&d->sink, SS_ANOMALY_FRAG_INCONSISTENT, ts, detail);
        return false;
    }
    if (!frag->more) {
        g->have_last = true;
        g->total = e;
    }

    if (e > s) {
        datagram_reserve(d, g, e, ts);
        datagram_fill(d, g, s, e, frag->data, ts);
    }
    if (!datagram_complete(g))
        return false;

    /* Hand the datagram's own buffer out: no copy. The previous output is
     * freed only now, after frag->data (which may point into it, for a
     * fragment inside a reassembled tunnel packet) has been copied. */
    g_free(d->out);
    d->out = g->buf;
    *out = g->buf;
    *out_len = g->total;
    *proto = g->proto;
    g->buf = NULL;
    datagram_remove(d, g);
    datagram_free(g);
    return true;
}

unsigned
ip_defrag_expire(IpDefrag *d, SsTime now)
{
    unsigned n = 0;
    /* The queue is in arrival order of the first fragment, so the oldest
     * is at the head; capture time from merged files may step back a
     * little, which only delays an expiry. */
    while (d->queue.head) {
        FragDatagram *g = d->queue.head->data;
        if (now - g->first_ts <= SS_DEFRAG_TIMEOUT)
            break;
        datagram_drop(d, g, SS_ANOMALY_FRAG_TIMEOUT, now);
        n++;
    }
    return n;
}

unsigned
ip_defrag_pending(const IpDefrag *d)
{
    return g_hash_table_size(d->table);
}

uint64_t
ip_defrag_evictions(const IpDefrag *d)
{
    return d->evictions;
}

uint64_t
ip_defrag_timeouts(const IpDefrag *d)
{
    return d->timeouts;
}

size_t
ip_defrag_bytes(const IpDefrag *d)
{
    return d->bytes;
}

void
ip_defrag_free(IpDefrag *d)
{
    if (!d)
        return;
    while (d->queue.head) {
        FragDatagram *g = d->queue.head->data;
        datagram_remove(d, g);
        datagram_free(g);
    }
    g_hash_table_destroy(d->table);
    g_free(d->out);
    g_free(d);
}
