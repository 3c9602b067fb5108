#include <config.h>
#include "sip/sip_parse.h"

#include <limits.h>
#include <string.h>
#include "common/scan.h"
#include "sip/sip_header.h"
#include "sip/sip_token.h"
#include "sip/sip_uri.h"

/* One pass over the bytes: ss_find_byte finds each line end, a table classifies
 * header-name characters, and the name is looked up by length and first
 * character. Checks that need a header's value parsed (CSeq, From/To, Via,
 * ...) run once after the scan, on the headers kept. */

/* RFC 3261 §25.1 token characters */
#define TK(c) \
    ((((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9') || \
      (c) == '-' || (c) == '.' || (c) == '!' || (c) == '%' || (c) == '*' || (c) == '_' || (c) == '+' || \
      (c) == '`' || (c) == '\'' || (c) == '~') ? 1 : 0)
#define TK4(c) TK(c), TK((c) + 1), TK((c) + 2), TK((c) + 3)
#define TK16(c) TK4(c), TK4((c) + 4), TK4((c) + 8), TK4((c) + 12)
#define TK64(c) TK16(c), TK16((c) + 16), TK16((c) + 32), TK16((c) + 48)
const unsigned char sip_token_char[256] = { TK64(0), TK64(64), TK64(128), TK64(192) };

static inline bool
is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static inline bool
is_lws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
add_anomaly(SipMessage *m, SsAnomaly a)
{
    for (unsigned i = 0; i < m->n_anomalies; i++)
        if (m->anomalies[i] == a)
            return;
    if (m->n_anomalies < SIP_MAX_ANOMALIES)
        m->anomalies[m->n_anomalies++] = a;
}

bool
sip_message_has_anomaly(const SipMessage *m, SsAnomaly a)
{
    for (unsigned i = 0; i < m->n_anomalies; i++)
        if (m->anomalies[i] == a)
            return true;
    return false;
}

/* Whether p[0, n) is lit (lower case letters and '-', exactly n bytes),
 * ignoring the case of letters: 0x20 is OR-ed into the letters' places
 * only (bit 6 of lit's byte, shifted), so any byte that matches is a token
 * character: a name found here needs no token check. Eight bytes at a
 * time: header names are 2 to 19 bytes. */
static inline bool
name_is(const char *p, const char *lit, size_t n)
{
    const uint64_t b6 = 0x4040404040404040ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t a, b;
        memcpy(&a, p + i, 8);
        memcpy(&b, lit + i, 8);
        if ((a | (b & b6) >> 1) != b)
            return false;
    }
    if (i + 4 <= n) {
        uint32_t a, b;
        memcpy(&a, p + i, 4);
        memcpy(&b, lit + i, 4);
        if ((a | (b & 0x40404040u) >> 1) != b)
            return false;
        i += 4;
    }
    if (i + 2 <= n) {
        uint16_t a, b;
        memcpy(&a, p + i, 2);
        memcpy(&b, lit + i, 2);
        if ((uint16_t)(a | (b & 0x4040u) >> 1) != b)
            return false;
        i += 2;
    }
    return i == n || (unsigned char)(p[i] | (lit[i] & 0x40) >> 1) == (unsigned char)lit[i];
}

/* RFC 3261 §7.3.3 compact forms plus the IANA "SIP Parameters" registry
 * (a, b, d, j, o, r, u, x, y). "n" (Identity-Info) has no id of its own. */
static SipHeaderId
compact_id(unsigned char c)
{
    switch (c | 0x20) {
    case 'a': return SIP_HDR_ACCEPT_CONTACT;
    case 'b': return SIP_HDR_REFERRED_BY;
    case 'c': return SIP_HDR_CONTENT_TYPE;
    case 'd': return SIP_HDR_REQUEST_DISPOSITION;
    case 'e': return SIP_HDR_CONTENT_ENCODING;
    case 'f': return SIP_HDR_FROM;
    case 'i': return SIP_HDR_CALL_ID;
    case 'j': return SIP_HDR_REJECT_CONTACT;
    case 'k': return SIP_HDR_SUPPORTED;
    case 'l': return SIP_HDR_CONTENT_LENGTH;
    case 'm': return SIP_HDR_CONTACT;
    case 'o': return SIP_HDR_EVENT;
    case 'r': return SIP_HDR_REFER_TO;
    case 's': return SIP_HDR_SUBJECT;
    case 't': return SIP_HDR_TO;
    case 'u': return SIP_HDR_ALLOW_EVENTS;
    case 'v': return SIP_HDR_VIA;
    case 'x': return SIP_HDR_SESSION_EXPIRES;
    case 'y': return SIP_HDR_IDENTITY;
    default: return SIP_HDR_OTHER;
    }
}

#define H(lit, id) \
    do { \
        if (c == (lit)[0] && name_is(p, lit, n)) \
            return id; \
    } while (0)

static SipHeaderId
header_lookup(const char *p, size_t n)
{
    if (n == 0)
        return SIP_HDR_OTHER;
    unsigned char c = (unsigned char)(p[0] | 0x20);
    switch (n) {
    case 1:
        return compact_id(c);
    case 2:
        H("to", SIP_HDR_TO);
        break;
    case 3:
        H("via", SIP_HDR_VIA);
        break;
    case 4:
        H("from", SIP_HDR_FROM);
        H("cseq", SIP_HDR_CSEQ);
        H("date", SIP_HDR_DATE);
        H("rack", SIP_HDR_RACK);
        H("rseq", SIP_HDR_RSEQ);
        break;
    case 5:
        H("allow", SIP_HDR_ALLOW);
        H("event", SIP_HDR_EVENT);
        H("route", SIP_HDR_ROUTE);
        break;
    case 6:
        H("accept", SIP_HDR_ACCEPT);
        H("reason", SIP_HDR_REASON);
        H("server", SIP_HDR_SERVER);
        break;
    case 7:
        H("call-id", SIP_HDR_CALL_ID);
        H("contact", SIP_HDR_CONTACT);
        H("expires", SIP_HDR_EXPIRES);
        H("require", SIP_HDR_REQUIRE);
        H("subject", SIP_HDR_SUBJECT);
        break;
    case 8:
        H("refer-to", SIP_HDR_REFER_TO);
        H("replaces", SIP_HDR_REPLACES);
        H("identity", SIP_HDR_IDENTITY);
        break;
    case 9:
        H("refer-sub", SIP_HDR_REFER_SUB);
        H("supported", SIP_HDR_SUPPORTED);
        break;
    case 10:
        H("user-agent", SIP_HDR_USER_AGENT);
        break;
    case 11:
        H("referred-by", SIP_HDR_REFERRED_BY);
        break;
    case 12:
        H("content-type", SIP_HDR_CONTENT_TYPE);
        H("max-forwards", SIP_HDR_MAX_FORWARDS);
        H("record-route", SIP_HDR_RECORD_ROUTE);
        H("allow-events", SIP_HDR_ALLOW_EVENTS);
        break;
    case 13:
        H("target-dialog", SIP_HDR_TARGET_DIALOG);
        break;
    case 14:
        H("content-length", SIP_HDR_CONTENT_LENGTH);
        H("accept-contact", SIP_HDR_ACCEPT_CONTACT);
        H("reject-contact", SIP_HDR_REJECT_CONTACT);
        break;
    case 15:
        H("session-expires", SIP_HDR_SESSION_EXPIRES);
        break;
    case 16:
        H("content-encoding", SIP_HDR_CONTENT_ENCODING);
        break;
    case 18:
        H("subscription-state", SIP_HDR_SUBSCRIPTION_STATE);
        break;
    case 19:
        H("request-disposition", SIP_HDR_REQUEST_DISPOSITION);
        H("p-asserted-identity", SIP_HDR_P_ASSERTED_IDENTITY);
        break;
    default:
        break;
    }
    return SIP_HDR_OTHER;
}

#undef H

SipHeaderId
sip_header_id_from_name(const char *name, size_t len)
{
    if (name == NULL)
        return SIP_HDR_OTHER;
    for (size_t i = 0; i < len; i++)
        if (!sip_token_char[(unsigned char)name[i]])
            return SIP_HDR_OTHER;
    return header_lookup(name, len);
}

static inline SipSpan
span(size_t off, size_t len)
{
    SipSpan s = { (uint32_t)off, (uint32_t)len };
    return s;
}

/* inline: lit is a literal everywhere, so strlen() folds */
static inline __attribute__((always_inline)) bool
ieq_n(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n != l)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)p[i], b = (unsigned char)lit[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b + 32);
        if (a != b)
            return false;
    }
    return true;
}

/* RFC 3261 §7.1: the version is "SIP/2.0"; §7.1 makes it case-insensitive. */
static void
check_version(SipMessage *m)
{
    const char *v = m->buf + m->version.off;
    if (m->version.len == 7 && memcmp(v, "SIP/2.0", 7) == 0)
        return;
    if (!ieq_n(v, m->version.len, "SIP/2.0"))
        add_anomaly(m, SS_ANOMALY_SIP_BAD_VERSION);
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2).
 * The reason may be empty (RFC 4475 §3.1.1.13) or any UTF-8 (§3.1.1.12). */
static bool
parse_status_line(SipMessage *m, size_t s, size_t e)
{
    const char *b = m->buf;
    const char *sp = ss_find_byte(b + s, ' ', e - s);
    if (sp == NULL)
        return false;
    size_t i = (size_t)(sp - b);
    m->version = span(s, i - s);
    check_version(m);
    size_t j = i + 1;
    while (j < e && b[j] == ' ')
        j++;
    if (j - i > 1)
        add_anomaly(m, SS_ANOMALY_SIP_BAD_START_LINE);
    size_t k = j;
    unsigned long long code = 0;
    while (k < e && b[k] >= '0' && b[k] <= '9') {
        if (code < 100000)
            code = code * 10 + (unsigned)(b[k] - '0');
        k++;
    }
    if (k == j)
        return false;
    /* Status-Code = 3DIGIT, 100-699 (§7.2, §21); RFC 4475 §3.1.2.19 */
    if (k - j != 3 || code < 100 || code > 699) {
        add_anomaly(m, SS_ANOMALY_SIP_BAD_STATUS);
        m->status = 0;
    } else {
        m->status = (unsigned)code;
    }
    if (k < e && b[k] == ' ') {
        m->reason = span(k + 1, e - k - 1);
    } else {
        /* "SIP/2.0 200" without the SP before the (empty) reason, or
         * "200OK": keep what follows as the reason */
        add_anomaly(m, SS_ANOMALY_SIP_BAD_START_LINE);
        m->reason = span(k, e - k);
    }
    m->is_request = false;
    return true;
}

/* Request-Line = Method SP Request-URI SP SIP-Version (§7.1). Extra SP
 * (RFC 4475 §3.1.2.9), trailing SP (§3.1.2.10), LWS inside the URI
 * (§3.1.2.8) and a URI in <> (§3.1.2.7) are flagged but recovered. */
static bool
parse_request_line(SipMessage *m, size_t s, size_t e)
{
    const char *b = m->buf;
    size_t i = s;
    while (i < e && sip_token_char[(unsigned char)b[i]])
        i++;
    if (i == s || i >= e || b[i] != ' ')
        return false;
    m->method_text = span(s, i - s);
    m->method = sip_method_from_token(b + s, i - s);

    size_t j = i;
    while (j < e && b[j] == ' ')
        j++;
    if (j - i > 1)
        add_anomaly(m, SS_ANOMALY_SIP_BAD_START_LINE);
    size_t k = e;
    while (k > j && is_wsp(b[k - 1]))
        k--;
    if (k < e)
        add_anomaly(m, SS_ANOMALY_SIP_BAD_START_LINE);
    if (k == j)
        return false;

    size_t last = k;
    while (last > j && b[last - 1] != ' ' && b[last - 1] != '\t')
        last--;
    size_t us = j, ue;
    if (last == j) {
        /* "INVITE SIP/2.0": no Request-URI */
        if (k - j >= 4 && ieq_n(b + j, 4, "SIP/"))
            return false;
        /* no version at all: "INVITE sip:a@b" */
        add_anomaly(m, SS_ANOMALY_SIP_BAD_START_LINE);
        add_anomaly(m, SS_ANOMALY_SIP_BAD_VERSION);
        m->version = span(k, 0);
        ue = k;
    } else {
        m->version = span(last, k - last);
        check_version(m);
        ue = last - 1;
        while (ue > us && is_wsp(b[ue - 1])) {
            add_anomaly(m, SS_ANOMALY_SIP_BAD_START_LINE);
            ue--;
        }
        if (ue == us) {
            return false;
        }
        if (ss_find_byte(b + us, ' ', ue - us) || ss_find_byte(b + us, '\t', ue - us))
            add_anomaly(m, SS_ANOMALY_SIP_BAD_START_LINE);
    }
    if (ue - us >= 2 && b[us] == '<' && b[ue - 1] == '>') {
        add_anomaly(m, SS_ANOMALY_SIP_BAD_START_LINE);
        us++;
        ue--;
    }
    if (ue == us)
        return false;
    m->request_uri = span(us, ue - us);
    m->is_request = true;
    return true;
}

static bool
parse_start_line(SipMessage *m, size_t s, size_t e)
{
    if (e - s >= 4 && ieq_n(m->buf + s, 4, "SIP/"))
        return parse_status_line(m, s, e);
    return parse_request_line(m, s, e);
}

/* Content-Length = 1*DIGIT (§20.14). -2 for anything else, including a
 * sign (RFC 4475 §3.1.2.3) and values past 2^63 - 1 (checked before each
 * step, never overflowing). */
static long long
parse_content_length(const char *p, size_t n)
{
    if (n == 0)
        return -2;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < '0' || c > '9')
            return -2;
        int d = c - '0';
        if (v > LLONG_MAX / 10 || (v == LLONG_MAX / 10 && d > LLONG_MAX % 10))
            return -2;
        v = v * 10 + d;
    }
    return v;
}

typedef struct {
    unsigned n_content_length; /* including any past the header cap */
} ParseState;

static void
add_header(SipMessage *m, ParseState *st, size_t ls, size_t le)
{
    const char *b = m->buf;
    m->n_headers_seen++;
    /* name *(SP / HT) ":" (RFC 3261 §7.3.1, HCOLON) */
    const char *colon = ss_find_byte(b + ls, ':', le - ls);
    size_t ne = colon ? (size_t)(colon - b) : ls;
    while (ne > ls && is_wsp(b[ne - 1]))
        ne--;
    SipHeaderId id = ne > ls ? header_lookup(b + ls, ne - ls) : SIP_HDR_OTHER;
    if (id == SIP_HDR_OTHER) {
        /* not a name we know (whose bytes header_lookup matched exactly):
         * it must be a token */
        size_t i = ls;
        while (i + 4 <= ne && sip_token_char[(unsigned char)b[i]] && sip_token_char[(unsigned char)b[i + 1]] &&
               sip_token_char[(unsigned char)b[i + 2]] && sip_token_char[(unsigned char)b[i + 3]])
            i += 4;
        while (i < ne && sip_token_char[(unsigned char)b[i]])
            i++;
        if (ne == ls || i < ne) {
            /* no "name:" (RFC 4475 test.dat "Foobar roobar") */
            add_anomaly(m, SS_ANOMALY_SIP_BAD_HEADER);
            return;
        }
    }
    size_t i = (size_t)(colon - b);
    size_t vs = i + 1, ve = le;
    if (ve > vs && b[ve - 1] == '\r')
        ve--;
    while (vs < ve && is_lws(b[vs]))
        vs++;
    while (ve > vs && is_lws(b[ve - 1]))
        ve--;
    if (id == SIP_HDR_CONTENT_LENGTH) {
        /* looked at even past the header cap: the body depends on it */
        if (st->n_content_length++ == 0) {
            m->content_length = parse_content_length(b + vs, ve - vs);
            if (m->content_length < 0)
                add_anomaly(m, SS_ANOMALY_SIP_BAD_CONTENT_LENGTH);
        }
    }
    if (m->n_headers >= SS_SIP_MAX_HEADERS) {
        add_anomaly(m, SS_ANOMALY_SIP_TOO_MANY_HEADERS);
        return;
    }
    SipHeader *h = &m->headers[m->n_headers++];
    h->id = id;
    h->name = span(ls, ne - ls);
    h->value = span(vs, ve - vs);
    if (m->first[id] == 0)
        m->first[id] = (uint16_t)m->n_headers;
    m->count[id]++;
}

static bool
uint_ok(SipStr v, unsigned long long max)
{
    if (v.len == 0 || v.len > 20)
        return false;
    unsigned long long x = 0;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (c < '0' || c > '9')
            return false;
        unsigned d = (unsigned)(c - '0');
        if (x > max / 10 || (x == max / 10 && d > max % 10))
            return false;
        x = x * 10 + (unsigned)(c - '0');
    }
    return true;
}

/* absoluteURI needs a scheme (RFC 3986 §3.1: ALPHA *(ALPHA / DIGIT / "+" /
 * "-" / ".") ":") */
static bool
uri_has_scheme(SipStr u)
{
    size_t i = 0;
    if (u.len == 0 || !(((u.p[0] | 0x20) >= 'a') && ((u.p[0] | 0x20) <= 'z')))
        return false;
    while (i < u.len && u.p[i] != ':') {
        char c = u.p[i];
        if (!(((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
              c == '.'))
            return false;
        i++;
    }
    return i < u.len && i + 1 < u.len;
}

/* Checks that need a value parsed, on the headers kept. */
static void
validate(SipMessage *m, bool all)
{
    if (all) {
        /* RFC 3261 §8.1.1: the mandatory headers (RFC 4475 §3.3.1) */
        static const SipHeaderId mandatory[] = {
            SIP_HDR_CALL_ID, SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_CSEQ, SIP_HDR_VIA,
        };
        for (size_t i = 0; i < sizeof mandatory / sizeof mandatory[0]; i++)
            if (m->count[mandatory[i]] == 0)
                add_anomaly(m, SS_ANOMALY_SIP_MISSING_HEADER);
        /* §7.3.1: only comma-list headers may repeat (RFC 4475 §3.3.8, §3.3.9) */
        static const SipHeaderId single[] = {
            SIP_HDR_CALL_ID, SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_CSEQ, SIP_HDR_CONTENT_LENGTH, SIP_HDR_MAX_FORWARDS,
        };
        for (size_t i = 0; i < sizeof single / sizeof single[0]; i++)
            if (m->count[single[i]] > 1)
                add_anomaly(m, SS_ANOMALY_SIP_DUPLICATE_HEADER);
    }
    if (m->count[SIP_HDR_CSEQ]) {
        SipCSeq cs;
        bool ok = sip_get_cseq(m, &cs);
        m->cseq_state = ok ? 1 : 2;
        if (ok) {
            m->cseq_seq = cs.seq;
            m->cseq_method = cs.method;
            m->cseq_method_text = span((size_t)(cs.method_text.p - m->buf), cs.method_text.len);
        }
        if (!ok)
            add_anomaly(m, SS_ANOMALY_SIP_BAD_CSEQ);
        else if (m->is_request && !(cs.method_text.len == m->method_text.len &&
                                    memcmp(cs.method_text.p, m->buf + m->method_text.off, cs.method_text.len) == 0))
            /* §8.1.1.5: the CSeq method matches the request method
             * (RFC 4475 §3.1.2.17, §3.1.2.18) */
            add_anomaly(m, SS_ANOMALY_SIP_CSEQ_METHOD_MISMATCH);
    }
    if (all && m->count[SIP_HDR_MAX_FORWARDS] && sip_get_max_forwards(m) < 0)
        add_anomaly(m, SS_ANOMALY_SIP_BAD_MAX_FORWARDS);

    SipNameAddr na;
    bool ok = sip_get_from(m, &na);
    m->na_cache[0] = na;
    m->na_state[0] = ok ? 1 : 2;
    if (m->count[SIP_HDR_FROM] && (!ok || na.malformed))
        add_anomaly(m, SS_ANOMALY_SIP_BAD_NAME_ADDR);
    ok = sip_get_to(m, &na);
    m->na_cache[1] = na;
    m->na_state[1] = ok ? 1 : 2;
    if (m->count[SIP_HDR_TO] && (!ok || na.malformed))
        add_anomaly(m, SS_ANOMALY_SIP_BAD_NAME_ADDR);
    /* the rest only raises anomalies */
    if (!all)
        return;
    for (const SipHeader *h = sip_message_next_header(m, SIP_HDR_CONTACT, NULL); h;
         h = sip_message_next_header(m, SIP_HDR_CONTACT, h)) {
        SipStr rest = sip_header_value(m, h), v;
        if (rest.len == 0)
            add_anomaly(m, SS_ANOMALY_SIP_BAD_NAME_ADDR);
        while (sip_header_next_value(&rest, &v)) {
            if (v.len == 1 && v.p[0] == '*') /* §10.2.2 REGISTER "Contact: *" */
                continue;
            if (!sip_name_addr_parse(v, &na) || na.malformed)
                add_anomaly(m, SS_ANOMALY_SIP_BAD_NAME_ADDR);
        }
    }
    for (const SipHeader *h = sip_message_next_header(m, SIP_HDR_VIA, NULL); h;
         h = sip_message_next_header(m, SIP_HDR_VIA, h)) {
        SipStr rest = sip_header_value(m, h), v;
        SipVia via;
        if (rest.len == 0)
            add_anomaly(m, SS_ANOMALY_SIP_BAD_VIA);
        while (sip_header_next_value(&rest, &v))
            if (!sip_via_parse(v, &via) || via.malformed)
                add_anomaly(m, SS_ANOMALY_SIP_BAD_VIA);
    }
    if (m->count[SIP_HDR_EXPIRES]) {
        /* §20.19: delta-seconds up to 2^32 - 1 (RFC 4475 §3.1.2.4); the
         * deprecated SIP-date form (§20.19 says it MAY be seen) is allowed */
        SipStr v = sip_header_value(m, sip_message_header(m, SIP_HDR_EXPIRES));
        bool date = v.len > 0 && !(v.p[0] >= '0' && v.p[0] <= '9');
        if (!date && !uint_ok(v, 0xffffffffULL))
            add_anomaly(m, SS_ANOMALY_SIP_BAD_EXPIRES);
    }
    if (m->count[SIP_HDR_DATE]) {
        /* §20.17: SIP-date is rfc1123-date, always in "GMT" (RFC 4475
         * §3.1.2.12) */
        SipStr v = sip_header_value(m, sip_message_header(m, SIP_HDR_DATE));
        if (v.len < 3 || memcmp(v.p + v.len - 3, "GMT", 3) != 0)
            add_anomaly(m, SS_ANOMALY_SIP_BAD_DATE);
    }
    if (m->is_request) {
        /* the full URI parse only when a '?' hints at headers; LWS in the
         * URI was already flagged with the start line */
        SipUri u;
        SipStr ruri = sip_span_str(m, m->request_uri);
        if (!uri_has_scheme(ruri))
            add_anomaly(m, SS_ANOMALY_SIP_BAD_URI);
        else if (ss_find_byte(ruri.p, '?', ruri.len) && sip_uri_parse(ruri, &u) &&
                 (u.scheme == SIP_URI_SIP || u.scheme == SIP_URI_SIPS) && u.headers.len > 0)
            /* §19.1.1: headers are not allowed in a Request-URI (RFC 4475
             * §3.1.2.11) */
            add_anomaly(m, SS_ANOMALY_SIP_RURI_HEADERS);
    }
}

SipParseResult
sip_message_scan(SipMessage *m, const char *buf, size_t len)
{
    m->buf = buf;
    m->len = len;
    m->is_request = false;
    m->method = SIP_METHOD_UNKNOWN;
    m->method_text = m->request_uri = m->reason = m->version = span(0, 0);
    m->status = 0;
    m->n_headers = m->n_headers_seen = 0;
    memset(m->first, 0, sizeof m->first);
    memset(m->count, 0, sizeof m->count);
    m->body = span(0, 0);
    m->content_length = -1;
    m->extra_bytes = 0;
    m->n_anomalies = 0;
    m->na_state[0] = m->na_state[1] = 0;
    m->cseq_state = 0;
    /* spans are 32-bit; SS_SIP_MAX_MESSAGE is far below */
    if (buf == NULL || len == 0 || len > UINT32_MAX)
        return SIP_PARSE_INVALID;

    size_t pos = 0;
    /* §7.5: CRLFs before the start line are ignored */
    while (pos < len && (buf[pos] == '\r' || buf[pos] == '\n'))
        pos++;
    if (pos == len)
        return SIP_PARSE_INVALID;

    bool bare_lf = false;
    const char *nl = ss_find_byte(buf + pos, '\n', len - pos);
    size_t le = nl ? (size_t)(nl - buf) : len;
    size_t ce = le;
    if (nl) {
        if (ce > pos && buf[ce - 1] == '\r')
            ce--;
        else
            bare_lf = true;
    }
    if (!parse_start_line(m, pos, ce)) {
        m->is_request = false;
        m->method = SIP_METHOD_UNKNOWN;
        m->status = 0;
        return SIP_PARSE_INVALID;
    }
    pos = nl ? le + 1 : len;

    ParseState st = { 0 };
    bool ended = false;
    while (pos < len) {
        char c = buf[pos];
        if (c == '\n') {
            bare_lf = true;
            pos++;
            ended = true;
            break;
        }
        if (c == '\r' && pos + 1 < len && buf[pos + 1] == '\n') {
            pos += 2;
            ended = true;
            break;
        }
        size_t ls = pos, e;
        for (;;) {
            nl = ss_find_byte(buf + pos, '\n', len - pos);
            if (nl == NULL) {
                e = len;
                pos = len;
                break;
            }
            e = (size_t)(nl - buf);
            if (buf[e - 1] != '\r')
                bare_lf = true;
            pos = e + 1;
            /* §7.3.1: a line starting with SP/HT continues the header */
            if (pos < len && is_wsp(buf[pos]))
                continue;
            break;
        }
        add_header(m, &st, ls, e);
    }

    /* NUL bytes: legal only as a quoted-pair inside a quoted string
     * (RFC 4475 §3.1.1.2); anything else is flagged, never truncating. */
    size_t hdr_end = pos;
    for (size_t z = 0; z < hdr_end;) {
        const char *nul = memchr(buf + z, '\0', hdr_end - z);
        if (nul == NULL)
            break;
        z = (size_t)(nul - buf);
        if (z == 0 || buf[z - 1] != '\\') {
            add_anomaly(m, SS_ANOMALY_SIP_NUL_BYTE);
            break;
        }
        z++;
    }
    if (bare_lf)
        add_anomaly(m, SS_ANOMALY_SIP_BARE_LF);
    if (st.n_content_length > 1)
        add_anomaly(m, SS_ANOMALY_SIP_DUPLICATE_HEADER);

    SipParseResult res = SIP_PARSE_OK;
    if (!ended) {
        add_anomaly(m, SS_ANOMALY_SIP_NO_END_OF_HEADERS);
        m->body = span(len, 0);
        res = SIP_PARSE_TRUNCATED;
    } else {
        size_t avail = len - pos;
        long long cl = m->content_length;
        if (cl >= 0 && (unsigned long long)cl > avail) {
            /* RFC 4475 §3.1.2.2: the body is what is there */
            add_anomaly(m, SS_ANOMALY_SIP_CONTENT_LENGTH_MISMATCH);
            m->body = span(pos, avail);
        } else if (cl >= 0) {
            /* §18.3 / RFC 4475 §3.1.1.8: octets after the body are not
             * part of this message */
            m->body = span(pos, (size_t)cl);
            m->extra_bytes = avail - (size_t)cl;
            if (m->extra_bytes)
                add_anomaly(m, SS_ANOMALY_SIP_EXTRA_BYTES);
        } else {
            /* absent (UDP, §18.3) or unusable: the rest of the datagram */
            m->body = span(pos, avail);
        }
    }
    return res;
}

void
sip_message_validate(SipMessage *m)
{
    validate(m, true);
}

void
sip_message_validate_values(SipMessage *m)
{
    validate(m, false);
}

SipParseResult
sip_message_parse(SipMessage *m, const char *buf, size_t len)
{
    SipParseResult r = sip_message_scan(m, buf, len);
    if (r != SIP_PARSE_INVALID)
        validate(m, true);
    return r;
}

const SipHeader *
sip_message_header(const SipMessage *m, SipHeaderId id)
{
    if (m == NULL || (unsigned)id >= SIP_HDR__COUNT || m->first[id] == 0)
        return NULL;
    return &m->headers[m->first[id] - 1];
}

const SipHeader *
sip_message_next_header(const SipMessage *m, SipHeaderId id, const SipHeader *prev)
{
    if (m == NULL || (unsigned)id >= SIP_HDR__COUNT)
        return NULL;
    if (prev == NULL)
        return sip_message_header(m, id);
    if (prev < m->headers || prev >= m->headers + m->n_headers)
        return NULL;
    for (unsigned i = (unsigned)(prev - m->headers) + 1; i < m->n_headers; i++)
        if (m->headers[i].id == id)
            return &m->headers[i];
    return NULL;
}

const SipHeader *
sip_message_header_by_name(const SipMessage *m, const char *name)
{
    if (m == NULL || name == NULL)
        return NULL;
    size_t n = strlen(name);
    SipHeaderId id = sip_header_id_from_name(name, n);
    if (id != SIP_HDR_OTHER)
        return sip_message_header(m, id);
    for (unsigned i = 0; i < m->n_headers; i++) {
        const SipHeader *h = &m->headers[i];
        if (h->id == SIP_HDR_OTHER && ieq_n(m->buf + h->name.off, h->name.len, name))
            return h;
    }
    return NULL;
}
