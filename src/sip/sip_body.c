#include <config.h>
#include "sip/sip_body.h"

#include <string.h>
#include "sip/sip_header.h"
#include "sip/sip_uri.h"

static inline SipStr
str_sub(SipStr s, size_t from, size_t to)
{
    SipStr r = { s.p + from, to - from };
    return r;
}

/* "type/subtype" against lit, case-insensitively (RFC 2045 §5.1), with the
 * LWS that SLASH allows around '/' (RFC 3261 §25.1) ignored. */
static bool
media_eq(SipStr type, const char *lit)
{
    const char *ls = strchr(lit, '/');
    const char *ts = type.len ? memchr(type.p, '/', type.len) : NULL;
    if (ls == NULL || ts == NULL)
        return false;
    SipStr t1 = sip_str_trim(str_sub(type, 0, (size_t)(ts - type.p)));
    SipStr t2 = sip_str_trim(str_sub(type, (size_t)(ts - type.p) + 1, type.len));
    size_t l1 = (size_t)(ls - lit);
    if (t1.len != l1 || !sip_str_ieq(t2, ls + 1))
        return false;
    for (size_t i = 0; i < l1; i++) {
        unsigned char a = (unsigned char)t1.p[i], b = (unsigned char)lit[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b + 32);
        if (a != b)
            return false;
    }
    return true;
}

static bool
is_multipart(SipStr type)
{
    const char *ts = type.len ? memchr(type.p, '/', type.len) : NULL;
    return ts && sip_str_ieq(sip_str_trim(str_sub(type, 0, (size_t)(ts - type.p))), "multipart");
}

/* Offset of the next "--boundary" that starts a line at or after from
 * (RFC 2046 §5.1.1: the delimiter is CRLF "--" boundary; the first one may
 * open the body), or body.len. */
static size_t
find_delimiter(SipStr body, size_t from, SipStr boundary)
{
    size_t need = boundary.len + 2;
    size_t i = from;
    while (i + need <= body.len) {
        const char *d = memchr(body.p + i, '-', body.len - i - need + 1);
        if (d == NULL)
            break;
        i = (size_t)(d - body.p);
        if ((i == 0 || body.p[i - 1] == '\n') && body.p[i + 1] == '-' &&
            memcmp(body.p + i + 2, boundary.p, boundary.len) == 0)
            return i;
        i++;
    }
    return body.len;
}

/* Header value of a MIME part (Content-Type only is needed); part headers
 * end at the first empty line. Folded lines are kept in the value. */
static bool
part_split(SipStr part, SipStr *ctype, SipStr *content)
{
    size_t pos = 0;
    bool have_type = false;
    while (pos < part.len) {
        if (part.p[pos] == '\n') {
            *content = str_sub(part, pos + 1, part.len);
            return have_type;
        }
        if (part.p[pos] == '\r' && pos + 1 < part.len && part.p[pos + 1] == '\n') {
            *content = str_sub(part, pos + 2, part.len);
            return have_type;
        }
        size_t ls = pos, e;
        for (;;) {
            const char *nl = memchr(part.p + pos, '\n', part.len - pos);
            if (nl == NULL) {
                e = pos = part.len;
                break;
            }
            e = (size_t)(nl - part.p);
            pos = e + 1;
            if (pos < part.len && (part.p[pos] == ' ' || part.p[pos] == '\t'))
                continue;
            break;
        }
        SipStr line = str_sub(part, ls, e);
        const char *colon = memchr(line.p, ':', line.len);
        if (colon && !have_type &&
            sip_str_ieq(sip_str_trim(str_sub(line, 0, (size_t)(colon - line.p))), "Content-Type")) {
            *ctype = sip_str_trim(str_sub(line, (size_t)(colon - line.p) + 1, line.len));
            have_type = true;
        }
    }
    /* no empty line: headers only, no content */
    *content = str_sub(part, part.len, part.len);
    return have_type;
}

static bool
find_in(SipStr type, SipStr params, SipStr body, const char *want, unsigned depth, SipStr *out)
{
    if (media_eq(type, want)) {
        *out = body;
        return true;
    }
    if (!is_multipart(type) || depth >= SS_SIP_MAX_MULTIPART_DEPTH)
        return false;
    SipStr boundary;
    if (!sip_param_get(params, "boundary", &boundary))
        return false;
    /* RFC 2046 §5.1.1: the boundary may be a quoted-string */
    if (boundary.len >= 2 && boundary.p[0] == '"' && boundary.p[boundary.len - 1] == '"')
        boundary = str_sub(boundary, 1, boundary.len - 1);
    if (boundary.len == 0)
        return false;

    size_t d = find_delimiter(body, 0, boundary);
    while (d < body.len) {
        size_t after = d + 2 + boundary.len;
        /* close-delimiter "--boundary--" ends the multipart */
        if (after + 2 <= body.len && body.p[after] == '-' && body.p[after + 1] == '-')
            break;
        const char *nl = memchr(body.p + after, '\n', body.len - after);
        if (nl == NULL)
            break;
        size_t ps = (size_t)(nl - body.p) + 1;
        size_t next = find_delimiter(body, ps, boundary);
        size_t pe = next;
        /* the CRLF before the next delimiter belongs to it */
        if (next < body.len) {
            if (pe > ps && body.p[pe - 1] == '\n')
                pe--;
            if (pe > ps && body.p[pe - 1] == '\r')
                pe--;
        }
        SipStr part = str_sub(body, ps, pe), ctype, content, ptype, pparams;
        if (!part_split(part, &ctype, &content)) {
            /* RFC 2046 §5.1: a part without Content-Type is text/plain */
            ctype.p = "text/plain";
            ctype.len = strlen(ctype.p);
        }
        const char *semi = memchr(ctype.p, ';', ctype.len);
        if (semi) {
            ptype = sip_str_trim(str_sub(ctype, 0, (size_t)(semi - ctype.p)));
            pparams = sip_str_trim(str_sub(ctype, (size_t)(semi - ctype.p) + 1, ctype.len));
        } else {
            ptype = ctype;
            pparams = str_sub(ctype, ctype.len, ctype.len);
        }
        if (find_in(ptype, pparams, content, want, depth + 1, out))
            return true;
        d = next;
    }
    return false;
}

bool
sip_body_find(const SipMessage *m, const char *media_type, SipStr *part)
{
    SipStr type, params;
    if (m == NULL || media_type == NULL || !sip_get_content_type(m, &type, &params))
        return false;
    return find_in(type, params, sip_span_str(m, m->body), media_type, 0, part);
}

/* RFC 3420 §2: sipfrag may start with a start line; a refer NOTIFY
 * carries the Status-Line of the referred request's response (RFC 3515
 * §2.4.5). */
unsigned
sip_sipfrag_status(SipStr body)
{
    size_t i = 0;
    while (i < body.len && (body.p[i] == '\r' || body.p[i] == '\n' || body.p[i] == ' ' || body.p[i] == '\t'))
        i++;
    if (body.len - i < 4 || !sip_str_ieq(str_sub(body, i, i + 4), "SIP/"))
        return 0;
    const char *sp = memchr(body.p + i, ' ', body.len - i);
    if (sp == NULL)
        return 0;
    size_t j = (size_t)(sp - body.p) + 1;
    if (body.len - j < 3)
        return 0;
    unsigned code = 0;
    for (size_t k = j; k < j + 3; k++) {
        unsigned char c = (unsigned char)body.p[k];
        if (c < '0' || c > '9')
            return 0;
        code = code * 10 + (unsigned)(c - '0');
    }
    if (j + 3 < body.len) {
        char c = body.p[j + 3];
        if (c != ' ' && c != '\r' && c != '\n')
            return 0;
    }
    return code >= 100 && code <= 699 ? code : 0;
}
