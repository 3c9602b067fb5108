#include <config.h>
#include "sdp/sdp_parse.h"

#include <arpa/inet.h>
#include <glib.h>
#include <string.h>
#include "common/scan.h"

/* sdp_parse.c - a single pass over the lines of an SDP body (RFC 8866 §5).
 *
 * Every field is a view into the caller's text: nothing is allocated and
 * nothing is copied, except an address of at most INET6_ADDRSTRLEN bytes into
 * a stack buffer (length-checked) so inet_pton() can tell a null address in
 * any of its spellings. NUL bytes never truncate the parse: a line holding
 * one is malformed (RFC 8866 §5 forbids NUL in SDP text) and skipped.
 */

const char *
sdp_direction_name(SdpDirection d)
{
    switch (d) {
    case SDP_DIR_SENDRECV: return "sendrecv";
    case SDP_DIR_SENDONLY: return "sendonly";
    case SDP_DIR_RECVONLY: return "recvonly";
    case SDP_DIR_INACTIVE: return "inactive";
    case SDP_DIR_NONE: break;
    }
    return "none";
}

/* Each anomaly code is recorded once per body: a body made of garbage must
 * not fill the list with one code and hide a later, different finding. */
static void
sdp_add_anomaly(SdpSession *s, SsAnomaly a)
{
    for (unsigned i = 0; i < s->n_anomalies; i++)
        if (s->anomalies[i] == a)
            return;
    if (s->n_anomalies < SDP_MAX_ANOMALIES)
        s->anomalies[s->n_anomalies++] = a;
}

static inline bool
sdp_is_ws(char c)
{
    /* most bytes are above ' ': one compare for them */
    return (unsigned char)c <= ' ' && (c == ' ' || c == '\t');
}

static inline uint32_t
sdp_load32(const char *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

static inline uint64_t
sdp_load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* How the line loop below reads a line. Every line has been cut at its
 * '\n' and stripped of trailing CR/SP/HTAB, so it is [p, le) with le[-1]
 * (when p < le) neither SP nor HTAB. Two things follow that the field
 * parsers lean on: after the end of a word that is not le there is always
 * another word, and "is there a next word" is just "p < le".
 *
 * The searches may look at bytes past le, up to be (the end of the body):
 * those are the caller's bytes, and a hit there counts as le. */

/* The first SP or HTAB in [p, le) (or '/' too, when slash), or le.
 * Always inlined: slash is a constant at every call. */
static inline __attribute__((always_inline)) const char *
sdp_word_end_any(const char *p, const char *le, const char *be, const bool slash)
{
#if defined(__SSE2__)
    if ((size_t)(be - p) >= 16) {
        const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), sl = _mm_set1_epi8('/');
        for (;;) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, tab));
            if (slash)
                hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, sl));
            unsigned m = (unsigned)_mm_movemask_epi8(hit);
            if (m) {
                const char *r = p + __builtin_ctz(m);
                return r < le ? r : le;
            }
            p += 16;
            if (p >= le)
                return le;
            if ((size_t)(be - p) < 16)
                break;
        }
    }
#endif
    while (p < le && !sdp_is_ws(*p) && !(slash && *p == '/'))
        p++;
    return p;
}

static inline const char *
sdp_word_end(const char *p, const char *le, const char *be)
{
    return sdp_word_end_any(p, le, be, false);
}

static inline const char *
sdp_word_end_or_slash(const char *p, const char *le, const char *be)
{
    return sdp_word_end_any(p, le, be, true);
}

/* The first c in [p, p + n), or NULL; like ss_find_byte, but one 16-byte
 * step for the short spans it gets (an address, a port) when 16 bytes can
 * be read (up to be). */
static inline const char *
sdp_find_in_word(const char *p, size_t n, char c, const char *be)
{
#if defined(__SSE2__)
    if (n <= 16 && (size_t)(be - p) >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c))) &
                     ((1u << n) - 1);
        return m ? p + __builtin_ctz(m) : NULL;
    }
#endif
    (void)be;
    return ss_find_byte(p, c, n);
}

/* Past the SP/HTAB run at p, which follows the end of a word (p < le, *p
 * SP or HTAB). The run ends before le, as le[-1] is neither: no bound
 * check needed. */
static inline const char *
sdp_skip_sep(const char *p)
{
    do
        p++;
    while (sdp_is_ws(*p));
    return p;
}

/* Past any SP/HTAB at the start of a value (p <= le). */
static inline const char *
sdp_skip_lead(const char *p, const char *le)
{
    while (p < le && sdp_is_ws(*p))
        p++;
    return p;
}

/* Decimal digits into a uint64_t; false on an empty string, a non-digit or
 * overflow. */
static bool
sdp_parse_u64(const char *p, size_t len, uint64_t *out)
{
    if (len == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (c < '0' || c > '9')
            return false;
        unsigned d = (unsigned)(c - '0');
        /* UINT64_MAX is 1844674407370955161 * 10 + 5 */
        if (v >= UINT64_C(1844674407370955161) && (v > UINT64_C(1844674407370955161) || d > 5))
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* 1 to 19 digits, a byte at a time (19 digits cannot overflow). */
static inline bool
sdp_digits(const char *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)((unsigned char)p[i] - '0');
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* sdp_num for what the fast paths leave: 0, 4 to 7 near the end of the
 * body, over 16 digits. */
static bool
sdp_num_slow(const char *p, size_t n, uint64_t *out)
{
    if (n == 0 || n > 19)
        return sdp_parse_u64(p, n, out);
    return sdp_digits(p, n, out);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Eight bytes at once (p[0] the low byte): digits become 0..9, every other
 * byte something above 9. */
static inline uint64_t
sdp_swar_digits(const char *p)
{
    return sdp_load64(p) ^ UINT64_C(0x3030303030303030);
}

/* Whether every byte of t (from sdp_swar_digits) kept by keep (0xFF per
 * byte) is a digit: a byte above 9 has its high bit set after adding 0x76,
 * or had it already. A carry out of a non-digit byte only reaches later
 * bytes, so it cannot make a run of digits before it look bad, nor hide
 * the byte itself. */
static inline bool
sdp_swar_all_digits(uint64_t t, uint64_t keep)
{
    return (((t + UINT64_C(0x7676767676767676)) | t) & keep & UINT64_C(0x8080808080808080)) == 0;
}

/* The value of the eight digits in t, t's low byte the most significant:
 * pairs, then quads, then the whole. */
static inline uint64_t
sdp_swar_value(uint64_t t)
{
    t = (t * 10 + (t >> 8)) & UINT64_C(0x00FF00FF00FF00FF);
    t = (t * 100 + (t >> 16)) & UINT64_C(0x0000FFFF0000FFFF);
    return (t * 10000 + (t >> 32)) & UINT64_C(0xFFFFFFFF);
}
#define SDP_SWAR 1
#endif

/* [p, p + n) as a decimal number: false when empty, not all digits or over
 * 64 bits. One to three digits a byte at a time; four to sixteen eight
 * bytes at a time (bytes past the number only when 8 bytes can be read, up
 * to be); the rest by sdp_num_slow. */
static inline __attribute__((always_inline)) bool
sdp_num(const char *p, size_t n, const char *be, uint64_t *out)
{
    if (n - 1 < 3) /* 1 to 3 digits */
        return sdp_digits(p, n, out);
#ifdef SDP_SWAR
    if (n <= 16) {
        if (n >= 8) {
            /* the last eight digits, and the n - 8 before them */
            uint64_t lo = sdp_swar_digits(p + n - 8), hi = sdp_swar_digits(p);
            uint64_t hi_keep = n == 16 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * (n - 8))) - 1;
            if (!sdp_swar_all_digits(lo, ~UINT64_C(0)) || !sdp_swar_all_digits(hi, hi_keep))
                return false;
            /* the n - 8 digits to the top bytes, zeros below */
            uint64_t h = n == 8 ? 0 : sdp_swar_value(hi << (8 * (16 - n)));
            *out = h * 100000000 + sdp_swar_value(lo);
            return true;
        }
        if (n >= 4 && (size_t)(be - p) >= 8) {
            uint64_t t = sdp_swar_digits(p);
            if (!sdp_swar_all_digits(t, (UINT64_C(1) << (8 * n)) - 1))
                return false;
            *out = sdp_swar_value(t << (8 * (8 - n)));
            return true;
        }
    }
#endif
    return sdp_num_slow(p, n, out);
}

/* The word at p (p < le) when it is one to five digits and one SP follows
 * (so the word ends there): its end, its value into *v. NULL for any other
 * word, which then takes the general reading (sdp_word_end, sdp_num). */
static inline const char *
sdp_short_num(const char *p, const char *le, uint64_t *v)
{
    const char *q = p;
    uint64_t n = 0;
    while (q < le && q - p < 5 && (unsigned)((unsigned char)*q - '0') <= 9) {
        n = n * 10 + (unsigned)((unsigned char)*q - '0');
        q++;
    }
    if (q == p || q == le || *q != ' ')
        return NULL;
    *v = n;
    return q;
}

/* When [p, p + 7) is "IN IP4 " or "IN IP6 " followed by a word byte (p + 7
 * < le): 4 or 6, else 0. The usual <nettype> <addrtype> of o= and c=,
 * checked in one 8-byte compare instead of two word scans. */
static inline unsigned
sdp_in_ip(const char *p, const char *le, const char *be)
{
    if ((size_t)(be - p) < 8 || le - p < 8)
        return 0;
    uint64_t w = sdp_load64(p);
    uint64_t ip4 = sdp_load64("IN IP4 \0"), ip6 = sdp_load64("IN IP6 \0");
    uint64_t low7 = UINT64_C(0x00FFFFFFFFFFFFFF);
    if (sdp_is_ws(p[7]))
        return 0;
    if ((w & low7) == (ip4 & low7))
        return 4;
    if ((w & low7) == (ip6 & low7))
        return 6;
    return 0;
}

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
 * (RFC 8866 §5.2). sess-id and sess-version are numeric strings; RFC 8866
 * recommends NTP timestamps, which fit 64 bits, so a longer value is an
 * anomaly rather than something to truncate. */
static void
sdp_parse_origin(SdpSession *s, const char *p, const char *le, const char *be)
{
    uint64_t id, ver;
    const char *user, *user_end, *id_p, *ver_p, *addr, *e;

    user = sdp_skip_lead(p, le);
    if (user == le)
        goto bad;
    p = user_end = sdp_word_end(user, le, be);
    if (p == le)
        goto bad;
    id_p = sdp_skip_sep(p);
    p = sdp_word_end(id_p, le, be);
    if (p == le || !sdp_num(id_p, (size_t)(p - id_p), be, &id))
        goto bad;
    ver_p = sdp_skip_sep(p);
    if (!(p = sdp_short_num(ver_p, le, &ver))) {
        p = sdp_word_end(ver_p, le, be);
        if (p == le || !sdp_num(ver_p, (size_t)(p - ver_p), be, &ver))
            goto bad;
    }
    if (p[0] == ' ' && sdp_in_ip(p + 1, le, be)) {
        addr = p + 8;
    } else {
        p = sdp_word_end(sdp_skip_sep(p), le, be); /* nettype */
        if (p == le)
            goto bad;
        p = sdp_word_end(sdp_skip_sep(p), le, be); /* addrtype */
        if (p == le)
            goto bad;
        addr = sdp_skip_sep(p);
    }
    e = sdp_word_end(addr, le, be);
    if (e != le)
        goto bad; /* a seventh word */
    s->has_origin = true;
    s->origin_user = (SdpStr){user, (size_t)(user_end - user)};
    s->sess_id = id;
    s->sess_version = ver;
    s->origin_addr = (SdpStr){addr, (size_t)(e - addr)};
    return;
bad:
    sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_ORIGIN);
}

/* True when addr (without any /ttl suffix) is the all-zero address of its
 * family: "0.0.0.0", or "::" in any spelling ("::0", "0:0:0:0:0:0:0:0"). */
static bool
sdp_addr_is_null(uint8_t family, SdpStr addr)
{
    char tmp[INET6_ADDRSTRLEN];
    unsigned char bin[16];
    if (family != 4 && family != 6)
        return false;
    if (addr.len == 0 || addr.len >= sizeof tmp)
        return false;
    /* a nonzero digit anywhere: not all-zero, whatever the spelling (saves
     * inet_pton on every ordinary address) */
    for (size_t i = 0; i < addr.len; i++) {
        char c = addr.p[i];
        if ((c >= '1' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))
            return false;
    }
    memcpy(tmp, addr.p, addr.len);
    tmp[addr.len] = '\0';
    if (inet_pton(family == 4 ? AF_INET : AF_INET6, tmp, bin) != 1)
        return false;
    size_t n = family == 4 ? 4 : 16;
    for (size_t i = 0; i < n; i++)
        if (bin[i] != 0)
            return false;
    return true;
}

/* c=<nettype> <addrtype> <connection-address> (RFC 8866 §5.7). An IPv4
 * multicast address carries /<ttl>[/<number>]; 0.0.0.0/127 is also seen as
 * a hold form. addr keeps the address only, without that suffix. Other
 * nettypes/addrtypes are legal (RFC 8866 §8.2.6): present, family 0. */
static void
sdp_parse_connection(SdpSession *s, const char *p, const char *le, const char *be,
                     SdpConnection *c)
{
    const char *net, *net_end, *type, *type_end, *addr, *stop, *e;
    unsigned family = sdp_in_ip(p, le, be);

    if (family) {
        addr = p + 7;
    } else {
        net = sdp_skip_lead(p, le);
        if (net == le)
            goto bad;
        p = net_end = sdp_word_end(net, le, be);
        if (p == le)
            goto bad;
        type = sdp_skip_sep(p);
        p = type_end = sdp_word_end(type, le, be);
        if (p == le)
            goto bad;
        addr = sdp_skip_sep(p);
        if (net_end - net == 2 && net[0] == 'I' && net[1] == 'N' && type_end - type == 3 &&
            type[0] == 'I' && type[1] == 'P') {
            if (type[2] == '4')
                family = 4;
            else if (type[2] == '6')
                family = 6;
        }
    }
    stop = sdp_word_end_or_slash(addr, le, be);
    e = stop != le && *stop == '/' ? sdp_word_end(stop, le, be) : stop;
    if (e != le)
        goto bad; /* a fourth word */
    if (c->present)
        return; /* several c= at one level (multicast layering): keep the first */
    SdpConnection n = {.present = true, .family = (uint8_t)family};
    if (stop != e) {
        /* the suffix is /ttl or /ttl/number (IP4) or /number (IP6) */
        const char *suffix = stop + 1;
        const char *slash2 = sdp_find_in_word(suffix, (size_t)(e - suffix), '/', be);
        const char *first_end = slash2 ? slash2 : e;
        uint64_t ttl;
        bool ok = sdp_num(suffix, (size_t)(first_end - suffix), be, &ttl);
        if (ok && slash2)
            ok = sdp_num(slash2 + 1, (size_t)(e - slash2 - 1), be, &ttl);
        if (!ok || stop == addr)
            goto bad;
    }
    n.addr = (SdpStr){addr, (size_t)(stop - addr)};
    n.is_null = sdp_addr_is_null(n.family, n.addr);
    *c = n;
    return;
bad:
    sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_CONNECTION);
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 §5.14).
 * A malformed m= line still takes its slot with port 0: RFC 3264 §6 matches
 * offer and answer media by position, so dropping it would shift every
 * stream after it; port 0 says "no media flows here", the safe reading. */
static void
sdp_parse_media(SdpSession *s, const char *p, const char *le, const char *be, SdpMedia *m)
{
    /* cleared field by field: rtpmap[] is read up to n_rtpmap only */
    m->media = m->proto = m->formats = (SdpStr){NULL, 0};
    m->port = 0;
    m->dir = SDP_DIR_NONE;
    m->conn = (SdpConnection){.present = false};
    m->n_rtpmap = 0;
    p = sdp_skip_lead(p, le);
    if (p == le)
        goto bad;
    const char *e = sdp_word_end(p, le, be);
    m->media = (SdpStr){p, (size_t)(e - p)};
    if (e == le)
        goto bad;
    const char *port_p = sdp_skip_sep(e);
    uint64_t port = 0, count;
    bool ok;
    if ((p = sdp_short_num(port_p, le, &port))) {
        ok = port <= 65535; /* the usual "<port> " */
    } else {
        p = sdp_word_end(port_p, le, be);
        if (p == le)
            goto bad; /* no proto */
        size_t port_len = (size_t)(p - port_p);
        const char *slash = sdp_find_in_word(port_p, port_len, '/', be);
        size_t num_len = slash ? (size_t)(slash - port_p) : port_len;
        ok = sdp_num(port_p, num_len, be, &port) && port <= 65535;
        if (ok && slash)
            ok = sdp_num(slash + 1, port_len - num_len - 1, be, &count);
    }
    const char *proto = sdp_skip_sep(p);
    e = sdp_word_end(proto, le, be);
    m->proto = (SdpStr){proto, (size_t)(e - proto)};
    /* RFC 8866 §5.14: at least one format */
    const char *fmt = e == le ? le : sdp_skip_sep(e);
    m->formats = (SdpStr){fmt, (size_t)(le - fmt)};
    if (!ok || fmt == le) {
        sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_MEDIA);
        if (!ok)
            return;
    }
    m->port = (uint32_t)port;
    return;
bad:
    sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_MEDIA);
}

/* RFC 8866 §6.7: at most one direction attribute per level. When several
 * differ, report it and keep the last (what most stacks do on parse). */
static inline void
sdp_set_direction(SdpSession *s, SdpDirection *slot, SdpDirection d)
{
    if (*slot != SDP_DIR_NONE && *slot != d)
        sdp_add_anomaly(s, SS_ANOMALY_SDP_CONFLICTING_DIRECTION);
    *slot = d;
}

/* a=rtpmap:<payload type> <encoding name>/<clock rate>[/<params>]
 * (RFC 8866 §6.6). Payload types are 7 bits (RFC 3550 §5.1). p is the
 * value, after "rtpmap:". */
static void
sdp_parse_rtpmap(SdpSession *s, const char *p, const char *le, const char *be, SdpMedia *m)
{
    uint64_t n;
    const char *enc;
    /* the usual spelling first: one to three digits, one SP, the encoding;
     * anything else takes the general way below */
    const char *q = NULL;
    unsigned d0, d1, d2, v = 0;
    if (le - p >= 3 && (d0 = (unsigned)((unsigned char)p[0] - '0')) <= 9) {
        if ((d1 = (unsigned)((unsigned char)p[1] - '0')) > 9) {
            v = d0;
            q = p + 1;
        } else if ((d2 = (unsigned)((unsigned char)p[2] - '0')) > 9) {
            v = d0 * 10 + d1;
            q = p + 2;
        } else {
            v = d0 * 100 + d1 * 10 + d2;
            q = p + 3;
        }
    }
    /* q < le - 1 when *q is SP: le[-1] is not */
    if (q && q < le && *q == ' ' && !sdp_is_ws(q[1])) {
        n = v;
        enc = q + 1;
    } else {
        p = sdp_skip_lead(p, le);
        if (p == le)
            goto bad;
        const char *pt = p;
        p = sdp_word_end(pt, le, be);
        if (p == le || !sdp_num(pt, (size_t)(p - pt), be, &n))
            goto bad;
        enc = sdp_skip_sep(p);
    }
    if (n > 127)
        goto bad;
    if (!m || m->n_rtpmap >= SDP_MAX_RTPMAP)
        return; /* session level (not defined there) or over our cap */
    const char *e = sdp_word_end(enc, le, be);
    m->rtpmap[m->n_rtpmap].pt = (unsigned)n;
    m->rtpmap[m->n_rtpmap].encoding = (SdpStr){enc, (size_t)(e - enc)};
    m->n_rtpmap++;
    return;
bad:
    sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_LINE);
}

/* a=<attribute>[:<value>] (RFC 8866 §5.13). Only the direction attributes
 * and rtpmap matter here; the name is compared in place, never looked up:
 * none of the names we use holds ':', so a value equal to a direction name
 * has no colon, and a name equal to "rtpmap" is a value starting
 * "rtpmap:". m is NULL at session level. */
static inline void
sdp_parse_attribute(SdpSession *s, const char *v, const char *le, const char *be, SdpMedia *m)
{
    size_t vlen = (size_t)(le - v);
    if (vlen == 0 || v[0] == ':') {
        sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_LINE); /* no name */
        return;
    }
    if (vlen == 8) {
        uint64_t w = sdp_load64(v);
        SdpDirection d = SDP_DIR_NONE;
        if (w == sdp_load64("sendrecv"))
            d = SDP_DIR_SENDRECV;
        else if (w == sdp_load64("sendonly"))
            d = SDP_DIR_SENDONLY;
        else if (w == sdp_load64("recvonly"))
            d = SDP_DIR_RECVONLY;
        else if (w == sdp_load64("inactive"))
            d = SDP_DIR_INACTIVE;
        if (d != SDP_DIR_NONE) {
            sdp_set_direction(s, m ? &m->dir : &s->dir, d);
            return;
        }
    }
    if (vlen >= 7 && sdp_load32(v) == sdp_load32("rtpm") && sdp_load32(v + 3) == sdp_load32("map:"))
        sdp_parse_rtpmap(s, v + 7, le, be, m);
}

#if defined(__SSE2__)
/* The '\n' bits of the 64 bytes at p (bit i: p[i]). */
static inline uint64_t
sdp_nl_mask64(const char *p)
{
    const __m128i nl = _mm_set1_epi8('\n');
    uint64_t m0 = (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), nl));
    uint64_t m1 = (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), nl));
    uint64_t m2 = (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), nl));
    uint64_t m3 = (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 48)), nl));
    return m0 | m1 << 16 | m2 << 32 | m3 << 48;
}
#endif

/* The line ends in the 64 bytes at text + blk (blk <= len) as bits (bit
 * i: byte blk + i); when the body ends inside them, the end counts as one
 * more line end, so the last line needs no case of its own. Nothing
 * outside the body is read: the last, short block is read as the last 64
 * bytes of the body when there are that many, else a byte at a time. */
static inline uint64_t
sdp_nl_mask(const char *text, size_t len, size_t blk)
{
    size_t n = len - blk;
#if defined(__SSE2__)
    if (__builtin_expect(n >= 64, 1))
        return sdp_nl_mask64(text + blk);
    uint64_t m = UINT64_C(1) << n;
    if (n == 0)
        return m;
    if (len >= 64)
        return m | sdp_nl_mask64(text + len - 64) >> (64 - n);
#else
    if (n > 64)
        n = 64;
    uint64_t m = n < 64 ? UINT64_C(1) << n : 0;
#endif
    for (size_t i = 0; i < n; i++)
        if (text[blk + i] == '\n')
            m |= UINT64_C(1) << i;
    return m;
}

/* The length of line without its trailing CR, SP, HTAB (CRLF or LF line
 * ends, RFC 8866 §5 allows both on receipt; trailing whitespace
 * tolerated). */
static inline size_t
sdp_trim_len(const char *line, size_t llen)
{
    if (llen > 0 && line[llen - 1] == '\r')
        llen--;
    while (llen > 0 && (unsigned char)line[llen - 1] <= ' ' &&
           (line[llen - 1] == '\r' || sdp_is_ws(line[llen - 1])))
        llen--;
    return llen;
}

/* sdp_trim_len for a line known to hold a byte that is not trimmed
 * before its end ("x=..."): no length checks. */
static inline size_t
sdp_trim_nonempty(const char *line, size_t llen)
{
    /* CRLF then a byte above SP: the usual end, one branch each */
    if (__builtin_expect(line[llen - 1] == '\r', 1)) {
        llen--;
        if (__builtin_expect((unsigned char)line[llen - 1] > ' ', 1))
            return llen;
    }
    while ((unsigned char)line[llen - 1] <= ' ' &&
           (line[llen - 1] == '\r' || sdp_is_ws(line[llen - 1])))
        llen--;
    return llen;
}

/* The offset of the first NUL at or after pos, or len. */
static inline size_t
sdp_next_nul(const char *text, size_t len, size_t pos)
{
    const char *z = pos < len ? memchr(text + pos, '\0', len - pos) : NULL;
    return z ? (size_t)(z - text) : len;
}

bool
sdp_parse(const char *text, size_t len, SdpSession *out)
{
    /* media[] entries are cleared as they are used (sdp_parse_media; their
     * rtpmap[] is read up to n_rtpmap only) and anomalies[] is read up to
     * n_anomalies only */
    memset(out, 0, offsetof(SdpSession, media));
    out->n_anomalies = 0;
    if (!text || len < 2 || text[0] != 'v' || text[1] != '=')
        return false;
    const char *be = text + len;
    /* NUL bytes: a line holding one is malformed and skipped. nul is the
     * first at or after the current line (len: none), so a line [pos, end)
     * holds one when nul < end: one scan of the body, then one compare a
     * line. */
    size_t nul = sdp_next_nul(text, len, 0);

    /* the first line is v= (checked above, so it holds a byte that is not
     * trimmed): only version 0 (RFC 8866 §5.1), and "v=0" cannot hold a
     * NUL */
    const char *nl = ss_find_byte(text, '\n', len);
    size_t end = nl ? (size_t)(nl - text) : len;
    if (sdp_trim_nonempty(text, end) != 3 || text[2] != '0')
        sdp_add_anomaly(out, SS_ANOMALY_SDP_BAD_LINE);
    if (nul < end)
        nul = sdp_next_nul(text, len, end);
    size_t pos = end + 1; /* past the '\n', or past len: no more lines */

    /* cur: the m= section lines belong to (NULL: session level); dropped:
     * inside an m= section over SS_SDP_MAX_MEDIA */
    SdpMedia *cur = NULL;
    bool dropped = false;
    /* the rest, 64 bytes of line ends at a time: each set bit ends the
     * line that starts at pos */
    for (size_t blk = pos; blk <= len; blk += 64) {
        uint64_t nls = sdp_nl_mask(text, len, blk);
        while (nls) {
            end = blk + (unsigned)__builtin_ctzll(nls);
            nls &= nls - 1;
            const char *line = text + pos;
            size_t llen = end - pos;
            pos = end + 1;
            if (__builtin_expect(nul < end, 0)) {
                nul = sdp_next_nul(text, len, end);
                sdp_add_anomaly(out, SS_ANOMALY_SDP_BAD_LINE);
                continue;
            }
            /* <type>=<value>, type one letter (RFC 8866 §5); the '=' ends
             * the trim below at the latest */
            if (__builtin_expect(llen < 2 || line[1] != '=', 0)) {
                if (sdp_trim_len(line, llen) != 0) /* empty lines are let pass */
                    sdp_add_anomaly(out, SS_ANOMALY_SDP_BAD_LINE);
                continue;
            }
            llen = sdp_trim_nonempty(line, llen);
            const char *v = line + 2, *le = line + llen;
            if (line[0] == 'a') { /* half the lines */
                if (!dropped)
                    sdp_parse_attribute(out, v, le, be, cur);
                continue;
            }
            switch (line[0]) {
            case 'v':
                sdp_add_anomaly(out, SS_ANOMALY_SDP_BAD_LINE); /* repeated v= */
                break;
            case 'o':
                /* RFC 8866 §5.2: exactly one, at session level */
                if (cur || dropped || out->has_origin)
                    sdp_add_anomaly(out, SS_ANOMALY_SDP_BAD_ORIGIN);
                else
                    sdp_parse_origin(out, v, le, be);
                break;
            case 'c':
                if (!dropped)
                    sdp_parse_connection(out, v, le, be, cur ? &cur->conn : &out->conn);
                break;
            case 'm':
                out->n_media_seen++;
                if (out->n_media >= SS_SDP_MAX_MEDIA) {
                    sdp_add_anomaly(out, SS_ANOMALY_SDP_TOO_MANY_MEDIA);
                    dropped = true;
                    break;
                }
                cur = &out->media[out->n_media++];
                sdp_parse_media(out, v, le, be, cur);
                break;
            case 'A': case 'B': case 'C': case 'D': case 'E': case 'F': case 'G':
            case 'H': case 'I': case 'J': case 'K': case 'L': case 'M': case 'N':
            case 'O': case 'P': case 'Q': case 'R': case 'S': case 'T': case 'U':
            case 'V': case 'W': case 'X': case 'Y': case 'Z':
            case 'b': case 'd': case 'e': case 'f': case 'g': case 'h': case 'i':
            case 'j': case 'k': case 'l': case 'n': case 'p': case 'q': case 'r':
            case 's': case 't': case 'u': case 'w': case 'x': case 'y': case 'z':
                break; /* s=, t=, b=, k=, ... not needed here */
            default:
                sdp_add_anomaly(out, SS_ANOMALY_SDP_BAD_LINE); /* type not a letter */
                break;
            }
        }
    }

    /* RFC 8866 §5.7: a c= at session level or in every media section */
    for (unsigned i = 0; i < out->n_media; i++) {
        if (out->media[i].port != 0 && !out->media[i].conn.present && !out->conn.present) {
            sdp_add_anomaly(out, SS_ANOMALY_SDP_NO_CONNECTION);
            break;
        }
    }
    return true;
}

SdpDirection
sdp_media_direction(const SdpSession *s, unsigned i)
{
    g_return_val_if_fail(s != NULL && i < s->n_media, SDP_DIR_NONE);
    if (s->media[i].dir != SDP_DIR_NONE)
        return s->media[i].dir;
    if (s->dir != SDP_DIR_NONE)
        return s->dir;
    return SDP_DIR_SENDRECV; /* RFC 3264 §5.1 default */
}

const SdpConnection *
sdp_media_connection(const SdpSession *s, unsigned i)
{
    g_return_val_if_fail(s != NULL && i < s->n_media, NULL);
    if (s->media[i].conn.present)
        return &s->media[i].conn;
    return &s->conn;
}
