/* test-pcap-file.c - the pcap / pcapng reader, on files built byte by byte
 * here (so every field of every format variant is under the test's
 * control), including hostile and truncated ones. */
#include <config.h>
#include "testutil.h"
#include "capture/pcap_file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static char *tmpdir;

/* ---- a tiny byte builder ---- */

typedef struct {
    GByteArray *b;
    bool le;
} Bld;

static void
u8(Bld *b, uint8_t v)
{
    g_byte_array_append(b->b, &v, 1);
}

static void
u16(Bld *b, uint16_t v)
{
    uint8_t p[2] = {b->le ? (uint8_t)v : (uint8_t)(v >> 8), b->le ? (uint8_t)(v >> 8) : (uint8_t)v};
    g_byte_array_append(b->b, p, 2);
}

static void
u32(Bld *b, uint32_t v)
{
    uint8_t p[4];
    for (int i = 0; i < 4; i++)
        p[b->le ? i : 3 - i] = (uint8_t)(v >> (8 * i));
    g_byte_array_append(b->b, p, 4);
}

static void
u64(Bld *b, uint64_t v)
{
    if (b->le) {
        u32(b, (uint32_t)v);
        u32(b, (uint32_t)(v >> 32));
    } else {
        u32(b, (uint32_t)(v >> 32));
        u32(b, (uint32_t)v);
    }
}

static void
bytes(Bld *b, const void *p, size_t n)
{
    g_byte_array_append(b->b, p, (guint)n);
}

static void
pad4(Bld *b)
{
    while (b->b->len % 4)
        u8(b, 0);
}

static void
pcap_header(Bld *b, uint32_t magic, uint32_t snaplen, uint32_t linktype)
{
    u32(b, magic);
    u16(b, 2);
    u16(b, 4);
    u32(b, 0);
    u32(b, 0);
    u32(b, snaplen);
    u32(b, linktype);
}

static void
pcap_record(Bld *b, uint32_t sec, uint32_t frac, const char *data, uint32_t origlen)
{
    uint32_t n = (uint32_t)strlen(data);
    u32(b, sec);
    u32(b, frac);
    u32(b, n);
    u32(b, origlen ? origlen : n);
    bytes(b, data, n);
}

/* pcapng blocks: begin writes type and a placeholder length, end pads,
 * writes the trailing length and patches the leading one. */
static guint
blk_begin(Bld *b, uint32_t type)
{
    guint start = b->b->len;
    u32(b, type);
    u32(b, 0);
    return start;
}

static void
blk_end(Bld *b, guint start)
{
    pad4(b);
    uint32_t total = b->b->len - start + 4;
    u32(b, total);
    Bld tmp = {g_byte_array_new(), b->le};
    u32(&tmp, total);
    memcpy(b->b->data + start + 4, tmp.b->data, 4);
    g_byte_array_unref(tmp.b);
}

static void
shb(Bld *b)
{
    guint s = blk_begin(b, 0x0a0d0d0a);
    u32(b, 0x1a2b3c4d);
    u16(b, 1);
    u16(b, 0);
    u64(b, UINT64_MAX); /* section length unknown */
    blk_end(b, s);
}

/* tsresol: 0 = no option (microseconds); tsoffset: 0 = no option */
static void
idb(Bld *b, uint16_t linktype, uint32_t snaplen, uint8_t tsresol, int64_t tsoffset)
{
    guint s = blk_begin(b, 1);
    u16(b, linktype);
    u16(b, 0);
    u32(b, snaplen);
    if (tsresol) {
        u16(b, 9);
        u16(b, 1);
        u8(b, tsresol);
        pad4(b);
    }
    if (tsoffset) {
        u16(b, 14);
        u16(b, 8);
        u64(b, (uint64_t)tsoffset);
    }
    /* an option we ignore (if_name) */
    u16(b, 2);
    u16(b, 3);
    bytes(b, "lo0", 3);
    pad4(b);
    u16(b, 0);
    u16(b, 0);
    blk_end(b, s);
}

static void
epb(Bld *b, uint32_t iface, uint64_t ts, const char *data, uint32_t origlen)
{
    uint32_t n = (uint32_t)strlen(data);
    guint s = blk_begin(b, 6);
    u32(b, iface);
    u32(b, (uint32_t)(ts >> 32));
    u32(b, (uint32_t)ts);
    u32(b, n);
    u32(b, origlen ? origlen : n);
    bytes(b, data, n);
    pad4(b);
    /* an EPB option (epb_flags) after the data */
    u16(b, 2);
    u16(b, 4);
    u32(b, 0);
    u16(b, 0);
    u16(b, 0);
    blk_end(b, s);
}

static void
spb(Bld *b, uint32_t origlen, const char *data)
{
    guint s = blk_begin(b, 3);
    u32(b, origlen);
    bytes(b, data, strlen(data));
    blk_end(b, s);
}

static void
pb(Bld *b, uint16_t iface, uint64_t ts, const char *data)
{
    uint32_t n = (uint32_t)strlen(data);
    guint s = blk_begin(b, 2);
    u16(b, iface);
    u16(b, 0);
    u32(b, (uint32_t)(ts >> 32));
    u32(b, (uint32_t)ts);
    u32(b, n);
    u32(b, n);
    bytes(b, data, n);
    blk_end(b, s);
}

static void
unknown_block(Bld *b)
{
    guint s = blk_begin(b, 0x40000bad); /* local-use block type */
    u32(b, 0xdeadbeef);
    u8(b, 7);
    blk_end(b, s);
}

static Bld
bld(bool le)
{
    return (Bld){g_byte_array_new(), le};
}

static char *
save(const char *name, Bld *b, size_t keep)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    size_t n = keep ? keep : b->b->len;
    g_assert_true(g_file_set_contents(path, (const char *)b->b->data, (gssize)n, NULL));
    g_byte_array_unref(b->b);
    b->b = NULL;
    return path;
}

static void
assert_packet(PcapFile *f, SsTime ts, int linktype, const char *data, uint32_t origlen)
{
    SsPacket p;
    memset(&p, 0, sizeof p);
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(pcap_file_next(f, &p, &err), ==, CAPTURE_PACKET);
    g_assert_no_error(err);
    g_assert_cmpint(p.ts, ==, ts);
    g_assert_cmpint(p.linktype, ==, linktype);
    g_assert_cmpuint(p.caplen, ==, strlen(data));
    g_assert_cmpuint(p.origlen, ==, origlen ? origlen : strlen(data));
    g_assert_cmpmem(p.data, p.caplen, data, strlen(data));
}

static void
assert_end(PcapFile *f)
{
    SsPacket p;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(pcap_file_next(f, &p, &err), ==, CAPTURE_END);
    g_assert_no_error(err);
    g_assert_cmpint(pcap_file_next(f, &p, &err), ==, CAPTURE_END);
}

static PcapFile *
open_ok(const char *path)
{
    g_autoptr(GError) err = NULL;
    PcapFile *f = pcap_file_open(path, &err);
    g_assert_no_error(err);
    g_assert_nonnull(f);
    return f;
}

static void
assert_open_fails(const char *path, int code, const char *msg)
{
    g_autoptr(GError) err = NULL;
    PcapFile *f = pcap_file_open(path, &err);
    g_assert_null(f);
    g_assert_error(err, SS_CAPTURE_ERROR, code);
    g_assert_cmpstr(err->message, ==, msg);
}

/* Reads until the error; asserts the error and its exact message. */
static void
assert_error(PcapFile *f, int code, const char *msg)
{
    SsPacket p;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(pcap_file_next(f, &p, &err), ==, CAPTURE_ERROR);
    g_assert_error(err, SS_CAPTURE_ERROR, code);
    g_assert_cmpstr(err->message, ==, msg);
    assert_end(f);
}

/* ---- classic pcap ---- */

static void
check_classic(bool le, uint32_t magic, bool nsec)
{
    Bld b = bld(le);
    pcap_header(&b, magic, 65535, 1);
    pcap_record(&b, 1700000000, 123456, "first packet", 0);
    pcap_record(&b, 1700000001, 999999, "second", 1514);
    size_t size = b.b->len;
    g_autofree char *path = save("classic.pcap", &b, 0);
    PcapFile *f = open_ok(path);
    g_assert_cmpint(pcap_file_linktype(f), ==, 1);
    g_assert_cmpuint(pcap_file_size(f), ==, size);
    SsTime s1 = INT64_C(1700000000) * SS_NSEC_PER_SEC;
    SsTime s2 = INT64_C(1700000001) * SS_NSEC_PER_SEC;
    assert_packet(f, s1 + (nsec ? 123456 : 123456000), 1, "first packet", 0);
    assert_packet(f, s2 + (nsec ? 999999 : 999999000), 1, "second", 1514);
    assert_end(f);
    g_assert_cmpuint(pcap_file_offset(f), ==, size);
    g_assert_cmpstr(pcap_file_path(f), ==, path);
    pcap_file_close(f);
}

static void
test_pcap_le_usec(void)
{
    check_classic(true, 0xa1b2c3d4, false);
}

static void
test_pcap_be_usec(void)
{
    check_classic(false, 0xa1b2c3d4, false);
}

static void
test_pcap_le_nsec(void)
{
    check_classic(true, 0xa1b23c4d, true);
}

static void
test_pcap_be_nsec(void)
{
    check_classic(false, 0xa1b23c4d, true);
}

static void
test_pcap_modified(void)
{
    /* Kuznetzov's format: each record has ifindex, protocol, pkt_type, pad */
    Bld b = bld(true);
    pcap_header(&b, 0xa1b2cd34, 65535, 113);
    for (int i = 0; i < 2; i++) {
        u32(&b, 1000 + (uint32_t)i);
        u32(&b, 5);
        u32(&b, 3);
        u32(&b, 60);
        u32(&b, 2);      /* ifindex */
        u16(&b, 0x0800); /* protocol */
        u8(&b, 4);       /* pkt_type */
        u8(&b, 0);
        bytes(&b, i ? "def" : "abc", 3);
    }
    g_autofree char *path = save("modified.pcap", &b, 0);
    PcapFile *f = open_ok(path);
    assert_packet(f, 1000 * SS_NSEC_PER_SEC + 5000, 113, "abc", 60);
    assert_packet(f, 1001 * SS_NSEC_PER_SEC + 5000, 113, "def", 60);
    assert_end(f);
    pcap_file_close(f);
}

static void
test_pcap_linktype_fcs_bits(void)
{
    /* upper bits of the link type field carry FCS info, not the type */
    Bld b = bld(true);
    pcap_header(&b, 0xa1b2c3d4, 65535, 0x14000001);
    pcap_record(&b, 1, 0, "x", 0);
    g_autofree char *path = save("fcs.pcap", &b, 0);
    PcapFile *f = open_ok(path);
    g_assert_cmpint(pcap_file_linktype(f), ==, 1);
    assert_packet(f, SS_NSEC_PER_SEC, 1, "x", 0);
    pcap_file_close(f);
}

static void
test_pcap_stdin(void)
{
    Bld b = bld(true);
    pcap_header(&b, 0xa1b2c3d4, 65535, 101);
    pcap_record(&b, 7, 8, "from stdin", 0);
    g_autofree char *path = save("stdin.pcap", &b, 0);
    int saved = dup(STDIN_FILENO);
    int fd = open(path, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(dup2(fd, STDIN_FILENO), ==, STDIN_FILENO);
    close(fd);
    PcapFile *f = open_ok("-");
    g_assert_cmpstr(pcap_file_path(f), ==, "stdin");
    assert_packet(f, 7 * SS_NSEC_PER_SEC + 8000, 101, "from stdin", 0);
    assert_end(f);
    pcap_file_close(f);
    dup2(saved, STDIN_FILENO);
    close(saved);
}

/* Records of every size up to 70 KB, and one of 1.5 MiB (more than the
 * reader's 128 KiB window), 3.5 MB in all: records cross the window's end
 * everywhere and are handed out in place. Read from the file, then through
 * a pipe written 4093 bytes at a time (short reads). */
#define BIG_RECORD (1536u * 1024u)

static uint32_t
rec_len(unsigned i)
{
    return i == 40 ? BIG_RECORD : (i * 7919u) % 70000u + 1u;
}

static uint8_t
rec_byte(unsigned i, uint32_t k)
{
    return (uint8_t)(i * 31u + k * 7u + (k >> 8));
}

static GByteArray *
window_capture(unsigned *n_records)
{
    Bld b = bld(true);
    pcap_header(&b, 0xa1b23c4d, 262144, 1);
    unsigned i = 0;
    uint8_t *buf = g_malloc(BIG_RECORD);
    while (b.b->len < 3500000u) {
        uint32_t n = rec_len(i);
        for (uint32_t k = 0; k < n; k++)
            buf[k] = rec_byte(i, k);
        u32(&b, 1000 + i);
        u32(&b, i);
        u32(&b, n);
        u32(&b, n + 4);
        bytes(&b, buf, n);
        i++;
    }
    g_free(buf);
    *n_records = i;
    return b.b;
}

static void
read_window_capture(PcapFile *f, unsigned n_records)
{
    for (unsigned i = 0; i < n_records; i++) {
        SsPacket p;
        g_autoptr(GError) err = NULL;
        g_assert_cmpint(pcap_file_next(f, &p, &err), ==, CAPTURE_PACKET);
        g_assert_no_error(err);
        uint32_t n = rec_len(i);
        g_assert_cmpint(p.ts, ==, (SsTime)(1000 + i) * SS_NSEC_PER_SEC + i);
        g_assert_cmpuint(p.caplen, ==, n);
        g_assert_cmpuint(p.origlen, ==, n + 4);
        for (uint32_t k = 0; k < n; k++)
            if (p.data[k] != rec_byte(i, k))
                g_error("record %u byte %u differs", i, k);
    }
    assert_end(f);
}

typedef struct {
    int fd;
    GByteArray *data;
} PipeFeed;

static gpointer
pipe_writer(gpointer user)
{
    PipeFeed *pf = user;
    for (guint off = 0; off < pf->data->len;) {
        size_t n = MIN(4093u, pf->data->len - off);
        ssize_t w = write(pf->fd, pf->data->data + off, n);
        g_assert_cmpint(w, >, 0);
        off += (guint)w;
    }
    close(pf->fd);
    return NULL;
}

static void
test_pcap_window(void)
{
    unsigned n;
    GByteArray *data = window_capture(&n);
    g_assert_cmpuint(n, >, 41);
    g_autofree char *path = g_build_filename(tmpdir, "window.pcap", NULL);
    g_assert_true(g_file_set_contents(path, (const char *)data->data, data->len, NULL));
    PcapFile *f = open_ok(path);
    read_window_capture(f, n);
    g_assert_cmpuint(pcap_file_offset(f), ==, data->len);
    pcap_file_close(f);

    int fds[2];
    g_assert_cmpint(pipe(fds), ==, 0);
    PipeFeed pf = { fds[1], data };
    GThread *t = g_thread_new("pipe-writer", pipe_writer, &pf);
    int saved = dup(STDIN_FILENO);
    g_assert_cmpint(dup2(fds[0], STDIN_FILENO), ==, STDIN_FILENO);
    close(fds[0]);
    f = open_ok("-");
    read_window_capture(f, n);
    g_assert_cmpuint(pcap_file_offset(f), ==, data->len);
    pcap_file_close(f);
    g_thread_join(t);
    dup2(saved, STDIN_FILENO);
    close(saved);

    /* cut inside the big record: the same truncation report as ever */
    g_assert_true(g_file_set_contents(path, (const char *)data->data, 2000000, NULL));
    f = open_ok(path);
    for (unsigned i = 0; i < 40; i++) {
        SsPacket p;
        g_autoptr(GError) err = NULL;
        g_assert_cmpint(pcap_file_next(f, &p, &err), ==, CAPTURE_PACKET);
    }
    SsPacket p;
    g_autoptr(GError) err = NULL;
    g_assert_cmpint(pcap_file_next(f, &p, &err), ==, CAPTURE_ERROR);
    g_assert_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_TRUNCATED);
    g_assert_nonnull(strstr(err->message, "truncated: file ends at offset 2000000 inside the packet data"));
    pcap_file_close(f);
    g_byte_array_unref(data);
}

/* ---- pcapng ---- */

static void
test_pcapng_two_idbs(void)
{
    Bld b = bld(true);
    shb(&b);
    idb(&b, 1, 262144, 0, 0);  /* Ethernet, default microseconds */
    idb(&b, 101, 65535, 9, 0); /* raw IP, nanoseconds */
    unknown_block(&b);
    epb(&b, 1, UINT64_C(1700000000123456789), "raw ip packet", 0);
    epb(&b, 0, UINT64_C(1700000000123456), "eth frame", 1500);
    unknown_block(&b);
    g_autofree char *path = save("two-idbs.pcapng", &b, 0);
    PcapFile *f = open_ok(path);
    g_assert_cmpint(pcap_file_linktype(f), ==, 1);
    assert_packet(f, INT64_C(1700000000123456789), 101, "raw ip packet", 0);
    assert_packet(f, INT64_C(1700000000123456000), 1, "eth frame", 1500);
    assert_end(f);
    pcap_file_close(f);
}

static void
test_pcapng_tsresol_pow2(void)
{
    Bld b = bld(true);
    shb(&b);
    idb(&b, 1, 0, 0x80 | 10, 0);  /* 2^-10 s units */
    idb(&b, 1, 0, 3, 1000000000); /* milliseconds, offset 10^9 s */
    /* 5.5 s = 5 * 1024 + 512 units; 1/1024 s = 976562.5 ns -> 976562 */
    epb(&b, 0, 5 * 1024 + 512, "a", 0);
    epb(&b, 0, 1, "b", 0);
    epb(&b, 1, 2500, "c", 0); /* 2.5 s after the offset */
    g_autofree char *path = save("pow2.pcapng", &b, 0);
    PcapFile *f = open_ok(path);
    assert_packet(f, INT64_C(5500000000), 1, "a", 0);
    assert_packet(f, INT64_C(976562), 1, "b", 0);
    assert_packet(f, INT64_C(1000000002500000000), 1, "c", 0);
    assert_end(f);
    pcap_file_close(f);
}

static void
test_pcapng_sections(void)
{
    /* big-endian section, then a little-endian one whose interface 0 is a
     * new interface: ids restart with each section */
    Bld b = bld(false);
    shb(&b);
    idb(&b, 113, 0, 6, 0);
    epb(&b, 0, 2000001, "big", 0);
    b.le = true;
    shb(&b);
    idb(&b, 228, 0, 9, 0);
    epb(&b, 0, 3000000007, "little", 0);
    pb(&b, 0, 4000000000, "old pb");
    g_autofree char *path = save("sections.pcapng", &b, 0);
    PcapFile *f = open_ok(path);
    g_assert_cmpint(pcap_file_linktype(f), ==, 113);
    assert_packet(f, INT64_C(2000001000), 113, "big", 0);
    assert_packet(f, INT64_C(3000000007), 228, "little", 0);
    assert_packet(f, INT64_C(4000000000), 228, "old pb", 0);
    assert_end(f);
    pcap_file_close(f);
}

static void
test_pcapng_spb(void)
{
    Bld b = bld(true);
    shb(&b);
    idb(&b, 1, 4, 9, 0); /* snaplen 4 */
    epb(&b, 0, 77, "ab", 0);
    /* origlen 10, but the interface kept 4 bytes; block padded to 4 */
    spb(&b, 10, "wxyz");
    /* origlen 3 < snaplen: 3 bytes + 1 pad byte in the block */
    spb(&b, 3, "pqr");
    g_autofree char *path = save("spb.pcapng", &b, 0);
    PcapFile *f = open_ok(path);
    assert_packet(f, 77, 1, "ab", 0);
    /* no timestamp in a SPB: the previous packet's is kept */
    assert_packet(f, 77, 1, "wxyz", 10);
    assert_packet(f, 77, 1, "pqr", 3);
    assert_end(f);
    pcap_file_close(f);
}

static void
test_pcapng_no_idb_linktype_unknown(void)
{
    /* a file whose first block after the SHB is not an IDB */
    Bld b = bld(true);
    shb(&b);
    unknown_block(&b);
    idb(&b, 1, 0, 0, 0);
    epb(&b, 0, 1, "late", 0);
    g_autofree char *path = save("late-idb.pcapng", &b, 0);
    PcapFile *f = open_ok(path);
    g_assert_cmpint(pcap_file_linktype(f), ==, -1);
    assert_packet(f, 1000, 1, "late", 0);
    g_assert_cmpint(pcap_file_linktype(f), ==, 1);
    assert_end(f);
    pcap_file_close(f);
}

static void
test_pcapng_only_shb(void)
{
    Bld b = bld(false);
    shb(&b);
    g_autofree char *path = save("only-shb.pcapng", &b, 0);
    PcapFile *f = open_ok(path);
    g_assert_cmpint(pcap_file_linktype(f), ==, -1);
    assert_end(f);
    g_assert_cmpuint(pcap_file_offset(f), ==, 28);
    pcap_file_close(f);
}

/* ---- hostile and truncated input ---- */

static void
test_empty(void)
{
    Bld b = bld(true);
    g_autofree char *path = save("empty.pcap", &b, 0);
    g_autofree char *msg = g_strdup_printf("%s: empty file", path);
    assert_open_fails(path, SS_CAPTURE_ERROR_NOT_CAPTURE, msg);
}

static void
test_garbage(void)
{
    Bld b = bld(true);
    bytes(&b, "INVITE sip:bob@example.com SIP/2.0\r\n", 36);
    g_autofree char *path = save("garbage.pcap", &b, 0);
    g_autofree char *msg = g_strdup_printf("%s: not a pcap or pcapng file", path);
    assert_open_fails(path, SS_CAPTURE_ERROR_NOT_CAPTURE, msg);

    Bld s = bld(true);
    bytes(&s, "ab", 2);
    g_autofree char *path2 = save("short.pcap", &s, 0);
    g_autofree char *msg2 = g_strdup_printf("%s: not a pcap or pcapng file (2 bytes)", path2);
    assert_open_fails(path2, SS_CAPTURE_ERROR_NOT_CAPTURE, msg2);
}

static void
test_missing(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "does-not-exist.pcap", NULL);
    g_autofree char *msg = g_strdup_printf("%s: %s", path, g_strerror(ENOENT));
    assert_open_fails(path, SS_CAPTURE_ERROR_NOT_FOUND, msg);
    g_autofree char *msg2 = g_strdup_printf("%s: is a directory", tmpdir);
    assert_open_fails(tmpdir, SS_CAPTURE_ERROR_NOT_FOUND, msg2);
}

static void
test_truncated_file_header(void)
{
    Bld b = bld(true);
    pcap_header(&b, 0xa1b2c3d4, 65535, 1);
    g_autofree char *path = save("cut-file-header.pcap", &b, 10);
    g_autofree char *msg = g_strdup_printf(
        "%s: truncated: file ends at offset 10 inside the pcap file header at offset 0", path);
    assert_open_fails(path, SS_CAPTURE_ERROR_TRUNCATED, msg);
}

static void
test_truncated_record_header(void)
{
    Bld b = bld(true);
    pcap_header(&b, 0xa1b2c3d4, 65535, 1);
    pcap_record(&b, 1, 0, "complete", 0); /* 24 + 16 + 8 = 48 */
    pcap_record(&b, 2, 0, "cut", 0);
    g_autofree char *path = save("cut-record-header.pcap", &b, 48 + 10);
    PcapFile *f = open_ok(path);
    assert_packet(f, SS_NSEC_PER_SEC, 1, "complete", 0);
    g_autofree char *msg = g_strdup_printf(
        "%s: truncated: file ends at offset 58 inside the record header at offset 48", path);
    assert_error(f, SS_CAPTURE_ERROR_TRUNCATED, msg);
    pcap_file_close(f);
}

static void
test_truncated_data(void)
{
    Bld b = bld(false);
    pcap_header(&b, 0xa1b23c4d, 65535, 1);
    pcap_record(&b, 1, 0, "complete", 0);
    pcap_record(&b, 2, 0, "cut in the middle", 0);
    g_autofree char *path = save("cut-data.pcap", &b, 48 + 16 + 5);
    PcapFile *f = open_ok(path);
    assert_packet(f, SS_NSEC_PER_SEC, 1, "complete", 0);
    g_autofree char *msg = g_strdup_printf(
        "%s: truncated: file ends at offset 69 inside the packet data at offset 48", path);
    assert_error(f, SS_CAPTURE_ERROR_TRUNCATED, msg);
    pcap_file_close(f);
}

static void
test_huge_caplen(void)
{
    Bld b = bld(true);
    pcap_header(&b, 0xa1b2c3d4, 65535, 1);
    pcap_record(&b, 1, 0, "ok", 0);
    u32(&b, 2);
    u32(&b, 0);
    u32(&b, 0x7fffffff);
    u32(&b, 0x7fffffff);
    bytes(&b, "tiny", 4);
    g_autofree char *path = save("huge.pcap", &b, 0);
    PcapFile *f = open_ok(path);
    assert_packet(f, SS_NSEC_PER_SEC, 1, "ok", 0);
    g_autofree char *msg = g_strdup_printf(
        "%s: corrupt record at offset 42: captured length 2147483647 over the 256 MiB limit", path);
    assert_error(f, SS_CAPTURE_ERROR_NOT_CAPTURE, msg);
    pcap_file_close(f);
}

static void
test_pcapng_truncated_block(void)
{
    Bld b = bld(true);
    shb(&b);                 /* 28 bytes */
    idb(&b, 1, 0, 0, 0);     /* 8 + 8 + 8 (if_name) + 4 (end) + 4 = 32 */
    epb(&b, 0, 1, "one", 0); /* 8 + 20 + 4 + 8 (flags) + 4 (end) + 4 = 48 */
    epb(&b, 0, 2, "two", 0);
    g_assert_cmpuint(b.b->len, ==, 28 + 32 + 48 + 48);
    g_autofree char *path = save("cut.pcapng", &b, 28 + 32 + 48 + 30);
    PcapFile *f = open_ok(path);
    assert_packet(f, 1000, 1, "one", 0);
    g_autofree char *msg = g_strdup_printf(
        "%s: truncated: file ends at offset 138 inside the block at offset 108", path);
    assert_error(f, SS_CAPTURE_ERROR_TRUNCATED, msg);
    pcap_file_close(f);
}

static void
test_pcapng_truncated_in_first_block(void)
{
    /* the IDB read at open is cut: the open succeeds, the error comes
     * with the first read */
    Bld b = bld(true);
    shb(&b);
    idb(&b, 1, 0, 0, 0);
    g_autofree char *path = save("cut-idb.pcapng", &b, 28 + 20);
    PcapFile *f = open_ok(path);
    g_autofree char *msg = g_strdup_printf(
        "%s: truncated: file ends at offset 48 inside the block at offset 28", path);
    assert_error(f, SS_CAPTURE_ERROR_TRUNCATED, msg);
    pcap_file_close(f);
}

static void
test_pcapng_bad_lengths(void)
{
    /* trailing length disagrees with the leading one */
    Bld b = bld(true);
    shb(&b);
    idb(&b, 1, 0, 0, 0);
    epb(&b, 0, 1, "one", 0);
    b.b->data[28 + 32 + 44] = 0x99;
    g_autofree char *path = save("trailer.pcapng", &b, 0);
    PcapFile *f = open_ok(path);
    g_autofree char *msg = g_strdup_printf(
        "%s: corrupt record at offset 60: block length 48 but trailing length 153", path);
    assert_error(f, SS_CAPTURE_ERROR_NOT_CAPTURE, msg);
    pcap_file_close(f);

    /* length not a multiple of 4 */
    Bld c = bld(true);
    shb(&c);
    u32(&c, 6);
    u32(&c, 13);
    g_autofree char *path2 = save("odd.pcapng", &c, 0);
    f = open_ok(path2);
    g_autofree char *msg2 =
        g_strdup_printf("%s: corrupt record at offset 28: invalid block length 13", path2);
    assert_error(f, SS_CAPTURE_ERROR_NOT_CAPTURE, msg2);
    pcap_file_close(f);

    /* block length over the cap */
    Bld d = bld(true);
    shb(&d);
    u32(&d, 6);
    u32(&d, 0xfffffff0);
    g_autofree char *path3 = save("huge.pcapng", &d, 0);
    f = open_ok(path3);
    g_autofree char *msg3 = g_strdup_printf(
        "%s: corrupt record at offset 28: block length 4294967280 over the 256 MiB limit", path3);
    assert_error(f, SS_CAPTURE_ERROR_NOT_CAPTURE, msg3);
    pcap_file_close(f);
}

static void
test_pcapng_caplen_past_block(void)
{
    /* EPB captured length larger than the block: must not read past it */
    Bld b = bld(true);
    shb(&b);
    idb(&b, 1, 0, 0, 0);
    guint s = blk_begin(&b, 6);
    u32(&b, 0);
    u32(&b, 0);
    u32(&b, 1);
    u32(&b, 1000);
    u32(&b, 1000);
    bytes(&b, "shrt", 4);
    blk_end(&b, s);
    g_autofree char *path = save("caplen.pcapng", &b, 0);
    PcapFile *f = open_ok(path);
    g_autofree char *msg = g_strdup_printf(
        "%s: corrupt record at offset 60: captured length 1000 larger than its block (24 bytes)",
        path);
    assert_error(f, SS_CAPTURE_ERROR_NOT_CAPTURE, msg);
    pcap_file_close(f);
}

static void
test_pcapng_undefined_iface(void)
{
    Bld b = bld(true);
    shb(&b);
    idb(&b, 1, 0, 0, 0);
    epb(&b, 3, 1, "x", 0);
    g_autofree char *path = save("iface.pcapng", &b, 0);
    PcapFile *f = open_ok(path);
    g_autofree char *msg =
        g_strdup_printf("%s: corrupt record at offset 60: packet on undefined interface 3", path);
    assert_error(f, SS_CAPTURE_ERROR_NOT_CAPTURE, msg);
    pcap_file_close(f);
}

static void
test_pcapng_bad_bom(void)
{
    Bld b = bld(true);
    shb(&b);
    b.b->data[8] = 0x11;
    g_autofree char *path = save("bom.pcapng", &b, 0);
    g_autofree char *msg =
        g_strdup_printf("%s: corrupt record at offset 0: bad section byte-order magic", path);
    assert_open_fails(path, SS_CAPTURE_ERROR_NOT_CAPTURE, msg);
}

static void
test_pcapng_tsresol_out_of_range(void)
{
    Bld b = bld(true);
    shb(&b);
    idb(&b, 1, 0, 0x80 | 70, 0);
    g_autofree char *path = save("tsresol.pcapng", &b, 0);
    PcapFile *f = open_ok(path);
    g_autofree char *msg =
        g_strdup_printf("%s: corrupt record at offset 28: if_tsresol 2^-70 out of range", path);
    assert_error(f, SS_CAPTURE_ERROR_NOT_CAPTURE, msg);
    pcap_file_close(f);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("sipsleuth-pcap-file-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    g_test_add_func("/capture/pcap-file/pcap-le-usec", test_pcap_le_usec);
    g_test_add_func("/capture/pcap-file/pcap-be-usec", test_pcap_be_usec);
    g_test_add_func("/capture/pcap-file/pcap-le-nsec", test_pcap_le_nsec);
    g_test_add_func("/capture/pcap-file/pcap-be-nsec", test_pcap_be_nsec);
    g_test_add_func("/capture/pcap-file/pcap-modified", test_pcap_modified);
    g_test_add_func("/capture/pcap-file/pcap-window", test_pcap_window);
    g_test_add_func("/capture/pcap-file/pcap-linktype-fcs-bits", test_pcap_linktype_fcs_bits);
    g_test_add_func("/capture/pcap-file/stdin", test_pcap_stdin);
    g_test_add_func("/capture/pcap-file/pcapng-two-idbs", test_pcapng_two_idbs);
    g_test_add_func("/capture/pcap-file/pcapng-tsresol-pow2", test_pcapng_tsresol_pow2);
    g_test_add_func("/capture/pcap-file/pcapng-sections", test_pcapng_sections);
    g_test_add_func("/capture/pcap-file/pcapng-spb", test_pcapng_spb);
    g_test_add_func("/capture/pcap-file/pcapng-late-idb", test_pcapng_no_idb_linktype_unknown);
    g_test_add_func("/capture/pcap-file/pcapng-only-shb", test_pcapng_only_shb);
    g_test_add_func("/capture/pcap-file/empty", test_empty);
    g_test_add_func("/capture/pcap-file/garbage", test_garbage);
    g_test_add_func("/capture/pcap-file/missing", test_missing);
    g_test_add_func("/capture/pcap-file/truncated-file-header", test_truncated_file_header);
    g_test_add_func("/capture/pcap-file/truncated-record-header", test_truncated_record_header);
    g_test_add_func("/capture/pcap-file/truncated-data", test_truncated_data);
    g_test_add_func("/capture/pcap-file/huge-caplen", test_huge_caplen);
    g_test_add_func("/capture/pcap-file/pcapng-truncated-block", test_pcapng_truncated_block);
    g_test_add_func("/capture/pcap-file/pcapng-truncated-first-block",
                    test_pcapng_truncated_in_first_block);
    g_test_add_func("/capture/pcap-file/pcapng-bad-lengths", test_pcapng_bad_lengths);
    g_test_add_func("/capture/pcap-file/pcapng-caplen-past-block", test_pcapng_caplen_past_block);
    g_test_add_func("/capture/pcap-file/pcapng-undefined-iface", test_pcapng_undefined_iface);
    g_test_add_func("/capture/pcap-file/pcapng-bad-bom", test_pcapng_bad_bom);
    g_test_add_func("/capture/pcap-file/pcapng-tsresol-out-of-range",
                    test_pcapng_tsresol_out_of_range);
    int rc = g_test_run();
    tu_rm_tmpdir(tmpdir);
    return rc;
}
