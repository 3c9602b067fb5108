#include <config.h>
#include "sip/sip_uri.h"

#include <string.h>

/* Empty views point here, never at NULL, so that memcmp/memchr on them
 * stay defined. */
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

static inline bool
is_lws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline unsigned char
ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static inline bool
is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int
hex_val(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = ascii_lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

SipStr
sip_str_trim(SipStr s)
{
    if (s.p == NULL)
        return str_empty();
    size_t b = 0, e = s.len;
    while (b < e && is_lws((unsigned char)s.p[b]))
        b++;
    while (e > b && is_lws((unsigned char)s.p[e - 1]))
        e--;
    return str_sub(s, b, e);
}

/* RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*"
 *                             / "_" / "+" / "`" / "'" / "~" ) */
static inline bool
is_token_char(unsigned char c)
{
    if (is_alpha(c) || is_digit(c))
        return true;
    switch (c) {
    case '-': case '.': case '!': case '%': case '*':
    case '_': case '+': case '`': case '\'': case '~':
        return true;
    default:
        return false;
    }
}

bool
sip_str_is_token(SipStr s)
{
    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!is_token_char((unsigned char)s.p[i]))
            return false;
    return true;
}

bool
sip_str_eq(SipStr a, const char *lit)
{
    size_t n = strlen(lit);
    return a.len == n && (n == 0 || memcmp(a.p, lit, n) == 0);
}

bool
sip_str_ieq(SipStr a, const char *lit)
{
    size_t n = strlen(lit);
    if (a.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower((unsigned char)a.p[i]) != ascii_lower((unsigned char)lit[i]))
            return false;
    return true;
}

bool
sip_str_equal(SipStr a, SipStr b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* End of the ';'-separated item starting at from: a ';' inside a quoted
 * string (RFC 3261 §25.1 quoted-string, with quoted-pair) does not end it. */
static size_t
item_end_quoted(SipStr s, size_t from)
{
    bool quoted = false;
    for (size_t i = from; i < s.len; i++) {
        char c = s.p[i];
        if (quoted) {
            if (c == '\\')
                i++;
            else if (c == '"')
                quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ';') {
            return i;
        }
    }
    return s.len;
}

bool
sip_param_next(SipStr params, size_t *pos, SipStr *name, SipStr *value, bool *has_value)
{
    size_t from = *pos;
    if (params.p == NULL || params.len == 0 || from > params.len)
        return false;
    size_t n = params.len - from;
    const char *semi = memchr(params.p + from, ';', n);
    size_t end = semi ? (size_t)(semi - params.p) : params.len;
    /* quoted values are rare: only then the slow scan */
    if (memchr(params.p + from, '"', end - from))
        end = item_end_quoted(params, from);
    *pos = end + 1;
    SipStr item = str_sub(params, from, end);
    const char *eq = item.len ? memchr(item.p, '=', item.len) : NULL;
    if (eq) {
        *name = sip_str_trim(str_sub(item, 0, (size_t)(eq - item.p)));
        *value = sip_str_trim(str_sub(item, (size_t)(eq - item.p) + 1, item.len));
    } else {
        *name = sip_str_trim(item);
        *value = str_empty();
    }
    if (has_value)
        *has_value = eq != NULL;
    return true;
}

bool
sip_param_get(SipStr params, const char *name, SipStr *value)
{
    size_t pos = 0, nlen = strlen(name);
    SipStr pn, pv;
    while (sip_param_next(params, &pos, &pn, &pv, NULL)) {
        if (pn.len == nlen && sip_str_ieq(pn, name)) {
            if (value)
                *value = pv;
            return true;
        }
    }
    if (value)
        *value = str_empty();
    return false;
}

bool
sip_uri_header_get(SipStr headers, const char *name, SipStr *value)
{
    size_t pos = 0;
    while (headers.p && pos <= headers.len) {
        const char *amp = pos < headers.len ? memchr(headers.p + pos, '&', headers.len - pos) : NULL;
        size_t end = amp ? (size_t)(amp - headers.p) : headers.len;
        SipStr item = str_sub(headers, pos, end);
        const char *eq = item.len ? memchr(item.p, '=', item.len) : NULL;
        SipStr hname = eq ? str_sub(item, 0, (size_t)(eq - item.p)) : item;
        if (sip_str_ieq(hname, name)) {
            if (value)
                *value = eq ? str_sub(item, (size_t)(eq - item.p) + 1, item.len) : str_empty();
            return true;
        }
        pos = end + 1;
    }
    if (value)
        *value = str_empty();
    return false;
}

size_t
sip_str_unescape(SipStr in, char *out, size_t out_size)
{
    size_t o = 0;
    for (size_t i = 0; i < in.len; i++) {
        unsigned char c = (unsigned char)in.p[i];
        if (c == '%' && in.len - i >= 3) {
            int hi = hex_val((unsigned char)in.p[i + 1]);
            int lo = hex_val((unsigned char)in.p[i + 2]);
            if (hi >= 0 && lo >= 0) {
                c = (unsigned char)(hi * 16 + lo);
                i += 2;
            }
        }
        /* RFC 4475 §3.1.1.5: a '%' not followed by two hex digits is not an
         * escape; it is kept as is. */
        if (o >= out_size)
            return (size_t)-1;
        out[o++] = (char)c;
    }
    return o;
}

static bool
scheme_valid(SipStr s)
{
    /* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
    if (s.len == 0 || !is_alpha((unsigned char)s.p[0]))
        return false;
    for (size_t i = 1; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
            return false;
    }
    return true;
}

static bool
host_char(unsigned char c)
{
    /* hostname / IPv4address (RFC 3261 §25.1); '_' tolerated, seen in the
     * wild in SRV-style names. */
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

bool
sip_uri_parse(SipStr text, SipUri *uri)
{
    uri->scheme = SIP_URI_OTHER;
    uri->scheme_text = str_empty();
    uri->user = str_empty();
    uri->password = str_empty();
    uri->host = str_empty();
    uri->port = -1;
    uri->params = str_empty();
    uri->headers = str_empty();
    if (text.p == NULL || text.len == 0)
        return false;

    const char *colon = memchr(text.p, ':', text.len);
    if (colon == NULL)
        return false;
    size_t sc = (size_t)(colon - text.p);
    uri->scheme_text = str_sub(text, 0, sc);
    if (!scheme_valid(uri->scheme_text))
        return false;
    /* LWS is not allowed anywhere in a URI (RFC 3261 §25.1; RFC 4475
     * §3.1.2.8). */
    for (size_t i = 0; i < text.len; i++)
        if (is_lws((unsigned char)text.p[i]))
            return false;

    SipStr rest = str_sub(text, sc + 1, text.len);
    if (sip_str_ieq(uri->scheme_text, "sip"))
        uri->scheme = SIP_URI_SIP;
    else if (sip_str_ieq(uri->scheme_text, "sips"))
        uri->scheme = SIP_URI_SIPS;
    else if (sip_str_ieq(uri->scheme_text, "tel"))
        uri->scheme = SIP_URI_TEL;
    else
        return rest.len > 0;

    if (uri->scheme == SIP_URI_TEL) {
        /* RFC 3966 §3: telephone-subscriber *par; no hostport. */
        const char *semi = rest.len ? memchr(rest.p, ';', rest.len) : NULL;
        size_t ne = semi ? (size_t)(semi - rest.p) : rest.len;
        uri->user = str_sub(rest, 0, ne);
        if (semi)
            uri->params = str_sub(rest, ne + 1, rest.len);
        return uri->user.len > 0;
    }

    /* RFC 3261 §19.1.1: '@' cannot appear unescaped in the hostport,
     * parameters or headers, so the first one ends the userinfo, even when
     * the user part holds ';', '?' or ':' (RFC 4475 §3.1.1.2, §3.1.1.9). */
    SipStr hp = rest;
    const char *at = rest.len ? memchr(rest.p, '@', rest.len) : NULL;
    if (at) {
        SipStr ui = str_sub(rest, 0, (size_t)(at - rest.p));
        const char *pc = ui.len ? memchr(ui.p, ':', ui.len) : NULL;
        if (pc) {
            uri->user = str_sub(ui, 0, (size_t)(pc - ui.p));
            uri->password = str_sub(ui, (size_t)(pc - ui.p) + 1, ui.len);
        } else {
            uri->user = ui;
        }
        hp = str_sub(rest, (size_t)(at - rest.p) + 1, rest.len);
        if (uri->user.len == 0)
            return false;
    }

    bool ok = true;
    size_t i = 0;
    if (hp.len && hp.p[0] == '[') {
        /* IPv6reference = "[" IPv6address "]": kept with brackets */
        const char *rb = memchr(hp.p, ']', hp.len);
        if (rb == NULL) {
            uri->host = hp;
            return false;
        }
        i = (size_t)(rb - hp.p) + 1;
        for (size_t k = 1; k + 1 < i; k++) {
            unsigned char c = (unsigned char)hp.p[k];
            if (!(is_digit(c) || (ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f') || c == ':' || c == '.'))
                ok = false;
        }
        if (i == 2)
            ok = false;
    } else {
        while (i < hp.len && hp.p[i] != ':' && hp.p[i] != ';' && hp.p[i] != '?') {
            if (!host_char((unsigned char)hp.p[i]))
                ok = false;
            i++;
        }
        if (i == 0)
            ok = false;
    }
    uri->host = str_sub(hp, 0, i);

    if (i < hp.len && hp.p[i] == ':') {
        size_t ps = ++i;
        unsigned long port = 0;
        while (i < hp.len && is_digit((unsigned char)hp.p[i]) && i - ps < 6) {
            port = port * 10 + (unsigned long)(hp.p[i] - '0');
            i++;
        }
        if (i == ps || port > 65535)
            ok = false;
        else
            uri->port = (int)port;
        /* skip whatever is left of a bad port up to the next delimiter */
        while (i < hp.len && hp.p[i] != ';' && hp.p[i] != '?') {
            ok = false;
            i++;
        }
    }
    if (i < hp.len && hp.p[i] == ';') {
        size_t ps = ++i;
        const char *q = memchr(hp.p + ps, '?', hp.len - ps);
        i = q ? (size_t)(q - hp.p) : hp.len;
        uri->params = str_sub(hp, ps, i);
    }
    if (i < hp.len && hp.p[i] == '?')
        uri->headers = str_sub(hp, i + 1, hp.len);
    return ok;
}
