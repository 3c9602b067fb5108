#include <config.h>
#include "net/ip_defrag.h"

#include <string.h>
#include "common/limits.h"

#define T0 (INT64_C(1700000000) * SS_NSEC_PER_SEC)

typedef struct {
    unsigned count[SS_ANOMALY__COUNT];
    unsigned total;
} Anoms;

static void
on_anomaly(void *user, SsAnomaly a, SsTime ts, const char *detail)
{
    (void)ts;
    (void)detail;
    Anoms *an = user;
    an->count[a]++;
    an->total++;
}

typedef struct {
    Anoms an;
    AnomalySink sink;
    IpDefrag *d;
    uint8_t payload[4000];
} Fixture;

static void
fx_setup(Fixture *f, gconstpointer data)
{
    (void)data;
    memset(&f->an, 0, sizeof(f->an));
    f->sink.fn = on_anomaly;
    f->sink.user = &f->an;
    f->d = ip_defrag_new(&f->sink);
    for (size_t i = 0; i < sizeof(f->payload); i++)
        f->payload[i] = (uint8_t)(i * 7 + i / 251);
}

static void
fx_teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    ip_defrag_free(f->d);
}

static IpFragment
frag4(uint32_t id, uint32_t off, size_t len, bool more, const uint8_t *data)
{
    IpFragment fr = {
        .version = 4,
        .id = id,
        .proto = 17,
        .offset = off,
        .more = more,
        .data = data,
        .len = len,
    };
    fr.src.family = fr.dst.family = 4;
    memcpy(fr.src.addr, "\xc0\x00\x02\x01", 4);
    memcpy(fr.dst.addr, "\xc0\x00\x02\x02", 4);
    return fr;
}

static bool
feed(Fixture *f, const IpFragment *fr, SsTime ts, const uint8_t **out, size_t *out_len)
{
    uint8_t proto = 0;
    bool done = ip_defrag_feed(f->d, fr, ts, out, out_len, &proto);
    if (done)
        g_assert_cmpuint(proto, ==, fr->proto);
    else {
        g_assert_null(*out);
        g_assert_cmpuint(*out_len, ==, 0);
    }
    return done;
}

/* Feed the pieces [0,1480) [1480,2960) [2960,3000) in the given order. */
static void
run_order(Fixture *f, const unsigned *order)
{
    static const uint32_t offs[3] = {0, 1480, 2960};
    static const size_t lens[3] = {1480, 1480, 40};
    const uint8_t *out = NULL;
    size_t n = 0;
    for (unsigned i = 0; i < 3; i++) {
        unsigned k = order[i];
        IpFragment fr = frag4(0x1234, offs[k], lens[k], k != 2, f->payload + offs[k]);
        bool done = feed(f, &fr, T0 + i, &out, &n);
        g_assert_cmpint(done, ==, i == 2);
        g_assert_cmpuint(ip_defrag_pending(f->d), ==, i == 2 ? 0 : 1);
    }
    g_assert_cmpuint(n, ==, 3000);
    g_assert_cmpmem(out, n, f->payload, 3000);
    g_assert_cmpuint(f->an.total, ==, 0);
    g_assert_cmpuint(ip_defrag_bytes(f->d), ==, 0);
}

static void
test_in_order(Fixture *f, gconstpointer data)
{
    (void)data;
    static const unsigned order[3] = {0, 1, 2};
    run_order(f, order);
}

static void
test_reversed(Fixture *f, gconstpointer data)
{
    (void)data;
    static const unsigned order[3] = {2, 1, 0};
    run_order(f, order);
}

static void
test_middle_last(Fixture *f, gconstpointer data)
{
    (void)data;
    static const unsigned order[3] = {0, 2, 1};
    run_order(f, order);
}

static void
test_duplicates(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out;
    size_t n;
    IpFragment a = frag4(7, 0, 800, true, f->payload);
    IpFragment b = frag4(7, 800, 200, false, f->payload + 800);
    g_assert_false(feed(f, &a, T0, &out, &n));
    g_assert_false(feed(f, &a, T0 + 1, &out, &n)); /* identical copy: harmless */
    g_assert_true(feed(f, &b, T0 + 2, &out, &n));
    g_assert_cmpuint(n, ==, 1000);
    g_assert_cmpmem(out, n, f->payload, 1000);
    g_assert_cmpuint(f->an.total, ==, 0);
    /* a late duplicate after completion starts a new datagram, never
     * delivers the old one twice */
    g_assert_false(feed(f, &b, T0 + 3, &out, &n));
    g_assert_cmpuint(ip_defrag_pending(f->d), ==, 1);
}

static void
test_overlap_same(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out;
    size_t n;
    IpFragment a = frag4(8, 0, 808, true, f->payload);
    IpFragment b = frag4(8, 400, 600, false, f->payload + 400);
    g_assert_false(feed(f, &a, T0, &out, &n));
    g_assert_true(feed(f, &b, T0, &out, &n));
    g_assert_cmpuint(n, ==, 1000);
    g_assert_cmpmem(out, n, f->payload, 1000);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_overlap_conflict(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out;
    size_t n;
    uint8_t other[1000];
    memset(other, 'X', sizeof(other));
    /* [0,16) then a conflicting [8,24) then [24,40) last */
    IpFragment a = frag4(9, 0, 16, true, f->payload);
    IpFragment b = frag4(9, 8, 16, true, other);
    IpFragment c = frag4(9, 24, 16, false, f->payload + 24);
    g_assert_false(feed(f, &a, T0, &out, &n));
    g_assert_false(feed(f, &b, T0, &out, &n));
    g_assert_cmpuint(f->an.count[SS_ANOMALY_FRAG_OVERLAP], ==, 1);
    g_assert_true(feed(f, &c, T0, &out, &n));
    g_assert_cmpuint(n, ==, 40);
    /* first copy wins on [8,16); the new bytes fill the hole [16,24) */
    g_assert_cmpmem(out, 16, f->payload, 16);
    g_assert_cmpmem(out + 16, 8, other, 8);
    g_assert_cmpmem(out + 24, 16, f->payload + 24, 16);
    g_assert_cmpuint(f->an.total, ==, 1);
}

static void
test_overlap_spanning(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out;
    size_t n;
    /* islands [8,16) [32,40) then one fragment covering [0,48): merges all */
    IpFragment a = frag4(10, 8, 8, true, f->payload + 8);
    IpFragment b = frag4(10, 32, 8, true, f->payload + 32);
    IpFragment c = frag4(10, 0, 48, true, f->payload);
    IpFragment d = frag4(10, 48, 2, false, f->payload + 48);
    g_assert_false(feed(f, &a, T0, &out, &n));
    g_assert_false(feed(f, &b, T0, &out, &n));
    g_assert_false(feed(f, &c, T0, &out, &n));
    g_assert_true(feed(f, &d, T0, &out, &n));
    g_assert_cmpuint(n, ==, 50);
    g_assert_cmpmem(out, n, f->payload, 50);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_missing_timeout(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out;
    size_t n;
    IpFragment b = frag4(11, 1480, 100, false, f->payload + 1480);
    g_assert_false(feed(f, &b, T0, &out, &n));
    g_assert_cmpuint(ip_defrag_pending(f->d), ==, 1);
    g_assert_cmpuint(ip_defrag_expire(f->d, T0 + SS_DEFRAG_TIMEOUT), ==, 0);
    g_assert_cmpuint(ip_defrag_pending(f->d), ==, 1);
    g_assert_cmpuint(ip_defrag_expire(f->d, T0 + SS_DEFRAG_TIMEOUT + 1), ==, 1);
    g_assert_cmpuint(ip_defrag_pending(f->d), ==, 0);
    g_assert_cmpuint(ip_defrag_timeouts(f->d), ==, 1);
    g_assert_cmpuint(ip_defrag_evictions(f->d), ==, 0);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_FRAG_TIMEOUT], ==, 1);
    g_assert_cmpuint(ip_defrag_bytes(f->d), ==, 0);
}

static void
test_stale_on_feed(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out;
    size_t n;
    IpFragment a = frag4(12, 0, 800, true, f->payload);
    IpFragment b = frag4(12, 800, 200, false, f->payload + 800);
    g_assert_false(feed(f, &a, T0, &out, &n));
    /* the rest comes too late: the old set times out, the late piece starts
     * a new set and nothing is delivered */
    g_assert_false(feed(f, &b, T0 + SS_DEFRAG_TIMEOUT + 1, &out, &n));
    g_assert_cmpuint(f->an.count[SS_ANOMALY_FRAG_TIMEOUT], ==, 1);
    g_assert_cmpuint(ip_defrag_timeouts(f->d), ==, 1);
    g_assert_cmpuint(ip_defrag_pending(f->d), ==, 1);
}

static void
test_too_big(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out;
    size_t n;
    IpFragment a = frag4(13, 65528, 16, false, f->payload);
    g_assert_false(feed(f, &a, T0, &out, &n));
    g_assert_cmpuint(f->an.count[SS_ANOMALY_FRAG_TOO_BIG], ==, 1);
    g_assert_cmpuint(ip_defrag_pending(f->d), ==, 0);
    /* exactly 65535 is fine */
    IpFragment b = frag4(13, 65528, 7, false, f->payload);
    IpFragment c = frag4(13, 0, 65528, true, NULL);
    uint8_t *big = g_malloc0(65528);
    c.data = big;
    g_assert_false(feed(f, &b, T0, &out, &n));
    g_assert_true(feed(f, &c, T0, &out, &n));
    g_assert_cmpuint(n, ==, 65535);
    g_assert_cmpmem(out + 65528, 7, f->payload, 7);
    g_assert_cmpuint(f->an.total, ==, 1);
    g_free(big);
}

static void
test_inconsistent(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out;
    size_t n;
    IpFragment last = frag4(14, 800, 200, false, f->payload + 800);
    IpFragment last2 = frag4(14, 800, 100, false, f->payload + 800);
    IpFragment past = frag4(14, 1000, 8, true, f->payload + 1000);
    IpFragment first = frag4(14, 0, 800, true, f->payload);
    g_assert_false(feed(f, &last, T0, &out, &n));
    g_assert_false(feed(f, &last2, T0, &out, &n)); /* a second, different end */
    g_assert_false(feed(f, &past, T0, &out, &n));  /* data past the end */
    g_assert_cmpuint(f->an.count[SS_ANOMALY_FRAG_INCONSISTENT], ==, 2);
    /* the first end stands and the datagram still completes */
    g_assert_true(feed(f, &first, T0, &out, &n));
    g_assert_cmpuint(n, ==, 1000);
    g_assert_cmpmem(out, n, f->payload, 1000);

    /* a last fragment ending before data already held */
    IpFragment x = frag4(15, 800, 200, true, f->payload + 800);
    IpFragment y = frag4(15, 0, 504, false, f->payload);
    g_assert_false(feed(f, &x, T0, &out, &n));
    g_assert_false(feed(f, &y, T0, &out, &n));
    g_assert_cmpuint(f->an.count[SS_ANOMALY_FRAG_INCONSISTENT], ==, 3);
    g_assert_cmpuint(f->an.total, ==, 3);
}

static void
test_keys(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out;
    size_t n;
    /* same id, different protocol or address: different datagrams */
    IpFragment a = frag4(16, 0, 8, true, f->payload);
    IpFragment b = frag4(16, 8, 8, false, f->payload + 8);
    b.proto = 6;
    g_assert_false(feed(f, &a, T0, &out, &n));
    g_assert_false(feed(f, &b, T0, &out, &n));
    IpFragment c = frag4(16, 8, 8, false, f->payload + 8);
    c.dst.addr[3] = 9;
    g_assert_false(feed(f, &c, T0, &out, &n));
    g_assert_cmpuint(ip_defrag_pending(f->d), ==, 3);

    /* IPv6 ignores the protocol: keyed on addresses + 32-bit id */
    IpFragment v6a = {
        .version = 6,
        .id = 0xdeadbeef,
        .proto = 17,
        .offset = 0,
        .more = true,
        .data = f->payload,
        .len = 16,
    };
    v6a.src.family = v6a.dst.family = 6;
    v6a.src.addr[0] = 0x20;
    v6a.dst.addr[0] = 0x20;
    v6a.dst.addr[15] = 2;
    IpFragment v6b = v6a;
    v6b.offset = 16;
    v6b.more = false;
    v6b.data = f->payload + 16;
    v6b.len = 5;
    g_assert_false(feed(f, &v6a, T0, &out, &n));
    g_assert_true(feed(f, &v6b, T0, &out, &n));
    g_assert_cmpuint(n, ==, 21);
    g_assert_cmpmem(out, n, f->payload, 21);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_cap_datagrams(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out;
    size_t n;
    for (uint32_t id = 0; id < SS_DEFRAG_MAX_DATAGRAMS; id++) {
        IpFragment a = frag4(id, 0, 8, true, f->payload);
        g_assert_false(feed(f, &a, T0 + id, &out, &n));
    }
    g_assert_cmpuint(ip_defrag_pending(f->d), ==, SS_DEFRAG_MAX_DATAGRAMS);
    g_assert_cmpuint(f->an.total, ==, 0);
    IpFragment extra = frag4(100000, 0, 8, true, f->payload);
    g_assert_false(feed(f, &extra, T0 + 5000, &out, &n));
    g_assert_cmpuint(ip_defrag_pending(f->d), ==, SS_DEFRAG_MAX_DATAGRAMS);
    g_assert_cmpuint(ip_defrag_evictions(f->d), ==, 1);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_FRAG_EVICTED], ==, 1);
    /* the oldest (id 0) went: its second half no longer completes it */
    IpFragment end0 = frag4(0, 8, 8, false, f->payload + 8);
    g_assert_false(feed(f, &end0, T0 + 5001, &out, &n));
    g_assert_cmpuint(ip_defrag_evictions(f->d), ==, 2); /* id 1 made room */
    /* id 2 is still there */
    IpFragment end2 = frag4(2, 8, 8, false, f->payload + 8);
    g_assert_true(feed(f, &end2, T0 + 5002, &out, &n));
    g_assert_cmpuint(n, ==, 16);
}

static void
test_cap_bytes(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out;
    size_t n;
    /* each set holds one 8-byte piece at the far end: its buffer spans
     * 65528 bytes, so 512 of them fit in SS_DEFRAG_MAX_BYTES */
    const uint32_t extent = 65528;
    const unsigned fit = SS_DEFRAG_MAX_BYTES / extent;
    g_assert_cmpuint(fit, ==, 512);
    for (uint32_t id = 0; id < fit; id++) {
        IpFragment a = frag4(id, extent - 8, 8, true, f->payload);
        g_assert_false(feed(f, &a, T0 + id, &out, &n));
    }
    g_assert_cmpuint(ip_defrag_bytes(f->d), ==, (size_t)fit * extent);
    g_assert_cmpuint(ip_defrag_evictions(f->d), ==, 0);
    IpFragment more = frag4(9999, extent - 8, 8, true, f->payload);
    g_assert_false(feed(f, &more, T0 + 1000, &out, &n));
    g_assert_cmpuint(ip_defrag_evictions(f->d), ==, 1);
    g_assert_cmpuint(ip_defrag_pending(f->d), ==, fit);
    g_assert_cmpuint(ip_defrag_bytes(f->d), <=, SS_DEFRAG_MAX_BYTES);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_FRAG_EVICTED], ==, 1);
}

static void
test_cap_fragments(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out;
    size_t n;
    for (uint32_t i = 0; i < SS_DEFRAG_MAX_FRAGMENTS; i++) {
        IpFragment a = frag4(20, i * 8, 8, true, f->payload + i * 8);
        g_assert_false(feed(f, &a, T0, &out, &n));
    }
    g_assert_cmpuint(ip_defrag_pending(f->d), ==, 1);
    g_assert_cmpuint(f->an.total, ==, 0);
    IpFragment last = frag4(20, SS_DEFRAG_MAX_FRAGMENTS * 8, 8, false, f->payload);
    g_assert_false(feed(f, &last, T0, &out, &n));
    g_assert_cmpuint(ip_defrag_pending(f->d), ==, 0);
    g_assert_cmpuint(ip_defrag_evictions(f->d), ==, 1);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_FRAG_EVICTED], ==, 1);
    g_assert_cmpuint(ip_defrag_bytes(f->d), ==, 0);
}

/* A fragment whose bytes live in the previous output buffer (a fragment
 * inside a reassembled tunnel packet) must be copied before that buffer is
 * reused: run under ASan/valgrind. */
static void
test_alias_output(Fixture *f, gconstpointer data)
{
    (void)data;
    const uint8_t *out, *out2;
    size_t n, n2;
    IpFragment a = frag4(30, 0, 16, true, f->payload);
    IpFragment b = frag4(30, 16, 16, false, f->payload + 16);
    IpFragment c = frag4(31, 0, 8, true, f->payload + 100);
    g_assert_false(feed(f, &c, T0, &out, &n));
    g_assert_false(feed(f, &a, T0, &out, &n));
    g_assert_true(feed(f, &b, T0, &out, &n));
    IpFragment d = frag4(31, 8, 32, false, out);
    g_assert_true(feed(f, &d, T0, &out2, &n2));
    g_assert_cmpuint(n2, ==, 40);
    g_assert_cmpmem(out2, 8, f->payload + 100, 8);
    g_assert_cmpmem(out2 + 8, 32, f->payload, 32);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
    ADD("/ip-defrag/in-order", test_in_order);
    ADD("/ip-defrag/reversed", test_reversed);
    ADD("/ip-defrag/last-before-middle", test_middle_last);
    ADD("/ip-defrag/duplicates", test_duplicates);
    ADD("/ip-defrag/overlap-same-bytes", test_overlap_same);
    ADD("/ip-defrag/overlap-conflict", test_overlap_conflict);
    ADD("/ip-defrag/overlap-spanning", test_overlap_spanning);
    ADD("/ip-defrag/missing-timeout", test_missing_timeout);
    ADD("/ip-defrag/stale-on-feed", test_stale_on_feed);
    ADD("/ip-defrag/too-big", test_too_big);
    ADD("/ip-defrag/inconsistent", test_inconsistent);
    ADD("/ip-defrag/keys", test_keys);
    ADD("/ip-defrag/cap-datagrams", test_cap_datagrams);
    ADD("/ip-defrag/cap-bytes", test_cap_bytes);
    ADD("/ip-defrag/cap-fragments", test_cap_fragments);
    ADD("/ip-defrag/alias-output", test_alias_output);
#undef ADD
    return g_test_run();
}
