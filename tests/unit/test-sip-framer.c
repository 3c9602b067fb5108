/* test-sip-framer.c - SIP message framing on streams (RFC 3261 §18.3),
 * driven by byte sequences, plus the nextcaller sipsplitter corpus. */
#include <config.h>
#include "sip/sip_framer.h"

#include <glib.h>
#include <json.h>
#include <string.h>
#include "common/limits.h"

/* ---- a recording sink ---- */

typedef struct {
    bool is_junk;
    GBytes *bytes; /* message bytes */
    size_t junk_len;
    unsigned flags;
    SsTime ts;
    uint64_t first_frame, last_frame;
    const uint8_t *ptr; /* where the sink saw it (zero-copy checks) */
} Ev;

typedef struct {
    GArray *evs; /* Ev */
} Rec;

static void
on_message(void *user, const uint8_t *msg, size_t len, unsigned flags, SsTime ts,
           uint64_t first_frame, uint64_t last_frame)
{
    Rec *r = user;
    Ev e = {.bytes = g_bytes_new(msg, len), .flags = flags, .ts = ts,
            .first_frame = first_frame, .last_frame = last_frame, .ptr = msg};
    g_array_append_val(r->evs, e);
}

static void
on_junk(void *user, size_t n, SsTime ts)
{
    Rec *r = user;
    g_assert_cmpuint(n, >, 0);
    Ev e = {.is_junk = true, .junk_len = n, .ts = ts};
    g_array_append_val(r->evs, e);
}

static void
ev_clear(gpointer p)
{
    Ev *e = p;
    if (e->bytes)
        g_bytes_unref(e->bytes);
}

typedef struct {
    Rec rec;
    SipStream *s;
} Fx;

static void
fx_setup(Fx *f, gconstpointer data)
{
    f->rec.evs = g_array_new(FALSE, TRUE, sizeof(Ev));
    g_array_set_clear_func(f->rec.evs, ev_clear);
    SipStreamSink sink = {on_message, on_junk, &f->rec};
    f->s = sip_stream_new(&sink);
}

static void
fx_teardown(Fx *f, gconstpointer data)
{
    sip_stream_free(f->s);
    g_array_unref(f->rec.evs);
}

static void
feed(Fx *f, const char *bytes, SsTime ts, uint64_t frame)
{
    sip_stream_feed(f->s, (const uint8_t *)bytes, strlen(bytes), ts, frame);
}

static Ev *
ev(Fx *f, guint i)
{
    g_assert_cmpuint(f->rec.evs->len, >, i);
    return &g_array_index(f->rec.evs, Ev, i);
}

static void
assert_msg(Fx *f, guint i, const char *expect, unsigned flags)
{
    Ev *e = ev(f, i);
    g_assert_false(e->is_junk);
    gsize n;
    const void *p = g_bytes_get_data(e->bytes, &n);
    g_assert_cmpmem(p, n, expect, strlen(expect));
    g_assert_cmphex(e->flags, ==, flags);
}

static void
assert_junk(Fx *f, guint i, size_t n)
{
    Ev *e = ev(f, i);
    g_assert_true(e->is_junk);
    g_assert_cmpuint(e->junk_len, ==, n);
}

#define M1 "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n" \
           "Content-Length: 5\r\n\r\nhello"
#define M2 "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"
#define M3 "BYE sip:a@b SIP/2.0\r\nl: 3\r\n\r\nxyz"

/* ---- sip_frame() alone ---- */

static void
test_looks_like_start(void)
{
    static const struct {
        const char *line;
        bool ok;
    } cases[] = {
        {"INVITE sip:a@b SIP/2.0\r\n", true},
        {"INVITE sip:a@b SIP/2.0", true},
        {"NEWMETHOD.x-y! sip:a@b SIP/2.0\n", true},
        {"INVITE sip:a@b; lr SIP/2.0\r\n", true}, /* LWS in the URI: the parser's business */
        {"INVITE sip:a@b sip/2.0\r\n", true},     /* §7.1: case-insensitive */
        {"INVITE sip:a@b SIP/7.0\r\n", true},     /* the parser reports the version */
        {"SIP/2.0 200 OK\r\n", true},
        {"SIP/2.0 180\r\n", true},
        {"SIP/2.0 200 \r\n", true},
        {"SIP/2.01 200 OK\r\n", true},          /* 1*DIGIT "." 1*DIGIT */
        {"INVITE sip:a@b SIP/2.01\r\n", true},
        {"SIP/2.0x 200 OK\r\n", false},
        {"INVITE sip:a@b SIP/2.0x\r\n", false},
        {"INVITE sip:a@b SIP/2.0", true},
        {"SIP/2.0 OK\r\n", false},
        {"SIP/2.0 2000 OK\r\n", false},
        {"SIP/2.0  200 OK\r\n", false},
        {"INVITE foo@bar.com SIP\r\n", false},
        {"INVITE\r\n", false},
        {"INVITE sip:a SIP/2.\r\n", false},
        {"INVITE SIP/2.0\r\n", false},
        {"INV(TE sip:a SIP/2.0\r\n", false},
        {" INVITE sip:a SIP/2.0\r\n", false},
        {"HTTP/1.1 200 OK\r\n", false},
        {"GET / HTTP/1.1\r\n", false},
        {"", false},
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *l = cases[i].line;
        g_assert_cmpint(sip_frame_looks_like_start((const uint8_t *)l, strlen(l)), ==, cases[i].ok);
    }
    g_assert_false(sip_frame_looks_like_start(NULL, 0));
}

static void
test_frame_content_length_forms(void)
{
    static const struct {
        const char *msg;
        size_t body;
        bool none, bad;
    } cases[] = {
        {"OPTIONS sip:a SIP/2.0\r\nContent-Length: 3\r\n\r\nabc", 3, false, false},
        {"OPTIONS sip:a SIP/2.0\r\ncontent-LENGTH:3\r\n\r\nabc", 3, false, false},
        {"OPTIONS sip:a SIP/2.0\r\nCONTENT-LENGTH:3\r\n\r\nabc", 3, false, false},
        /* after headers that start with 'c' but are not it */
        {"OPTIONS sip:a SIP/2.0\r\nContact: <sip:a>\r\nCSeq: 1 OPTIONS\r\nContent-Type: a/b\r\n"
         "Content-Length: 3\r\n\r\nabc", 3, false, false},
        {"OPTIONS sip:a SIP/2.0\r\nContent-Length \t:  3 \t\r\n\r\nabc", 3, false, false},
        {"OPTIONS sip:a SIP/2.0\r\nl: 3\r\n\r\nabc", 3, false, false},
        {"OPTIONS sip:a SIP/2.0\r\nL:3\r\n\r\nabc", 3, false, false},
        /* folded value (RFC 3261 §7.3.1) */
        {"OPTIONS sip:a SIP/2.0\r\nContent-Length:\r\n 3\r\n\r\nabc", 3, false, false},
        /* LF only (tolerated) */
        {"OPTIONS sip:a SIP/2.0\nl: 3\n\nabc", 3, false, false},
        /* not Content-Length: other names starting alike */
        {"OPTIONS sip:a SIP/2.0\r\nContent-Lengthy: 3\r\nll: 4\r\n\r\n", 0, true, false},
        {"OPTIONS sip:a SIP/2.0\r\n\r\n", 0, true, false},
        {"OPTIONS sip:a SIP/2.0\r\nContent-Length: a\r\n\r\n", 0, false, true},
        {"OPTIONS sip:a SIP/2.0\r\nContent-Length: -999\r\n\r\n", 0, false, true},
        {"OPTIONS sip:a SIP/2.0\r\nContent-Length: 3 3\r\n\r\n", 0, false, true},
        {"OPTIONS sip:a SIP/2.0\r\nContent-Length: \r\n\r\n", 0, false, true},
        {"OPTIONS sip:a SIP/2.0\r\nContent-Length: 99999999999999999999\r\n\r\n", 0, false, true},
        /* the first one counts */
        {"OPTIONS sip:a SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nX", 1, false, false},
        /* behind many lines starting with c or l (more than the framer
         * notes on its first pass) */
        {"OPTIONS sip:a SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContact: <sip:a>\r\nc1: 1\r\n"
         "c2: 2\r\nLx: 3\r\nc4: 4\r\nc5: 5\r\nc6: 6\r\nc7: 7\r\nc8: 8\r\nContent-Length: 2\r\n\r\nXY",
         2, false, false},
        {"OPTIONS sip:a SIP/2.0\r\nCall-ID: x\r\nContent-Type: a/b\r\nContent-Length: 2\r\n\r\nXY", 2, false,
         false},
        /* a folded line that starts with "c" after its SP is a continuation */
        {"OPTIONS sip:a SIP/2.0\r\nSubject: a\r\n content-length: 9\r\nContent-Length: 1\r\n\r\nX", 1, false,
         false},
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *m = cases[i].msg;
        size_t len = strlen(m), consumed = 99;
        SipFrameInfo info;
        g_assert_cmpint(sip_frame((const uint8_t *)m, len, &consumed, &info), ==,
                        SIP_FRAME_MESSAGE);
        g_assert_cmpuint(consumed, ==, len);
        g_assert_cmpuint(info.body_len, ==, cases[i].body);
        g_assert_cmpuint(info.header_len, ==, len - cases[i].body);
        g_assert_cmpint(info.no_content_length, ==, cases[i].none);
        g_assert_cmpint(info.bad_content_length, ==, cases[i].bad);
    }
}

static void
test_frame_results(void)
{
    size_t c;
    SipFrameInfo info;
    const char *m = M1 M2;
    g_assert_cmpint(sip_frame((const uint8_t *)m, strlen(m), &c, &info), ==, SIP_FRAME_MESSAGE);
    g_assert_cmpuint(c, ==, strlen(M1));
    g_assert_cmpuint(info.body_len, ==, 5);
    /* one byte short: need more, and the length is already known */
    g_assert_cmpint(sip_frame((const uint8_t *)M1, strlen(M1) - 1, &c, &info), ==,
                    SIP_FRAME_NEED_MORE);
    g_assert_cmpuint(c, ==, 0);
    g_assert_cmpuint(info.header_len + info.body_len, ==, strlen(M1));
    g_assert_cmpint(sip_frame((const uint8_t *)"\r\n\r\nSIP", 7, &c, &info), ==,
                    SIP_FRAME_KEEPALIVE);
    g_assert_cmpuint(c, ==, 4);
    g_assert_cmpint(sip_frame((const uint8_t *)"INVITE sip:", 11, &c, &info), ==,
                    SIP_FRAME_NEED_MORE);
    g_assert_cmpint(sip_frame((const uint8_t *)"", 0, &c, &info), ==, SIP_FRAME_NEED_MORE);
    /* junk: whole lines up to the next start line */
    const char *j = "foo\r\nbar: baz\r\n\r\nSIP/2.0 200 OK\r\n";
    g_assert_cmpint(sip_frame((const uint8_t *)j, strlen(j), &c, &info), ==, SIP_FRAME_JUNK);
    g_assert_cmpuint(c, ==, 17);
    /* ...or through the last complete line when none follows yet */
    g_assert_cmpint(sip_frame((const uint8_t *)"foo\r\nbar\r\nINVI", 14, &c, &info), ==,
                    SIP_FRAME_JUNK);
    g_assert_cmpuint(c, ==, 10);
    /* binary bytes cannot start a line: junk without waiting for a LF */
    g_assert_cmpint(sip_frame((const uint8_t *)"\x16\x03\x01\x02\x00", 5, &c, &info), ==,
                    SIP_FRAME_JUNK);
    g_assert_cmpuint(c, ==, 5);
}

/* ---- SipStream ---- */

static void
test_several_in_one_segment(Fx *f, gconstpointer data)
{
    static const char seg[] = M1 M2 M3;
    sip_stream_feed(f->s, (const uint8_t *)seg, sizeof seg - 1, 7, 42);
    g_assert_cmpuint(f->rec.evs->len, ==, 3);
    assert_msg(f, 0, M1, SIP_STREAM_MSG_OK);
    assert_msg(f, 1, M2, SIP_STREAM_MSG_OK);
    assert_msg(f, 2, M3, SIP_STREAM_MSG_OK);
    /* zero copy: the messages point into the fed bytes */
    g_assert_true(ev(f, 0)->ptr == (const uint8_t *)seg);
    g_assert_true(ev(f, 1)->ptr == (const uint8_t *)seg + strlen(M1));
    g_assert_true(ev(f, 2)->ptr == (const uint8_t *)seg + strlen(M1 M2));
    for (guint i = 0; i < 3; i++) {
        g_assert_cmpuint(ev(f, i)->first_frame, ==, 42);
        g_assert_cmpuint(ev(f, i)->last_frame, ==, 42);
        g_assert_cmpint(ev(f, i)->ts, ==, 7);
    }
    g_assert_cmpuint(sip_stream_buffered(f->s), ==, 0);
}

static void
test_one_byte_segments(Fx *f, gconstpointer data)
{
    static const char m[] = M1 M3;
    for (size_t i = 0; i < sizeof m - 1; i++)
        sip_stream_feed(f->s, (const uint8_t *)m + i, 1, (SsTime)i, 100 + i);
    g_assert_cmpuint(f->rec.evs->len, ==, 2);
    assert_msg(f, 0, M1, SIP_STREAM_MSG_OK);
    assert_msg(f, 1, M3, SIP_STREAM_MSG_OK);
    g_assert_cmpuint(ev(f, 0)->first_frame, ==, 100);
    g_assert_cmpuint(ev(f, 0)->last_frame, ==, 100 + strlen(M1) - 1);
    g_assert_cmpint(ev(f, 0)->ts, ==, (SsTime)strlen(M1) - 1);
    g_assert_cmpuint(ev(f, 1)->first_frame, ==, 100 + strlen(M1));
    g_assert_cmpuint(ev(f, 1)->last_frame, ==, 100 + strlen(M1 M3) - 1);
    g_assert_cmpuint(sip_stream_buffered(f->s), ==, 0);
}

/* a message split over segments that also carry the next one */
static void
test_split_frames(Fx *f, gconstpointer data)
{
    feed(f, "SIP/2.0 200 OK\r\nContent-Le", 1, 1);
    g_assert_cmpuint(sip_stream_buffered(f->s), ==, 26);
    feed(f, "ngth: 0\r\n\r\nBYE sip:a@b SIP/2.0\r\nl: 3\r\n\r\nx", 2, 2);
    feed(f, "yz" M2, 3, 3);
    g_assert_cmpuint(f->rec.evs->len, ==, 3);
    assert_msg(f, 0, M2, SIP_STREAM_MSG_OK);
    g_assert_cmpuint(ev(f, 0)->first_frame, ==, 1);
    g_assert_cmpuint(ev(f, 0)->last_frame, ==, 2);
    assert_msg(f, 1, M3, SIP_STREAM_MSG_OK);
    g_assert_cmpuint(ev(f, 1)->first_frame, ==, 2);
    g_assert_cmpuint(ev(f, 1)->last_frame, ==, 3);
    assert_msg(f, 2, M2, SIP_STREAM_MSG_OK);
    g_assert_cmpuint(ev(f, 2)->first_frame, ==, 3);
    g_assert_cmpuint(sip_stream_buffered(f->s), ==, 0);
}

static void
test_keepalives(Fx *f, gconstpointer data)
{
    /* RFC 5626 §3.5.1: CRLFCRLF ping, CRLF pong, between messages */
    feed(f, "\r\n\r\n", 1, 1);
    feed(f, "\r\n", 2, 2);
    feed(f, M2 "\r\n\r\n" M3 "\r\n", 3, 3);
    feed(f, "\r", 4, 4);
    feed(f, "\n" M2, 5, 5);
    sip_stream_finish(f->s, 6);
    g_assert_cmpuint(f->rec.evs->len, ==, 3);
    assert_msg(f, 0, M2, SIP_STREAM_MSG_OK);
    assert_msg(f, 1, M3, SIP_STREAM_MSG_OK);
    assert_msg(f, 2, M2, SIP_STREAM_MSG_OK);
    g_assert_cmpuint(sip_stream_buffered(f->s), ==, 0);
}

static void
test_junk(Fx *f, gconstpointer data)
{
    feed(f, "GET / HTTP/1.1\r\nHost: x\r\n\r\n" M2, 1, 1);
    g_assert_cmpuint(f->rec.evs->len, ==, 2);
    assert_junk(f, 0, 27);
    assert_msg(f, 1, M2, SIP_STREAM_MSG_OK);
    /* junk without line ends: binary, skipped at once */
    sip_stream_feed(f->s, (const uint8_t *)"\x16\x03\x01\x00\xa5\x01", 6, 2, 2);
    g_assert_cmpuint(f->rec.evs->len, ==, 3);
    assert_junk(f, 2, 6);
    g_assert_cmpuint(sip_stream_buffered(f->s), ==, 0);
    /* text junk without a line end waits for it, up to 8 KiB */
    feed(f, "hello", 3, 3);
    g_assert_cmpuint(sip_stream_buffered(f->s), ==, 5);
    feed(f, " world\r\n" M3, 4, 4);
    g_assert_cmpuint(f->rec.evs->len, ==, 5);
    assert_junk(f, 3, 13);
    assert_msg(f, 4, M3, SIP_STREAM_MSG_OK);
    GString *big = g_string_new(NULL);
    for (unsigned i = 0; i < 9000; i++)
        g_string_append_c(big, 'x');
    sip_stream_feed(f->s, (const uint8_t *)big->str, big->len, 5, 5);
    g_assert_cmpuint(f->rec.evs->len, ==, 6);
    assert_junk(f, 5, 9000);
    g_string_free(big, TRUE);
}

static void
test_missing_content_length(Fx *f, gconstpointer data)
{
    /* the bytes after a message without Content-Length resync at the next
     * start line */
    feed(f, "MESSAGE sip:a@b SIP/2.0\r\nTo: x\r\n\r\nbody text\r\n" M2, 1, 1);
    g_assert_cmpuint(f->rec.evs->len, ==, 3);
    assert_msg(f, 0, "MESSAGE sip:a@b SIP/2.0\r\nTo: x\r\n\r\n", SIP_STREAM_MSG_NO_CONTENT_LENGTH);
    assert_junk(f, 1, 11);
    assert_msg(f, 2, M2, SIP_STREAM_MSG_OK);
}

static void
test_bad_content_length(Fx *f, gconstpointer data)
{
    feed(f, "INVITE sip:a@b SIP/2.0\r\nContent-Length: ten\r\n\r\n" M3, 1, 1);
    g_assert_cmpuint(f->rec.evs->len, ==, 2);
    assert_msg(f, 0, "INVITE sip:a@b SIP/2.0\r\nContent-Length: ten\r\n\r\n",
               SIP_STREAM_MSG_BAD_CONTENT_LENGTH);
    assert_msg(f, 1, M3, SIP_STREAM_MSG_OK);
}

static void
test_compact_l(Fx *f, gconstpointer data)
{
    feed(f, "NOTIFY sip:a@b SIP/2.0\r\nL  :  4 \r\n\r\nabcd" M2, 1, 1);
    g_assert_cmpuint(f->rec.evs->len, ==, 2);
    assert_msg(f, 0, "NOTIFY sip:a@b SIP/2.0\r\nL  :  4 \r\n\r\nabcd", SIP_STREAM_MSG_OK);
    assert_msg(f, 1, M2, SIP_STREAM_MSG_OK);
}

/* multipart bodies have empty lines: only Content-Length ends the body */
static void
test_body_with_crlfcrlf(Fx *f, gconstpointer data)
{
    const char *body = "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n\r\n--b--\r\n";
    g_autofree char *m = g_strdup_printf("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: %zu\r\n\r\n%s",
                                         strlen(body), body);
    feed(f, m, 1, 1);
    feed(f, M2, 2, 2);
    g_assert_cmpuint(f->rec.evs->len, ==, 2);
    assert_msg(f, 0, m, SIP_STREAM_MSG_OK);
    assert_msg(f, 1, M2, SIP_STREAM_MSG_OK);
}

/* lost bytes in the middle of a body: the message is delivered cut, the
 * rest of its body after the hole is dropped, the next message is whole */
static void
test_gap_in_body(Fx *f, gconstpointer data)
{
    feed(f, "INVITE sip:a@b SIP/2.0\r\nContent-Length: 20\r\n\r\n0123", 1, 1);
    sip_stream_gap(f->s, 10, 2);
    g_assert_cmpuint(f->rec.evs->len, ==, 1);
    assert_msg(f, 0, "INVITE sip:a@b SIP/2.0\r\nContent-Length: 20\r\n\r\n0123",
               SIP_STREAM_MSG_INCOMPLETE);
    g_assert_cmpuint(ev(f, 0)->first_frame, ==, 1);
    g_assert_cmpint(ev(f, 0)->ts, ==, 2);
    g_assert_cmpuint(sip_stream_buffered(f->s), ==, 0);
    /* 6 body bytes remain after the 10 lost ones, then the next message */
    feed(f, "EFGHIJ" M2, 3, 3);
    g_assert_cmpuint(f->rec.evs->len, ==, 2);
    assert_msg(f, 1, M2, SIP_STREAM_MSG_OK);
    g_assert_cmpuint(ev(f, 1)->first_frame, ==, 3);
}

/* lost bytes in the headers: the rest is junk up to the next start line */
static void
test_gap_in_headers(Fx *f, gconstpointer data)
{
    feed(f, "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP x\r\nFro", 1, 1);
    sip_stream_gap(f->s, 100, 2);
    feed(f, "m-tag\r\nContent-Length: 0\r\n\r\n" M3, 3, 3);
    g_assert_cmpuint(f->rec.evs->len, ==, 3);
    assert_msg(f, 0, "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP x\r\nFro",
               SIP_STREAM_MSG_INCOMPLETE);
    assert_junk(f, 1, 28);
    assert_msg(f, 2, M3, SIP_STREAM_MSG_OK);
    /* a gap with nothing buffered, and a gap while junk is buffered */
    sip_stream_gap(f->s, 5, 4);
    feed(f, "partial junk", 5, 5);
    sip_stream_gap(f->s, 5, 6);
    g_assert_cmpuint(f->rec.evs->len, ==, 4);
    assert_junk(f, 3, 12);
    /* a gap longer than the rest of the body also ends the skipping */
    feed(f, "BYE sip:a@b SIP/2.0\r\nl: 10\r\n\r\n01", 7, 7);
    sip_stream_gap(f->s, 50, 8);
    feed(f, M2, 9, 9);
    g_assert_cmpuint(f->rec.evs->len, ==, 6);
    assert_msg(f, 4, "BYE sip:a@b SIP/2.0\r\nl: 10\r\n\r\n01", SIP_STREAM_MSG_INCOMPLETE);
    assert_msg(f, 5, M2, SIP_STREAM_MSG_OK);
}

static void
test_finish(Fx *f, gconstpointer data)
{
    feed(f, M2 "SIP/2.0 180 Ringing\r\nContent-Length: 10\r\n\r\nabc", 1, 1);
    sip_stream_finish(f->s, 2);
    g_assert_cmpuint(f->rec.evs->len, ==, 2);
    assert_msg(f, 1, "SIP/2.0 180 Ringing\r\nContent-Length: 10\r\n\r\nabc",
               SIP_STREAM_MSG_INCOMPLETE);
    g_assert_cmpint(ev(f, 1)->ts, ==, 2);
    g_assert_cmpuint(sip_stream_buffered(f->s), ==, 0);
    /* a start line cut before its line end is junk */
    feed(f, "INVITE sip:", 3, 3);
    sip_stream_finish(f->s, 4);
    g_assert_cmpuint(f->rec.evs->len, ==, 3);
    assert_junk(f, 2, 11);
    sip_stream_finish(f->s, 5);
    g_assert_cmpuint(f->rec.evs->len, ==, 3);
}

static void
test_too_big(Fx *f, gconstpointer data)
{
    /* a body announced over the cap: the first SS_SIP_MAX_MESSAGE bytes are
     * delivered TOO_BIG, the rest of that message is dropped */
    const size_t body = SS_SIP_MAX_MESSAGE + 1000;
    g_autofree char *hdr =
        g_strdup_printf("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: %zu\r\n\r\n", body);
    size_t total = strlen(hdr) + body;
    uint8_t *m = g_malloc(total);
    memcpy(m, hdr, strlen(hdr));
    memset(m + strlen(hdr), 'B', body);
    for (size_t off = 0; off < total; off += 1400) {
        size_t n = total - off < 1400 ? total - off : 1400;
        sip_stream_feed(f->s, m + off, n, 1, 1 + off / 1400);
        g_assert_cmpuint(sip_stream_buffered(f->s), <, SS_SIP_MAX_MESSAGE);
    }
    feed(f, M2, 2, 9999);
    g_assert_cmpuint(f->rec.evs->len, ==, 2);
    Ev *e = ev(f, 0);
    g_assert_cmphex(e->flags, ==, SIP_STREAM_MSG_TOO_BIG);
    g_assert_cmpuint(g_bytes_get_size(e->bytes), ==, SS_SIP_MAX_MESSAGE);
    g_assert_cmpmem(g_bytes_get_data(e->bytes, NULL), SS_SIP_MAX_MESSAGE, m, SS_SIP_MAX_MESSAGE);
    g_assert_cmpuint(e->first_frame, ==, 1);
    assert_msg(f, 1, M2, SIP_STREAM_MSG_OK);
    g_free(m);

    /* headers that never end: cut, then junk up to the next start line */
    GString *h = g_string_new("REGISTER sip:a SIP/2.0\r\n");
    while (h->len < SS_SIP_MAX_MESSAGE + 100)
        g_string_append(h, "X-Filler: 0123456789abcdef0123456789abcdef\r\n");
    sip_stream_feed(f->s, (const uint8_t *)h->str, h->len, 3, 10000);
    feed(f, "\r\n" M3, 4, 10001);
    g_assert_cmpuint(f->rec.evs->len, ==, 5);
    g_assert_cmphex(ev(f, 2)->flags, ==, SIP_STREAM_MSG_TOO_BIG);
    g_assert_cmpuint(g_bytes_get_size(ev(f, 2)->bytes), ==, SS_SIP_MAX_MESSAGE);
    assert_junk(f, 3, h->len - SS_SIP_MAX_MESSAGE);
    assert_msg(f, 4, M3, SIP_STREAM_MSG_OK);
    g_string_free(h, TRUE);
}

/* ---- the nextcaller/sip-capture sipsplitter corpus (tests/splitter) ----
 *
 * Each .expected file is the upstream splitter's trace (JSON). We rebuild
 * every field from our own events; the mapping is in tests/splitter/README.md:
 * upstream "Discards" are our junk runs before a message plus our messages
 * flagged NO_CONTENT_LENGTH / BAD_CONTENT_LENGTH (upstream drops those,
 * RFC 3261 §18.3 calls them errors, we deliver them flagged); upstream
 * "NoStartLine" is a stream ending in bytes outside any message (junk, a
 * keep-alive CRLF, a cut start line); "NoHeaders"/"NoBody" a stream ending
 * in a message we deliver INCOMPLETE. */

typedef struct {
    int discarded, no_start_line, start_line, no_headers, header, no_body, body, complete;
    GPtrArray *discards, *starts, *headers, *bodies, *messages; /* GBytes */
} SplitStats;

static void
split_stats_init(SplitStats *s)
{
    memset(s, 0, sizeof *s);
    s->discards = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    s->starts = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    s->headers = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    s->bodies = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    s->messages = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
}

static void
split_stats_clear(SplitStats *s)
{
    g_ptr_array_unref(s->discards);
    g_ptr_array_unref(s->starts);
    g_ptr_array_unref(s->headers);
    g_ptr_array_unref(s->bodies);
    g_ptr_array_unref(s->messages);
}

static size_t
find_bytes(const uint8_t *hay, size_t hlen, size_t from, const uint8_t *needle, size_t nlen)
{
    for (size_t i = from; i + nlen <= hlen; i++)
        if (memcmp(hay + i, needle, nlen) == 0)
            return i;
    g_assert_not_reached();
}

static void
split_from_events(const uint8_t *stream, size_t len, GArray *evs, SplitStats *st)
{
    size_t cursor = 0; /* end of the last message */
    for (guint i = 0; i < evs->len; i++) {
        Ev *e = &g_array_index(evs, Ev, i);
        if (e->is_junk)
            continue;
        gsize mlen;
        const uint8_t *m = g_bytes_get_data(e->bytes, &mlen);
        size_t at = find_bytes(stream, len, cursor, m, mlen);
        if (at > cursor) {
            st->discarded++;
            g_ptr_array_add(st->discards, g_bytes_new(stream + cursor, at - cursor));
        }
        cursor = at + mlen;
        const uint8_t *nl = memchr(m, '\n', mlen);
        g_assert_nonnull(nl);
        size_t sl = (size_t)(nl - m) + 1;
        st->start_line++;
        g_ptr_array_add(st->starts, g_bytes_new(m, sl));
        size_t c;
        SipFrameInfo info;
        sip_frame(m, mlen, &c, &info);
        size_t hl = info.header_len;
        if (hl > 0) {
            /* upstream's header block: after the start line, before the
             * empty line */
            size_t blank = m[hl - 2] == '\r' ? 2 : 1;
            st->header++;
            g_ptr_array_add(st->headers, g_bytes_new(m + sl, hl - blank - sl));
        }
        if (e->flags & SIP_STREAM_MSG_INCOMPLETE) {
            if (hl > 0)
                st->no_body++;
            else
                st->no_headers++;
        } else if (e->flags &
                   (SIP_STREAM_MSG_NO_CONTENT_LENGTH | SIP_STREAM_MSG_BAD_CONTENT_LENGTH)) {
            st->discarded++;
            g_ptr_array_add(st->discards, g_bytes_new(m, mlen));
        } else {
            g_assert_cmphex(e->flags, ==, SIP_STREAM_MSG_OK);
            st->body++;
            g_ptr_array_add(st->bodies, g_bytes_new(m + hl, mlen - hl));
            st->complete++;
            g_ptr_array_add(st->messages, g_bytes_new(m, mlen));
        }
    }
    if (cursor < len)
        st->no_start_line = 1;
}

static void
assert_json_int(json_object *o, const char *key, int v)
{
    json_object *f;
    g_assert_true(json_object_object_get_ex(o, key, &f));
    g_assert_cmpint(json_object_get_int(f), ==, v);
}

static void
assert_json_list(json_object *o, const char *key, GPtrArray *ours)
{
    json_object *a;
    g_assert_true(json_object_object_get_ex(o, key, &a));
    g_assert_true(json_object_is_type(a, json_type_array));
    g_assert_cmpuint(json_object_array_length(a), ==, ours->len);
    for (guint i = 0; i < ours->len; i++) {
        json_object *s = json_object_array_get_idx(a, i);
        gsize n;
        const void *p = g_bytes_get_data(g_ptr_array_index(ours, i), &n);
        g_assert_cmpmem(json_object_get_string(s), (gsize)json_object_get_string_len(s), p, n);
    }
}

static void
run_splitter_case(gconstpointer data)
{
    const char *name = data;
    g_autofree char *sname = g_strconcat(name, ".stream", NULL);
    g_autofree char *ename = g_strconcat(name, ".expected", NULL);
    g_autofree char *spath = g_test_build_filename(G_TEST_DIST, "splitter", sname, NULL);
    g_autofree char *epath = g_test_build_filename(G_TEST_DIST, "splitter", ename, NULL);
    g_autofree char *stream = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(spath, &stream, &len, NULL));
    json_object *exp = json_object_from_file(epath);
    g_assert_nonnull(exp);
    json_object *orig;
    g_assert_true(json_object_object_get_ex(exp, "Original", &orig));
    g_assert_cmpmem(json_object_get_string(orig), (gsize)json_object_get_string_len(orig), stream,
                    len);

    /* twice: the whole stream in one segment, then one byte per segment */
    GArray *runs[2];
    for (int mode = 0; mode < 2; mode++) {
        Fx f;
        fx_setup(&f, NULL);
        if (mode == 0) {
            sip_stream_feed(f.s, (const uint8_t *)stream, len, 1, 1);
        } else {
            for (gsize i = 0; i < len; i++)
                sip_stream_feed(f.s, (const uint8_t *)stream + i, 1, 1, 1 + i);
        }
        sip_stream_finish(f.s, 2);
        runs[mode] = g_array_ref(f.rec.evs);
        fx_teardown(&f, NULL);
    }
    /* the same messages either way; junk may come in other pieces (a line
     * at a time) and a lone CRLF be a keep-alive instead of junk */
    guint k = 0;
    for (guint i = 0; i < runs[0]->len; i++) {
        Ev *a = &g_array_index(runs[0], Ev, i);
        if (a->is_junk)
            continue;
        while (k < runs[1]->len && g_array_index(runs[1], Ev, k).is_junk)
            k++;
        g_assert_cmpuint(k, <, runs[1]->len);
        Ev *b = &g_array_index(runs[1], Ev, k++);
        g_assert_cmphex(a->flags, ==, b->flags);
        g_assert_true(g_bytes_equal(a->bytes, b->bytes));
    }
    while (k < runs[1]->len)
        g_assert_true(g_array_index(runs[1], Ev, k++).is_junk);

    SplitStats st;
    split_stats_init(&st);
    split_from_events((const uint8_t *)stream, len, runs[0], &st);
    assert_json_int(exp, "Discarded", st.discarded);
    assert_json_int(exp, "NoStartLine", st.no_start_line);
    assert_json_int(exp, "StartLine", st.start_line);
    assert_json_int(exp, "NoHeaders", st.no_headers);
    assert_json_int(exp, "Header", st.header);
    assert_json_int(exp, "NoBody", st.no_body);
    assert_json_int(exp, "Body", st.body);
    assert_json_int(exp, "Complete", st.complete);
    assert_json_list(exp, "Discards", st.discards);
    assert_json_list(exp, "Starts", st.starts);
    assert_json_list(exp, "Headers", st.headers);
    assert_json_list(exp, "Bodies", st.bodies);
    assert_json_list(exp, "Messages", st.messages);
    split_stats_clear(&st);
    json_object_put(exp);
    g_array_unref(runs[0]);
    g_array_unref(runs[1]);
}

static const char *const splitter_cases[] = {
    "bad_status_version",  "bad_then_sip",      "badrequestline",
    "badresponseline",     "clen_missing",      "clen_missing_then_good",
    "clen_non_numeric",    "complete_request",  "complete_response",
    "complete_two_incomplete", "complete_two_requests", "complete_with_body",
    "empty",               "full_request",      "incomplete_body",
    "incomplete_headers",  "junkline",          "randomjunk",
};

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/framer/looks-like-start", test_looks_like_start);
    g_test_add_func("/sip/framer/content-length-forms", test_frame_content_length_forms);
    g_test_add_func("/sip/framer/frame-results", test_frame_results);
#define ADD(path, fn) g_test_add(path, Fx, NULL, fx_setup, fn, fx_teardown)
    ADD("/sip/framer/stream/several-in-one-segment", test_several_in_one_segment);
    ADD("/sip/framer/stream/one-byte-segments", test_one_byte_segments);
    ADD("/sip/framer/stream/split-frames", test_split_frames);
    ADD("/sip/framer/stream/keepalives", test_keepalives);
    ADD("/sip/framer/stream/junk", test_junk);
    ADD("/sip/framer/stream/missing-content-length", test_missing_content_length);
    ADD("/sip/framer/stream/bad-content-length", test_bad_content_length);
    ADD("/sip/framer/stream/compact-l", test_compact_l);
    ADD("/sip/framer/stream/body-with-crlfcrlf", test_body_with_crlfcrlf);
    ADD("/sip/framer/stream/gap-in-body", test_gap_in_body);
    ADD("/sip/framer/stream/gap-in-headers", test_gap_in_headers);
    ADD("/sip/framer/stream/finish", test_finish);
    ADD("/sip/framer/stream/too-big", test_too_big);
    for (unsigned i = 0; i < G_N_ELEMENTS(splitter_cases); i++) {
        g_autofree char *path = g_strconcat("/sip/framer/splitter/", splitter_cases[i], NULL);
        g_test_add_data_func(path, splitter_cases[i], run_splitter_case);
    }
    return g_test_run();
}
