#include <config.h>
#include "sip/sip_framer.h"

#include <string.h>
#include "common/scan.h"
#include "common/limits.h"
#include "sip/sip_token.h"

/* sip_framer.c - RFC 3261 §18.3 framing: a message on a stream is its
 * start line and headers up to the empty line, then exactly Content-Length
 * bytes of body.
 *
 * Recovery rules (the RFC has none; these are ours):
 * - bytes before a start line are junk, skipped a line at a time up to the
 *   next line that looks like a request or status line;
 * - a message without Content-Length (RFC 3261 §20.14 makes it mandatory on
 *   streams) or with a non-numeric one is framed with an empty body and
 *   flagged: what follows resyncs at the next start line;
 * - CR/LF bytes between messages are keep-alives (RFC 5626 §3.5.1);
 * - a start line still without its line end after SS_SIP_FRAMER_MAX_LINE
 *   bytes, or holding a control byte, is junk (a binary protocol on the
 *   port, TLS on a clear-text capture, ...).
 */

/* A start line is a method, a Request-URI and a version; 8 KiB is far
 * beyond real ones and keeps junk without line ends from being buffered
 * up to SS_SIP_MAX_MESSAGE. */
#define SS_SIP_FRAMER_MAX_LINE (8u * 1024u)

static bool
is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static uint8_t
lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (RFC 3261 §25.1; "SIP" is
 * case-insensitive, §7.1). Any version is accepted here so that the message
 * parser, not the framer, reports a wrong one. Returns its length or 0. */
static size_t
version_len(const uint8_t *p, size_t n)
{
    /* the one every message has, in one compare */
    if (n >= 7 && memcmp(p, "SIP/2.0", 7) == 0 && (n == 7 || !is_digit(p[7])))
        return 7;
    if (n < 4 || lower(p[0]) != 's' || lower(p[1]) != 'i' || lower(p[2]) != 'p' || p[3] != '/')
        return 0;
    size_t i = 4, d = 0;
    while (i < n && is_digit(p[i]))
        i++, d++;
    if (d == 0 || i >= n || p[i] != '.')
        return 0;
    i++;
    d = 0;
    while (i < n && is_digit(p[i]))
        i++, d++;
    return d ? i : 0;
}

/* The first line of buf without its line end (and trailing SP/HTAB). */
static size_t
first_line_len(const uint8_t *buf, size_t len, bool *complete)
{
    const uint8_t *nl = ss_find_byte(buf, '\n', len);
    size_t n = nl ? (size_t)(nl - buf) : len;
    *complete = nl != NULL;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        n--;
    return n;
}

bool
sip_frame_looks_like_start(const uint8_t *buf, size_t len)
{
    if (!buf)
        return false;
    bool complete;
    size_t n = first_line_len(buf, len, &complete);
    /* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
    size_t v = version_len(buf, n);
    if (v > 0)
        return v + 4 <= n && buf[v] == ' ' && is_digit(buf[v + 1]) && is_digit(buf[v + 2]) &&
               is_digit(buf[v + 3]) && (v + 4 == n || buf[v + 4] == ' ');
    /* Request-Line = Method SP Request-URI SP SIP-Version: a token, then
     * anything, then the version as the last word */
    size_t i = 0;
    while (i < n && sip_is_token_char(buf[i]))
        i++;
    if (i == 0 || i >= n || buf[i] != ' ')
        return false;
    const uint8_t *sp = NULL;
    for (size_t k = n; k > i + 1; k--) {
        if (buf[k - 1] == ' ') {
            sp = buf + k - 1;
            break;
        }
    }
    if (!sp || sp == buf + i)
        return false;
    size_t vstart = (size_t)(sp - buf) + 1;
    return version_len(buf + vstart, n - vstart) == n - vstart;
}

/* Could these bytes (no line end yet) still become a start line? */
static bool
partial_line_plausible(const uint8_t *buf, size_t len)
{
    if (len >= SS_SIP_FRAMER_MAX_LINE)
        return false;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];
        if ((c < 0x20 && c != '\t' && !(c == '\r' && i + 1 == len)) || c == 0x7f)
            return false;
    }
    return true;
}

/* Lines that may be Content-Length ("Content-Length" or "l", any case):
 * noted by find_header_end() so that the header is scanned once. */
#define CL_CANDIDATES 8
typedef struct {
    size_t at[CL_CANDIDATES];
    unsigned n;
    bool overflow; /* more than CL_CANDIDATES: look at every line */
} ClCandidates;

/* End of the header block: after the first empty line, whatever the line
 * ends (CRLF CRLF, LF LF, or a mix), and the lines that may be
 * Content-Length on the way. Returns 0 when not there yet. */
static size_t
find_header_end(const uint8_t *buf, size_t len, ClCandidates *cl)
{
    const uint8_t *p = buf, *end = buf + len;
    cl->n = 0;
    cl->overflow = false;
    while (p < end) {
        const uint8_t *nl = ss_find_byte(p, '\n', (size_t)(end - p));
        if (!nl)
            return 0;
        if (nl + 1 < end && nl[1] == '\n')
            return (size_t)(nl + 2 - buf);
        if (nl + 2 < end && nl[1] == '\r' && nl[2] == '\n')
            return (size_t)(nl + 3 - buf);
        p = nl + 1;
        /* 'l', or 'c' that may start "content-length" (its 2nd and 9th
         * letters: not Call-ID, Contact, CSeq or Content-Type) */
        if (p < end && ((*p | 0x20) == 'l' ||
                        ((*p | 0x20) == 'c' &&
                         (p + 8 >= end || ((p[1] | 0x20) == 'o' && (p[8] | 0x20) == 'l'))))) {
            if (cl->n < CL_CANDIDATES)
                cl->at[cl->n++] = (size_t)(p - buf);
            else
                cl->overflow = true;
        }
    }
    return 0;
}

static inline __attribute__((always_inline)) bool
name_is(const uint8_t *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n != l)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(p[i]) != (uint8_t)lit[i])
            return false;
    return true;
}

static bool
is_lws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Looks for Content-Length / "l" (RFC 3261 §20.14, §7.3.3 compact form)
 * among the header lines in hdr[0, len), the empty line excluded. Header
 * names are case-insensitive (§7.3.1); HCOLON allows SP/HTAB before the
 * colon; the value may be folded (LWS, §7.3.1). The first occurrence
 * counts. Returns false when there is none. */
static bool
find_content_length(const uint8_t *hdr, size_t len, const ClCandidates *cl, bool *bad, uint64_t *value)
{
    size_t pos = 0;
    /* skip the start line */
    const uint8_t *nl = ss_find_byte(hdr, '\n', len);
    if (!nl)
        return false;
    pos = (size_t)(nl - hdr) + 1;
    unsigned next_cand = 0;
    while (pos < len) {
        if (!cl->overflow) {
            /* straight to the next line that may match (a continuation
             * line starts with SP/HTAB, so it is never one) */
            if (next_cand == cl->n)
                break;
            if (cl->at[next_cand] >= len)
                break;
            if (cl->at[next_cand] > pos)
                pos = cl->at[next_cand];
            next_cand++;
        }
        /* one header: the line plus its continuation lines */
        size_t start = pos, end = pos;
        for (;;) {
            const uint8_t *e = ss_find_byte(hdr + end, '\n', len - end);
            end = e ? (size_t)(e - hdr) + 1 : len;
            if (end < len && (hdr[end] == ' ' || hdr[end] == '\t'))
                continue;
            break;
        }
        pos = end;
        /* only "Content-Length" and "l" can match: the first letter says */
        if (lower(hdr[start]) != 'c' && lower(hdr[start]) != 'l')
            continue;
        size_t i = start;
        while (i < end && sip_is_token_char(hdr[i]))
            i++;
        size_t name_len = i - start;
        while (i < end && (hdr[i] == ' ' || hdr[i] == '\t'))
            i++;
        if (name_len == 0 || i >= end || hdr[i] != ':')
            continue;
        if (!name_is(hdr + start, name_len, "content-length") &&
            !name_is(hdr + start, name_len, "l"))
            continue;
        i++;
        while (i < end && is_lws(hdr[i]))
            i++;
        uint64_t v = 0;
        size_t digits = 0;
        while (i < end && is_digit(hdr[i])) {
            /* more than 4 GiB is no SIP message: treat as not a number */
            if (v > UINT32_MAX / 10) {
                digits = 0;
                break;
            }
            v = v * 10 + (uint64_t)(hdr[i] - '0');
            digits++;
            i++;
        }
        if (digits > 0 && v > UINT32_MAX)
            digits = 0;
        if (digits > 0) {
            while (i < end && is_lws(hdr[i]))
                i++;
        }
        *bad = digits == 0 || i != end;
        *value = *bad ? 0 : v;
        return true;
    }
    return false;
}

SipFrameResult
sip_frame(const uint8_t *buf, size_t len, size_t *consumed, SipFrameInfo *info)
{
    memset(info, 0, sizeof *info);
    *consumed = 0;
    if (!buf || len == 0)
        return SIP_FRAME_NEED_MORE;

    /* RFC 5626 §3.5.1: CRLF CRLF ping, CRLF pong (also bare LFs) */
    if (buf[0] == '\r' || buf[0] == '\n') {
        size_t n = 0;
        while (n < len && (buf[n] == '\r' || buf[n] == '\n'))
            n++;
        *consumed = n;
        return SIP_FRAME_KEEPALIVE;
    }

    bool complete;
    first_line_len(buf, len, &complete);
    if (!complete) {
        if (partial_line_plausible(buf, len))
            return SIP_FRAME_NEED_MORE;
        *consumed = len;
        return SIP_FRAME_JUNK;
    }
    if (!sip_frame_looks_like_start(buf, len)) {
        /* skip whole lines up to the next one that looks like a start line,
         * or through the last complete line */
        size_t pos = 0;
        for (;;) {
            const uint8_t *nl = ss_find_byte(buf + pos, '\n', len - pos);
            if (!nl)
                break;
            pos = (size_t)(nl - buf) + 1;
            if (pos < len && sip_frame_looks_like_start(buf + pos, len - pos)) {
                bool c2;
                first_line_len(buf + pos, len - pos, &c2);
                if (c2)
                    break;
            }
        }
        *consumed = pos;
        return SIP_FRAME_JUNK;
    }

    ClCandidates cl;
    size_t hlen = find_header_end(buf, len, &cl);
    if (hlen == 0)
        return SIP_FRAME_NEED_MORE;
    info->header_len = hlen;
    bool bad = false;
    uint64_t clen = 0;
    if (!find_content_length(buf, hlen, &cl, &bad, &clen))
        info->no_content_length = true;
    else if (bad)
        info->bad_content_length = true;
    info->body_len = (size_t)clen;
    if (clen > len - hlen)
        return SIP_FRAME_NEED_MORE;
    *consumed = hlen + (size_t)clen;
    return SIP_FRAME_MESSAGE;
}

/* ---- SipStream ---- */

struct SipStream {
    SipStreamSink sink;
    uint8_t *buf; /* bytes of an unfinished unit, from earlier feeds */
    size_t len, cap;
    uint64_t buf_first_frame; /* frame of buf[0] */
    uint64_t last_frame;
    uint64_t skip; /* bytes of a message already delivered cut (gap, too big) */
};

SipStream *
sip_stream_new(const SipStreamSink *sink)
{
    SipStream *s = g_new0(SipStream, 1);
    if (sink)
        s->sink = *sink;
    return s;
}

static unsigned
msg_flags(const SipFrameInfo *info)
{
    unsigned f = 0;
    if (info->no_content_length)
        f |= SIP_STREAM_MSG_NO_CONTENT_LENGTH;
    if (info->bad_content_length)
        f |= SIP_STREAM_MSG_BAD_CONTENT_LENGTH;
    return f;
}

static void
emit_message(SipStream *s, const uint8_t *p, size_t n, unsigned flags, SsTime ts,
             uint64_t first, uint64_t last)
{
    if (s->sink.message)
        s->sink.message(s->sink.user, p, n, flags, ts, first, last);
}

static void
emit_junk(SipStream *s, size_t n, SsTime ts)
{
    if (n > 0 && s->sink.junk)
        s->sink.junk(s->sink.user, n, ts);
}

/* Frame as many units as p[0, len) holds. Units starting before old_len
 * began in an earlier feed (frame buf_first_frame). Returns the bytes
 * used. */
static size_t
frame_units(SipStream *s, const uint8_t *p, size_t len, size_t old_len, SsTime ts,
            uint64_t frame)
{
    size_t pos = 0;
    while (pos < len) {
        if (s->skip > 0) {
            size_t n = len - pos < s->skip ? len - pos : (size_t)s->skip;
            s->skip -= n;
            pos += n;
            continue;
        }
        size_t c;
        SipFrameInfo info;
        SipFrameResult r = sip_frame(p + pos, len - pos, &c, &info);
        uint64_t first = pos < old_len ? s->buf_first_frame : frame;
        switch (r) {
        case SIP_FRAME_MESSAGE:
            emit_message(s, p + pos, c, msg_flags(&info), ts, first, frame);
            break;
        case SIP_FRAME_KEEPALIVE:
            break;
        case SIP_FRAME_JUNK:
            emit_junk(s, c, ts);
            break;
        case SIP_FRAME_NEED_MORE:
            if (len - pos < SS_SIP_MAX_MESSAGE)
                return pos;
            /* over the cap while incomplete: deliver what fits, cut, and
             * drop the rest of it when its length is known */
            emit_message(s, p + pos, SS_SIP_MAX_MESSAGE, msg_flags(&info) | SIP_STREAM_MSG_TOO_BIG,
                         ts, first, frame);
            c = SS_SIP_MAX_MESSAGE;
            if (info.header_len > 0)
                s->skip = (uint64_t)info.header_len + info.body_len - SS_SIP_MAX_MESSAGE;
            break;
        }
        pos += c;
    }
    return pos;
}

static void
buf_reserve(SipStream *s, size_t need)
{
    if (need <= s->cap)
        return;
    /* start small: a stream usually holds only the tail of one segment, and
     * there may be tens of thousands of streams */
    size_t cap = s->cap ? s->cap : 256;
    while (cap < need)
        cap *= 2;
    s->buf = g_realloc(s->buf, cap);
    s->cap = cap;
}

/* After a big message, give the memory back: streams are many. */
static void
buf_compact(SipStream *s, size_t used)
{
    if (used > 0) {
        memmove(s->buf, s->buf + used, s->len - used);
        s->len -= used;
    }
    if (s->len == 0 && s->cap) {
        /* nothing held: hold no memory (zero copy resumes on the next feed) */
        g_free(s->buf);
        s->buf = NULL;
        s->cap = 0;
    } else if (s->cap > 65536 && s->len < s->cap / 4) {
        size_t cap = s->len > 4096 ? s->len : 4096;
        s->buf = g_realloc(s->buf, cap);
        s->cap = cap;
    }
}

void
sip_stream_feed(SipStream *s, const uint8_t *bytes, size_t len, SsTime ts, uint64_t frame)
{
    g_return_if_fail(s != NULL);
    if (!bytes || len == 0)
        return;
    s->last_frame = frame;
    if (s->len == 0) {
        /* zero copy: frame straight from the caller's bytes */
        size_t used = frame_units(s, bytes, len, 0, ts, frame);
        if (used < len) {
            buf_reserve(s, len - used);
            memcpy(s->buf, bytes + used, len - used);
            s->len = len - used;
            s->buf_first_frame = frame;
        }
        return;
    }
    size_t old_len = s->len;
    buf_reserve(s, s->len + len);
    memcpy(s->buf + s->len, bytes, len);
    s->len += len;
    size_t used = frame_units(s, s->buf, s->len, old_len, ts, frame);
    if (used >= old_len && used < s->len)
        s->buf_first_frame = frame;
    buf_compact(s, used);
}

/* The buffered unit ends here, cut: a message if it has a start line,
 * else junk. Returns the message's full length when its headers were
 * complete (0 otherwise). */
static uint64_t
flush_partial(SipStream *s, SsTime ts)
{
    uint64_t total = 0;
    if (s->len == 0)
        return 0;
    bool complete;
    first_line_len(s->buf, s->len, &complete);
    if (complete && sip_frame_looks_like_start(s->buf, s->len)) {
        size_t c;
        SipFrameInfo info;
        sip_frame(s->buf, s->len, &c, &info);
        if (info.header_len > 0)
            total = (uint64_t)info.header_len + info.body_len;
        emit_message(s, s->buf, s->len, msg_flags(&info) | SIP_STREAM_MSG_INCOMPLETE, ts,
                     s->buf_first_frame, s->last_frame);
    } else {
        emit_junk(s, s->len, ts);
    }
    return total;
}

void
sip_stream_gap(SipStream *s, uint64_t len, SsTime ts)
{
    g_return_if_fail(s != NULL);
    if (s->skip > 0) {
        s->skip = s->skip > len ? s->skip - len : 0;
        return;
    }
    size_t had = s->len;
    uint64_t total = flush_partial(s, ts);
    /* the message's remaining bytes after the hole are known exactly when
     * its headers were seen: drop them instead of scanning them as junk */
    if (total > had + len)
        s->skip = total - had - len;
    s->len = 0;
    buf_compact(s, 0);
}

void
sip_stream_finish(SipStream *s, SsTime ts)
{
    g_return_if_fail(s != NULL);
    flush_partial(s, ts);
    s->len = 0;
    s->skip = 0;
    buf_compact(s, 0);
}

size_t
sip_stream_buffered(const SipStream *s)
{
    g_return_val_if_fail(s != NULL, 0);
    return s->len;
}

void
sip_stream_free(SipStream *s)
{
    if (!s)
        return;
    g_free(s->buf);
    g_free(s);
}
