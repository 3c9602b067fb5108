#include <config.h>
#include "output/output.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sip/sip_header.h"

/* NDJSON writer (DESIGN.md §3): one object per line, fixed key order,
 * typed values, nested objects after the Elastic Common Schema. The schema
 * is docs/sipsleuth.schema.json; the man page documents every field.
 *
 * Records are built by hand into one reused buffer and written with one
 * fwrite: no json-c tree per record (a busy SBC produces thousands of
 * records a second, and the escaping rules below are ours anyway).
 *
 * Rules every record follows:
 *  - a value that is unknown is omitted, never null (so every present key
 *    has one type);
 *  - strings are valid UTF-8: control characters, '"' and '\\' are escaped,
 *    and a byte that is not part of a valid UTF-8 sequence (RFC 3629 §4:
 *    no overlongs, no surrogates, nothing past U+10FFFF) is written as
 *    \u00XX, its Latin-1 reading; that keeps every byte's value, where
 *    U+FFFD would lose it;
 *  - @timestamp never goes back: it is clamped to the last one written. */

#define JB_MAX_DEPTH 8

/* The record is built in one plain buffer that only grows (to the largest
 * record seen). Every primitive first makes room for the most it can write,
 * then stores bytes without further checks. A record always starts with
 * '{', so the byte before the place of a key or an array element is there
 * to tell whether a comma goes first: none right after '{' or '['. Keys
 * are literals: the key helpers are macros that paste the comma, quotes
 * and colon around the key at compile time (see JB_K). */
typedef struct {
    char *buf;
    size_t len, cap;
    int depth;
} JsonBuf;

typedef struct {
    OutputWriter base;
    JsonBuf jb;
    uint64_t sequence;
    SsTime last_ts;
    bool have_ts;
    unsigned emit;
} JsonWriter;

#define JB_INLINE static inline __attribute__((always_inline))

static G_GNUC_NO_INLINE void
jb_grow(JsonBuf *jb, size_t n)
{
    size_t cap = jb->cap ? jb->cap : 1024;
    while (cap - jb->len < n) {
        g_assert(cap <= SIZE_MAX / 2);
        cap *= 2;
    }
    jb->buf = g_realloc(jb->buf, cap);
    jb->cap = cap;
}

/* Room for n more bytes; returns where they go. */
JB_INLINE char *
jb_room(JsonBuf *jb, size_t n)
{
    if (G_UNLIKELY(jb->cap - jb->len < n))
        jb_grow(jb, n);
    return jb->buf + jb->len;
}

JB_INLINE void
jb_put(JsonBuf *jb, const char *p, size_t n)
{
    memcpy(jb_room(jb, n), p, n);
    jb->len += n;
}

JB_INLINE void
jb_putc(JsonBuf *jb, char c)
{
    *jb_room(jb, 1) = c;
    jb->len++;
}

/* ---- escaping ---- */

static const char hexdig[] = "0123456789abcdef";

/* What a byte needs in a JSON string: 0 nothing, 1 a two-character escape,
 * 2 \u00XX (other C0 controls, DEL), 3 the start of a UTF-8 sequence to
 * check. */
#define JC(c) \
    ((c) >= 0x80 ? 3 \
     : ((c) == '"' || (c) == '\\' || (c) == '\n' || (c) == '\r' || (c) == '\t' || (c) == '\b' || \
        (c) == '\f') ? 1 \
     : ((c) < 0x20 || (c) == 0x7f) ? 2 : 0)
#define JC4(c) JC(c), JC((c) + 1), JC((c) + 2), JC((c) + 3)
#define JC16(c) JC4(c), JC4((c) + 4), JC4((c) + 8), JC4((c) + 12)
#define JC64(c) JC16(c), JC16((c) + 16), JC16((c) + 32), JC16((c) + 48)
static const unsigned char json_class[256] = { JC64(0), JC64(64), JC64(128), JC64(192) };

/* Length of the valid UTF-8 sequence at p (RFC 3629 §4), 0 if invalid. */
static size_t
utf8_seq_len(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    if (c >= 0xc2 && c <= 0xdf)
        return avail >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (avail < 3 || (p[2] & 0xc0) != 0x80)
            return 0;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        else if (c == 0xed)
            hi = 0x9f; /* UTF-16 surrogates */
        return p[1] >= lo && p[1] <= hi ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (avail < 4 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* past U+10FFFF */
        return p[1] >= lo && p[1] <= hi ? 4 : 0;
    }
    return 0;
}

/* Eight bytes at a time: true when any of them is not plain printable
 * ASCII (a control, '"', '\\', DEL or a byte >= 0x80). */
static inline bool
swar_special(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
#define SWAR_ZERO(v) (((v) - ones) & ~(v) & highs)
    uint64_t lt20 = (x - ones * 0x20) & ~x & highs;
    uint64_t q = SWAR_ZERO(x ^ (ones * '"'));
    uint64_t bs = SWAR_ZERO(x ^ (ones * '\\'));
    uint64_t del = SWAR_ZERO(x ^ (ones * 0x7f));
#undef SWAR_ZERO
    return ((x & highs) | lt20 | q | bs | del) != 0;
}

/* The quoted, escaped string: at most 6 output bytes per input byte, room
 * made a chunk at a time so a huge string does not reserve 6 times its size
 * at once. A value whose output passes JSON_STR_MAX - 8 bytes is cut
 * between two characters (at most JSON_STR_MAX bytes in) and ends with
 * "…" (U+2026): one hostile header cannot make a line longer than log
 * shippers take (Fluent Bit's tail skips lines over 32 KB by default,
 * Vector's file source over 100 KiB). Real values (Call-IDs, URIs, user
 * agents) are far shorter. */
#define JSON_ESCAPE_CHUNK 4096
#define JSON_STR_MAX 1024

/* capped: count the output against the cap (a constant at each call, so
 * the uncounted copy has no check in its loop) */
static inline __attribute__((always_inline)) void
json_escape_body(JsonBuf *jb, const unsigned char *p, size_t len, const bool capped)
{
    const size_t room = JSON_STR_MAX - 8;
    size_t written = 0;
    bool cut = false;
    for (size_t i = 0; i < len && !cut;) {
        size_t stop = len - i > JSON_ESCAPE_CHUNK ? i + JSON_ESCAPE_CHUNK : len;
        /* an 8-byte block or a UTF-8 sequence may run up to 7 bytes past
         * stop */
        char *o0 = jb_room(jb, (stop - i + 8) * 6), *o = o0;
        while (i < stop) {
            /* each step below writes at most 8 bytes */
            if (capped && G_UNLIKELY(written + (size_t)(o - o0) > room)) {
                cut = true;
                break;
            }
            if (i + 8 <= len) {
                uint64_t x;
                memcpy(&x, p + i, 8);
                if (!swar_special(x)) {
                    memcpy(o, &x, 8);
                    o += 8;
                    i += 8;
                    continue;
                }
            }
            unsigned char c = p[i];
            switch (json_class[c]) {
            case 0:
                *o++ = (char)c;
                i++;
                continue;
            case 1:
                *o++ = '\\';
                *o++ = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c == '\b' ? 'b' : c == '\f' ? 'f' : (char)c;
                i++;
                continue;
            case 3: {
                size_t n = utf8_seq_len(p + i, len - i);
                if (n) {
                    memcpy(o, p + i, n);
                    o += n;
                    i += n;
                    continue;
                }
                break; /* not UTF-8: its Latin-1 reading, below */
            }
            default:
                break;
            }
            o[0] = '\\';
            o[1] = 'u';
            o[2] = '0';
            o[3] = '0';
            o[4] = hexdig[c >> 4];
            o[5] = hexdig[c & 15];
            o += 6;
            i++;
        }
        written += (size_t)(o - o0);
        jb->len += (size_t)(o - o0);
    }
    if (cut)
        jb_put(jb, "\xe2\x80\xa6", 3); /* … */
}

static G_GNUC_NO_INLINE void
json_escape(JsonBuf *jb, const char *str, size_t len)
{
    jb_putc(jb, '"');
    /* a string this short cannot reach the cap even if every byte becomes
     * \\u00XX: no counting */
    if (len <= JSON_STR_MAX / 6)
        json_escape_body(jb, (const unsigned char *)str, len, false);
    else
        json_escape_body(jb, (const unsigned char *)str, len, true);
    jb_putc(jb, '"');
}

/* Most values (Call-IDs, tags, URIs, addresses, names) are short and plain:
 * no byte that json_escape_body changes (a control, '"', '\\', DEL or a
 * byte >= 0x80). Such a string of at most JSON_PLAIN_MAX bytes comes out
 * as it is: the cap check above sees at most JSON_STR_MAX - 8 bytes written
 * before any step, so it never cuts it. */
#define JSON_PLAIN_MAX (JSON_STR_MAX - 8)

#if defined(__SSE2__)
/* True when the 16 bytes are all plain. Signed, a byte >= 0x80 is below
 * 0x20 too. */
static inline bool
plain16(__m128i x)
{
    __m128i bad = _mm_or_si128(
        _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(x, _mm_set1_epi8('"'))),
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\')), _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))));
    return _mm_movemask_epi8(bad) == 0;
}
#endif

/* Copies p[0, n) to o when every byte is plain; false (o partly written)
 * when one is not. Reads and writes only p[0, n) and o[0, n): the tail of a
 * string is done as a block that overlaps the one before it. */
static inline bool
json_copy_plain(char *o, const unsigned char *p, size_t n)
{
#if defined(__SSE2__)
    if (n >= 16) {
        size_t i = 0;
        do {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            if (!plain16(x))
                return false;
            _mm_storeu_si128((__m128i *)(void *)(o + i), x);
            i += 16;
        } while (n - i >= 16);
        if (i < n) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
            if (!plain16(x))
                return false;
            _mm_storeu_si128((__m128i *)(void *)(o + n - 16), x);
        }
        return true;
    }
    if (n >= 4) {
        __m128i x;
        if (n >= 8) {
            uint64_t a, b;
            memcpy(&a, p, 8);
            memcpy(&b, p + n - 8, 8);
            x = _mm_set_epi64x((long long)b, (long long)a);
            if (!plain16(x))
                return false;
            memcpy(o, &a, 8);
            memcpy(o + n - 8, &b, 8);
        } else {
            uint32_t a, b;
            memcpy(&a, p, 4);
            memcpy(&b, p + n - 4, 4);
            x = _mm_set_epi32((int)a, (int)a, (int)b, (int)a);
            if (!plain16(x))
                return false;
            memcpy(o, &a, 4);
            memcpy(o + n - 4, &b, 4);
        }
        return true;
    }
#else
    if (n >= 8) {
        size_t i = 0;
        uint64_t x;
        do {
            memcpy(&x, p + i, 8);
            if (swar_special(x))
                return false;
            memcpy(o + i, &x, 8);
            i += 8;
        } while (n - i >= 8);
        if (i < n) {
            memcpy(&x, p + n - 8, 8);
            if (swar_special(x))
                return false;
            memcpy(o + n - 8, &x, 8);
        }
        return true;
    }
#endif
    for (size_t i = 0; i < n; i++) {
        if (json_class[p[i]])
            return false;
        o[i] = (char)p[i];
    }
    return true;
}

/* The quoted, escaped value, at the end of the buffer, where the caller
 * has made room for len + 2 bytes when len <= JSON_PLAIN_MAX. */
static void
json_value_str(JsonBuf *jb, const char *p, size_t len)
{
    if (G_LIKELY(len <= JSON_PLAIN_MAX)) {
        char *o = jb->buf + jb->len;
        if (G_LIKELY(json_copy_plain(o + 1, (const unsigned char *)p, len))) {
            o[0] = '"';
            o[len + 1] = '"';
            jb->len += len + 2;
            return;
        }
    }
    json_escape(jb, p, len);
}

/* ---- a small streaming builder: commas and nesting ---- */

/* The text a literal key is written with, ,"key": , and its length; with
 * JB_E, an array element's (a comma alone). Our keys never need escaping. */
#define JB_K(lit) ",\"" lit "\":", (sizeof(lit) + 3)
#define JB_E ",", (size_t)1
/* A key and a literal string value that needs no escaping. */
#define JB_KV(key, val) ",\"" key "\":\"" val "\"", (sizeof(key) + sizeof(val) + 4)

/* Writes the key text kt (kn bytes from JB_K or JB_E) at o, where room has
 * been made for kn bytes; the comma only when the byte before is not an
 * opening bracket (no value ends with '{' or '['). When the comma is left
 * out, kn bytes are still copied (the last one the literal's NUL, past the
 * text, overwritten by what follows): a copy of constant size. Returns the
 * end of the text. */
JB_INLINE char *
jb_key_at(char *o, const char *kt, size_t kn)
{
    size_t skip = ((unsigned char)o[-1] | 0x20) == '{'; /* '{' or '[' */
    memcpy(o, kt + skip, kn);
    return o + kn - skip;
}

JB_INLINE void
jb_key(JsonBuf *jb, const char *kt, size_t kn)
{
    char *o0 = jb_room(jb, kn);
    jb->len += (size_t)(jb_key_at(o0, kt, kn) - o0);
}

/* A key that is not a literal (the stats record's label and anomaly
 * counters). */
static void
jb_key_dyn(JsonBuf *jb, const char *key)
{
    size_t kl = strlen(key);
    char *o0 = jb_room(jb, kl + 4), *o = o0;
    if (((unsigned char)o[-1] | 0x20) != '{')
        *o++ = ',';
    *o++ = '"';
    memcpy(o, key, kl);
    o += kl;
    *o++ = '"';
    *o++ = ':';
    jb->len += (size_t)(o - o0);
}

/* The key text and a string that needs no escaping (a literal). */
JB_INLINE void
jb_raw(JsonBuf *jb, const char *kt, size_t kn)
{
    jb_key(jb, kt, kn);
}

JB_INLINE void
jb_open(JsonBuf *jb, const char *kt, size_t kn, char bracket)
{
    char *o0 = jb_room(jb, kn + 1), *o = jb_key_at(o0, kt, kn);
    *o++ = bracket;
    jb->len += (size_t)(o - o0);
    g_assert(jb->depth + 1 < JB_MAX_DEPTH);
    jb->depth++;
}

#define jb_obj(jb, key) jb_open(jb, JB_K(key), '{')
#define jb_arr(jb, key) jb_open(jb, JB_K(key), '[')

JB_INLINE void
jb_close(JsonBuf *jb, char bracket)
{
    g_assert(jb->depth > 0);
    jb->depth--;
    jb_putc(jb, bracket);
}

JB_INLINE void
jb_end(JsonBuf *jb)
{
    jb_close(jb, '}');
}

JB_INLINE void
jb_arr_end(JsonBuf *jb)
{
    jb_close(jb, ']');
}

JB_INLINE void
jb_strn_k(JsonBuf *jb, const char *kt, size_t kn, const char *p, size_t len)
{
    /* one check for the key and a value that may go out as it is (a longer
     * one makes its own room in json_escape) */
    char *o0 = jb_room(jb, kn + (G_LIKELY(len <= JSON_PLAIN_MAX) ? len + 2 : 0));
    jb->len += (size_t)(jb_key_at(o0, kt, kn) - o0);
    json_value_str(jb, p, len);
}

/* Omitted when s is NULL. */
JB_INLINE void
jb_str_k(JsonBuf *jb, const char *kt, size_t kn, const char *s)
{
    if (s)
        jb_strn_k(jb, kt, kn, s, strlen(s));
}

#define jb_strn(jb, key, p, len) jb_strn_k(jb, JB_K(key), p, len)
#define jb_str(jb, key, s) jb_str_k(jb, JB_K(key), s)
/* An array element; omitted when s is NULL. */
#define jb_elem_str(jb, s) jb_str_k(jb, JB_E, s)
/* A key and a literal value (no escaping: the literal must need none). */
#define jb_lit(jb, key, val) jb_raw(jb, JB_KV(key, val))

/* "00".."99": two digits with one load. */
#define D10(t) t "0", t "1", t "2", t "3", t "4", t "5", t "6", t "7", t "8", t "9"
static const char digit_pairs[100][2] = { D10("0"), D10("1"), D10("2"), D10("3"), D10("4"),
                                           D10("5"), D10("6"), D10("7"), D10("8"), D10("9") };
#undef D10

/* The decimal digits of v at o (at most 20); returns their end. The number
 * of digits comes first (from the bit length, corrected by one compare), then
 * the digits are written from the last, two at a time. */
static char *
put_u64(char *o, uint64_t v)
{
    static const uint64_t pow10[20] = {
        1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
        100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
        10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
        100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
    };
    /* floor(log10(2^bits)) digits or one more */
    unsigned bits = 64 - (unsigned)__builtin_clzll(v | 1);
    unsigned n = (bits * 1233) >> 12;
    n += n < 20 && v >= pow10[n];
    if (n == 0)
        n = 1;
    char *end = o + n, *q = end;
    while (v > UINT32_MAX) {
        uint64_t d = v / 100;
        q -= 2;
        memcpy(q, digit_pairs[v - d * 100], 2);
        v = d;
    }
    /* the rest (all of most numbers) in 32 bits: cheaper division */
    uint32_t w = (uint32_t)v;
    while (w >= 100) {
        uint32_t d = w / 100;
        q -= 2;
        memcpy(q, digit_pairs[w - d * 100], 2);
        w = d;
    }
    if (w >= 10) {
        q -= 2;
        memcpy(q, digit_pairs[w], 2);
    } else {
        *--q = (char)('0' + w);
    }
    return end;
}

JB_INLINE void
jb_u64_k(JsonBuf *jb, const char *kt, size_t kn, uint64_t v)
{
    char *o0 = jb_room(jb, kn + 20), *o = jb_key_at(o0, kt, kn);
    jb->len += (size_t)(put_u64(o, v) - o0);
}

JB_INLINE void
jb_i64_k(JsonBuf *jb, const char *kt, size_t kn, int64_t v)
{
    char *o0 = jb_room(jb, kn + 21), *o = jb_key_at(o0, kt, kn);
    uint64_t u = (uint64_t)v;
    if (v < 0) {
        *o++ = '-';
        u = (uint64_t)0 - u;
    }
    jb->len += (size_t)(put_u64(o, u) - o0);
}

JB_INLINE void
jb_bool_k(JsonBuf *jb, const char *kt, size_t kn, bool v)
{
    char *o0 = jb_room(jb, kn + 5), *o = jb_key_at(o0, kt, kn);
    /* five bytes either way ("true" and its NUL) */
    memcpy(o, v ? "true" : "false", 5);
    jb->len += (size_t)(o - o0) + (v ? 4 : 5);
}

JB_INLINE void
jb_time_k(JsonBuf *jb, const char *kt, size_t kn, SsTime t)
{
    char *o0 = jb_room(jb, kn + SS_TIME_RFC3339_CHARS + 2), *o = jb_key_at(o0, kt, kn);
    o[0] = '"';
    ss_time_rfc3339_put(t, o + 1);
    o[SS_TIME_RFC3339_CHARS + 1] = '"';
    jb->len += (size_t)(o - o0) + SS_TIME_RFC3339_CHARS + 2;
}

/* A counter under a key that is not a literal. */
static void
jb_u64_dyn(JsonBuf *jb, const char *key, uint64_t v)
{
    jb_key_dyn(jb, key);
    char *o = jb_room(jb, 20);
    jb->len += (size_t)(put_u64(o, v) - o);
}

#define jb_u64(jb, key, v) jb_u64_k(jb, JB_K(key), v)
#define jb_i64(jb, key, v) jb_i64_k(jb, JB_K(key), v)
#define jb_bool(jb, key, v) jb_bool_k(jb, JB_K(key), v)
#define jb_time(jb, key, t) jb_time_k(jb, JB_K(key), t)

/* ---- record frame ---- */

static bool
json_wants(const JsonWriter *jw, EmitKinds k)
{
    return (jw->emit & k) != 0;
}

/* Opens the record and writes @timestamp, schema_version and the event
 * object up to (not including) its optional start/end/duration: the caller
 * adds those, then closes "event" with jb_end(). The dataset is a literal. */
#define json_begin(jw, ts, dataset, action) json_begin_k(jw, ts, JB_KV("dataset", dataset), action)

JB_INLINE void
json_begin_k(JsonWriter *jw, SsTime ts, const char *dataset_kv, size_t dataset_kn, const char *action)
{
    JsonBuf *jb = &jw->jb;
    if (jw->have_ts && ts < jw->last_ts)
        ts = jw->last_ts; /* the stream never goes back in time */
    jw->last_ts = ts;
    jw->have_ts = true;
    jw->sequence++;

    /* the part that is the same in every record, at once */
    static const char head[] = "{\"@timestamp\":\"";
    static const char mid[] = "\",\"schema_version\":\"" SS_JSON_SCHEMA_VERSION
                              "\",\"event\":{\"kind\":\"event\"";
    jb->len = 0;
    char *o = jb_room(jb, sizeof head - 1 + SS_TIME_RFC3339_CHARS + sizeof mid - 1 + dataset_kn);
    memcpy(o, head, sizeof head - 1);
    o += sizeof head - 1;
    ss_time_rfc3339_put(ts, o);
    o += SS_TIME_RFC3339_CHARS;
    memcpy(o, mid, sizeof mid - 1);
    o += sizeof mid - 1;
    memcpy(o, dataset_kv, dataset_kn);
    o += dataset_kn;
    jb->len = (size_t)(o - jb->buf);
    jb->depth = 2; /* the record, "event" */
    jb_str(jb, "action", action);
    jb_u64(jb, "sequence", jw->sequence);
}

/* After "event": the observer, when the pipeline knows it. */
static void
json_observer(JsonWriter *jw)
{
    JsonBuf *jb = &jw->jb;
    const OutputOptions *o = &jw->base.opts;
    if (!o->observer_hostname && !o->observer_interface)
        return;
    jb_obj(jb, "observer");
    jb_str(jb, "hostname", o->observer_hostname);
    if (o->observer_interface) {
        jb_obj(jb, "ingress");
        jb_obj(jb, "interface");
        jb_str(jb, "name", o->observer_interface);
        jb_end(jb);
        jb_end(jb);
    }
    jb_end(jb);
}

/* Remembers the first write error: the caller stops and reports it (a
 * reader that went away, EPIPE, is not worth an error message). */
static void
json_fail(OutputWriter *w)
{
    if (!w->failed) {
        w->failed = true;
        w->err_no = errno ? errno : EIO;
    }
}

static void
json_write(JsonWriter *jw)
{
    OutputWriter *w = &jw->base;
    JsonBuf *jb = &jw->jb;
    jb_end(jb);
    g_assert(jb->depth == 0);
    jb_putc(jb, '\n');
    errno = 0;
    if (fwrite(jb->buf, 1, jb->len, w->out) != jb->len || ferror(w->out))
        json_fail(w);
    else if (w->opts.live && fflush(w->out) != 0)
        json_fail(w);
}

/* The helpers below take their key as JB_K("key"). */
JB_INLINE void
json_endpoint(JsonBuf *jb, const char *kt, size_t kn, const char *addr, size_t addr_len,
              uint16_t port)
{
    jb_open(jb, kt, kn, '{');
    jb_strn(jb, "ip", addr, addr_len);
    jb_u64(jb, "port", port);
    jb_end(jb);
}

/* source, destination, network and related.ip, in that order (each address
 * formatted once). */
static void
json_net(JsonBuf *jb, const Endpoint *src, const Endpoint *dst, SsTransport t)
{
    char a[ENDPOINT_ADDR_LEN], b[ENDPOINT_ADDR_LEN];
    size_t al = 0, bl = 0;
    bool has_src = src->family == 4 || src->family == 6;
    bool has_dst = dst->family == 4 || dst->family == 6;
    if (has_src) {
        al = strlen(endpoint_addr_str(src, a));
        json_endpoint(jb, JB_K("source"), a, al, src->port);
    }
    if (has_dst) {
        bl = strlen(endpoint_addr_str(dst, b));
        json_endpoint(jb, JB_K("destination"), b, bl, dst->port);
    }
    jb_obj(jb, "network");
    jb_str(jb, "transport", ss_transport_name(t));
    if (has_src) {
        if (src->family == 4)
            jb_lit(jb, "type", "ipv4");
        else
            jb_lit(jb, "type", "ipv6");
    }
    jb_end(jb);

    if (!has_src && !has_dst)
        return;
    jb_obj(jb, "related");
    jb_arr(jb, "ip");
    if (has_src)
        jb_strn_k(jb, JB_E, a, al);
    if (has_dst && !(has_src && endpoint_addr_equal(src, dst)))
        jb_strn_k(jb, JB_E, b, bl);
    jb_arr_end(jb);
    jb_end(jb);
}

JB_INLINE void
json_uri_obj(JsonBuf *jb, const char *kt, size_t kn, const char *uri, const char *display)
{
    if (!uri && !display)
        return;
    jb_open(jb, kt, kn, '{');
    jb_str(jb, "uri", uri);
    jb_str(jb, "display_name", display);
    jb_end(jb);
}

/* Durations are never negative in the output (the schema says so): a
 * missing end time (0) must not turn into a huge negative number. */
static SsTime
nonneg(SsTime d)
{
    return d > 0 ? d : 0;
}

static int64_t
ns_to_ms(SsTime d)
{
    return nonneg(d) / SS_NSEC_PER_MSEC;
}

/* ---- flows ---- */

static void
json_flow(OutputWriter *w, const FlowEvent *ev)
{
    JsonWriter *jw = (JsonWriter *)w;
    JsonBuf *jb = &jw->jb;
    if (!json_wants(jw, EMIT_FLOW))
        return;

    json_begin(jw, ev->ts, "sipsleuth.flow", flow_kind_name(ev->kind));
    jb_time(jb, "start", ev->start);
    jb_end(jb);
    json_observer(jw);
    json_net(jb, &ev->src, &ev->dst, ev->transport);

    jb_obj(jb, "sip");
    jb_str(jb, "call_id", ev->call_id);
    jb_obj(jb, "dialog");
    jb_str(jb, "from_tag", ev->from_tag);
    jb_str(jb, "to_tag", ev->to_tag);
    jb_end(jb);
    jb_str(jb, "initiator", ev->initiator_is_caller ? "caller" : "callee");
    jb_str(jb, "method", sip_method_name(ev->method));
    jb_u64(jb, "cseq", ev->cseq);
    jb_u64(jb, "frame", ev->frame);
    json_uri_obj(jb, JB_K("from"), ev->from_uri, NULL);
    json_uri_obj(jb, JB_K("to"), ev->to_uri, NULL);

    if (ev->kind == FLOW_HOLD || ev->kind == FLOW_RESUME) {
        jb_obj(jb, "hold");
        jb_str(jb, "mode", hold_mode_name(ev->hold_mode));
        jb_str(jb, "result", offer_result_name(ev->offer_result));
        if (ev->status_code)
            jb_u64(jb, "status_code", ev->status_code);
        jb_bool(jb, "double_hold", ev->double_hold);
        if (ev->kind == FLOW_RESUME)
            jb_i64(jb, "duration_ms", ns_to_ms(ev->hold_duration));
        jb_end(jb);
    } else {
        bool is_refer = ev->kind == FLOW_REFER_TRANSFER;
        jb_obj(jb, "transfer");
        jb_str(jb, "kind", transfer_kind_name(ev->transfer_kind));
        jb_str(jb, "result", transfer_result_name(ev->transfer_result));
        jb_str(jb, "refer_to", ev->refer_to);
        jb_str(jb, "referred_by", ev->referred_by);
        if (ev->status_code)
            jb_u64(jb, "status_code", ev->status_code);
        if (is_refer) {
            if (ev->notify_status)
                jb_u64(jb, "notify_status", ev->notify_status);
            jb_u64(jb, "notify_count", ev->notify_count);
            if (ev->refer_sub >= 0)
                jb_bool(jb, "refer_sub", ev->refer_sub > 0);
        }
        if (ev->replaces_call_id) {
            jb_obj(jb, "replaces");
            jb_str(jb, "call_id", ev->replaces_call_id);
            jb_str(jb, "from_tag", ev->replaces_from_tag);
            jb_str(jb, "to_tag", ev->replaces_to_tag);
            jb_bool(jb, "early_only", ev->replaces_early_only);
            jb_bool(jb, "dialog_seen", ev->replaces_dialog_seen);
            jb_end(jb);
        }
        jb_str(jb, "new_call_id", ev->new_call_id);
        jb_str(jb, "refer_call_id", ev->refer_call_id);
        jb_end(jb);
    }
    jb_end(jb); /* sip */
    json_write(jw);
}

/* ---- dialogs ---- */

static void
json_dialog(OutputWriter *w, const DialogRecord *rec)
{
    JsonWriter *jw = (JsonWriter *)w;
    JsonBuf *jb = &jw->jb;
    if (!json_wants(jw, EMIT_DIALOG))
        return;

    json_begin(jw, rec->ts, "sipsleuth.dialog", "dialog_end");
    jb_time(jb, "start", rec->start);
    jb_time(jb, "end", rec->end);
    jb_i64(jb, "duration", nonneg(rec->end - rec->start));
    jb_end(jb);
    json_observer(jw);
    json_net(jb, &rec->caller, &rec->callee, rec->transport);

    jb_obj(jb, "sip");
    jb_str(jb, "call_id", rec->call_id);
    jb_obj(jb, "dialog");
    jb_str(jb, "from_tag", rec->from_tag);
    jb_str(jb, "to_tag", rec->to_tag);
    jb_str(jb, "method", sip_method_name(rec->method));
    jb_str(jb, "state", dialog_state_name(rec->state));
    jb_str(jb, "end_reason", dialog_end_reason_name(rec->end_reason));
    if (rec->end_reason == DIALOG_END_BYE || rec->end_reason == DIALOG_END_CANCEL)
        jb_str(jb, "ended_by", rec->ended_by_caller ? "caller" : "callee");
    if (rec->final_status)
        jb_u64(jb, "final_status", rec->final_status);
    jb_arr(jb, "labels");
    for (unsigned i = 0; i < SS_LABEL_COUNT; i++) {
        if (rec->labels & (1u << i))
            jb_elem_str(jb, ss_label_name((SsLabel)(1u << i)));
    }
    jb_arr_end(jb);
    jb_u64(jb, "hold_count", rec->hold_count);
    jb_i64(jb, "hold_time_ms", ns_to_ms(rec->hold_time));
    jb_u64(jb, "transfer_count", rec->transfer_count);
    jb_arr(jb, "related_call_ids");
    for (unsigned i = 0; i < rec->n_related && rec->related_call_ids; i++)
        jb_elem_str(jb, rec->related_call_ids[i]);
    jb_arr_end(jb);
    jb_str(jb, "replaced_by_call_id", rec->replaced_by_call_id);
    jb_bool(jb, "seen_midcall", rec->seen_midcall);
    jb_u64(jb, "messages", rec->messages);
    jb_u64(jb, "retransmissions", rec->retransmissions);
    if (rec->answer) {
        jb_i64(jb, "setup_time_ms", ns_to_ms(rec->answer - rec->start));
        jb_i64(jb, "talk_time_ms", ns_to_ms(rec->end - rec->answer));
    }
    jb_end(jb); /* dialog */
    json_uri_obj(jb, JB_K("from"), rec->from_uri, rec->from_display);
    json_uri_obj(jb, JB_K("to"), rec->to_uri, rec->to_display);
    if (rec->caller_user_agent || rec->callee_user_agent) {
        jb_obj(jb, "user_agent");
        jb_str(jb, "caller", rec->caller_user_agent);
        jb_str(jb, "callee", rec->callee_user_agent);
        jb_end(jb);
    }
    jb_end(jb); /* sip */
    json_write(jw);
}

/* ---- messages ---- */

static const char *
sdp_role_name(SdpRole r)
{
    switch (r) {
    case SDP_ROLE_NONE: return "none";
    case SDP_ROLE_OFFER: return "offer";
    case SDP_ROLE_ANSWER: return "answer";
    case SDP_ROLE_UNEXPECTED: return "unexpected";
    }
    return "none";
}

JB_INLINE void
json_name_addr(JsonBuf *jb, const char *kt, size_t kn, const SipNameAddr *na)
{
    jb_open(jb, kt, kn, '{');
    jb_strn(jb, "uri", na->uri.p, na->uri.len);
    if (na->display.len)
        jb_strn(jb, "display_name", na->display.p, na->display.len);
    if (na->tag.len)
        jb_strn(jb, "tag", na->tag.p, na->tag.len);
    jb_end(jb);
}

static void
json_anomaly_record(JsonWriter *jw, SsAnomaly a, SsTime ts, uint64_t frame, const char *detail,
                    const MsgEvent *ev)
{
    JsonBuf *jb = &jw->jb;
    json_begin(jw, ts, "sipsleuth.anomaly", ss_anomaly_code(a));
    jb_end(jb);
    json_observer(jw);
    if (ev)
        json_net(jb, &ev->src, &ev->dst, ev->transport);
    jb_obj(jb, "anomaly");
    jb_str(jb, "code", ss_anomaly_code(a));
    jb_str(jb, "description", ss_anomaly_description(a));
    if (frame)
        jb_u64(jb, "frame", frame);
    jb_str(jb, "detail", detail);
    jb_end(jb);
    if (ev && ev->call_id) {
        jb_obj(jb, "sip");
        jb_str(jb, "call_id", ev->call_id);
        jb_end(jb);
    }
    json_write(jw);
}

static void
json_message(OutputWriter *w, const MsgEvent *ev)
{
    JsonWriter *jw = (JsonWriter *)w;
    JsonBuf *jb = &jw->jb;
    const SipMessage *m = ev->msg;

    if (json_wants(jw, EMIT_MESSAGE) && m) {
        SipCSeq cseq;
        SipNameAddr na;
        bool has_cseq = sip_get_cseq(m, &cseq);

        json_begin(jw, ev->ts, "sipsleuth.message", m->is_request ? "request" : "response");
        jb_end(jb);
        json_observer(jw);
        json_net(jb, &ev->src, &ev->dst, ev->transport);

        jb_obj(jb, "sip");
        jb_str(jb, "call_id", ev->call_id);
        jb_u64(jb, "frame", ev->frame);
        jb_obj(jb, "message");
        jb_str(jb, "type", m->is_request ? "request" : "response");
        jb_u64(jb, "length", m->len);
        if (ev->last_frame && ev->last_frame != ev->frame)
            jb_u64(jb, "last_frame", ev->last_frame);
        jb_bool(jb, "incomplete", ev->incomplete);
        jb_bool(jb, "retransmission", ev->retransmission);
        jb_end(jb);
        if (m->is_request) {
            jb_strn(jb, "method", m->buf + m->method_text.off, m->method_text.len);
            jb_strn(jb, "request_uri", m->buf + m->request_uri.off, m->request_uri.len);
        } else {
            if (has_cseq)
                jb_strn(jb, "method", cseq.method_text.p, cseq.method_text.len);
            jb_u64(jb, "status_code", m->status);
            jb_strn(jb, "reason", m->buf + m->reason.off, m->reason.len);
        }
        if (has_cseq)
            jb_u64(jb, "cseq", cseq.seq);
        if (sip_get_from(m, &na))
            json_name_addr(jb, JB_K("from"), &na);
        if (sip_get_to(m, &na))
            json_name_addr(jb, JB_K("to"), &na);
        if (ev->dialog_from_tag) {
            jb_obj(jb, "dialog");
            jb_str(jb, "from_tag", ev->dialog_from_tag);
            jb_str(jb, "to_tag", ev->dialog_to_tag);
            jb_bool(jb, "from_caller", ev->from_caller);
            jb_end(jb);
        }
        if (ev->has_sdp) {
            jb_obj(jb, "sdp");
            jb_str(jb, "role", sdp_role_name(ev->sdp_role));
            if (ev->sdp_dir != SDP_DIR_NONE)
                jb_str(jb, "direction", sdp_direction_name(ev->sdp_dir));
            jb_bool(jb, "null_address", ev->sdp_null_addr);
            jb_bool(jb, "holds", ev->sdp_holds);
            jb_end(jb);
        }
        jb_arr(jb, "anomalies");
        for (unsigned i = 0; i < m->n_anomalies && i < SIP_MAX_ANOMALIES; i++)
            jb_elem_str(jb, ss_anomaly_code(m->anomalies[i]));
        jb_arr_end(jb);
        jb_end(jb); /* sip */
        json_write(jw);
    }

    /* A retransmission repeats the same bytes: its anomalies were reported. */
    if (json_wants(jw, EMIT_ANOMALY) && m && !ev->retransmission) {
        for (unsigned i = 0; i < m->n_anomalies && i < SIP_MAX_ANOMALIES; i++)
            json_anomaly_record(jw, m->anomalies[i], ev->ts, ev->frame, NULL, ev);
    }
}

static void
json_anomaly(OutputWriter *w, SsAnomaly a, SsTime ts, uint64_t frame, const char *detail)
{
    JsonWriter *jw = (JsonWriter *)w;
    if (json_wants(jw, EMIT_ANOMALY))
        json_anomaly_record(jw, a, ts, frame, detail, NULL);
}

static void
json_call_end(OutputWriter *w, const CallEnd *ev)
{
    /* Nothing: every dialog of the call already has its record. */
}

/* ---- end of input ---- */

static void
json_stats(JsonWriter *jw, const RunStats *st)
{
    JsonBuf *jb = &jw->jb;
    if (st->packets) {
        json_begin(jw, st->last_ts, "sipsleuth.stats", "stats");
        jb_time(jb, "start", st->first_ts);
        jb_time(jb, "end", st->last_ts);
        jb_i64(jb, "duration", nonneg(st->last_ts - st->first_ts));
    } else {
        /* no packet, so no capture time: the record is stamped with the
         * time it is written, and has no start, end or duration (unknown
         * values are left out), rather than 1970-01-01 */
        json_begin(jw, (SsTime)g_get_real_time() * SS_NSEC_PER_USEC, "sipsleuth.stats", "stats");
    }
    jb_end(jb);
    json_observer(jw);

    jb_obj(jb, "stats");
    jb_u64(jb, "packets", st->packets);
    jb_u64(jb, "bytes", st->bytes);
    jb_u64(jb, "ip_packets", st->ip_packets);
    jb_u64(jb, "non_ip", st->non_ip);
    jb_u64(jb, "udp_datagrams", st->udp_datagrams);
    jb_u64(jb, "tcp_segments", st->tcp_segments);
    jb_u64(jb, "ip_fragments", st->ip_fragments);
    jb_u64(jb, "ip_reassembled", st->ip_reassembled);
    jb_u64(jb, "frag_timeouts", st->frag_timeouts);
    jb_u64(jb, "frag_evictions", st->frag_evictions);
    jb_u64(jb, "tcp_gaps", st->tcp_gaps);
    jb_u64(jb, "tcp_gap_bytes", st->tcp_gap_bytes);
    jb_u64(jb, "tcp_retransmissions", st->tcp_retransmissions);
    jb_u64(jb, "tcp_stream_evictions", st->tcp_stream_evictions);
    jb_u64(jb, "sip_messages", st->sip_messages);
    jb_u64(jb, "sip_requests", st->sip_requests);
    jb_u64(jb, "sip_responses", st->sip_responses);
    jb_u64(jb, "sip_retransmissions", st->sip_retransmissions);
    jb_u64(jb, "sip_incomplete", st->sip_incomplete);
    jb_u64(jb, "non_sip_payloads", st->non_sip_payloads);
    jb_u64(jb, "calls", st->calls);
    if (st->filtered)
        jb_u64(jb, "calls_selected", st->calls_selected);
    jb_u64(jb, "dialogs", st->dialogs);
    jb_u64(jb, "dialog_evictions", st->dialog_evictions);
    jb_obj(jb, "labels");
    for (unsigned i = 0; i < SS_LABEL_COUNT; i++)
        jb_u64_dyn(jb, ss_label_name((SsLabel)(1u << i)), st->labels[i]);
    jb_end(jb);
    jb_bool(jb, "live", st->live);
    if (st->live) {
        jb_u64(jb, "kernel_received", st->kernel_received);
        jb_u64(jb, "kernel_dropped", st->kernel_dropped);
    }
    jb_u64(jb, "anomalies_total", st->anomalies_total);
    jb_obj(jb, "anomalies");
    for (unsigned i = 0; i < SS_ANOMALY__COUNT; i++) {
        if (st->anomalies[i])
            jb_u64_dyn(jb, ss_anomaly_code((SsAnomaly)i), st->anomalies[i]);
    }
    jb_end(jb);
    jb_end(jb); /* stats */
    json_write(jw);
}

static void
json_finish(OutputWriter *w, const RunStats *st)
{
    JsonWriter *jw = (JsonWriter *)w;
    if (json_wants(jw, EMIT_STATS))
        json_stats(jw, st);
    errno = 0;
    if (!w->failed && (fflush(w->out) != 0 || ferror(w->out)))
        json_fail(w);
}

static void
json_destroy(OutputWriter *w)
{
    JsonWriter *jw = (JsonWriter *)w;
    g_free(jw->jb.buf);
    g_free(jw);
}

static const OutputWriterOps json_ops = {
    .message = json_message,
    .flow = json_flow,
    .dialog = json_dialog,
    .call_end = json_call_end,
    .anomaly = json_anomaly,
    .finish = json_finish,
    .destroy = json_destroy,
};

OutputWriter *
output_json_new(FILE *out, const OutputOptions *opts)
{
    g_return_val_if_fail(out != NULL && opts != NULL, NULL);
    JsonWriter *jw = g_new0(JsonWriter, 1);
    jw->base.ops = &json_ops;
    jw->base.out = out;
    jw->base.opts = *opts;
    jw->emit = opts->emit ? opts->emit : (EMIT_FLOW | EMIT_DIALOG);
    return &jw->base;
}
