#include <config.h>
#include "sip/sip_header.h"

#include <string.h>
#include "common/scan.h"

/* All accessors work on views: LWS, including the CRLF+WSP of obsolete
 * line folding (RFC 3261 §7.3.1), is plain whitespace here. */

static const char empty_str[] = "";

static inline SipStr
str_empty(void)
{
    SipStr s = { empty_str, 0 };
    return s;
}

static inline SipStr
str_sub(SipStr s, size_t from, size_t to)
{
    SipStr r = { s.p + from, to - from };
    return r;
}

/* Character classes, one table lookup per byte on the hot paths. */
enum {
    C_TOKEN = 1,  /* RFC 3261 §25.1 token */
    C_LWS = 2,    /* SP HT CR LF (LWS with folding) */
    C_HOST = 4,   /* hostname / IPv4: alphanum "-" "." (and "_", seen in the wild) */
    C_PVAL = 8,   /* gen-value without quotes: token / host (with IPv6 "[" ":" "]") */
    C_SCHEME = 16 /* RFC 3986 scheme: ALPHA DIGIT "+" "-" "." */
};
#define CL_ALNUM(c) \
    (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9'))
#define CL_TOKEN(c) \
    (CL_ALNUM(c) || (c) == '-' || (c) == '.' || (c) == '!' || (c) == '%' || (c) == '*' || (c) == '_' || \
     (c) == '+' || (c) == '`' || (c) == '\'' || (c) == '~')
#define CL(c) \
    ((CL_TOKEN(c) ? C_TOKEN | C_PVAL : 0) | \
     (((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n') ? C_LWS : 0) | \
     ((CL_ALNUM(c) || (c) == '-' || (c) == '.' || (c) == '_') ? C_HOST : 0) | \
     (((c) == '[' || (c) == ']' || (c) == ':') ? C_PVAL : 0) | \
     ((CL_ALNUM(c) || (c) == '+' || (c) == '-' || (c) == '.') ? C_SCHEME : 0))
#define CL4(c) CL(c), CL((c) + 1), CL((c) + 2), CL((c) + 3)
#define CL16(c) CL4(c), CL4((c) + 4), CL4((c) + 8), CL4((c) + 12)
#define CL64(c) CL16(c), CL16((c) + 16), CL16((c) + 32), CL16((c) + 48)
static const unsigned char cls[256] = { CL64(0), CL64(64), CL64(128), CL64(192) };

static inline bool
is_lws(unsigned char c)
{
    return cls[c] & C_LWS;
}

/* The end of the run of class `bit` (one C_ bit) from i, four bytes a step:
 * parameter names and values (tags, branches) are 10 to 40 characters. */
static inline size_t
scan_class(const char *p, size_t i, size_t n, unsigned bit)
{
    const unsigned char *u = (const unsigned char *)p;
    while (i + 4 <= n && (cls[u[i]] & cls[u[i + 1]] & cls[u[i + 2]] & cls[u[i + 3]] & bit))
        i += 4;
    while (i < n && (cls[u[i]] & bit))
        i++;
    return i;
}

static inline bool
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool
is_token_char(unsigned char c)
{
    return cls[c] & C_TOKEN;
}

/* trim(), inlined here: the accessors trim a lot */
static inline SipStr
trim(SipStr s)
{
    size_t b = 0, e = s.len;
    while (b < e && is_lws((unsigned char)s.p[b]))
        b++;
    while (e > b && is_lws((unsigned char)s.p[e - 1]))
        e--;
    return str_sub(s, b, e);
}

static inline size_t
skip_lws(SipStr s, size_t i)
{
    while (i < s.len && is_lws((unsigned char)s.p[i]))
        i++;
    return i;
}

/* Split at the first unquoted sep: before is trimmed, after is what follows
 * sep (trimmed), or empty when sep is absent. Returns whether sep was found. */
static bool
split_at(SipStr s, char sep, SipStr *before, SipStr *after)
{
    const char *c = s.len ? ss_find_byte(s.p, sep, s.len) : NULL;
    if (c == NULL) {
        *before = trim(s);
        *after = str_empty();
        return false;
    }
    *before = trim(str_sub(s, 0, (size_t)(c - s.p)));
    *after = trim(str_sub(s, (size_t)(c - s.p) + 1, s.len));
    return true;
}

/* Unsigned decimal with an upper bound; false on anything else (empty,
 * sign, non-digit, overflow). Overlong values (RFC 4475 §3.1.2.4) never
 * overflow: the bound is checked before each step. */
static inline __attribute__((always_inline)) bool
parse_uint(SipStr s, unsigned long long max, unsigned long long *out)
{
    /* inlined: every caller's max is a constant, so lim and rem are too */
    if (s.len == 0)
        return false;
    /* v * 10 + d <= max, without a division per digit */
    const unsigned long long lim = max / 10, rem = max % 10;
    unsigned long long v = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (!is_digit(c))
            return false;
        unsigned d = c - '0';
        if (v > lim || (v == lim && d > rem))
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

SipStr
sip_header_value(const SipMessage *m, const SipHeader *h)
{
    if (m == NULL || h == NULL)
        return str_empty();
    /* the parser stored it trimmed of LWS already */
    return sip_span_str(m, h->value);
}

bool
sip_header_next_value(SipStr *rest, SipStr *value)
{
    SipStr r = trim(*rest);
    if (r.len == 0) {
        *value = str_empty();
        rest->p = r.p ? r.p : empty_str;
        rest->len = 0;
        return false;
    }
    /* the common case, one value: no comma at all */
    if (ss_find_byte(r.p, ',', r.len) == NULL) {
        *value = r;
        *rest = str_sub(r, r.len, r.len);
        return true;
    }
    bool quoted = false;
    unsigned angle = 0;
    size_t i;
    for (i = 0; i < r.len; i++) {
        char c = r.p[i];
        if (quoted) {
            if (c == '\\')
                i++;
            else if (c == '"')
                quoted = false;
            continue;
        }
        if (c == '"')
            quoted = true;
        else if (c == '<')
            angle++;
        else if (c == '>' && angle)
            angle--;
        else if (c == ',' && angle == 0)
            break;
    }
    if (i > r.len)
        i = r.len;
    *value = trim(str_sub(r, 0, i));
    if (i < r.len)
        *rest = str_sub(r, i + 1, r.len);
    else
        *rest = str_sub(r, r.len, r.len);
    return true;
}

typedef struct {
    const char *name; /* lower case */
    size_t len;
    SipStr *value;
    bool found;
} ParamWant;

/* Stores the value of the parameter named p[ns, ne) if it is one of want
 * (case-insensitive) and not seen yet. Compares only names whose length
 * and first byte match. */
static inline void
param_want_match(const char *p, size_t ns, size_t ne, size_t vs, size_t ve, ParamWant *want, size_t n_want)
{
    size_t len = ne - ns;
    if (len == 0)
        return;
    unsigned char c0 = (unsigned char)(p[ns] | 0x20);
    for (size_t w = 0; w < n_want; w++) {
        if (want[w].found || len != want[w].len || c0 != (unsigned char)want[w].name[0])
            continue;
        size_t k = 1;
        while (k < len && (unsigned char)(p[ns + k] | 0x20) == (unsigned char)want[w].name[k])
            k++;
        if (k == len) {
            want[w].value->p = p + vs;
            want[w].value->len = ve - vs;
            want[w].found = true;
        }
    }
}

/* The end of the parameter [ns, ne)[=vs, ve) whose scan stopped at *i:
 * anything before the next ';' makes the list malformed (and ends the
 * value there); the name is matched against want; then *i moves past the
 * ';'. False at the end of the list (after a trailing ';', malformed). */
static inline __attribute__((always_inline)) bool
param_end(const char *p, size_t n, size_t *i, bool *ok, size_t ns, size_t ne, size_t vs, size_t ve,
          ParamWant *want, size_t n_want)
{
    size_t j = *i;
    if (j < n && p[j] != ';') {
        *ok = false;
        const char *semi = ss_find_byte(p + j, ';', n - j);
        j = semi ? (size_t)(semi - p) : n;
        ve = j;
    }
    param_want_match(p, ns, ne, vs, ve, want, n_want);
    if (j >= n)
        return false;
    *i = ++j;
    if (j >= n) {
        *ok = false;
        return false;
    }
    return true;
}

/* One pass over a parameter list, checking that every ';'-separated item is
 *   generic-param = token [ EQUAL gen-value ]
 *   gen-value = token / host / quoted-string            (RFC 3261 §25.1)
 * ("a;;b" or a trailing ';' is malformed, RFC 4475 §3.1.2.1) and picking the
 * values of the wanted names on the way. Returns whether the list is
 * well-formed. This is the general case;
 * params_scan() below takes the common one (short, no LWS, no quotes) with
 * bit masks and comes here for the rest. */
static bool
params_scan_slow(SipStr params, ParamWant *want, size_t n_want)
{
    const char *p = params.p;
    size_t n = params.len, i = 0;
    bool ok = true;
    if (n == 0)
        return true;
    for (;;) {
        while (i < n && is_lws((unsigned char)p[i]))
            i++;
        size_t ns = i;
        i = scan_class(p, i, n, C_TOKEN);
        size_t ne = i;
        if (ne == ns)
            ok = false;
        while (i < n && is_lws((unsigned char)p[i]))
            i++;
        size_t vs = i, ve = i;
        if (i < n && p[i] == '=') {
            i++;
            while (i < n && is_lws((unsigned char)p[i]))
                i++;
            vs = i;
            if (i < n && p[i] == '"') {
                i++;
                while (i < n && p[i] != '"')
                    i += p[i] == '\\' ? 2 : 1;
                if (i >= n) {
                    ok = false;
                    i = n;
                } else {
                    i++;
                }
            } else {
                i = scan_class(p, i, n, C_PVAL);
            }
            ve = i;
            if (ve == vs)
                ok = false;
            while (i < n && is_lws((unsigned char)p[i]))
                i++;
        }
        if (!param_end(p, n, &i, &ok, ns, ne, vs, ve, want, n_want))
            break;
    }
    return ok;
}

#if defined(__SSE2__)
/* The 16 bytes p[0, n), n < 16, zero-padded: reads only inside [p, p+n). */
static inline __m128i
load_short(const char *p, size_t n)
{
    uint64_t lo = 0, hi = 0;
    if (n >= 8) {
        memcpy(&lo, p, 8);
        if (n > 8) {
            memcpy(&hi, p + n - 8, 8);
            hi >>= 8 * (16 - n);
        }
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        lo = a | (uint64_t)b << (8 * (n - 4));
    } else {
        for (size_t k = 0; k < n; k++)
            lo |= (uint64_t)(unsigned char)p[k] << (8 * k);
    }
    return _mm_set_epi64x((long long)hi, (long long)lo);
}

/* Bit masks of 16 bytes: tok = alnum "-" "." "_" (token characters),
 * pval = tok and ":" "[" "]" (gen-value characters), known = those and
 * ';' '='. Every byte that is set in one of these has
 * exactly the classes of cls[]; a byte in none (NUL padding included) is
 * left to the caller. */
typedef struct {
    unsigned tok, pval, known;
} PMask16;

static inline PMask16
classify16(__m128i v)
{
    const __m128i lc = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(lc, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(lc, _mm_set1_epi8('z' + 1)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    __m128i punct = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')), _mm_cmpeq_epi8(v, _mm_set1_epi8('.'))),
                                 _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
    __m128i tok = _mm_or_si128(_mm_or_si128(alpha, digit), punct);
    __m128i host = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')), _mm_cmpeq_epi8(v, _mm_set1_epi8('['))),
                                _mm_cmpeq_epi8(v, _mm_set1_epi8(']')));
    __m128i pval = _mm_or_si128(tok, host);
    __m128i semi = _mm_cmpeq_epi8(v, _mm_set1_epi8(';'));
    __m128i eq = _mm_cmpeq_epi8(v, _mm_set1_epi8('='));
    PMask16 m;
    m.tok = (unsigned)_mm_movemask_epi8(tok);
    m.pval = (unsigned)_mm_movemask_epi8(pval);
    m.known = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(pval, semi), eq));
    return m;
}
#endif

/* params_scan_slow() for lists of at most 63 bytes made only of token
 * characters among alnum "-" "." "_", ':' '[' ']', ';' and '=' (no LWS, no
 * quotes: nearly every list), with the classes of all bytes found first, 16
 * a step, as bit masks; the runs and the next ';' are then a count of
 * trailing zeros each (the next ';' only on malformed lists). Same steps as params_scan_slow(), whose LWS skips and
 * quoted-string branch have nothing to do on such lists. */
static inline bool
params_scan(SipStr params, ParamWant *want, size_t n_want)
{
#if defined(__SSE2__)
    const char *p = params.p;
    size_t n = params.len;
    if (n == 0)
        return true;
    if (n > 63)
        return params_scan_slow(params, want, n_want);
    uint64_t tok = 0, pval = 0, known = 0;
    if (n < 16) {
        PMask16 m = classify16(load_short(p, n));
        tok = m.tok;
        pval = m.pval;
        known = m.known;
    } else {
        size_t o = 0;
        for (; o + 16 <= n; o += 16) {
            PMask16 m = classify16(_mm_loadu_si128((const __m128i *)(const void *)(p + o)));
            tok |= (uint64_t)m.tok << o;
            pval |= (uint64_t)m.pval << o;
            known |= (uint64_t)m.known << o;
        }
        if (o < n) {
            /* the last 16 bytes, of which those before o are seen already */
            unsigned sh = (unsigned)(16 - (n - o));
            PMask16 m = classify16(_mm_loadu_si128((const __m128i *)(const void *)(p + n - 16)));
            tok |= (uint64_t)(m.tok >> sh) << o;
            pval |= (uint64_t)(m.pval >> sh) << o;
            known |= (uint64_t)(m.known >> sh) << o;
        }
    }
    if (known != (UINT64_C(1) << n) - 1)
        return params_scan_slow(params, want, n_want);
    /* bits at n and above are clear in every mask, so ~(x >> i) has a bit
     * set at n - i at the latest (n < 64) */
    size_t i = 0;
    bool ok = true;
    for (;;) {
        size_t ns = i;
        i += (size_t)__builtin_ctzll(~(tok >> i));
        size_t ne = i;
        if (ne == ns)
            ok = false;
        size_t vs = i, ve = i;
        if (i < n && p[i] == '=') {
            i++;
            vs = i;
            i += (size_t)__builtin_ctzll(~(pval >> i));
            ve = i;
            if (ve == vs)
                ok = false;
        }
        if (!param_end(p, n, &i, &ok, ns, ne, vs, ve, want, n_want))
            break;
    }
    return ok;
#else
    return params_scan_slow(params, want, n_want);
#endif
}

static bool
has_scheme(SipStr uri)
{
    size_t i = 0;
    if (uri.len == 0 || (uri.p[0] | 0x20) < 'a' || (uri.p[0] | 0x20) > 'z')
        return false;
    /* the usual one first */
    if (uri.len > 4 && memcmp(uri.p, "sip:", 4) == 0)
        return true;
    while (i < uri.len && (cls[(unsigned char)uri.p[i]] & C_SCHEME))
        i++;
    return i < uri.len && uri.p[i] == ':';
}

/* RFC 3261 §20.10, §25.1:
 *   name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 * and, without <>, an addr-spec whose following ";..." are header
 * parameters, not URI parameters. */
bool
sip_name_addr_parse(SipStr value, SipNameAddr *out)
{
    out->display = str_empty();
    out->uri = str_empty();
    out->params = str_empty();
    out->tag = str_empty();
    out->bracketed = false;
    out->malformed = false;

    SipStr v = trim(value);
    if (v.len == 0)
        return false;

    size_t lt;
    if (v.p[0] == '"') {
        size_t j = 1;
        while (j < v.len && v.p[j] != '"')
            j += v.p[j] == '\\' ? 2 : 1;
        /* RFC 4475 §3.1.2.6: an unterminated quoted string leaves no way to
         * tell where the URI is. */
        if (j >= v.len)
            return false;
        out->display = str_sub(v, 1, j);
        lt = skip_lws(v, j + 1);
        if (lt >= v.len || v.p[lt] != '<')
            return false;
    } else {
        const char *p = ss_find_byte(v.p, '<', v.len);
        if (p == NULL) {
            /* addr-spec: the URI ends at the first ';' */
            SipStr uri, params;
            bool has_params = split_at(v, ';', &uri, &params);
            out->uri = uri;
            out->params = params;
            if (uri.len == 0)
                return false;
            for (size_t i = 0; i < uri.len; i++) {
                char c = uri.p[i];
                /* RFC 3261 §20.10: a URI with ',', '?' or ';' must be in
                 * <> (RFC 4475 §3.1.2.13) */
                if (c == '?' || c == ',' || is_lws((unsigned char)c))
                    out->malformed = true;
            }
            ParamWant want[] = { { "tag", 3, &out->tag, false } };
            if (!has_scheme(uri) || (has_params && (params.len == 0 || !params_scan(params, want, 1))))
                out->malformed = true;
            return true;
        }
        lt = (size_t)(p - v.p);
        out->display = trim(str_sub(v, 0, lt));
        /* RFC 4475 §3.1.2.15: an unquoted display name is tokens and LWS */
        for (size_t i = 0; i < out->display.len; i++) {
            unsigned char c = (unsigned char)out->display.p[i];
            if (!is_token_char(c) && !is_lws(c))
                out->malformed = true;
        }
    }

    const char *gt = ss_find_byte(v.p + lt, '>', v.len - lt);
    if (gt == NULL)
        return false;
    SipStr raw = str_sub(v, lt + 1, (size_t)(gt - v.p));
    out->uri = trim(raw);
    out->bracketed = true;
    /* LAQUOT/RAQUOT allow no LWS inside the brackets (RFC 4475 §3.1.2.14) */
    if (out->uri.len != raw.len)
        out->malformed = true;
    if (out->uri.len == 0)
        return false;
    if (!has_scheme(out->uri))
        out->malformed = true;

    size_t i = skip_lws(v, (size_t)(gt - v.p) + 1);
    if (i < v.len) {
        if (v.p[i] == ';') {
            ParamWant want[] = { { "tag", 3, &out->tag, false } };
            out->params = trim(str_sub(v, i + 1, v.len));
            if (out->params.len == 0 || !params_scan(out->params, want, 1))
                out->malformed = true;
        } else {
            out->malformed = true;
        }
    }
    return true;
}

bool
sip_get_call_id(const SipMessage *m, SipStr *call_id)
{
    const SipHeader *h = sip_message_header(m, SIP_HDR_CALL_ID);
    if (h == NULL) {
        *call_id = str_empty();
        return false;
    }
    *call_id = sip_header_value(m, h);
    return call_id->len > 0;
}

static bool
get_name_addr(const SipMessage *m, SipHeaderId id, SipNameAddr *out)
{
    const SipHeader *h = sip_message_header(m, id);
    if (h == NULL) {
        SipStr e = str_empty();
        sip_name_addr_parse(e, out);
        return false;
    }
    return sip_name_addr_parse(sip_header_value(m, h), out);
}

bool
sip_get_from(const SipMessage *m, SipNameAddr *from)
{
    if (m->na_state[0]) {
        *from = m->na_cache[0];
        return m->na_state[0] == 1;
    }
    return get_name_addr(m, SIP_HDR_FROM, from);
}

bool
sip_get_to(const SipMessage *m, SipNameAddr *to)
{
    if (m->na_state[1]) {
        *to = m->na_cache[1];
        return m->na_state[1] == 1;
    }
    return get_name_addr(m, SIP_HDR_TO, to);
}

bool
sip_get_contact(const SipMessage *m, SipNameAddr *contact)
{
    const SipHeader *h = sip_message_header(m, SIP_HDR_CONTACT);
    SipStr rest = h ? sip_header_value(m, h) : str_empty(), v;
    if (h == NULL || !sip_header_next_value(&rest, &v)) {
        sip_name_addr_parse(str_empty(), contact);
        return false;
    }
    return sip_name_addr_parse(v, contact);
}

/* CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16); the number must fit in 32
 * bits (§8.1.1.5; RFC 4475 §3.1.2.4). */
bool
sip_get_cseq(const SipMessage *m, SipCSeq *cseq)
{
    if (m->cseq_state == 1) {
        cseq->seq = m->cseq_seq;
        cseq->method = m->cseq_method;
        cseq->method_text = sip_span_str(m, m->cseq_method_text);
        return true;
    }
    cseq->seq = 0;
    cseq->method = SIP_METHOD_UNKNOWN;
    cseq->method_text = str_empty();
    if (m->cseq_state == 2)
        return false;
    const SipHeader *h = sip_message_header(m, SIP_HDR_CSEQ);
    if (h == NULL)
        return false;
    SipStr v = sip_header_value(m, h);
    /* the digits and their value in one pass; past the bound the value
     * stops growing (and stays below 2^36) */
    size_t i = 0;
    unsigned long long seq = 0;
    while (i < v.len && is_digit((unsigned char)v.p[i])) {
        if (seq <= 0xffffffffULL)
            seq = seq * 10 + (unsigned)((unsigned char)v.p[i] - '0');
        i++;
    }
    if (i == 0 || seq > 0xffffffffULL)
        return false;
    size_t j = skip_lws(v, i);
    if (j == i)
        return false;
    SipStr meth = str_sub(v, j, v.len);
    size_t k = 0;
    while (k < meth.len && is_token_char((unsigned char)meth.p[k]))
        k++;
    if (k == 0 || k != meth.len)
        return false;
    cseq->seq = (uint32_t)seq;
    cseq->method_text = meth;
    cseq->method = sip_method_from_token(meth.p, meth.len);
    return true;
}

static bool
parse_token_at(SipStr v, size_t *i, SipStr *tok)
{
    size_t s = *i;
    while (*i < v.len && is_token_char((unsigned char)v.p[*i]))
        (*i)++;
    *tok = str_sub(v, s, *i);
    return *i > s;
}

/* via-parm = sent-protocol LWS sent-by *( SEMI via-params )
 * sent-protocol = protocol-name SLASH protocol-version SLASH transport
 * (RFC 3261 §20.42, §25.1); SLASH allows LWS around '/'. */
bool
sip_via_parse(SipStr value, SipVia *via)
{
    via->protocol = str_empty();
    via->transport = str_empty();
    via->host = str_empty();
    via->port = -1;
    via->params = str_empty();
    via->branch = str_empty();
    via->received = str_empty();
    via->has_rport = false;
    via->rport = -1;
    via->malformed = false;

    SipStr v = trim(value), name, ver;
    size_t i = 0;
    if (v.len > 8 && (v.p[0] | 0x20) == 's' && (v.p[1] | 0x20) == 'i' && (v.p[2] | 0x20) == 'p' &&
        memcmp(v.p + 3, "/2.0/", 5) == 0) {
        /* "SIP/2.0/", as nearly every Via has it */
        via->protocol = str_sub(v, 0, 7);
        i = 8;
    } else {
        if (!parse_token_at(v, &i, &name))
            return false;
        i = skip_lws(v, i);
        if (i >= v.len || v.p[i] != '/')
            return false;
        i = skip_lws(v, i + 1);
        if (!parse_token_at(v, &i, &ver))
            return false;
        via->protocol = str_sub(v, 0, i);
        i = skip_lws(v, i);
        if (i >= v.len || v.p[i] != '/')
            return false;
        i++;
    }
    i = skip_lws(v, i);
    if (!parse_token_at(v, &i, &via->transport))
        return false;
    size_t hs = skip_lws(v, i);
    if (hs == i || hs >= v.len)
        return false;
    i = hs;
    if (v.p[i] == '[') {
        const char *rb = ss_find_byte(v.p + i, ']', v.len - i);
        if (rb == NULL)
            return false;
        i = (size_t)(rb - v.p) + 1;
    } else {
        while (i < v.len) {
            unsigned char c = (unsigned char)v.p[i];
            if (!(cls[c] & C_HOST))
                break;
            i++;
        }
    }
    via->host = str_sub(v, hs, i);
    if (via->host.len == 0)
        return false;
    i = skip_lws(v, i);
    if (i < v.len && v.p[i] == ':') {
        i = skip_lws(v, i + 1);
        /* the digits and their value in one pass, as in sip_get_cseq() */
        size_t ps = i;
        unsigned long port = 0;
        while (i < v.len && is_digit((unsigned char)v.p[i])) {
            if (port <= 65535)
                port = port * 10 + (unsigned)((unsigned char)v.p[i] - '0');
            i++;
        }
        if (i > ps && port <= 65535)
            via->port = (int)port;
        else
            via->malformed = true;
        i = skip_lws(v, i);
    }
    if (i < v.len) {
        if (v.p[i] != ';') {
            via->malformed = true;
            const char *semi = ss_find_byte(v.p + i, ';', v.len - i);
            if (semi == NULL)
                return true;
            i = (size_t)(semi - v.p);
        }
        via->params = trim(str_sub(v, i + 1, v.len));
    }
    SipStr rp = str_empty();
    ParamWant want[] = {
        { "branch", 6, &via->branch, false },
        { "received", 8, &via->received, false },
        { "rport", 5, &rp, false },
    };
    if (i < v.len && (via->params.len == 0 || !params_scan(via->params, want, 3)))
        via->malformed = true;
    if (want[2].found) {
        /* RFC 3581 §3: rport is empty in requests, carries the port in
         * responses */
        via->has_rport = true;
        unsigned long long port;
        if (rp.len && parse_uint(rp, 65535, &port))
            via->rport = (int)port;
        else if (rp.len)
            via->malformed = true;
    }
    return true;
}

bool
sip_get_top_via(const SipMessage *m, SipVia *via)
{
    const SipHeader *h = sip_message_header(m, SIP_HDR_VIA);
    SipStr rest = h ? sip_header_value(m, h) : str_empty(), v;
    if (h == NULL || !sip_header_next_value(&rest, &v)) {
        sip_via_parse(str_empty(), via);
        return false;
    }
    return sip_via_parse(v, via);
}

unsigned
sip_count_via(const SipMessage *m)
{
    unsigned n = 0;
    for (const SipHeader *h = sip_message_next_header(m, SIP_HDR_VIA, NULL); h;
         h = sip_message_next_header(m, SIP_HDR_VIA, h)) {
        SipStr rest = sip_header_value(m, h), v;
        while (sip_header_next_value(&rest, &v))
            n++;
    }
    return n;
}

long long
sip_get_content_length(const SipMessage *m)
{
    return m->content_length;
}

bool
sip_get_content_type(const SipMessage *m, SipStr *type, SipStr *params)
{
    const SipHeader *h = sip_message_header(m, SIP_HDR_CONTENT_TYPE);
    SipStr t, p;
    if (h == NULL) {
        t = p = str_empty();
    } else {
        split_at(sip_header_value(m, h), ';', &t, &p);
    }
    if (type)
        *type = t;
    if (params)
        *params = p;
    return h != NULL && t.len > 0;
}

/* RFC 3261 §20.22: an integer in 0-255 */
int
sip_get_max_forwards(const SipMessage *m)
{
    const SipHeader *h = sip_message_header(m, SIP_HDR_MAX_FORWARDS);
    unsigned long long v;
    if (h == NULL || !parse_uint(sip_header_value(m, h), 255, &v))
        return -1;
    return (int)v;
}

bool
sip_get_user_agent(const SipMessage *m, SipStr *ua)
{
    const SipHeader *h = sip_message_header(m, SIP_HDR_USER_AGENT);
    if (h == NULL)
        h = sip_message_header(m, SIP_HDR_SERVER);
    *ua = h ? sip_header_value(m, h) : str_empty();
    return h != NULL;
}

static SipStr
unquote(SipStr s)
{
    if (s.len >= 2 && s.p[0] == '"' && s.p[s.len - 1] == '"')
        return str_sub(s, 1, s.len - 1);
    return s;
}

/* Reason = protocol *(SEMI reason-params), cause and text (RFC 3326 §2);
 * the first value when several are listed. */
bool
sip_get_reason(const SipMessage *m, SipReason *reason)
{
    reason->protocol = str_empty();
    reason->cause = -1;
    reason->text = str_empty();
    const SipHeader *h = sip_message_header(m, SIP_HDR_REASON);
    SipStr rest = h ? sip_header_value(m, h) : str_empty(), v, params, cause, text;
    if (h == NULL || !sip_header_next_value(&rest, &v))
        return false;
    split_at(v, ';', &reason->protocol, &params);
    unsigned long long c;
    if (sip_param_get(params, "cause", &cause) && parse_uint(cause, 0x7fffffff, &c))
        reason->cause = (int)c;
    if (sip_param_get(params, "text", &text))
        reason->text = unquote(text);
    return reason->protocol.len > 0;
}

/* Event = event-type *( SEMI event-param ), id param (RFC 6665 §8.2.1) */
bool
sip_get_event(const SipMessage *m, SipEvent *ev)
{
    ev->package = str_empty();
    ev->id = str_empty();
    const SipHeader *h = sip_message_header(m, SIP_HDR_EVENT);
    if (h == NULL)
        return false;
    SipStr params;
    split_at(sip_header_value(m, h), ';', &ev->package, &params);
    sip_param_get(params, "id", &ev->id);
    return ev->package.len > 0;
}

/* Subscription-State = substate-value *( SEMI subexp-params ) (RFC 6665
 * §8.2.3) */
bool
sip_get_subscription_state(const SipMessage *m, SipSubState *ss)
{
    ss->state = str_empty();
    ss->reason = str_empty();
    ss->expires = -1;
    const SipHeader *h = sip_message_header(m, SIP_HDR_SUBSCRIPTION_STATE);
    if (h == NULL)
        return false;
    SipStr params, exp;
    split_at(sip_header_value(m, h), ';', &ss->state, &params);
    sip_param_get(params, "reason", &ss->reason);
    unsigned long long e;
    if (sip_param_get(params, "expires", &exp) && parse_uint(exp, 0x7fffffff, &e))
        ss->expires = (int)e;
    return ss->state.len > 0;
}

/* Replaces = callid *(SEMI replaces-param); to-tag and from-tag are both
 * required (RFC 3891 §6.1). */
bool
sip_replaces_parse(SipStr value, SipReplaces *out)
{
    SipStr params;
    bool has_to, has_from;
    split_at(value, ';', &out->call_id, &params);
    has_to = sip_param_get(params, "to-tag", &out->to_tag);
    has_from = sip_param_get(params, "from-tag", &out->from_tag);
    out->early_only = sip_param_get(params, "early-only", NULL);
    return out->call_id.len > 0 && has_to && has_from && !ss_find_byte(out->call_id.p, ' ', out->call_id.len);
}

static void
replaces_clear(SipReplaces *out)
{
    out->call_id = out->to_tag = out->from_tag = str_empty();
    out->early_only = false;
}

bool
sip_get_replaces(const SipMessage *m, SipReplaces *out)
{
    const SipHeader *h = sip_message_header(m, SIP_HDR_REPLACES);
    replaces_clear(out);
    if (h == NULL)
        return false;
    return sip_replaces_parse(sip_header_value(m, h), out);
}

/* Target-Dialog = callid *(SEMI td-param); td-param = remote-param /
 * local-param (RFC 4538 §7). remote-tag is the recipient's remote tag. */
bool
sip_get_target_dialog(const SipMessage *m, SipReplaces *out)
{
    const SipHeader *h = sip_message_header(m, SIP_HDR_TARGET_DIALOG);
    replaces_clear(out);
    if (h == NULL)
        return false;
    SipStr params;
    split_at(sip_header_value(m, h), ';', &out->call_id, &params);
    bool has_remote = sip_param_get(params, "remote-tag", &out->to_tag);
    bool has_local = sip_param_get(params, "local-tag", &out->from_tag);
    return out->call_id.len > 0 && has_remote && has_local;
}

/* RFC 3891 §7: an attended transfer puts the Replaces header in the
 * Refer-To URI, %-escaped: <sip:b@x?Replaces=id%40h%3Bto-tag%3D1%3Bfrom-tag%3D2> */
bool
sip_get_refer_to(const SipMessage *m, SipReferTo *out, char *decode_buf, size_t decode_size)
{
    out->has_replaces = false;
    out->replaces_invalid = false;
    replaces_clear(&out->replaces);
    bool ok = get_name_addr(m, SIP_HDR_REFER_TO, &out->addr);
    sip_uri_parse(out->addr.uri, &out->uri);
    if (!ok)
        return false;
    SipStr rv;
    if (sip_uri_header_get(out->uri.headers, "Replaces", &rv)) {
        size_t n = decode_buf ? sip_str_unescape(rv, decode_buf, decode_size) : (size_t)-1;
        if (n == (size_t)-1) {
            out->replaces_invalid = true;
        } else {
            SipStr dec = { decode_buf, n };
            out->has_replaces = sip_replaces_parse(dec, &out->replaces);
            out->replaces_invalid = !out->has_replaces;
            if (!out->has_replaces)
                replaces_clear(&out->replaces);
        }
    }
    return true;
}

bool
sip_get_referred_by(const SipMessage *m, SipNameAddr *out)
{
    return get_name_addr(m, SIP_HDR_REFERRED_BY, out);
}

/* Refer-Sub = "true" / "false" *(SEMI exten) (RFC 4488 §5) */
int
sip_get_refer_sub(const SipMessage *m)
{
    const SipHeader *h = sip_message_header(m, SIP_HDR_REFER_SUB);
    if (h == NULL)
        return -1;
    SipStr v, params;
    split_at(sip_header_value(m, h), ';', &v, &params);
    if (sip_str_ieq(v, "true"))
        return 1;
    if (sip_str_ieq(v, "false"))
        return 0;
    return -1;
}

bool
sip_has_option_tag(const SipMessage *m, SipHeaderId which, const char *tag)
{
    for (const SipHeader *h = sip_message_next_header(m, which, NULL); h;
         h = sip_message_next_header(m, which, h)) {
        SipStr rest = sip_header_value(m, h), v;
        while (sip_header_next_value(&rest, &v))
            if (sip_str_ieq(v, tag))
                return true;
    }
    return false;
}

/* RSeq = response-num, 1 to 2**32 - 1 (RFC 3262 §7.1) */
long long
sip_get_rseq(const SipMessage *m)
{
    const SipHeader *h = sip_message_header(m, SIP_HDR_RSEQ);
    unsigned long long v;
    if (h == NULL || !parse_uint(sip_header_value(m, h), 0xffffffffULL, &v) || v == 0)
        return -1;
    return (long long)v;
}
