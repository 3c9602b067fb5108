/* test-capture.c - CaptureSource: several files merged in time order, BPF
 * on files (per link type), errors, and live capture on loopback (as root;
 * skipped otherwise). Fixture files are written with the pcap writer and a
 * small pcapng builder into a temporary directory. */
#include <config.h>
#include "testutil.h"
#include "capture/capture.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "output/pcap_out.h"

#define LT_ETHERNET 1
#define LT_RAW 101
#define LIVE_PORT 45999

static char *tmpdir;

/* ---- frames: Ethernet / IPv4 / UDP or TCP, checksums left at 0 ---- */

static void
put16(GByteArray *a, uint16_t v)
{
    uint8_t p[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    g_byte_array_append(a, p, 2);
}

static void
put32(GByteArray *a, uint32_t v)
{
    put16(a, (uint16_t)(v >> 16));
    put16(a, (uint16_t)v);
}

/* proto 17 (UDP) or 6 (TCP); eth adds an Ethernet header */
static GByteArray *
frame(bool eth, uint8_t proto, uint16_t sport, uint16_t dport, const char *payload)
{
    GByteArray *a = g_byte_array_new();
    size_t plen = strlen(payload);
    size_t l4 = proto == 17 ? 8 : 20;
    if (eth) {
        static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
        g_byte_array_append(a, macs, 12);
        put16(a, 0x0800);
    }
    put16(a, 0x4500);
    put16(a, (uint16_t)(20 + l4 + plen));
    put32(a, 0);
    put16(a, (uint16_t)(64 << 8 | proto));
    put16(a, 0);
    put32(a, 0x0a000001);
    put32(a, 0x0a000002);
    put16(a, sport);
    put16(a, dport);
    if (proto == 17) {
        put16(a, (uint16_t)(8 + plen));
        put16(a, 0);
    } else {
        put32(a, 1);
        put32(a, 0);
        put16(a, 0x5018);
        put16(a, 65535);
        put32(a, 0);
    }
    g_byte_array_append(a, (const uint8_t *)payload, (guint)plen);
    return a;
}

/* ---- fixture files ---- */

typedef struct {
    SsTime ts;
    bool eth;
    uint8_t proto;
    uint16_t dport;
    const char *payload;
} Pkt;

static char *
write_pcap(const char *name, int linktype, const Pkt *pkts, size_t n)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    g_autoptr(GError) err = NULL;
    PcapOut *o = pcap_out_open(path, linktype, 0, &err);
    g_assert_no_error(err);
    for (size_t i = 0; i < n; i++) {
        GByteArray *a = frame(pkts[i].eth, pkts[i].proto ? pkts[i].proto : 17, 40000,
                              pkts[i].dport ? pkts[i].dport : 5060, pkts[i].payload);
        g_assert_true(pcap_out_write(o, pkts[i].ts, a->data, a->len, a->len, &err));
        g_byte_array_unref(a);
    }
    g_assert_true(pcap_out_close(o, &err));
    return path;
}

static void
le32(GByteArray *a, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    g_byte_array_append(a, p, 4);
}

static void
ng_block(GByteArray *a, uint32_t type, const uint8_t *body, size_t n)
{
    static const uint8_t zero[4] = {0};
    uint32_t total = (uint32_t)(12 + n + (4 - n % 4) % 4);
    le32(a, type);
    le32(a, total);
    g_byte_array_append(a, body, (guint)n);
    g_byte_array_append(a, zero, (guint)((4 - n % 4) % 4));
    le32(a, total);
}

/* pcapng: interface 0 Ethernet, interface 1 raw IP, both microseconds. */
static char *
write_pcapng_mixed(const char *name, const Pkt *pkts, size_t n)
{
    GByteArray *a = g_byte_array_new();
    GByteArray *body = g_byte_array_new();
    le32(body, 0x1a2b3c4d);
    le32(body, 1); /* version 1.0 */
    le32(body, 0xffffffff);
    le32(body, 0xffffffff);
    ng_block(a, 0x0a0d0d0a, body->data, body->len);
    for (int lt = 0; lt < 2; lt++) {
        g_byte_array_set_size(body, 0);
        le32(body, lt ? LT_RAW : LT_ETHERNET);
        le32(body, 0);
        ng_block(a, 1, body->data, body->len);
    }
    for (size_t i = 0; i < n; i++) {
        GByteArray *f = frame(pkts[i].eth, pkts[i].proto ? pkts[i].proto : 17, 40000,
                              pkts[i].dport ? pkts[i].dport : 5060, pkts[i].payload);
        uint64_t us = (uint64_t)(pkts[i].ts / SS_NSEC_PER_USEC);
        g_byte_array_set_size(body, 0);
        le32(body, pkts[i].eth ? 0 : 1);
        le32(body, (uint32_t)(us >> 32));
        le32(body, (uint32_t)us);
        le32(body, f->len);
        le32(body, f->len);
        g_byte_array_append(body, f->data, f->len);
        ng_block(a, 6, body->data, body->len);
        g_byte_array_unref(f);
    }
    char *path = g_build_filename(tmpdir, name, NULL);
    g_assert_true(g_file_set_contents(path, (const char *)a->data, a->len, NULL));
    g_byte_array_unref(a);
    g_byte_array_unref(body);
    return path;
}

static CaptureSource *
open_files(const char *const *files, const char *filter)
{
    CaptureOptions o = {.files = files, .filter = filter};
    g_autoptr(GError) err = NULL;
    CaptureSource *src = capture_open(&o, &err);
    g_assert_no_error(err);
    g_assert_nonnull(src);
    return src;
}

/* The payload is the frame's tail: compare it. */
static void
assert_next(CaptureSource *src, uint64_t frame, unsigned input, SsTime ts, const char *payload)
{
    SsPacket p;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(capture_next(src, &p, &err), ==, CAPTURE_PACKET);
    g_assert_no_error(err);
    g_assert_cmpuint(p.frame, ==, frame);
    g_assert_cmpuint(p.input, ==, input);
    g_assert_cmpint(p.ts, ==, ts);
    size_t n = strlen(payload);
    g_assert_cmpuint(p.caplen, >=, n);
    g_assert_cmpuint(p.caplen, ==, p.origlen);
    g_assert_cmpmem(p.data + p.caplen - n, n, payload, n);
}

static void
assert_end(CaptureSource *src)
{
    SsPacket p;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(capture_next(src, &p, &err), ==, CAPTURE_END);
    g_assert_no_error(err);
}

/* ---- files ---- */

static void
test_merge(void)
{
    const Pkt a[] = {{1, true, 17, 0, "a1"}, {4, true, 17, 0, "a4"}, {4, true, 17, 0, "a4b"}};
    const Pkt b[] = {{2, true, 17, 0, "b2"}, {4, true, 17, 0, "b4"}};
    const Pkt c[] = {{0, true, 17, 0, "c0"}, {5, true, 17, 0, "c5"}};
    g_autofree char *pa = write_pcap("merge-a.pcap", LT_ETHERNET, a, G_N_ELEMENTS(a));
    g_autofree char *pb = write_pcap("merge-b.pcap", LT_ETHERNET, b, G_N_ELEMENTS(b));
    g_autofree char *pc = write_pcap("merge-c.pcap", LT_ETHERNET, c, G_N_ELEMENTS(c));
    const char *files[] = {pa, pb, pc, NULL};
    CaptureSource *src = open_files(files, NULL);
    g_assert_false(capture_is_live(src));
    g_assert_cmpuint(capture_read_bytes(src), ==, 3 * 24);
    assert_next(src, 1, 2, 0, "c0");
    assert_next(src, 2, 0, 1, "a1");
    assert_next(src, 3, 1, 2, "b2");
    /* ties: earlier input first, and a file's own order is kept */
    assert_next(src, 4, 0, 4, "a4");
    assert_next(src, 5, 0, 4, "a4b");
    assert_next(src, 6, 1, 4, "b4");
    assert_next(src, 7, 2, 5, "c5");
    assert_end(src);
    assert_end(src);

    /* frame sizes: 14 + 20 + 8 + payload; record 16; header 24 each */
    uint64_t total = 3 * 24 + 7 * (16 + 42) + 2 + 2 + 3 + 2 + 2 + 2 + 2;
    g_assert_cmpuint(capture_total_bytes(src), ==, total);
    g_assert_cmpuint(capture_read_bytes(src), ==, total);
    CaptureStats st;
    capture_get_stats(src, &st);
    g_assert_cmpuint(st.packets, ==, 7);
    g_assert_cmpuint(st.filtered_out, ==, 0);
    g_assert_false(st.live);
    capture_close(src);
}

static void
test_truncated_goes_on(void)
{
    const Pkt a[] = {{1, true, 17, 0, "a1"}, {3, true, 17, 0, "a3"}, {5, true, 17, 0, "a5"}};
    const Pkt b[] = {{2, true, 17, 0, "b2"}, {4, true, 17, 0, "b4"}, {6, true, 17, 0, "b6"}};
    g_autofree char *pa = write_pcap("trunc-a.pcap", LT_ETHERNET, a, G_N_ELEMENTS(a));
    g_autofree char *pb = write_pcap("trunc-b.pcap", LT_ETHERNET, b, G_N_ELEMENTS(b));
    /* cut a's last record in its data: 24 + 2 * 60 + 16 + 10 */
    g_assert_cmpint(truncate(pa, 24 + 2 * 60 + 16 + 10), ==, 0);
    const char *files[] = {pa, pb, NULL};
    CaptureSource *src = open_files(files, NULL);
    assert_next(src, 1, 0, 1, "a1");
    assert_next(src, 2, 1, 2, "b2");
    assert_next(src, 3, 0, 3, "a3");

    SsPacket p;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(capture_next(src, &p, &err), ==, CAPTURE_ERROR);
    g_assert_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_TRUNCATED);
    g_autofree char *msg = g_strdup_printf(
        "%s: truncated: file ends at offset 170 inside the packet data at offset 144", pa);
    g_assert_cmpstr(err->message, ==, msg);

    assert_next(src, 4, 1, 4, "b4");
    assert_next(src, 5, 1, 6, "b6");
    assert_end(src);
    capture_close(src);
}

static void
test_bpf_files(void)
{
    const Pkt a[] = {
        {10, true, 17, 5060, "udp-5060"},
        {11, true, 17, 5061, "udp-5061"},
        {12, true, 6, 5060, "tcp-5060"},
        {13, true, 17, 5060, "udp-5060-again"},
    };
    g_autofree char *pa = write_pcap("bpf.pcap", LT_ETHERNET, a, G_N_ELEMENTS(a));
    const char *files[] = {pa, NULL};
    CaptureSource *src = open_files(files, "udp port 5060");
    assert_next(src, 1, 0, 10, "udp-5060");
    assert_next(src, 2, 0, 13, "udp-5060-again");
    assert_end(src);
    CaptureStats st;
    capture_get_stats(src, &st);
    g_assert_cmpuint(st.packets, ==, 2);
    g_assert_cmpuint(st.filtered_out, ==, 2);
    capture_close(src);
}

static void
test_bpf_mixed_linktypes(void)
{
    /* one pcapng, interfaces of two link types: the filter is compiled for
     * each link type, so it matches on both */
    const Pkt a[] = {
        {1000, true, 17, 5060, "eth-udp"},    {2000, false, 17, 5060, "raw-udp"},
        {3000, false, 17, 9999, "raw-other"}, {4000, true, 6, 5060, "eth-tcp"},
        {5000, false, 6, 5060, "raw-tcp"},
    };
    g_autofree char *pa = write_pcapng_mixed("mixed.pcapng", a, G_N_ELEMENTS(a));
    const char *files[] = {pa, NULL};
    CaptureSource *src = open_files(files, "udp port 5060");
    SsPacket p;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(capture_next(src, &p, &err), ==, CAPTURE_PACKET);
    g_assert_cmpint(p.linktype, ==, LT_ETHERNET);
    g_assert_cmpmem(p.data + p.caplen - 7, 7, "eth-udp", 7);
    g_assert_cmpint(capture_next(src, &p, &err), ==, CAPTURE_PACKET);
    g_assert_cmpint(p.linktype, ==, LT_RAW);
    g_assert_cmpint(p.ts, ==, 2000);
    g_assert_cmpmem(p.data + p.caplen - 7, 7, "raw-udp", 7);
    assert_end(src);
    CaptureStats st;
    capture_get_stats(src, &st);
    g_assert_cmpuint(st.filtered_out, ==, 3);
    capture_close(src);

    /* tcp on the same file, and no filter at all */
    src = open_files(files, "tcp");
    assert_next(src, 1, 0, 4000, "eth-tcp");
    assert_next(src, 2, 0, 5000, "raw-tcp");
    assert_end(src);
    capture_close(src);
}

static void
test_bad_filter(void)
{
    const Pkt a[] = {{1, true, 17, 0, "x"}};
    g_autofree char *pa = write_pcap("badfilter.pcap", LT_ETHERNET, a, 1);
    const char *files[] = {pa, NULL};
    CaptureOptions o = {.files = files, .filter = "udp prot 5060"};
    g_autoptr(GError) err = NULL;
    CaptureSource *src = capture_open(&o, &err);
    g_assert_null(src);
    g_assert_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_BAD_FILTER);
    g_assert_true(g_str_has_prefix(err->message, "invalid filter expression 'udp prot 5060': "));
}

static void
test_open_errors(void)
{
    g_autoptr(GError) err = NULL;
    CaptureOptions none = {0};
    g_assert_null(capture_open(&none, &err));
    g_assert_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_FAILED);
    g_assert_cmpstr(err->message, ==, "no input: give capture files or an interface");
    g_clear_error(&err);

    const Pkt a[] = {{1, true, 17, 0, "x"}};
    g_autofree char *pa = write_pcap("ok.pcap", LT_ETHERNET, a, 1);
    g_autofree char *missing = g_build_filename(tmpdir, "missing.pcap", NULL);
    const char *files[] = {pa, missing, NULL};
    CaptureOptions both = {.files = files, .iface = "lo"};
    g_assert_null(capture_open(&both, &err));
    g_assert_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_FAILED);
    g_assert_cmpstr(err->message, ==, "cannot read files and capture live at once");
    g_clear_error(&err);

    CaptureOptions o = {.files = files};
    g_assert_null(capture_open(&o, &err));
    g_assert_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NOT_FOUND);
    g_autofree char *msg = g_strdup_printf("%s: No such file or directory", missing);
    g_assert_cmpstr(err->message, ==, msg);
}

static void
test_break(void)
{
    const Pkt a[] = {{1, true, 17, 0, "one"}, {2, true, 17, 0, "two"}};
    g_autofree char *pa = write_pcap("break.pcap", LT_ETHERNET, a, 2);
    const char *files[] = {pa, NULL};
    CaptureSource *src = open_files(files, NULL);
    assert_next(src, 1, 0, 1, "one");
    capture_break(src);
    assert_end(src);
    capture_close(src);
}

/* ---- live ---- */

static bool
live_allowed(void)
{
    if (geteuid() != 0) {
        g_test_skip("live capture needs root");
        return false;
    }
    return true;
}

static CaptureSource *
open_live(const char *iface, const char *filter)
{
    CaptureOptions o = {.iface = iface, .filter = filter, .promisc = false, .immediate = true};
    g_autoptr(GError) err = NULL;
    CaptureSource *src = capture_open(&o, &err);
    if (!src && g_error_matches(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NO_DEVICE)) {
        g_test_skip(err->message);
        return NULL;
    }
    g_assert_no_error(err);
    return src;
}

static void
send_udp(int n, uint16_t port)
{
    int rx = socket(AF_INET, SOCK_DGRAM, 0);
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    g_assert_cmpint(rx, >=, 0);
    g_assert_cmpint(tx, >=, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* a listener avoids ICMP port unreachable; a busy port does not matter */
    (void)bind(rx, (struct sockaddr *)&sa, sizeof sa);
    for (int i = 0; i < n; i++) {
        char msg[32];
        int len = g_snprintf(msg, sizeof msg, "sipsleuth-live-%d", i);
        g_assert_cmpint(sendto(tx, msg, (size_t)len, 0, (struct sockaddr *)&sa, sizeof sa), ==,
                        len);
    }
    close(tx);
    close(rx);
}

/* Reads up to want packets within 5 s; returns how many. */
static int
receive(CaptureSource *src, int want, int *linktype)
{
    int got = 0;
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (got < want && g_get_monotonic_time() < deadline) {
        SsPacket p;
        g_autoptr(GError) err = NULL;
        CaptureResult r = capture_next(src, &p, &err);
        g_assert_no_error(err);
        if (r == CAPTURE_IDLE)
            continue;
        g_assert_cmpint(r, ==, CAPTURE_PACKET);
        char msg[32];
        int len = g_snprintf(msg, sizeof msg, "sipsleuth-live-%d", got);
        got++;
        g_assert_cmpuint(p.frame, ==, (uint64_t)got);
        g_assert_cmpuint(p.caplen, ==, p.origlen);
        g_assert_cmpuint(p.caplen, >=, (uint32_t)len);
        g_assert_cmpmem(p.data + p.caplen - len, len, msg, len);
        SsTime now = g_get_real_time() * SS_NSEC_PER_USEC;
        g_assert_cmpint(p.ts, <=, now);
        g_assert_cmpint(p.ts, >, now - 10 * SS_NSEC_PER_SEC);
        *linktype = p.linktype;
    }
    return got;
}

static void
check_live(const char *iface, int expect_lt, int expect_lt2)
{
    if (!live_allowed())
        return;
    CaptureSource *src = open_live(iface, "udp port 45999");
    if (!src)
        return;
    g_assert_true(capture_is_live(src));
    g_assert_cmpuint(capture_total_bytes(src), ==, 0);
    send_udp(3, LIVE_PORT);
    int lt = -1;
    g_assert_cmpint(receive(src, 3, &lt), ==, 3);
    g_assert_true(lt == expect_lt || lt == expect_lt2);
    /* nothing more: the next call times out */
    SsPacket p;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(capture_next(src, &p, &err), ==, CAPTURE_IDLE);
    CaptureStats st;
    capture_get_stats(src, &st);
    g_assert_true(st.live);
    g_assert_cmpuint(st.packets, ==, 3);
    g_assert_cmpuint(st.kernel_received, >=, 3);
    g_assert_cmpuint(st.kernel_dropped, ==, 0);
    capture_break(src);
    g_assert_cmpint(capture_next(src, &p, &err), ==, CAPTURE_END);
    capture_close(src);
}

static void
test_live_lo(void)
{
    check_live("lo", LT_ETHERNET, LT_ETHERNET);
}

static void
test_live_any(void)
{
    /* Linux "any": cooked headers, SLL (113) or SLL2 (276) */
    check_live("any", 113, 276);
}

static void
test_live_idle(void)
{
    if (!live_allowed())
        return;
    CaptureSource *src = open_live("lo", "udp port 45998 and udp port 45997");
    if (!src)
        return;
    SsPacket p;
    g_autoptr(GError) err = NULL;
    gint64 t0 = g_get_monotonic_time();
    g_assert_cmpint(capture_next(src, &p, &err), ==, CAPTURE_IDLE);
    g_assert_no_error(err);
    /* 100 ms read timeout: well under 2 s */
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
    SsTime now = g_get_real_time() * SS_NSEC_PER_USEC;
    g_assert_cmpint(p.ts, <=, now);
    g_assert_cmpint(p.ts, >, now - 2 * SS_NSEC_PER_SEC);
    g_assert_cmpuint(p.caplen, ==, 0);
    capture_close(src);
}

static void
test_live_bad_filter(void)
{
    if (!live_allowed())
        return;
    CaptureOptions o = {.iface = "lo", .filter = "port 99999999"};
    g_autoptr(GError) err = NULL;
    g_assert_null(capture_open(&o, &err));
    g_assert_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_BAD_FILTER);
    g_assert_true(g_str_has_prefix(err->message, "invalid filter expression 'port 99999999': "));
}

static void
test_live_no_device(void)
{
    /* unprivileged, libpcap reports the permission problem first */
    if (!live_allowed())
        return;
    CaptureOptions o = {.iface = "nosuchif0"};
    g_autoptr(GError) err = NULL;
    g_assert_null(capture_open(&o, &err));
    g_assert_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NO_DEVICE);
    g_assert_cmpstr(err->message, ==, "no such interface 'nosuchif0' (see ip link)");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("sipsleuth-capture-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    g_test_add_func("/capture/files/merge", test_merge);
    g_test_add_func("/capture/files/truncated-goes-on", test_truncated_goes_on);
    g_test_add_func("/capture/files/bpf", test_bpf_files);
    g_test_add_func("/capture/files/bpf-mixed-linktypes", test_bpf_mixed_linktypes);
    g_test_add_func("/capture/files/bad-filter", test_bad_filter);
    g_test_add_func("/capture/files/open-errors", test_open_errors);
    g_test_add_func("/capture/files/break", test_break);
    g_test_add_func("/capture/live/lo", test_live_lo);
    g_test_add_func("/capture/live/any", test_live_any);
    g_test_add_func("/capture/live/idle", test_live_idle);
    g_test_add_func("/capture/live/bad-filter", test_live_bad_filter);
    g_test_add_func("/capture/live/no-device", test_live_no_device);
    int rc = g_test_run();
    tu_rm_tmpdir(tmpdir);
    return rc;
}
