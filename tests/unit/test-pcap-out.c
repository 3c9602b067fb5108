/* test-pcap-out.c - the -w writer: exact bytes, and read back both by our
 * reader and by libpcap (what tcpdump, tshark and sngrep use). */
#include <config.h>
#include "testutil.h"
#include "output/pcap_out.h"

#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <string.h>
#include "capture/pcap_file.h"

static char *tmpdir;

/* clang-format off */
static const uint8_t expected_file[] = {
    /* header: nanosecond magic, LE; 2.4; thiszone 0; sigfigs 0 */
    0x4d, 0x3c, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* snaplen 8, linktype 101 */
    0x08, 0x00, 0x00, 0x00, 0x65, 0x00, 0x00, 0x00,
    /* 1700000000.123456789: sec 0x6553f100, nsec 0x075bcd15; caplen 3, len 3 */
    0x00, 0xf1, 0x53, 0x65, 0x15, 0xcd, 0x5b, 0x07, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
    'a', 'b', 'c',
    /* 1700000001.000000001; 12 bytes cut to the snaplen 8, len 12 */
    0x01, 0xf1, 0x53, 0x65, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00,
    '0', '1', '2', '3', '4', '5', '6', '7',
};
/* clang-format on */

#define TS1 INT64_C(1700000000123456789)
#define TS2 INT64_C(1700000001000000001)

static char *
write_sample(const char *name)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    g_autoptr(GError) err = NULL;
    PcapOut *o = pcap_out_open(path, 101, 8, &err);
    g_assert_no_error(err);
    g_assert_nonnull(o);
    g_assert_cmpint(pcap_out_linktype(o), ==, 101);
    g_assert_true(pcap_out_write(o, TS1, (const uint8_t *)"abc", 3, 3, &err));
    g_assert_true(pcap_out_write(o, TS2, (const uint8_t *)"0123456789ab", 12, 12, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(pcap_out_packets(o), ==, 2);
    g_assert_true(pcap_out_close(o, &err));
    g_assert_no_error(err);
    return path;
}

static void
test_bytes(void)
{
    g_autofree char *path = write_sample("bytes.pcap");
    g_autofree char *data = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_assert_cmpmem(data, len, expected_file, sizeof expected_file);
}

static void
test_read_back(void)
{
    g_autofree char *path = write_sample("readback.pcap");
    g_autoptr(GError) err = NULL;
    g_autoptr(PcapFile) f = pcap_file_open(path, &err);
    g_assert_no_error(err);
    SsPacket p;
    g_assert_cmpint(pcap_file_next(f, &p, &err), ==, CAPTURE_PACKET);
    g_assert_cmpint(p.ts, ==, TS1);
    g_assert_cmpint(p.linktype, ==, 101);
    g_assert_cmpmem(p.data, p.caplen, "abc", 3);
    g_assert_cmpint(pcap_file_next(f, &p, &err), ==, CAPTURE_PACKET);
    g_assert_cmpint(p.ts, ==, TS2);
    g_assert_cmpuint(p.origlen, ==, 12);
    g_assert_cmpmem(p.data, p.caplen, "01234567", 8);
    g_assert_cmpint(pcap_file_next(f, &p, &err), ==, CAPTURE_END);
    g_assert_no_error(err);
}

static void
test_libpcap_reads_it(void)
{
    g_autofree char *path = write_sample("libpcap.pcap");
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    g_assert_nonnull(p);
    g_assert_cmpint(pcap_datalink(p), ==, DLT_RAW);
    g_assert_cmpint(pcap_snapshot(p), ==, 8);
    struct pcap_pkthdr *h;
    const u_char *d;
    g_assert_cmpint(pcap_next_ex(p, &h, &d), ==, 1);
    g_assert_cmpint(h->ts.tv_sec, ==, 1700000000);
    g_assert_cmpint(h->ts.tv_usec, ==, 123456789); /* nanoseconds here */
    g_assert_cmpuint(h->caplen, ==, 3);
    g_assert_cmpint(pcap_next_ex(p, &h, &d), ==, 1);
    g_assert_cmpint(h->ts.tv_usec, ==, 1);
    g_assert_cmpuint(h->caplen, ==, 8);
    g_assert_cmpuint(h->len, ==, 12);
    g_assert_cmpint(pcap_next_ex(p, &h, &d), ==, PCAP_ERROR_BREAK); /* EOF */
    pcap_close(p);
}

static void
test_default_snaplen_and_empty(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "empty.pcap", NULL);
    g_autoptr(GError) err = NULL;
    PcapOut *o = pcap_out_open(path, 1, 0, &err);
    g_assert_no_error(err);
    g_assert_true(pcap_out_close(o, &err));
    g_autofree char *data = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_assert_cmpuint(len, ==, 24);
    /* snaplen 262144 = 0x00040000 */
    static const uint8_t tail[8] = {0x00, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00};
    g_assert_cmpmem(data + 16, 8, tail, 8);
}

static void
test_open_error(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "no-such-dir", "x.pcap", NULL);
    g_autoptr(GError) err = NULL;
    g_assert_null(pcap_out_open(path, 1, 0, &err));
    g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_autofree char *msg = g_strdup_printf("%s: No such file or directory", path);
    g_assert_cmpstr(err->message, ==, msg);
}

static void
test_write_error(void)
{
    /* /dev/full: the buffered writes succeed, the flush at close fails */
    if (!g_file_test("/dev/full", G_FILE_TEST_EXISTS)) {
        g_test_skip("no /dev/full");
        return;
    }
    g_autoptr(GError) err = NULL;
    PcapOut *o = pcap_out_open("/dev/full", 1, 0, &err);
    g_assert_no_error(err);
    g_assert_true(pcap_out_write(o, 1, (const uint8_t *)"x", 1, 1, &err));
    g_assert_false(pcap_out_close(o, &err));
    g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
    g_assert_cmpstr(err->message, ==, "/dev/full: write error: No space left on device");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("sipsleuth-pcap-out-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    g_test_add_func("/output/pcap-out/bytes", test_bytes);
    g_test_add_func("/output/pcap-out/read-back", test_read_back);
    g_test_add_func("/output/pcap-out/libpcap-reads-it", test_libpcap_reads_it);
    g_test_add_func("/output/pcap-out/default-snaplen-and-empty", test_default_snaplen_and_empty);
    g_test_add_func("/output/pcap-out/open-error", test_open_error);
    g_test_add_func("/output/pcap-out/write-error", test_write_error);
    int rc = g_test_run();
    tu_rm_tmpdir(tmpdir);
    return rc;
}
