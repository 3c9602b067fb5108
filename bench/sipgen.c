/* sipgen - writes a synthetic but realistic SIP capture for the benchmarks.
 *
 *   bench/sipgen -o FILE [--packets N] [--transport udp|tcp] [--seed S]
 *                [--concurrent C] [--calls-per-second R] [--pairs P]
 *
 * Calls start at R per second (uniform jitter) and last C/R seconds on
 * average, so about C calls are in flight at any time and every call ends:
 * a streaming analyzer should keep flat memory however long the capture.
 * The mix follows sipp's default UAC scenario (INVITE with SDP, 100, 180,
 * 200 with SDP, ACK, BYE, 200) with, per call:
 *   10% hold/resume re-INVITEs (RFC 3264 §8.4: sendonly, or inactive, then
 *       sendrecv; either party may be the holder),
 *    3% blind transfers (RFC 5589 §6.1: REFER, 202, NOTIFY 100, the new
 *       INVITE with Referred-By (RFC 3892), NOTIFY 200, BYE),
 *    2% attended transfers (RFC 5589 §7.1: hold, consultation call, REFER
 *       whose Refer-To embeds Replaces, INVITE with Replaces (RFC 3891)),
 *    2% of INVITEs and 2% of INVITE 200s retransmitted after T1 = 500 ms
 *       (UDP only: RFC 3261 §17.1.1.2 retransmits only on unreliable
 *       transports).
 * Over TCP every endpoint pair keeps one connection (SYN at first use, FIN
 * at the end), seq/ack advance per direction, ~15% of messages are written
 * together with the next one of the same direction (several messages per
 * segment), writes are cut at the MSS and ~5% are cut at a random point
 * (messages split across segments); the receiver ACKs every multi-segment
 * write.
 *
 * The output depends only on the options (xoshiro256** seeded by --seed):
 * the same command always writes the same bytes. Frames are Ethernet +
 * IPv4 + UDP/TCP with correct lengths and checksums, written with the
 * project's pcap writer (nanosecond pcap).
 */
#include <config.h>

#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/pcap_out.h"

#define SIPGEN_T0 (INT64_C(1704067200) * SS_NSEC_PER_SEC) /* 2024-01-01T00:00:00Z */
#define SIPGEN_MAX_STEPS 64 /* an attended transfer with retransmissions needs ~34 */
#define SIPGEN_MSG_MAX 4096
#define SIPGEN_TCP_MSS 1460u
#define SIPGEN_TCP_PENDING_MAX 4096u /* stop coalescing past this many bytes */
#define SIPGEN_T1 (500 * SS_NSEC_PER_MSEC)
#define SIPGEN_MS SS_NSEC_PER_MSEC
#define SIPGEN_US SS_NSEC_PER_USEC

/* ---- deterministic PRNG: splitmix64 seeding xoshiro256** ---- */

typedef struct {
    uint64_t s[4];
} Rng;

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t
rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static void
rng_seed(Rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t
rng_next(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

static uint32_t
rng_below(Rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

static bool
rng_permille(Rng *r, uint32_t pm)
{
    return rng_below(r, 1000) < pm;
}

static SsTime
rng_range(Rng *r, SsTime lo, SsTime hi)
{
    if (hi <= lo)
        return lo;
    return lo + (SsTime)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* ---- the call model ---- */

typedef enum { M_INVITE, M_ACK, M_BYE, M_REFER, M_NOTIFY } Method;
static const char *const method_name[] = {"INVITE", "ACK", "BYE", "REFER", "NOTIFY"};

typedef enum {
    B_NONE,
    B_SDP_SENDRECV,
    B_SDP_SENDONLY,
    B_SDP_RECVONLY,
    B_SDP_INACTIVE,
    B_FRAG_100,
    B_FRAG_200,
} Body;

typedef enum {
    X_NONE,
    X_REFER_BLIND,  /* REFER from the transferor (d0 UAS), Refer-To the target of d1 */
    X_REFER_ATT,    /* REFER from the transferor (d0 UAC), Refer-To embeds Replaces of d1 */
    X_REFERRED_BY,  /* blind: the transferee's new INVITE (d1) */
    X_REPLACES,     /* attended: the transferee's INVITE (d2) replacing d1 */
    X_NOTIFY_ACTIVE,
    X_NOTIFY_TERM,
} Extra;

typedef struct {
    char call_id[64];
    char tag[2][24];  /* [0] the UAC's (From) tag, [1] the UAS's (To) tag */
    char user[2][16]; /* [0] UAC user, [1] UAS user */
    uint8_t uac_side; /* wire side of the UAC: 0 client host, 1 server host */
    uint32_t cseq[2];
    uint16_t sdp_ver[2];
    uint16_t rtp_port[2];
    uint64_t sess_id[2];
} Dialog;

/* One message to send. A response carries the fields of its request
 * (method, cseq, branch, by_uac) and the status code. */
typedef struct {
    SsTime t;
    uint64_t branch;
    uint32_t cseq;
    uint16_t code; /* 0 = request */
    uint16_t sdp_ver;
    uint8_t method;
    uint8_t dlg;
    uint8_t by_uac;  /* the request is sent by the dialog's UAC */
    uint8_t initial; /* initial INVITE transaction: no To tag yet */
    uint8_t body;
    uint8_t extra;
} Step;

typedef struct {
    uint64_t num;
    uint32_t pair;
    uint8_t nsteps;
    uint8_t next;
    Dialog d[3];
    Step steps[SIPGEN_MAX_STEPS];
} Call;

typedef struct {
    bool open;
    uint32_t seq[2]; /* next sequence number sent by side 0 (client) / 1 (server) */
    GByteArray *pending[2];
} Conn;

typedef struct {
    /* options */
    uint64_t seed;
    uint64_t target;
    bool tcp;
    uint32_t concurrent;
    double cps;
    uint32_t pairs;

    Rng rng;
    PcapOut *out;
    GError *err;
    SsTime last_ts;
    uint64_t branch_seq;
    uint16_t ip_id;

    Call *calls;
    uint32_t ncalls_alloc;
    uint32_t *free_slots;
    uint32_t nfree;
    uint32_t *heap;
    uint32_t heap_n;
    Conn *conns;

    uint8_t pkt[65536];
    char msg[SIPGEN_MSG_MAX];
    char body[1024];

    /* statistics */
    uint64_t packets, bytes, messages, pending_steps;
    uint64_t calls_started, holds, blind, attended, retrans;
    uint32_t peak_inflight;
} Gen;

/* ---- a small appender (snprintf only where formatting is needed) ---- */

typedef struct {
    char *p;
    size_t len;
    size_t cap;
} Ap;

static void
ap_str(Ap *a, const char *s)
{
    size_t n = strlen(s);
    g_assert(a->len + n < a->cap);
    memcpy(a->p + a->len, s, n);
    a->len += n;
}

static void G_GNUC_PRINTF(2, 3)
ap_fmt(Ap *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(a->p + a->len, a->cap - a->len, fmt, ap);
    va_end(ap);
    g_assert(n >= 0 && a->len + (size_t)n < a->cap);
    a->len += (size_t)n;
}

/* ---- addresses ---- */

static uint32_t
side_ip(const Gen *g, uint32_t pair, unsigned side)
{
    if (side == 0) /* 10.1.x.y: one client host (UA or PBX) per pair */
        return (10u << 24) | (1u << 16) | ((1 + pair / 250) << 8) | (1 + pair % 250);
    return (10u << 24) | (2u << 16) | (1 + pair % 8); /* 8 SBC nodes */
}

static const char *
ip_text(uint32_t ip, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
    return buf;
}

static uint16_t
side_port(const Gen *g, uint32_t pair, unsigned side)
{
    if (g->tcp && side == 0)
        return (uint16_t)(40000 + pair % 20000); /* the connecting side's ephemeral port */
    return 5060;
}

/* ---- frames ---- */

static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (i < n)
        sum += (uint32_t)(p[i] << 8);
    return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* Builds Ethernet + IPv4 + UDP/TCP around payload and writes it. The
 * timestamp never goes backwards (the capture is in time order). */
static void
emit_frame(Gen *g, uint32_t pair, unsigned from, SsTime t, uint8_t tcp_flags, uint32_t seq,
           uint32_t ack, const void *payload, size_t plen)
{
    uint8_t *f = g->pkt;
    uint32_t sip = side_ip(g, pair, from), dip = side_ip(g, pair, !from);
    uint16_t sport = side_port(g, pair, from), dport = side_port(g, pair, !from);
    size_t l4 = g->tcp ? 20 : 8;
    bool syn = g->tcp && (tcp_flags & TCP_SYN);
    if (syn)
        l4 = 24; /* MSS option */
    size_t iplen = 20 + l4 + plen;
    g_assert(14 + iplen <= sizeof g->pkt);

    /* Ethernet II: locally administered MACs made from the IPs */
    f[0] = 0x02, f[1] = 0x00, put32(f + 2, dip);
    f[6] = 0x02, f[7] = 0x00, put32(f + 8, sip);
    put16(f + 12, 0x0800);

    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)iplen);
    put16(ip + 4, g->ip_id++);
    put16(ip + 6, g->tcp ? 0x4000 : 0); /* DF on TCP */
    ip[8] = 64;
    ip[9] = g->tcp ? 6 : 17;
    put16(ip + 10, 0);
    put32(ip + 12, sip);
    put32(ip + 16, dip);
    put16(ip + 10, csum_fold(csum_add(0, ip, 20)));

    uint8_t *l = ip + 20;
    put16(l, sport);
    put16(l + 2, dport);
    if (g->tcp) {
        put32(l + 4, seq);
        put32(l + 8, ack);
        l[12] = (uint8_t)((l4 / 4) << 4);
        l[13] = tcp_flags;
        put16(l + 14, 64240);
        put16(l + 16, 0);
        put16(l + 18, 0);
        if (syn) {
            l[20] = 2, l[21] = 4;
            put16(l + 22, SIPGEN_TCP_MSS);
        }
    } else {
        put16(l + 4, (uint16_t)(8 + plen));
        put16(l + 6, 0);
    }
    if (plen)
        memcpy(l + l4, payload, plen);

    /* RFC 768 / RFC 793 checksum over the pseudo-header and the segment */
    uint8_t pseudo[12];
    put32(pseudo, sip);
    put32(pseudo + 4, dip);
    pseudo[8] = 0;
    pseudo[9] = ip[9];
    put16(pseudo + 10, (uint16_t)(l4 + plen));
    uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, 12), l, l4 + plen));
    if (!g->tcp && c == 0)
        c = 0xffff;
    put16(l + (g->tcp ? 16 : 6), c);

    if (t < g->last_ts)
        t = g->last_ts;
    g->last_ts = t;
    size_t len = 14 + iplen;
    if (!g->err && !pcap_out_write(g->out, t, g->pkt, (uint32_t)len, (uint32_t)len, &g->err))
        return;
    g->packets++;
    g->bytes += len;
}

/* ---- TCP ---- */

static void
tcp_open(Gen *g, uint32_t pair, SsTime t)
{
    Conn *c = &g->conns[pair];
    c->open = true;
    uint32_t isn0 = (uint32_t)rng_next(&g->rng), isn1 = (uint32_t)rng_next(&g->rng);
    SsTime t0 = t - 300 * SIPGEN_US;
    emit_frame(g, pair, 0, t0, TCP_SYN, isn0, 0, NULL, 0);
    emit_frame(g, pair, 1, t0 + 100 * SIPGEN_US, TCP_SYN | TCP_ACK, isn1, isn0 + 1, NULL, 0);
    c->seq[0] = isn0 + 1;
    c->seq[1] = isn1 + 1;
    emit_frame(g, pair, 0, t0 + 200 * SIPGEN_US, TCP_ACK, c->seq[0], c->seq[1], NULL, 0);
}

/* Sends what side `from` has pending: cut at the MSS and, now and then, at
 * a random point so that a message straddles two segments. */
static void
tcp_flush(Gen *g, uint32_t pair, unsigned from, SsTime t)
{
    Conn *c = &g->conns[pair];
    GByteArray *b = c->pending[from];
    size_t off = 0;
    unsigned segs = 0;
    while (off < b->len) {
        size_t rest = b->len - off;
        size_t n = rest < SIPGEN_TCP_MSS ? rest : SIPGEN_TCP_MSS;
        if (n > 64 && rng_permille(&g->rng, 50))
            n = 1 + rng_below(&g->rng, (uint32_t)(n - 1));
        emit_frame(g, pair, from, t + segs * 20 * SIPGEN_US, TCP_PSH | TCP_ACK, c->seq[from],
                   c->seq[!from], b->data + off, n);
        c->seq[from] += (uint32_t)n;
        off += n;
        segs++;
    }
    g_byte_array_set_size(b, 0);
    if (segs >= 2) /* delayed ACK: one per two full segments */
        emit_frame(g, pair, !from, t + segs * 20 * SIPGEN_US + 40 * SIPGEN_US, TCP_ACK,
                   c->seq[!from], c->seq[from], NULL, 0);
}

static void
tcp_send(Gen *g, uint32_t pair, unsigned from, SsTime t, const char *msg, size_t len)
{
    Conn *c = &g->conns[pair];
    if (!c->open)
        tcp_open(g, pair, t);
    /* what the peer had queued goes out first: a response never precedes
     * its request on the wire */
    if (c->pending[!from]->len)
        tcp_flush(g, pair, !from, t);
    g_byte_array_append(c->pending[from], (const guint8 *)msg, (guint)len);
    if (c->pending[from]->len < SIPGEN_TCP_PENDING_MAX && rng_permille(&g->rng, 150))
        return; /* goes out with the next message of this side */
    tcp_flush(g, pair, from, t);
}

static void
tcp_close_all(Gen *g)
{
    for (uint32_t p = 0; p < g->pairs; p++) {
        Conn *c = &g->conns[p];
        if (!c->open)
            continue;
        SsTime t = g->last_ts + 10 * SIPGEN_MS;
        for (unsigned s = 0; s < 2; s++) {
            if (c->pending[s]->len)
                tcp_flush(g, p, s, t);
        }
        emit_frame(g, p, 0, t, TCP_FIN | TCP_ACK, c->seq[0], c->seq[1], NULL, 0);
        c->seq[0]++;
        emit_frame(g, p, 1, t + 100 * SIPGEN_US, TCP_FIN | TCP_ACK, c->seq[1], c->seq[0], NULL,
                   0);
        c->seq[1]++;
        emit_frame(g, p, 0, t + 200 * SIPGEN_US, TCP_ACK, c->seq[0], c->seq[1], NULL, 0);
        c->open = false;
    }
}

/* ---- building a call's script ---- */

static Step *
step_add(Call *c)
{
    g_assert(c->nsteps < SIPGEN_MAX_STEPS);
    Step *s = &c->steps[c->nsteps++];
    memset(s, 0, sizeof *s);
    return s;
}

static bool
body_is_sdp(uint8_t b)
{
    return b >= B_SDP_SENDRECV && b <= B_SDP_INACTIVE;
}

static Step
add_req(Gen *g, Call *c, SsTime t, unsigned dlg, Method m, bool by_uac, Body body, Extra x,
        uint32_t ack_cseq)
{
    Dialog *d = &c->d[dlg];
    unsigned role = by_uac ? 0 : 1;
    Step *s = step_add(c);
    s->t = t;
    s->method = (uint8_t)m;
    s->dlg = (uint8_t)dlg;
    s->by_uac = by_uac;
    s->initial = m == M_INVITE && d->cseq[0] == 0 && by_uac;
    s->cseq = m == M_ACK ? ack_cseq : ++d->cseq[role];
    s->branch = ++g->branch_seq;
    s->body = (uint8_t)body;
    s->extra = (uint8_t)x;
    if (body_is_sdp(body))
        s->sdp_ver = ++d->sdp_ver[role];
    return *s;
}

static void
add_resp(Call *c, SsTime t, const Step *req, uint16_t code, Body body)
{
    Dialog *d = &c->d[req->dlg];
    Step *s = step_add(c);
    *s = *req;
    s->t = t;
    s->code = code;
    s->body = (uint8_t)body;
    s->extra = X_NONE;
    s->sdp_ver = body_is_sdp(body) ? ++d->sdp_ver[req->by_uac ? 1 : 0] : 0;
}

static void
add_retrans(Gen *g, Call *c, SsTime t)
{
    Step *s = step_add(c);
    *s = c->steps[c->nsteps - 2];
    s->t = t;
    g->retrans++;
}

static void
dialog_init(Gen *g, Call *c, unsigned i, uint8_t uac_side, const char *uac_user,
            const char *uas_user)
{
    Dialog *d = &c->d[i];
    memset(d, 0, sizeof *d);
    uint64_t h = g->seed ^ (c->num * 8 + i) * UINT64_C(0x9e3779b97f4a7c15);
    uint64_t x = splitmix64(&h), y = splitmix64(&h), z = splitmix64(&h);
    snprintf(d->call_id, sizeof d->call_id, "%016" PRIx64 "-%" PRIu64 "-%u@sipgen.invalid", x,
             c->num, i);
    snprintf(d->tag[0], sizeof d->tag[0], "%08" PRIx32 "%" PRIx64, (uint32_t)y, c->num);
    snprintf(d->tag[1], sizeof d->tag[1], "as%08" PRIx32, (uint32_t)z);
    g_strlcpy(d->user[0], uac_user, sizeof d->user[0]);
    g_strlcpy(d->user[1], uas_user, sizeof d->user[1]);
    d->uac_side = uac_side;
    d->cseq[1] = (uint32_t)(z >> 40) % 1000; /* the UAS's own CSeq space */
    d->sess_id[0] = x >> 16;
    d->sess_id[1] = y >> 16;
    d->rtp_port[0] = (uint16_t)(10000 + 2 * ((z >> 8) % 10000));
    d->rtp_port[1] = (uint16_t)(10000 + 2 * ((z >> 24) % 10000));
}

/* INVITE ... ACK of a new dialog; returns the time of the ACK. */
static SsTime
build_setup(Gen *g, Call *c, SsTime t, unsigned dlg, SsTime answer_at, Extra x, bool ringing)
{
    Step inv = add_req(g, c, t, dlg, M_INVITE, true, B_SDP_SENDRECV, x, 0);
    if (!g->tcp && rng_permille(&g->rng, 20)) { /* the 100 got lost: timer A fired */
        t += SIPGEN_T1;
        add_retrans(g, c, t);
    }
    t += rng_range(&g->rng, 1 * SIPGEN_MS, 3 * SIPGEN_MS);
    add_resp(c, t, &inv, 100, B_NONE);
    if (ringing) {
        t += rng_range(&g->rng, 20 * SIPGEN_MS, 60 * SIPGEN_MS);
        add_resp(c, t, &inv, 180, B_NONE);
    }
    t = MAX(t + SIPGEN_MS, answer_at);
    add_resp(c, t, &inv, 200, B_SDP_SENDRECV);
    if (!g->tcp && rng_permille(&g->rng, 20)) { /* the ACK got lost: 2xx retransmitted */
        t += SIPGEN_T1;
        add_retrans(g, c, t);
    }
    t += rng_range(&g->rng, 1 * SIPGEN_MS, 3 * SIPGEN_MS);
    add_req(g, c, t, dlg, M_ACK, true, B_NONE, X_NONE, inv.cseq);
    return t;
}

/* re-INVITE / 200 / ACK by one party of dialog dlg */
static SsTime
build_reinvite(Gen *g, Call *c, SsTime t, unsigned dlg, bool by_uac, Body offer, Body answer)
{
    Step inv = add_req(g, c, t, dlg, M_INVITE, by_uac, offer, X_NONE, 0);
    t += rng_range(&g->rng, 2 * SIPGEN_MS, 20 * SIPGEN_MS);
    add_resp(c, t, &inv, 200, answer);
    t += rng_range(&g->rng, 1 * SIPGEN_MS, 3 * SIPGEN_MS);
    add_req(g, c, t, dlg, M_ACK, by_uac, B_NONE, X_NONE, inv.cseq);
    return t;
}

static SsTime
build_pair(Gen *g, Call *c, SsTime t, unsigned dlg, Method m, bool by_uac, Body body, Extra x,
           uint16_t code, Body rbody)
{
    Step req = add_req(g, c, t, dlg, m, by_uac, body, x, 0);
    t += rng_range(&g->rng, 1 * SIPGEN_MS, 5 * SIPGEN_MS);
    add_resp(c, t, &req, code, rbody);
    return t;
}

static void
call_build(Gen *g, Call *c, uint64_t num, SsTime t0)
{
    c->num = num;
    c->pair = rng_below(&g->rng, g->pairs);
    c->nsteps = 0;
    c->next = 0;
    /* mean duration C/R keeps about C calls in flight (Little's law) */
    SsTime mean = (SsTime)((double)g->concurrent / g->cps * 1e9);
    SsTime dur = rng_range(&g->rng, mean / 2, mean * 3 / 2);
    SsTime end = t0 + dur;
    char ua[16], ub[16], uc[16];
    snprintf(ua, sizeof ua, "1%09" PRIu64, num % 1000000000);
    snprintf(ub, sizeof ub, "2%09u", rng_below(&g->rng, 1000000000));
    snprintf(uc, sizeof uc, "3%09u", rng_below(&g->rng, 1000000000));
    dialog_init(g, c, 0, 0, ua, ub);

    uint32_t r = rng_below(&g->rng, 1000);
    SsTime answer = t0 + rng_range(&g->rng, dur / 10, dur / 4);
    SsTime t = build_setup(g, c, t0, 0, answer, X_NONE, true);
    SsTime talk = MAX(end - t, 10 * SIPGEN_MS);

    if (r < 100) { /* hold and resume */
        g->holds++;
        bool by_uac = rng_below(&g->rng, 2);
        bool inactive = rng_permille(&g->rng, 200);
        t = MAX(t + SIPGEN_MS, t + talk * 3 / 10);
        t = build_reinvite(g, c, t, 0, by_uac, inactive ? B_SDP_INACTIVE : B_SDP_SENDONLY,
                           inactive ? B_SDP_INACTIVE : B_SDP_RECVONLY);
        t = MAX(t + SIPGEN_MS, t + talk * 4 / 10);
        t = build_reinvite(g, c, t, 0, by_uac, B_SDP_SENDRECV, B_SDP_SENDRECV);
        bool bye_uac = rng_below(&g->rng, 2);
        build_pair(g, c, MAX(t + SIPGEN_MS, end), 0, M_BYE, bye_uac, B_NONE, X_NONE, 200, B_NONE);
    } else if (r < 130) { /* blind transfer: B refers A to C */
        g->blind++;
        dialog_init(g, c, 1, 0, ua, uc);
        t = MAX(t + SIPGEN_MS, t + talk * 3 / 10);
        t = build_pair(g, c, t, 0, M_REFER, false, B_NONE, X_REFER_BLIND, 202, B_NONE);
        t += rng_range(&g->rng, 1 * SIPGEN_MS, 5 * SIPGEN_MS);
        t = build_pair(g, c, t, 0, M_NOTIFY, true, B_FRAG_100, X_NOTIFY_ACTIVE, 200, B_NONE);
        t += rng_range(&g->rng, 1 * SIPGEN_MS, 5 * SIPGEN_MS);
        t = build_setup(g, c, t, 1, t + rng_range(&g->rng, talk / 10, talk / 5), X_REFERRED_BY,
                        true);
        t += rng_range(&g->rng, 1 * SIPGEN_MS, 5 * SIPGEN_MS);
        t = build_pair(g, c, t, 0, M_NOTIFY, true, B_FRAG_200, X_NOTIFY_TERM, 200, B_NONE);
        t += rng_range(&g->rng, 5 * SIPGEN_MS, 50 * SIPGEN_MS);
        t = build_pair(g, c, t, 0, M_BYE, false, B_NONE, X_NONE, 200, B_NONE);
        build_pair(g, c, MAX(t + SIPGEN_MS, end + talk / 2), 1, M_BYE, rng_below(&g->rng, 2),
                   B_NONE, X_NONE, 200, B_NONE);
    } else if (r < 150) { /* attended transfer: A holds B, consults C, refers B to C */
        g->attended++;
        dialog_init(g, c, 1, 0, ua, uc);
        dialog_init(g, c, 2, 1, ub, uc);
        t = MAX(t + SIPGEN_MS, t + talk * 2 / 10);
        t = build_reinvite(g, c, t, 0, true, B_SDP_SENDONLY, B_SDP_RECVONLY);
        t += rng_range(&g->rng, 100 * SIPGEN_MS, 300 * SIPGEN_MS);
        t = build_setup(g, c, t, 1, t + rng_range(&g->rng, talk / 10, talk / 5), X_NONE, true);
        t = MAX(t + SIPGEN_MS, t + talk * 2 / 10);
        t = build_pair(g, c, t, 0, M_REFER, true, B_NONE, X_REFER_ATT, 202, B_NONE);
        t += rng_range(&g->rng, 1 * SIPGEN_MS, 5 * SIPGEN_MS);
        t = build_pair(g, c, t, 0, M_NOTIFY, false, B_FRAG_100, X_NOTIFY_ACTIVE, 200, B_NONE);
        t += rng_range(&g->rng, 1 * SIPGEN_MS, 5 * SIPGEN_MS);
        /* RFC 3891 §3: the target answers a matching Replaces at once */
        t = build_setup(g, c, t, 2, t + rng_range(&g->rng, 5 * SIPGEN_MS, 30 * SIPGEN_MS),
                        X_REPLACES, false);
        t += rng_range(&g->rng, 1 * SIPGEN_MS, 5 * SIPGEN_MS);
        t = build_pair(g, c, t, 1, M_BYE, false, B_NONE, X_NONE, 200, B_NONE);
        t += rng_range(&g->rng, 1 * SIPGEN_MS, 5 * SIPGEN_MS);
        t = build_pair(g, c, t, 0, M_NOTIFY, false, B_FRAG_200, X_NOTIFY_TERM, 200, B_NONE);
        t += rng_range(&g->rng, 5 * SIPGEN_MS, 50 * SIPGEN_MS);
        t = build_pair(g, c, t, 0, M_BYE, true, B_NONE, X_NONE, 200, B_NONE);
        build_pair(g, c, MAX(t + SIPGEN_MS, end + talk / 2), 2, M_BYE, rng_below(&g->rng, 2),
                   B_NONE, X_NONE, 200, B_NONE);
    } else {
        build_pair(g, c, MAX(t + SIPGEN_MS, end), 0, M_BYE, rng_below(&g->rng, 2), B_NONE, X_NONE,
                   200, B_NONE);
    }
}

/* ---- rendering a step as SIP text ---- */

static const char *
reason(uint16_t code)
{
    switch (code) {
    case 100:
        return "Trying";
    case 180:
        return "Ringing";
    case 202:
        return "Accepted";
    default:
        return "OK";
    }
}

static size_t
render_body(Gen *g, const Call *c, const Dialog *d, unsigned role, const Step *s)
{
    Ap a = {g->body, 0, sizeof g->body};
    char ip[16];
    unsigned side = role == 0 ? d->uac_side : !d->uac_side;
    ip_text(side_ip(g, c->pair, side), ip);
    switch (s->body) {
    case B_FRAG_100:
        ap_str(&a, "SIP/2.0 100 Trying\r\n");
        return a.len;
    case B_FRAG_200:
        ap_str(&a, "SIP/2.0 200 OK\r\n");
        return a.len;
    default:
        break;
    }
    static const char *const dir[] = {"", "sendrecv", "sendonly", "recvonly", "inactive"};
    ap_fmt(&a,
           "v=0\r\n"
           "o=%s %" PRIu64 " %u IN IP4 %s\r\n"
           "s=sipgen\r\n"
           "c=IN IP4 %s\r\n"
           "t=0 0\r\n"
           "m=audio %u RTP/AVP 0 8 101\r\n",
           d->user[role], d->sess_id[role], (unsigned)s->sdp_ver, ip, ip,
           (unsigned)d->rtp_port[role]);
    ap_str(&a, "a=rtpmap:0 PCMU/8000\r\n"
               "a=rtpmap:8 PCMA/8000\r\n"
               "a=rtpmap:101 telephone-event/8000\r\n"
               "a=fmtp:101 0-16\r\n"
               "a=ptime:20\r\n"
               "a=");
    ap_str(&a, dir[s->body]);
    ap_str(&a, "\r\n");
    return a.len;
}

/* Writes the message of step s into g->msg; *from gets the wire side of
 * the sender. */
static size_t
render(Gen *g, const Call *c, const Step *s, unsigned *from)
{
    const Dialog *d = &c->d[s->dlg];
    unsigned req_role = s->by_uac ? 0 : 1;
    unsigned req_side = req_role == 0 ? d->uac_side : !d->uac_side;
    bool resp = s->code != 0;
    unsigned role = resp ? !req_role : req_role; /* who sends this message */
    *from = resp ? !req_side : req_side;
    const char *tr = g->tcp ? "TCP" : "UDP";
    char sip[16], dip[16];
    ip_text(side_ip(g, c->pair, req_side), sip);
    ip_text(side_ip(g, c->pair, !req_side), dip);

    Ap a = {g->msg, 0, sizeof g->msg};
    if (resp)
        ap_fmt(&a, "SIP/2.0 %u %s\r\n", (unsigned)s->code, reason(s->code));
    else
        ap_fmt(&a, "%s sip:%s@%s:5060%s SIP/2.0\r\n", method_name[s->method],
               d->user[!req_role], dip, g->tcp ? ";transport=tcp" : "");
    ap_fmt(&a, "Via: SIP/2.0/%s %s:5060;branch=z9hG4bK%016" PRIx64 ";rport\r\n", tr, sip,
           s->branch * UINT64_C(0x9e3779b97f4a7c15) ^ g->seed);
    if (!resp)
        ap_str(&a, "Max-Forwards: 70\r\n");
    /* From/To: the request sender's identity in From (RFC 3261 §12.2.1.1) */
    unsigned fr = req_role, to = !req_role;
    ap_fmt(&a, "From: <sip:%s@%s>;tag=%s\r\n", d->user[fr], sip, d->tag[fr]);
    bool totag = !s->initial || (resp && s->code > 100);
    ap_fmt(&a, "To: <sip:%s@%s>%s%s\r\n", d->user[to], dip, totag ? ";tag=" : "",
           totag ? d->tag[to] : "");
    ap_fmt(&a, "Call-ID: %s\r\nCSeq: %u %s\r\n", d->call_id, (unsigned)s->cseq,
           method_name[s->method]);
    bool contact = (s->method == M_INVITE || s->method == M_REFER || s->method == M_NOTIFY) &&
                   (!resp || (s->code > 100 && s->code < 300));
    if (contact)
        ap_fmt(&a, "Contact: <sip:%s@%s:5060%s>\r\n", d->user[role], resp ? dip : sip,
               g->tcp ? ";transport=tcp" : "");
    if (!resp && s->method == M_INVITE) {
        ap_str(&a, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, UPDATE\r\n"
                   "Supported: replaces, timer\r\n"
                   "Session-Expires: 1800\r\n"
                   "User-Agent: sipgen/1.0\r\n");
    } else if (resp && s->code > 100 && s->method == M_INVITE) {
        ap_str(&a, "Server: sipgen/1.0\r\n");
    }
    if (!resp) {
        const Dialog *d0 = &c->d[0], *d1 = &c->d[1];
        switch (s->extra) {
        case X_REFER_BLIND:
            ap_fmt(&a, "Refer-To: <sip:%s@%s:5060>\r\nReferred-By: <sip:%s@%s>\r\n", d1->user[1],
                   sip, d->user[role], sip);
            break;
        case X_REFER_ATT:
            /* RFC 3891 §3: to-tag is the target's (the UAS of d1) tag */
            ap_fmt(&a,
                   "Refer-To: <sip:%s@%s:5060?Replaces=%s%%3Bto-tag%%3D%s%%3Bfrom-tag%%3D%s>\r\n"
                   "Referred-By: <sip:%s@%s>\r\n",
                   d1->user[1], sip, d1->call_id, d1->tag[1], d1->tag[0], d->user[role], sip);
            break;
        case X_REFERRED_BY:
            ap_fmt(&a, "Referred-By: <sip:%s@%s>\r\n", d0->user[1], dip);
            break;
        case X_REPLACES:
            ap_fmt(&a, "Replaces: %s;to-tag=%s;from-tag=%s\r\nReferred-By: <sip:%s@%s>\r\n",
                   d1->call_id, d1->tag[1], d1->tag[0], d0->user[0], dip);
            break;
        case X_NOTIFY_ACTIVE:
            ap_str(&a, "Event: refer\r\nSubscription-State: active;expires=60\r\n");
            break;
        case X_NOTIFY_TERM:
            ap_str(&a, "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n");
            break;
        default:
            break;
        }
    }
    size_t blen = 0;
    if (s->body != B_NONE) {
        blen = render_body(g, c, d, role, s);
        ap_str(&a, body_is_sdp(s->body) ? "Content-Type: application/sdp\r\n"
                                        : "Content-Type: message/sipfrag;version=2.0\r\n");
    }
    ap_fmt(&a, "Content-Length: %zu\r\n\r\n", blen);
    g_assert(a.len + blen < a.cap);
    memcpy(a.p + a.len, g->body, blen);
    return a.len + blen;
}

/* ---- the event loop: a min-heap of calls keyed by their next step ---- */

static bool
heap_less(const Gen *g, uint32_t a, uint32_t b)
{
    const Call *ca = &g->calls[a], *cb = &g->calls[b];
    SsTime ta = ca->steps[ca->next].t, tb = cb->steps[cb->next].t;
    return ta < tb || (ta == tb && ca->num < cb->num);
}

static void
heap_down(Gen *g, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, m = i;
        if (l < g->heap_n && heap_less(g, g->heap[l], g->heap[m]))
            m = l;
        if (l + 1 < g->heap_n && heap_less(g, g->heap[l + 1], g->heap[m]))
            m = l + 1;
        if (m == i)
            return;
        uint32_t x = g->heap[i];
        g->heap[i] = g->heap[m];
        g->heap[m] = x;
        i = m;
    }
}

static void
heap_push(Gen *g, uint32_t slot)
{
    uint32_t i = g->heap_n++;
    g->heap[i] = slot;
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!heap_less(g, g->heap[i], g->heap[p]))
            break;
        uint32_t x = g->heap[i];
        g->heap[i] = g->heap[p];
        g->heap[p] = x;
        i = p;
    }
}

static uint32_t
slot_alloc(Gen *g)
{
    if (g->nfree == 0) {
        uint32_t old = g->ncalls_alloc, n = old ? old * 2 : 1024;
        g->calls = g_renew(Call, g->calls, n);
        g->free_slots = g_renew(uint32_t, g->free_slots, n);
        g->heap = g_renew(uint32_t, g->heap, n);
        for (uint32_t i = n; i > old; i--)
            g->free_slots[g->nfree++] = i - 1;
        g->ncalls_alloc = n;
    }
    return g->free_slots[--g->nfree];
}

static void
emit_step(Gen *g, Call *c, const Step *s)
{
    unsigned from;
    size_t len = render(g, c, s, &from);
    g->messages++;
    if (g->tcp)
        tcp_send(g, c->pair, from, s->t, g->msg, len);
    else
        emit_frame(g, c->pair, from, s->t, 0, 0, 0, g->msg, len);
}

static void
run(Gen *g)
{
    SsTime next_start = SIPGEN_T0;
    SsTime gap = (SsTime)(1e9 / g->cps);
    bool starting = true;
    uint64_t num = 0;
    while (!g->err) {
        SsTime tmin = INT64_MAX;
        if (g->heap_n) {
            const Call *c = &g->calls[g->heap[0]];
            tmin = c->steps[c->next].t;
        }
        if (starting && next_start <= tmin) {
            if (g->packets + g->pending_steps >= g->target) {
                starting = false;
                continue;
            }
            uint32_t slot = slot_alloc(g);
            call_build(g, &g->calls[slot], ++num, next_start);
            g->pending_steps += g->calls[slot].nsteps;
            g->calls_started++;
            heap_push(g, slot);
            if (g->heap_n > g->peak_inflight)
                g->peak_inflight = g->heap_n;
            next_start += rng_range(&g->rng, gap / 2, gap * 3 / 2);
            continue;
        }
        if (!g->heap_n)
            break;
        uint32_t slot = g->heap[0];
        Call *c = &g->calls[slot];
        emit_step(g, c, &c->steps[c->next]);
        c->next++;
        g->pending_steps--;
        if (c->next == c->nsteps) {
            g->heap[0] = g->heap[--g->heap_n];
            g->free_slots[g->nfree++] = slot;
        }
        if (g->heap_n)
            heap_down(g, 0);
    }
    if (g->tcp && !g->err)
        tcp_close_all(g);
}

int
main(int argc, char **argv)
{
    gint64 seed = 1, packets = 100000;
    gint concurrent = 500, pairs = 64;
    gdouble cps = 200;
    gchar *transport = NULL, *output = NULL;
    gboolean quiet = FALSE;
    GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "pcap file to write (- = stdout)",
         "FILE"},
        {"packets", 'n', 0, G_OPTION_ARG_INT64, &packets, "approximate packet count (100000)",
         "N"},
        {"transport", 't', 0, G_OPTION_ARG_STRING, &transport, "udp (default) or tcp", "T"},
        {"seed", 's', 0, G_OPTION_ARG_INT64, &seed, "PRNG seed (1)", "S"},
        {"concurrent", 'c', 0, G_OPTION_ARG_INT, &concurrent, "calls in flight (500)", "C"},
        {"calls-per-second", 'r', 0, G_OPTION_ARG_DOUBLE, &cps, "call rate (200)", "R"},
        {"pairs", 'p', 0, G_OPTION_ARG_INT, &pairs, "endpoint pairs / TCP connections (64)",
         "P"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no summary on stderr", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- write a synthetic SIP capture");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "sipgen: %s\n", err->message);
        return 2;
    }
    if (!output || packets <= 0 || concurrent <= 0 || cps <= 0 || pairs <= 0 || pairs > 60000 ||
        (transport && strcmp(transport, "udp") && strcmp(transport, "tcp"))) {
        fprintf(stderr, "sipgen: need -o FILE; --packets, --concurrent, --calls-per-second and "
                        "--pairs (<= 60000) must be positive; --transport is udp or tcp\n");
        return 2;
    }

    Gen *g = g_new0(Gen, 1);
    g->seed = (uint64_t)seed;
    g->target = (uint64_t)packets;
    g->tcp = transport && !strcmp(transport, "tcp");
    g->concurrent = (uint32_t)concurrent;
    g->cps = cps;
    g->pairs = (uint32_t)pairs;
    rng_seed(&g->rng, g->seed);
    g->conns = g_new0(Conn, g->pairs);
    for (uint32_t i = 0; i < g->pairs; i++) {
        g->conns[i].pending[0] = g_byte_array_sized_new(SIPGEN_TCP_PENDING_MAX + SIPGEN_MSG_MAX);
        g->conns[i].pending[1] = g_byte_array_sized_new(SIPGEN_TCP_PENDING_MAX + SIPGEN_MSG_MAX);
    }
    g->out = pcap_out_open(output, 1 /* DLT_EN10MB */, 0, &err);
    if (!g->out) {
        fprintf(stderr, "sipgen: %s\n", err->message);
        return 1;
    }
    run(g);
    int rc = 0;
    if (g->err) {
        fprintf(stderr, "sipgen: %s\n", g->err->message);
        g_clear_error(&g->err);
        rc = 1;
    }
    if (!pcap_out_close(g->out, &err)) {
        fprintf(stderr, "sipgen: %s\n", err->message);
        rc = 1;
    }
    if (!quiet && rc == 0)
        fprintf(stderr,
                "sipgen: %s: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
                " SIP messages, %" PRIu64 " calls (%" PRIu64 " hold, %" PRIu64 " blind, %" PRIu64
                " attended), %" PRIu64 " retransmissions, peak %u calls in flight, %.1f s\n",
                output, g->packets, g->bytes, g->messages, g->calls_started, g->holds, g->blind,
                g->attended, g->retrans, g->peak_inflight,
                (double)(g->last_ts - SIPGEN_T0) / 1e9);
    for (uint32_t i = 0; i < g->pairs; i++) {
        g_byte_array_unref(g->conns[i].pending[0]);
        g_byte_array_unref(g->conns[i].pending[1]);
    }
    g_free(g->conns);
    g_free(g->calls);
    g_free(g->free_slots);
    g_free(g->heap);
    g_free(g);
    g_free(transport);
    g_free(output);
    return rc;
}
