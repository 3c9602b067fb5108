/* test-tcp-reasm.c - TCP stream reassembly driven by segment sequences. */
#include <config.h>
#include "net/tcp_reasm.h"

#include <glib.h>
#include <string.h>
#include "common/limits.h"
#include "net/net_decode.h"

#define SEC SS_NSEC_PER_SEC

/* What the sink saw for one stream (one direction of one connection). */
typedef struct {
    uint64_t conn_id;
    uint16_t src_port;
    GByteArray *bytes;
    GString *log;  /* "d5 g3 d2 c:fin" */
    int closed;    /* -1 open, else TcpCloseReason */
    uint64_t last_frame;
    SsTime last_ts;
} StreamRec;

typedef struct {
    GPtrArray *streams; /* StreamRec*, in order of first event */
    const uint8_t *last_data_ptr;
    unsigned anomalies[SS_ANOMALY__COUNT];
    unsigned closes;
    unsigned gaps;
} Rec;

static StreamRec *
rec_stream(Rec *r, TcpStream *s)
{
    if (!s->user) {
        StreamRec *sr = g_new0(StreamRec, 1);
        sr->conn_id = s->conn_id;
        sr->src_port = s->src.port;
        sr->bytes = g_byte_array_new();
        sr->log = g_string_new(NULL);
        sr->closed = -1;
        g_ptr_array_add(r->streams, sr);
        s->user = sr;
    }
    return s->user;
}

static void
on_data(void *user, TcpStream *s, const uint8_t *bytes, size_t len, SsTime ts, uint64_t frame)
{
    Rec *r = user;
    StreamRec *sr = rec_stream(r, s);
    g_assert_cmpint(sr->closed, ==, -1);
    g_assert_cmpuint(len, >, 0);
    g_byte_array_append(sr->bytes, bytes, (guint)len);
    g_string_append_printf(sr->log, "%sd%zu", sr->log->len ? " " : "", len);
    r->last_data_ptr = bytes;
    sr->last_frame = frame;
    sr->last_ts = ts;
}

static void
on_gap(void *user, TcpStream *s, uint64_t len, SsTime ts)
{
    Rec *r = user;
    StreamRec *sr = rec_stream(r, s);
    g_string_append_printf(sr->log, "%sg%" G_GUINT64_FORMAT, sr->log->len ? " " : "", len);
    r->gaps++;
}

static const char *
reason_name(TcpCloseReason why)
{
    switch (why) {
    case TCP_STREAM_FIN: return "fin";
    case TCP_STREAM_RST: return "rst";
    case TCP_STREAM_TIMEOUT: return "timeout";
    case TCP_STREAM_EVICTED: return "evicted";
    case TCP_STREAM_FLUSH: return "flush";
    }
    return "?";
}

static void
on_close(void *user, TcpStream *s, TcpCloseReason why, SsTime ts)
{
    Rec *r = user;
    r->closes++;
    StreamRec *sr = rec_stream(r, s);
    g_assert_cmpint(sr->closed, ==, -1);
    sr->closed = (int)why;
    g_string_append_printf(sr->log, "%sc:%s", sr->log->len ? " " : "", reason_name(why));
    /* the contract: the sink frees s->user here; ours lives in r->streams */
    s->user = NULL;
}

static void
on_anomaly(void *user, SsAnomaly a, SsTime ts, const char *detail)
{
    Rec *r = user;
    r->anomalies[a]++;
}

static void
stream_rec_free(gpointer p)
{
    StreamRec *sr = p;
    g_byte_array_unref(sr->bytes);
    g_string_free(sr->log, TRUE);
    g_free(sr);
}

typedef struct {
    Rec rec;
    TcpReasm *r;
    Endpoint a, b; /* client a:40000 -> server b:5060 */
} Fx;

static Endpoint
ep4(uint8_t last, uint16_t port)
{
    Endpoint e = {.family = 4, .port = port};
    e.addr[0] = 192;
    e.addr[1] = 0;
    e.addr[2] = 2;
    e.addr[3] = last;
    return e;
}

static void
fx_setup(Fx *f, gconstpointer data)
{
    memset(&f->rec, 0, sizeof f->rec);
    f->rec.streams = g_ptr_array_new_with_free_func(stream_rec_free);
    TcpReasmSink sink = {on_data, on_gap, on_close, &f->rec};
    AnomalySink an = {on_anomaly, &f->rec};
    f->r = tcp_reasm_new(&sink, &an);
    f->a = ep4(1, 40000);
    f->b = ep4(2, 5060);
}

static void
fx_teardown(Fx *f, gconstpointer data)
{
    tcp_reasm_free(f->r);
    g_ptr_array_unref(f->rec.streams);
}

/* a -> b */
static void
seg(Fx *f, uint32_t seq, uint8_t flags, const char *data, SsTime ts, uint64_t frame)
{
    tcp_reasm_feed(f->r, &f->a, &f->b, seq, flags, (const uint8_t *)data, data ? strlen(data) : 0,
                   ts, frame);
}

/* b -> a */
static void
rseg(Fx *f, uint32_t seq, uint8_t flags, const char *data, SsTime ts, uint64_t frame)
{
    tcp_reasm_feed(f->r, &f->b, &f->a, seq, flags, (const uint8_t *)data, data ? strlen(data) : 0,
                   ts, frame);
}

static StreamRec *
stream_n(Fx *f, guint i)
{
    g_assert_cmpuint(f->rec.streams->len, >, i);
    return g_ptr_array_index(f->rec.streams, i);
}

static void
assert_bytes(StreamRec *sr, const char *expect)
{
    g_assert_cmpmem(sr->bytes->data, sr->bytes->len, expect, strlen(expect));
}

static TcpReasmStats
stats(Fx *f)
{
    TcpReasmStats st;
    tcp_reasm_get_stats(f->r, &st);
    return st;
}

static void
test_in_order(Fx *f, gconstpointer data)
{
    static const char p1[] = "INVITE sip:b SIP/2.0\r\n";
    seg(f, 999, SS_TCP_SYN, NULL, 0, 1);
    rseg(f, 5000, SS_TCP_SYN | SS_TCP_ACK, NULL, 0, 2);
    seg(f, 1000, SS_TCP_ACK, NULL, 0, 3);
    tcp_reasm_feed(f->r, &f->a, &f->b, 1000, SS_TCP_ACK | SS_TCP_PSH, (const uint8_t *)p1,
                   strlen(p1), 1, 4);
    /* zero copy: the sink got the caller's buffer */
    g_assert_true(f->rec.last_data_ptr == (const uint8_t *)p1);
    seg(f, 1000 + 22, SS_TCP_ACK, "Via: x\r\n", 2, 5);
    g_assert_true(f->rec.last_data_ptr != NULL);
    rseg(f, 5001, SS_TCP_ACK, "SIP/2.0 100 Trying\r\n", 3, 6);

    g_assert_cmpuint(f->rec.streams->len, ==, 2);
    StreamRec *c2s = stream_n(f, 0), *s2c = stream_n(f, 1);
    assert_bytes(c2s, "INVITE sip:b SIP/2.0\r\nVia: x\r\n");
    g_assert_cmpstr(c2s->log->str, ==, "d22 d8");
    g_assert_cmpuint(c2s->last_frame, ==, 5);
    g_assert_cmpint(c2s->last_ts, ==, 2);
    g_assert_cmpuint(c2s->src_port, ==, 40000);
    assert_bytes(s2c, "SIP/2.0 100 Trying\r\n");
    g_assert_cmpuint(s2c->src_port, ==, 5060);
    /* both directions share the connection id */
    g_assert_cmpuint(c2s->conn_id, ==, s2c->conn_id);
    g_assert_cmpuint(c2s->conn_id, !=, 0);

    TcpReasmStats st = stats(f);
    g_assert_cmpuint(st.segments, ==, 6);
    g_assert_cmpuint(st.bytes_delivered, ==, 50);
    g_assert_cmpuint(st.streams_opened, ==, 2);
    g_assert_cmpuint(st.streams_open, ==, 2);
    g_assert_cmpuint(st.retransmissions, ==, 0);
    g_assert_cmpuint(st.out_of_order, ==, 0);
    g_assert_cmpuint(st.bytes_buffered, ==, 0);

    /* orderly close: FIN in both directions */
    seg(f, 1030, SS_TCP_FIN | SS_TCP_ACK, NULL, 4, 7);
    g_assert_cmpstr(c2s->log->str, ==, "d22 d8 c:fin");
    g_assert_cmpint(s2c->closed, ==, -1);
    rseg(f, 5021, SS_TCP_FIN | SS_TCP_ACK, NULL, 4, 8);
    g_assert_cmpstr(s2c->log->str, ==, "d20 c:fin");
    st = stats(f);
    g_assert_cmpuint(st.streams_open, ==, 0);
    /* a late ACK for the forgotten connection opens nothing */
    seg(f, 1031, SS_TCP_ACK, NULL, 5, 9);
    g_assert_cmpuint(stats(f).streams_opened, ==, 2);
}

static void
test_reversed(Fx *f, gconstpointer data)
{
    static const char *parts[] = {"aaaa", "bbbb", "cccc", "dddd", "eeee"};
    seg(f, 99, SS_TCP_SYN, NULL, 0, 1);
    for (int i = 4; i >= 0; i--)
        seg(f, 100 + 4 * (uint32_t)i, SS_TCP_ACK, parts[i], 1, 10 + (uint64_t)i);
    StreamRec *sr = stream_n(f, 0);
    assert_bytes(sr, "aaaabbbbccccddddeeee");
    /* the first segment fills the hole: it and the 4 held ones go out */
    g_assert_cmpstr(sr->log->str, ==, "d4 d4 d4 d4 d4");
    g_assert_cmpuint(sr->last_frame, ==, 10); /* the completing segment */
    TcpReasmStats st = stats(f);
    g_assert_cmpuint(st.out_of_order, ==, 4);
    g_assert_cmpuint(st.bytes_buffered, ==, 0);
    g_assert_cmpuint(st.bytes_delivered, ==, 20);
    g_assert_cmpuint(st.gaps, ==, 0);
    g_assert_cmpuint(st.retransmissions, ==, 0);
}

static void
test_duplicates(Fx *f, gconstpointer data)
{
    seg(f, 99, SS_TCP_SYN, NULL, 0, 1);
    seg(f, 99, SS_TCP_SYN, NULL, 0, 2); /* retransmitted SYN */
    seg(f, 100, SS_TCP_ACK, "hello ", 1, 3);
    seg(f, 100, SS_TCP_ACK, "hello ", 1, 4);
    seg(f, 112, SS_TCP_ACK, "!!", 1, 5);  /* out of order */
    seg(f, 112, SS_TCP_ACK, "!!", 1, 6);  /* held twice: a retransmission */
    seg(f, 106, SS_TCP_ACK, "world!", 1, 7);
    seg(f, 106, SS_TCP_ACK, "world!", 1, 8);
    StreamRec *sr = stream_n(f, 0);
    assert_bytes(sr, "hello world!!!");
    TcpReasmStats st = stats(f);
    g_assert_cmpuint(st.retransmissions, ==, 3);
    g_assert_cmpuint(st.out_of_order, ==, 1);
    g_assert_cmpuint(st.bytes_delivered, ==, 14);
    g_assert_cmpuint(st.streams_opened, ==, 1);
    g_assert_cmpuint(st.overlap_conflicts, ==, 0);
}

static void
test_partial_retransmission(Fx *f, gconstpointer data)
{
    seg(f, 0, 0, "0123456789", 0, 1); /* mid-stream start at seq 0 */
    seg(f, 5, 0, "56789ABCDE", 0, 2); /* 5 old bytes, 5 new */
    StreamRec *sr = stream_n(f, 0);
    assert_bytes(sr, "0123456789ABCDE");
    g_assert_cmpstr(sr->log->str, ==, "d10 d5");
    /* partial overlap with a held segment: only the new bytes are held */
    seg(f, 20, 0, "KLMNO", 0, 3);
    seg(f, 18, 0, "IJKLMNOPQ", 0, 4);
    g_assert_cmpuint(stats(f).bytes_buffered, ==, 9);
    seg(f, 15, 0, "FGH", 0, 5);
    assert_bytes(sr, "0123456789ABCDEFGHIJKLMNOPQ");
    TcpReasmStats st = stats(f);
    g_assert_cmpuint(st.retransmissions, ==, 0);
    g_assert_cmpuint(st.overlap_conflicts, ==, 0);
    g_assert_cmpuint(st.bytes_buffered, ==, 0);
    g_assert_cmpuint(st.bytes_delivered, ==, 27);
}

static void
test_overlap_conflict(Fx *f, gconstpointer data)
{
    seg(f, 1000, 0, "aaaa", 0, 1);
    seg(f, 1010, 0, "XXXXX", 0, 2);   /* held [1010,1015) */
    seg(f, 1012, 0, "yyyyyy", 0, 3);  /* [1012,1015) differ, [1015,1018) new */
    g_assert_cmpuint(stats(f).overlap_conflicts, ==, 1);
    g_assert_cmpuint(f->rec.anomalies[SS_ANOMALY_TCP_OVERLAP_CONFLICT], ==, 1);
    /* in-order bytes that disagree with held ones: the held copy wins */
    seg(f, 1004, 0, "bbbbbbZZ", 0, 4);
    StreamRec *sr = stream_n(f, 0);
    assert_bytes(sr, "aaaabbbbbbXXXXXyyy");
    g_assert_cmpuint(stats(f).overlap_conflicts, ==, 2);
    g_assert_cmpuint(f->rec.anomalies[SS_ANOMALY_TCP_OVERLAP_CONFLICT], ==, 2);
    g_assert_cmpuint(stats(f).bytes_buffered, ==, 0);
}

/* RFC 1982 serial arithmetic across 2^32 */
static void
test_wraparound(Fx *f, gconstpointer data)
{
    const uint32_t isn = 0xFFFFFF00u;
    uint8_t buf[0x300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    tcp_reasm_feed(f->r, &f->a, &f->b, isn, SS_TCP_SYN, NULL, 0, 0, 1);
    /* 0x100 bytes per segment: the second one straddles the wrap; feed the
     * last first, then the first, then the middle (crossing zero) */
    uint32_t s0 = isn + 1;
    tcp_reasm_feed(f->r, &f->a, &f->b, s0 + 0x200, 0, buf + 0x200, 0x100, 1, 4);
    tcp_reasm_feed(f->r, &f->a, &f->b, s0, 0, buf, 0x100, 1, 2);
    g_assert_cmpuint(stats(f).bytes_delivered, ==, 0x100);
    g_assert_cmpuint(stats(f).bytes_buffered, ==, 0x100);
    tcp_reasm_feed(f->r, &f->a, &f->b, s0 + 0x100, 0, buf + 0x100, 0x100, 1, 3);
    /* a retransmission from before the wrap is old, not far ahead */
    tcp_reasm_feed(f->r, &f->a, &f->b, s0 + 0x10, 0, buf + 0x10, 0x20, 1, 5);
    StreamRec *sr = stream_n(f, 0);
    g_assert_cmpmem(sr->bytes->data, sr->bytes->len, buf, sizeof buf);
    TcpReasmStats st = stats(f);
    g_assert_cmpuint(st.retransmissions, ==, 1);
    g_assert_cmpuint(st.out_of_order, ==, 1);
    g_assert_cmpuint(st.gaps, ==, 0);
    g_assert_cmpuint(st.bytes_buffered, ==, 0);
    /* FIN after the wrap */
    tcp_reasm_feed(f->r, &f->a, &f->b, s0 + 0x300, SS_TCP_FIN, NULL, 0, 2, 6);
    g_assert_cmpint(sr->closed, ==, TCP_STREAM_FIN);
}

static void
test_midstream_start(Fx *f, gconstpointer data)
{
    seg(f, 5000, SS_TCP_ACK, "tail of something\r\nINVITE", 0, 1);
    seg(f, 4990, SS_TCP_ACK, "0123456789", 0, 2); /* before the start: old */
    seg(f, 5025, SS_TCP_ACK, " sip:x SIP/2.0\r\n", 0, 3);
    StreamRec *sr = stream_n(f, 0);
    assert_bytes(sr, "tail of something\r\nINVITE sip:x SIP/2.0\r\n");
    TcpReasmStats st = stats(f);
    g_assert_cmpuint(st.retransmissions, ==, 1);
    g_assert_cmpuint(st.streams_opened, ==, 1);
    /* a FIN or ACK alone never opens a stream */
    rseg(f, 1, SS_TCP_ACK, NULL, 0, 4);
    rseg(f, 1, SS_TCP_FIN, NULL, 0, 5);
    g_assert_cmpuint(stats(f).streams_opened, ==, 1);
}

static void
test_syn_fin_syn_reuse(Fx *f, gconstpointer data)
{
    seg(f, 100, SS_TCP_SYN, NULL, 0, 1);
    rseg(f, 700, SS_TCP_SYN | SS_TCP_ACK, NULL, 0, 2);
    seg(f, 101, SS_TCP_ACK, "first", 1, 3);
    rseg(f, 701, SS_TCP_ACK, "reply", 1, 4);
    seg(f, 106, SS_TCP_FIN | SS_TCP_ACK, NULL, 2, 5);
    rseg(f, 706, SS_TCP_FIN | SS_TCP_ACK, NULL, 2, 6);
    g_assert_cmpuint(stats(f).streams_open, ==, 0);
    /* the same 4-tuple again, new ISN */
    seg(f, 90000, SS_TCP_SYN, NULL, 3, 7);
    rseg(f, 123, SS_TCP_SYN | SS_TCP_ACK, NULL, 3, 8);
    seg(f, 90001, SS_TCP_ACK, "second", 4, 9);
    g_assert_cmpuint(f->rec.streams->len, ==, 3);
    StreamRec *c1 = stream_n(f, 0), *s1 = stream_n(f, 1), *c2 = stream_n(f, 2);
    g_assert_cmpstr(c1->log->str, ==, "d5 c:fin");
    g_assert_cmpstr(s1->log->str, ==, "d5 c:fin");
    g_assert_cmpstr(c2->log->str, ==, "d6");
    g_assert_cmpuint(c1->conn_id, ==, s1->conn_id);
    g_assert_cmpuint(c2->conn_id, !=, c1->conn_id);

    /* half-closed (FIN one way only), then a new SYN with another ISN: the
     * old connection is closed and a new one starts */
    seg(f, 90007, SS_TCP_FIN, NULL, 5, 10);
    g_assert_cmpstr(c2->log->str, ==, "d6 c:fin");
    g_assert_cmpuint(stats(f).streams_open, ==, 1); /* 123 -> still open */
    seg(f, 5555, SS_TCP_SYN, NULL, 6, 11);
    seg(f, 5556, 0, "third", 6, 12);
    g_assert_cmpuint(stats(f).streams_opened, ==, 5);
    g_assert_cmpuint(stats(f).streams_open, ==, 1);
    StreamRec *c3 = stream_n(f, f->rec.streams->len - 1);
    g_assert_cmpstr(c3->log->str, ==, "d5");
    g_assert_cmpuint(c3->conn_id, !=, c2->conn_id);

    /* new SYN, different ISN, without any FIN: the old one ends "timeout" */
    seg(f, 777, SS_TCP_SYN, NULL, 7, 13);
    g_assert_cmpstr(c3->log->str, ==, "d5 c:timeout");
    g_assert_cmpuint(stats(f).streams_open, ==, 1);
}

static void
test_rst(Fx *f, gconstpointer data)
{
    seg(f, 100, SS_TCP_SYN, NULL, 0, 1);
    rseg(f, 700, SS_TCP_SYN | SS_TCP_ACK, NULL, 0, 2);
    seg(f, 101, 0, "abc", 1, 3);
    seg(f, 110, 0, "xyz", 1, 4); /* held after a 6-byte hole */
    rseg(f, 701, 0, "ok", 1, 5);
    rseg(f, 703, SS_TCP_RST, NULL, 2, 6);
    StreamRec *c = stream_n(f, 0), *s = stream_n(f, 1);
    g_assert_cmpstr(c->log->str, ==, "d3 g6 d3 c:rst");
    g_assert_cmpstr(s->log->str, ==, "d2 c:rst");
    TcpReasmStats st = stats(f);
    g_assert_cmpuint(st.streams_open, ==, 0);
    g_assert_cmpuint(st.gaps, ==, 1);
    g_assert_cmpuint(st.gap_bytes, ==, 6);
    g_assert_cmpuint(st.bytes_buffered, ==, 0);
    /* a RST for nothing known is ignored; the 4-tuple can be reused */
    seg(f, 1, SS_TCP_RST, NULL, 3, 7);
    seg(f, 5000, SS_TCP_SYN, NULL, 3, 8);
    g_assert_cmpuint(stats(f).streams_open, ==, 1);
}

static void
test_gap_timeout(Fx *f, gconstpointer data)
{
    seg(f, 100, SS_TCP_SYN, NULL, 0, 1);
    seg(f, 101, 0, "head", 0, 2);
    seg(f, 115, 0, "after", 1 * SEC, 3); /* hole [105,115) */
    StreamRec *sr = stream_n(f, 0);
    tcp_reasm_expire(f->r, 1 * SEC + SS_TCP_GAP_TIMEOUT - 1);
    g_assert_cmpstr(sr->log->str, ==, "d4");
    tcp_reasm_expire(f->r, 1 * SEC + SS_TCP_GAP_TIMEOUT);
    g_assert_cmpstr(sr->log->str, ==, "d4 g10 d5");
    g_assert_cmpuint(sr->last_frame, ==, 3);
    g_assert_cmpuint(f->rec.anomalies[SS_ANOMALY_TCP_GAP], ==, 1);
    /* then data goes on in order */
    seg(f, 120, 0, "more", 4 * SEC, 4);
    assert_bytes(sr, "headaftermore");
    g_assert_cmpstr(sr->log->str, ==, "d4 g10 d5 d4");
    /* the late segment for the hole is old now */
    seg(f, 105, 0, "0123456789", 4 * SEC, 5);
    TcpReasmStats st = stats(f);
    g_assert_cmpuint(st.retransmissions, ==, 1);
    g_assert_cmpuint(st.gaps, ==, 1);
    g_assert_cmpuint(st.gap_bytes, ==, 10);

    /* the timeout is also checked on each feed of the stream */
    seg(f, 130, 0, "X", 10 * SEC, 6);  /* hole [124,130) */
    seg(f, 140, 0, "Y", 12 * SEC, 7);  /* 2 s later: skip, deliver X */
    g_assert_cmpstr(sr->log->str, ==, "d4 g10 d5 d4 g6 d1");
    /* the next hole waits from the moment the previous one was skipped */
    tcp_reasm_expire(f->r, 14 * SEC - 1);
    g_assert_cmpstr(sr->log->str, ==, "d4 g10 d5 d4 g6 d1");
    tcp_reasm_expire(f->r, 14 * SEC);
    g_assert_cmpstr(sr->log->str, ==, "d4 g10 d5 d4 g6 d1 g9 d1");
    g_assert_cmpuint(stats(f).gaps, ==, 3);
    g_assert_cmpuint(stats(f).bytes_buffered, ==, 0);
}

/* a FIN beyond a hole: the stream ends when the hole fills, or after the
 * gap timeout */
static void
test_fin_after_hole(Fx *f, gconstpointer data)
{
    seg(f, 100, 0, "ab", 0, 1);
    seg(f, 104, SS_TCP_FIN, "ef", 0, 2);
    StreamRec *sr = stream_n(f, 0);
    g_assert_cmpstr(sr->log->str, ==, "d2");
    seg(f, 102, 0, "cd", 0, 3);
    g_assert_cmpstr(sr->log->str, ==, "d2 d2 d2 c:fin");
    assert_bytes(sr, "abcdef");
    /* a bare FIN after a hole with nothing held */
    rseg(f, 500, 0, "xy", 0, 4);
    rseg(f, 510, SS_TCP_FIN, NULL, 1 * SEC, 5);
    StreamRec *r2 = stream_n(f, 1);
    tcp_reasm_expire(f->r, 1 * SEC + SS_TCP_GAP_TIMEOUT);
    g_assert_cmpstr(r2->log->str, ==, "d2 g8 c:fin");
    g_assert_cmpuint(stats(f).streams_open, ==, 0);
    g_assert_cmpuint(f->rec.closes, ==, 2);
}

static void
test_idle_and_flush(Fx *f, gconstpointer data)
{
    Endpoint c = ep4(9, 40001);
    seg(f, 100, 0, "idle", 0, 1);
    tcp_reasm_feed(f->r, &c, &f->b, 7, 0, (const uint8_t *)"busy", 4, 10 * SEC, 2);
    tcp_reasm_feed(f->r, &c, &f->b, 20, 0, (const uint8_t *)"held", 4, 10 * SEC, 3);
    tcp_reasm_expire(f->r, SS_TCP_IDLE_TIMEOUT - 1);
    g_assert_cmpuint(f->rec.closes, ==, 0);
    tcp_reasm_expire(f->r, SS_TCP_IDLE_TIMEOUT);
    StreamRec *idle = stream_n(f, 0), *busy = stream_n(f, 1);
    g_assert_cmpstr(idle->log->str, ==, "d4 c:timeout");
    /* the busy one's hole timed out long ago: it was skipped on expire */
    g_assert_cmpstr(busy->log->str, ==, "d4 g9 d4");
    g_assert_cmpuint(stats(f).streams_open, ==, 1);
    tcp_reasm_feed(f->r, &c, &f->b, 40, 0, (const uint8_t *)"last", 4, SS_TCP_IDLE_TIMEOUT, 4);
    tcp_reasm_flush(f->r, SS_TCP_IDLE_TIMEOUT + 1);
    g_assert_cmpstr(busy->log->str, ==, "d4 g9 d4 g16 d4 c:flush");
    TcpReasmStats st = stats(f);
    g_assert_cmpuint(st.streams_open, ==, 0);
    g_assert_cmpuint(st.bytes_buffered, ==, 0);
    g_assert_cmpuint(st.gaps, ==, 2);
    g_assert_cmpuint(st.gap_bytes, ==, 25);
}

/* held bytes over the per-stream cap: the hole is skipped at once */
static void
test_stream_bytes_cap(Fx *f, gconstpointer data)
{
    TcpReasmLimits lim = {
        .max_streams = 16,
        .max_stream_bytes = 10,
        .max_total_bytes = 15,
        .gap_timeout = SS_TCP_GAP_TIMEOUT,
        .idle_timeout = SS_TCP_IDLE_TIMEOUT,
    };
    tcp_reasm_set_limits(f->r, &lim);
    seg(f, 0, 0, "a", 0, 1);
    seg(f, 5, 0, "bbbbbb", 0, 2);   /* 6 held */
    seg(f, 20, 0, "cccc", 0, 3);    /* 10 held: at the cap, not over */
    StreamRec *sr = stream_n(f, 0);
    g_assert_cmpstr(sr->log->str, ==, "d1");
    seg(f, 30, 0, "d", 0, 4);       /* 11: skip the first hole */
    g_assert_cmpstr(sr->log->str, ==, "d1 g4 d6");
    g_assert_cmpuint(stats(f).bytes_buffered, ==, 5);
    g_assert_cmpuint(f->rec.anomalies[SS_ANOMALY_TCP_BUFFER_OVERFLOW], ==, 1);

    /* total cap: this stream holds 5, another one 9 -> 14; two more bytes
     * there make 16 > 15: the growing stream skips holes until the total
     * is under the cap again (its first hole is enough) */
    rseg(f, 0, 0, "x", 0, 5);
    rseg(f, 10, 0, "yyyyyyyyy", 0, 6);
    g_assert_cmpuint(stats(f).bytes_buffered, ==, 14);
    rseg(f, 30, 0, "zz", 0, 7);
    StreamRec *r2 = stream_n(f, 1);
    g_assert_cmpstr(r2->log->str, ==, "d1 g9 d9");
    g_assert_cmpstr(sr->log->str, ==, "d1 g4 d6");
    g_assert_cmpuint(stats(f).bytes_buffered, ==, 7);
    g_assert_cmpuint(f->rec.anomalies[SS_ANOMALY_TCP_BUFFER_OVERFLOW], ==, 2);
}

static void
test_stream_cap_eviction(Fx *f, gconstpointer data)
{
    TcpReasmLimits lim = {
        .max_streams = 4,
        .max_stream_bytes = SS_TCP_MAX_STREAM_BYTES,
        .max_total_bytes = SS_TCP_MAX_TOTAL_BYTES,
        .gap_timeout = SS_TCP_GAP_TIMEOUT,
        .idle_timeout = SS_TCP_IDLE_TIMEOUT,
    };
    tcp_reasm_set_limits(f->r, &lim);
    Endpoint c1 = ep4(11, 1001), c2 = ep4(12, 1002), c3 = ep4(13, 1003);
    /* conn 1: two streams; conn 2: two streams; conn 1 active again */
    tcp_reasm_feed(f->r, &c1, &f->b, 0, 0, (const uint8_t *)"c1", 2, 1, 1);
    tcp_reasm_feed(f->r, &f->b, &c1, 0, 0, (const uint8_t *)"s1", 2, 2, 2);
    tcp_reasm_feed(f->r, &c2, &f->b, 0, 0, (const uint8_t *)"c2", 2, 3, 3);
    tcp_reasm_feed(f->r, &c2, &f->b, 5, 0, (const uint8_t *)"held", 4, 3, 4);
    tcp_reasm_feed(f->r, &f->b, &c2, 0, 0, (const uint8_t *)"s2", 2, 4, 5);
    tcp_reasm_feed(f->r, &c1, &f->b, 2, 0, (const uint8_t *)"!", 1, 5, 6);
    g_assert_cmpuint(stats(f).streams_open, ==, 4);
    /* a fifth stream: conn 2 is the least recently active, both its
     * streams go (held bytes delivered after a gap) */
    tcp_reasm_feed(f->r, &c3, &f->b, 0, 0, (const uint8_t *)"c3", 2, 6, 7);
    TcpReasmStats st = stats(f);
    g_assert_cmpuint(st.streams_open, ==, 3);
    g_assert_cmpuint(st.streams_evicted, ==, 2);
    g_assert_cmpuint(st.streams_opened, ==, 5);
    g_assert_cmpuint(f->rec.anomalies[SS_ANOMALY_TCP_STREAM_EVICTED], ==, 1);
    g_assert_cmpstr(stream_n(f, 0)->log->str, ==, "d2 d1");
    g_assert_cmpstr(stream_n(f, 2)->log->str, ==, "d2 g3 d4 c:evicted");
    g_assert_cmpstr(stream_n(f, 3)->log->str, ==, "d2 c:evicted");
    /* the sixth: conn 1 goes */
    tcp_reasm_feed(f->r, &f->b, &c3, 0, 0, (const uint8_t *)"s3", 2, 7, 8);
    g_assert_cmpuint(stats(f).streams_open, ==, 4);
    tcp_reasm_feed(f->r, &c2, &f->b, 100, 0, (const uint8_t *)"c2 again", 8, 8, 9);
    st = stats(f);
    g_assert_cmpuint(st.streams_open, ==, 3);
    g_assert_cmpuint(st.streams_evicted, ==, 4);
    g_assert_cmpstr(stream_n(f, 0)->log->str, ==, "d2 d1 c:evicted");
    g_assert_cmpstr(stream_n(f, 1)->log->str, ==, "d2 c:evicted");
}

/* 100k half-open connections (a SYN each) stay bounded by the real cap */
static void
test_half_open_flood(Fx *f, gconstpointer data)
{
    const unsigned n = 100000;
    for (unsigned i = 0; i < n; i++) {
        Endpoint src = {.family = 4, .port = (uint16_t)(1024 + i % 60000)};
        src.addr[0] = 198;
        src.addr[1] = 51;
        src.addr[2] = (uint8_t)(i / 60000);
        src.addr[3] = 7;
        tcp_reasm_feed(f->r, &src, &f->b, i * 7919u, SS_TCP_SYN, NULL, 0, (SsTime)i, i + 1);
    }
    TcpReasmStats st = stats(f);
    g_assert_cmpuint(st.streams_opened, ==, n);
    g_assert_cmpuint(st.streams_open, ==, SS_TCP_MAX_STREAMS);
    g_assert_cmpuint(st.streams_evicted, ==, n - SS_TCP_MAX_STREAMS);
    g_assert_cmpuint(f->rec.closes, ==, n - SS_TCP_MAX_STREAMS);
    g_assert_cmpuint(f->rec.anomalies[SS_ANOMALY_TCP_STREAM_EVICTED], ==, n - SS_TCP_MAX_STREAMS);
    tcp_reasm_flush(f->r, (SsTime)n);
    g_assert_cmpuint(f->rec.closes, ==, n);
    g_assert_cmpuint(stats(f).streams_open, ==, 0);
}

/* tcp_reasm_free() calls no sink function (the sink may be gone) */
static void
test_free_silent(void)
{
    Rec rec = {0};
    rec.streams = g_ptr_array_new_with_free_func(stream_rec_free);
    TcpReasmSink sink = {on_data, on_gap, on_close, &rec};
    TcpReasm *r = tcp_reasm_new(&sink, NULL);
    Endpoint a = ep4(1, 1), b = ep4(2, 2);
    tcp_reasm_feed(r, &a, &b, 0, 0, (const uint8_t *)"x", 1, 0, 1);
    tcp_reasm_feed(r, &a, &b, 5, 0, (const uint8_t *)"y", 1, 0, 2);
    tcp_reasm_free(r);
    g_assert_cmpuint(rec.closes, ==, 0);
    g_assert_cmpuint(rec.gaps, ==, 0);
    StreamRec *sr = g_ptr_array_index(rec.streams, 0);
    g_assert_cmpstr(sr->log->str, ==, "d1");
    g_ptr_array_unref(rec.streams);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fx, NULL, fx_setup, fn, fx_teardown)
    ADD("/tcp/reasm/in-order", test_in_order);
    ADD("/tcp/reasm/reversed", test_reversed);
    ADD("/tcp/reasm/duplicates", test_duplicates);
    ADD("/tcp/reasm/partial-retransmission", test_partial_retransmission);
    ADD("/tcp/reasm/overlap-conflict", test_overlap_conflict);
    ADD("/tcp/reasm/wraparound", test_wraparound);
    ADD("/tcp/reasm/midstream-start", test_midstream_start);
    ADD("/tcp/reasm/syn-fin-syn-reuse", test_syn_fin_syn_reuse);
    ADD("/tcp/reasm/rst", test_rst);
    ADD("/tcp/reasm/gap-timeout", test_gap_timeout);
    ADD("/tcp/reasm/fin-after-hole", test_fin_after_hole);
    ADD("/tcp/reasm/idle-and-flush", test_idle_and_flush);
    ADD("/tcp/reasm/stream-bytes-cap", test_stream_bytes_cap);
    ADD("/tcp/reasm/stream-cap-eviction", test_stream_cap_eviction);
    ADD("/tcp/reasm/half-open-flood", test_half_open_flood);
    g_test_add_func("/tcp/reasm/free-silent", test_free_silent);
    return g_test_run();
}
