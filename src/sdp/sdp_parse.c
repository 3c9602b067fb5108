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

static inline __attribute__((always_inline)) bool
sdp_str_eq(SdpStr s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.p, lit, n) == 0;
}

static inline bool
sdp_is_ws(char c)
{
    /* most bytes are above ' ': one compare for them */
    return (unsigned char)c <= ' ' && (c == ' ' || c == '\t');
}

/* Splits the next whitespace-separated word off *rest. RFC 8866 §9 uses a
 * single SP between fields; runs of SP/HTAB are tolerated. */
static inline bool
sdp_next_word(SdpStr *rest, SdpStr *word)
{
    const char *p = rest->p, *e = p + rest->len;
    while (p < e && sdp_is_ws(*p))
        p++;
    const char *start = p;
    while (p < e && !sdp_is_ws(*p))
        p++;
    if (p == start)
        return false;
    word->p = start;
    word->len = (size_t)(p - start);
    rest->p = p;
    rest->len = (size_t)(e - p);
    return true;
}

static SdpStr
sdp_trim_left(SdpStr s)
{
    while (s.len > 0 && sdp_is_ws(s.p[0])) {
        s.p++;
        s.len--;
    }
    return s;
}

/* Decimal digits into a uint64_t; false on an empty string, a non-digit or
 * overflow. */
static bool
sdp_parse_u64(SdpStr s, uint64_t *out)
{
    if (s.len == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
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

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
 * (RFC 8866 §5.2). sess-id and sess-version are numeric strings; RFC 8866
 * recommends NTP timestamps, which fit 64 bits, so a longer value is an
 * anomaly rather than something to truncate. */
static void
sdp_parse_origin(SdpSession *s, SdpStr v)
{
    SdpStr f[6];
    SdpStr rest = v, extra;
    for (unsigned i = 0; i < 6; i++) {
        if (!sdp_next_word(&rest, &f[i])) {
            sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_ORIGIN);
            return;
        }
    }
    uint64_t id, ver;
    if (sdp_next_word(&rest, &extra) || !sdp_parse_u64(f[1], &id) ||
        !sdp_parse_u64(f[2], &ver)) {
        sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_ORIGIN);
        return;
    }
    s->has_origin = true;
    s->origin_user = f[0];
    s->sess_id = id;
    s->sess_version = ver;
    s->origin_addr = f[5];
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
sdp_parse_connection(SdpSession *s, SdpStr v, SdpConnection *c)
{
    SdpStr rest = v, net, type, addr, extra;
    if (!sdp_next_word(&rest, &net) || !sdp_next_word(&rest, &type) ||
        !sdp_next_word(&rest, &addr) || sdp_next_word(&rest, &extra)) {
        sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_CONNECTION);
        return;
    }
    if (c->present)
        return; /* several c= at one level (multicast layering): keep the first */
    SdpConnection n = {.present = true};
    if (sdp_str_eq(net, "IN")) {
        if (sdp_str_eq(type, "IP4"))
            n.family = 4;
        else if (sdp_str_eq(type, "IP6"))
            n.family = 6;
    }
    const char *slash = ss_find_byte(addr.p, '/', addr.len);
    if (slash) {
        SdpStr suffix = {slash + 1, addr.len - (size_t)(slash - addr.p) - 1};
        uint64_t ttl = 0;
        addr.len = (size_t)(slash - addr.p);
        /* the suffix is /ttl or /ttl/number (IP4) or /number (IP6) */
        const char *slash2 = ss_find_byte(suffix.p, '/', suffix.len);
        SdpStr first = {suffix.p, slash2 ? (size_t)(slash2 - suffix.p) : suffix.len};
        bool ok = sdp_parse_u64(first, &ttl);
        if (ok && slash2) {
            SdpStr second = {slash2 + 1, suffix.len - first.len - 1};
            ok = sdp_parse_u64(second, &ttl);
        }
        if (!ok || addr.len == 0) {
            sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_CONNECTION);
            return;
        }
    }
    n.addr = addr;
    n.is_null = sdp_addr_is_null(n.family, addr);
    *c = n;
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 §5.14).
 * A malformed m= line still takes its slot with port 0: RFC 3264 §6 matches
 * offer and answer media by position, so dropping it would shift every
 * stream after it; port 0 says "no media flows here", the safe reading. */
static void
sdp_parse_media(SdpSession *s, SdpStr v, SdpMedia *m)
{
    SdpStr rest = v, media, port, proto;
    memset(m, 0, sizeof *m);
    if (!sdp_next_word(&rest, &media)) {
        sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_MEDIA);
        return;
    }
    m->media = media;
    if (!sdp_next_word(&rest, &port) || !sdp_next_word(&rest, &proto)) {
        sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_MEDIA);
        return;
    }
    const char *slash = ss_find_byte(port.p, '/', port.len);
    SdpStr num = {port.p, slash ? (size_t)(slash - port.p) : port.len};
    uint64_t p = 0, count = 0;
    bool ok = sdp_parse_u64(num, &p) && p <= 65535;
    if (ok && slash) {
        SdpStr cnt = {slash + 1, port.len - num.len - 1};
        ok = sdp_parse_u64(cnt, &count);
    }
    m->proto = proto;
    m->formats = sdp_trim_left(rest);
    /* RFC 8866 §5.14: at least one format */
    if (!ok || m->formats.len == 0) {
        sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_MEDIA);
        if (!ok)
            return;
    }
    m->port = (uint32_t)p;
}

static SdpDirection
sdp_direction_attr(SdpStr a)
{
    if (sdp_str_eq(a, "sendrecv"))
        return SDP_DIR_SENDRECV;
    if (sdp_str_eq(a, "sendonly"))
        return SDP_DIR_SENDONLY;
    if (sdp_str_eq(a, "recvonly"))
        return SDP_DIR_RECVONLY;
    if (sdp_str_eq(a, "inactive"))
        return SDP_DIR_INACTIVE;
    return SDP_DIR_NONE;
}

/* RFC 8866 §6.7: at most one direction attribute per level. When several
 * differ, report it and keep the last (what most stacks do on parse). */
static void
sdp_set_direction(SdpSession *s, SdpDirection *slot, SdpDirection d)
{
    if (*slot != SDP_DIR_NONE && *slot != d)
        sdp_add_anomaly(s, SS_ANOMALY_SDP_CONFLICTING_DIRECTION);
    *slot = d;
}

/* a=rtpmap:<payload type> <encoding name>/<clock rate>[/<params>]
 * (RFC 8866 §6.6). Payload types are 7 bits (RFC 3550 §5.1). */
static void
sdp_parse_rtpmap(SdpSession *s, SdpStr v, SdpMedia *m)
{
    SdpStr rest = v, pt, enc;
    uint64_t n;
    if (!sdp_next_word(&rest, &pt) || !sdp_parse_u64(pt, &n) || n > 127 ||
        !sdp_next_word(&rest, &enc)) {
        sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_LINE);
        return;
    }
    if (!m || m->n_rtpmap >= SDP_MAX_RTPMAP)
        return; /* session level (not defined there) or over our cap */
    m->rtpmap[m->n_rtpmap].pt = (unsigned)n;
    m->rtpmap[m->n_rtpmap].encoding = enc;
    m->n_rtpmap++;
}

typedef enum {
    SDP_LEVEL_SESSION,
    SDP_LEVEL_MEDIA,   /* inside media[n_media - 1] */
    SDP_LEVEL_DROPPED, /* inside an m= section over SS_SDP_MAX_MEDIA */
} SdpLevel;

static void
sdp_parse_attribute(SdpSession *s, SdpStr v, SdpLevel level)
{
    if (level == SDP_LEVEL_DROPPED)
        return;
    SdpMedia *m = level == SDP_LEVEL_MEDIA ? &s->media[s->n_media - 1] : NULL;
    const char *colon = ss_find_byte(v.p, ':', v.len);
    SdpStr name = {v.p, colon ? (size_t)(colon - v.p) : v.len};
    if (name.len == 0) {
        sdp_add_anomaly(s, SS_ANOMALY_SDP_BAD_LINE);
        return;
    }
    if (!colon) {
        SdpDirection d = sdp_direction_attr(name);
        if (d != SDP_DIR_NONE)
            sdp_set_direction(s, m ? &m->dir : &s->dir, d);
        return;
    }
    if (sdp_str_eq(name, "rtpmap")) {
        SdpStr value = {colon + 1, v.len - name.len - 1};
        sdp_parse_rtpmap(s, value, m);
    }
}

bool
sdp_parse(const char *text, size_t len, SdpSession *out)
{
    /* media[] entries are cleared as they are used (sdp_parse_media) and
     * anomalies[] is read up to n_anomalies only */
    memset(out, 0, offsetof(SdpSession, media));
    out->n_anomalies = 0;
    if (!text || len < 2 || text[0] != 'v' || text[1] != '=')
        return false;
    /* one scan for NUL over the whole body; lines are checked one by one
     * only when there is one */
    bool has_nul = memchr(text, '\0', len) != NULL;

    SdpLevel level = SDP_LEVEL_SESSION;
    size_t pos = 0;
    bool first = true;
    while (pos < len) {
        const char *line = text + pos;
        const char *nl = ss_find_byte(line, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - line) : len - pos;
        pos += llen + (nl ? 1 : 0);
        /* CRLF or LF line ends (RFC 8866 §5 allows both on receipt);
         * trailing whitespace tolerated */
        while (llen > 0 && (unsigned char)line[llen - 1] <= ' ' &&
               (line[llen - 1] == '\r' || sdp_is_ws(line[llen - 1])))
            llen--;
        if (llen == 0)
            continue;
        /* <type>=<value>, type one letter (RFC 8866 §5) */
        if (llen < 2 || line[1] != '=' || !g_ascii_isalpha(line[0]) ||
            (has_nul && ss_find_byte(line, '\0', llen) != NULL)) {
            sdp_add_anomaly(out, SS_ANOMALY_SDP_BAD_LINE);
            first = false;
            continue;
        }
        SdpStr v = {line + 2, llen - 2};
        char type = line[0];
        if (first) {
            first = false;
            if (type == 'v') {
                if (!sdp_str_eq(v, "0")) /* RFC 8866 §5.1: only version 0 */
                    sdp_add_anomaly(out, SS_ANOMALY_SDP_BAD_LINE);
                continue;
            }
        }
        switch (type) {
        case 'v':
            sdp_add_anomaly(out, SS_ANOMALY_SDP_BAD_LINE); /* repeated v= */
            break;
        case 'o':
            /* RFC 8866 §5.2: exactly one, at session level */
            if (level != SDP_LEVEL_SESSION || out->has_origin)
                sdp_add_anomaly(out, SS_ANOMALY_SDP_BAD_ORIGIN);
            else
                sdp_parse_origin(out, v);
            break;
        case 'c':
            if (level == SDP_LEVEL_SESSION)
                sdp_parse_connection(out, v, &out->conn);
            else if (level == SDP_LEVEL_MEDIA)
                sdp_parse_connection(out, v, &out->media[out->n_media - 1].conn);
            break;
        case 'm':
            out->n_media_seen++;
            if (out->n_media >= SS_SDP_MAX_MEDIA) {
                sdp_add_anomaly(out, SS_ANOMALY_SDP_TOO_MANY_MEDIA);
                level = SDP_LEVEL_DROPPED;
                break;
            }
            sdp_parse_media(out, v, &out->media[out->n_media++]);
            level = SDP_LEVEL_MEDIA;
            break;
        case 'a':
            sdp_parse_attribute(out, v, level);
            break;
        default:
            break; /* s=, t=, b=, k=, ... not needed here */
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
