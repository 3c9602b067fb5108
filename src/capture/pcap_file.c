#include <config.h>
#include "capture/pcap_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/byte_reader.h"

/* pcap file magics, as read in the file's own byte order
 * (draft-ietf-opsawg-pcap §4; the "modified" one is Alexey Kuznetzov's
 * patched libpcap, whose records carry 8 more bytes). */
#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define PCAP_MAGIC_MODIFIED 0xa1b2cd34u
#define PCAP_FILE_HEADER_LEN 24
#define PCAP_RECORD_LEN 16
#define PCAP_MODIFIED_RECORD_LEN 24

/* pcapng (draft-ietf-opsawg-pcapng §4): block types and options. */
#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_BOM 0x1a2b3c4du
#define PCAPNG_IDB 1u
#define PCAPNG_PB 2u /* obsolete Packet Block (Appendix A) */
#define PCAPNG_SPB 3u
#define PCAPNG_EPB 6u
#define PCAPNG_OPT_END 0
#define PCAPNG_OPT_IF_TSRESOL 9
#define PCAPNG_OPT_IF_TSOFFSET 14
/* Block header (type + length) and trailing length. */
#define PCAPNG_BLOCK_OVERHEAD 12u
/* SHB body: BOM, major, minor, section length. */
#define PCAPNG_SHB_MIN_BODY 16u
/* EPB and PB fixed fields before the packet data. */
#define PCAPNG_EPB_FIXED 20u

/* Interfaces per pcapng section. Real files have a handful; the obsolete
 * PB can only name 65536. Past this the file is treated as corrupt, so a
 * hostile file cannot grow the table without bound. */
#define PCAPNG_MAX_INTERFACES 65536u

/* The read window: 128 KiB. Small enough that what read() just copied is
 * still in the CPU's L2 cache when the parsers read it (a 1 MiB window was
 * 5-15% slower on udp-1m), large enough that the syscalls do not count. A
 * record bigger than the window grows it. */
#define PCAP_IO_BUFFER (128u * 1024u)

typedef struct {
    int linktype;
    uint32_t snaplen;
    bool tsres_pow2; /* if_tsresol: units are 2^-exp s, else 10^-exp s */
    unsigned tsres_exp;
    int64_t tsoffset; /* if_tsoffset, seconds */
} PcapngIface;

struct PcapFile {
    char *path;
    int fd;
    /* the input window: bytes [io_pos, io_len) of io are read and not yet
     * consumed; a classic pcap record is handed out in place from it */
    uint8_t *io;
    size_t io_cap, io_pos, io_len;
    bool io_eof;
    int io_errno; /* a read error, reported once the window is used up */
    uint64_t size;
    uint64_t offset;
    bool pcapng;
    bool done;
    bool le; /* byte order of the file (pcap) or of the current section */
    int first_linktype;

    /* classic pcap */
    bool nsec;
    bool modified;
    int linktype;

    /* pcapng */
    GArray *ifaces; /* PcapngIface, current section */
    SsTime last_ts; /* for SPBs, which carry no timestamp */
    bool block_pending;
    uint32_t pending_type;
    size_t pending_body;
    uint64_t pending_off;
    GError *deferred;

    /* the one record buffer, grown to the largest record seen */
    uint8_t *buf;
    size_t cap;
};

static uint16_t
get_u16(const uint8_t *p, bool le)
{
    return le ? (uint16_t)(p[0] | (p[1] << 8)) : (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
get_u32(const uint8_t *p, bool le)
{
    if (le)
        return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
               ((uint32_t)p[3] << 24);
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static bool
br_u16_order(ByteReader *r, bool le, uint16_t *v)
{
    return le ? br_u16le(r, v) : br_u16be(r, v);
}

static bool
br_u32_order(ByteReader *r, bool le, uint32_t *v)
{
    return le ? br_u32le(r, v) : br_u32be(r, v);
}

static bool
br_u64_order(ByteReader *r, bool le, uint64_t *v)
{
    uint32_t a, b;
    if (br_remaining(r) < 8)
        return false;
    br_u32_order(r, le, &a);
    br_u32_order(r, le, &b);
    *v = le ? ((uint64_t)b << 32) | a : ((uint64_t)a << 32) | b;
    return true;
}

static void
ensure_buf(PcapFile *f, size_t n)
{
    if (n <= f->cap)
        return;
    size_t ncap = f->cap ? f->cap : 65536;
    while (ncap < n)
        ncap *= 2;
    f->buf = g_realloc(f->buf, ncap);
    f->cap = ncap;
}

/* ---- errors: each names the path and the offset ---- */

static CaptureResult
fail_io(PcapFile *f, GError **err)
{
    int e = errno;
    f->done = true;
    g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_IO,
                "%s: read error at offset %" PRIu64 ": %s", f->path, f->offset, g_strerror(e));
    return CAPTURE_ERROR;
}

static CaptureResult
fail_truncated(PcapFile *f, uint64_t rec_off, const char *what, GError **err)
{
    f->done = true;
    g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_TRUNCATED,
                "%s: truncated: file ends at offset %" PRIu64 " inside the %s at offset %" PRIu64,
                f->path, f->offset, what, rec_off);
    return CAPTURE_ERROR;
}

static CaptureResult G_GNUC_PRINTF(4, 5)
    fail_corrupt(PcapFile *f, uint64_t rec_off, GError **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    f->done = true;
    g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NOT_CAPTURE,
                "%s: corrupt record at offset %" PRIu64 ": %s", f->path, rec_off, detail);
    return CAPTURE_ERROR;
}

/* Makes n bytes available in the window if the input has them: moves what
 * is left to the front, grows the window for a record bigger than it, and
 * reads (one read() per call, up to the window's size). Returns how many
 * are available, fewer than n only at the end of input or on an error. */
static size_t
io_fill(PcapFile *f, size_t n)
{
    size_t avail = f->io_len - f->io_pos;
    if (avail >= n || f->io_eof)
        return avail;
    if (f->io_pos) {
        memmove(f->io, f->io + f->io_pos, avail);
        f->io_pos = 0;
        f->io_len = avail;
    }
    if (n > f->io_cap) {
        size_t cap = f->io_cap;
        while (cap < n)
            cap *= 2;
        f->io = g_realloc(f->io, cap);
        f->io_cap = cap;
    }
    while (f->io_len < n) {
        ssize_t got = read(f->fd, f->io + f->io_len, f->io_cap - f->io_len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got < 0)
                f->io_errno = errno;
            f->io_eof = true;
            break;
        }
        f->io_len += (size_t)got;
    }
    return f->io_len - f->io_pos;
}

/* Takes exactly n bytes from the input: *view points at them in the window
 * (valid until the next read). CAPTURE_PACKET when all were there;
 * CAPTURE_END when end_ok and the input ended before the first byte (a
 * clean end between records); otherwise CAPTURE_ERROR (truncated or I/O). */
static CaptureResult
read_view(PcapFile *f, const uint8_t **view, size_t n, uint64_t rec_off, const char *what, bool end_ok,
          GError **err)
{
    size_t avail = io_fill(f, n);
    if (avail >= n) {
        *view = f->io + f->io_pos;
        f->io_pos += n;
        f->offset += n;
        return CAPTURE_PACKET;
    }
    f->io_pos += avail;
    f->offset += avail;
    if (f->io_errno) {
        errno = f->io_errno;
        return fail_io(f, err);
    }
    if (avail == 0 && end_ok) {
        f->done = true;
        return CAPTURE_END;
    }
    return fail_truncated(f, rec_off, what, err);
}

/* read_view(), copied into dst. */
static CaptureResult
read_exact(PcapFile *f, void *dst, size_t n, uint64_t rec_off, const char *what, bool end_ok,
           GError **err)
{
    const uint8_t *v;
    CaptureResult r = read_view(f, &v, n, rec_off, what, end_ok, err);
    if (r == CAPTURE_PACKET && n)
        memcpy(dst, v, n);
    return r;
}

static SsTime
ns_from_sec(uint64_t sec, uint64_t frac_ns)
{
    /* unsigned arithmetic: absurd timestamps wrap instead of being UB */
    return (SsTime)(sec * (uint64_t)SS_NSEC_PER_SEC + frac_ns);
}

/* ---- classic pcap ---- */

static CaptureResult
pcap_open_classic(PcapFile *f, const uint8_t magic[4], GError **err)
{
    uint8_t hdr[PCAP_FILE_HEADER_LEN];
    memcpy(hdr, magic, 4);
    CaptureResult r = read_exact(f, hdr + 4, sizeof hdr - 4, 0, "pcap file header", false, err);
    if (r != CAPTURE_PACKET)
        return r;
    uint32_t m = get_u32(hdr, f->le);
    f->nsec = m == PCAP_MAGIC_NSEC;
    f->modified = m == PCAP_MAGIC_MODIFIED;
    uint16_t major = get_u16(hdr + 4, f->le);
    if (major != 2) {
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NOT_CAPTURE,
                    "%s: unsupported pcap version %u.%u", f->path, major, get_u16(hdr + 6, f->le));
        return CAPTURE_ERROR;
    }
    /* The link type is in the low 26 bits; the upper ones carry FCS
     * information (draft-ietf-opsawg-pcap §4, LinkType and additional info). */
    f->linktype = (int)(get_u32(hdr + 20, f->le) & 0x03ffffffu);
    f->first_linktype = f->linktype;
    return CAPTURE_PACKET;
}

static CaptureResult
pcap_next_classic(PcapFile *f, SsPacket *pkt, GError **err)
{
    const uint8_t *rec, *data;
    size_t rlen = f->modified ? PCAP_MODIFIED_RECORD_LEN : PCAP_RECORD_LEN;
    uint64_t rec_off = f->offset;
    CaptureResult r = read_view(f, &rec, rlen, rec_off, "record header", true, err);
    if (r != CAPTURE_PACKET)
        return r;
    uint32_t sec = get_u32(rec, f->le);
    uint32_t frac = get_u32(rec + 4, f->le);
    uint32_t caplen = get_u32(rec + 8, f->le);
    uint32_t origlen = get_u32(rec + 12, f->le);
    if (caplen > SS_PCAP_MAX_RECORD)
        return fail_corrupt(f, rec_off, err, "captured length %" PRIu32 " over the %u MiB limit",
                            caplen, SS_PCAP_MAX_RECORD >> 20);
    /* in place: no copy (data is never NULL, even when empty) */
    r = read_view(f, &data, caplen, rec_off, "packet data", false, err);
    if (r != CAPTURE_PACKET)
        return r;
    pkt->ts = ns_from_sec(sec, f->nsec ? frac : (uint64_t)frac * SS_NSEC_PER_USEC);
    pkt->linktype = f->linktype;
    pkt->caplen = caplen;
    pkt->origlen = origlen;
    pkt->data = data;
    return CAPTURE_PACKET;
}

/* ---- pcapng ---- */

/* Reads one block: its body (between the 8-byte header and the trailing
 * length) lands in f->buf. first4: the block type bytes when already read
 * (the file magic). A SHB switches the byte order before its length is
 * decoded: the length is in the new section's order. */
static CaptureResult
pcapng_read_block(PcapFile *f, const uint8_t *first4, uint32_t *type, size_t *body_len,
                  uint64_t *block_off, GError **err)
{
    uint8_t hdr[12];
    uint64_t start = f->offset - (first4 ? 4 : 0);
    CaptureResult r;
    *block_off = start;
    if (first4) {
        memcpy(hdr, first4, 4);
        r = read_exact(f, hdr + 4, 4, start, "block header", false, err);
    } else {
        r = read_exact(f, hdr, 8, start, "block header", true, err);
    }
    if (r != CAPTURE_PACKET)
        return r;

    bool shb = hdr[0] == 0x0a && hdr[1] == 0x0d && hdr[2] == 0x0d && hdr[3] == 0x0a;
    size_t pre = 0; /* body bytes already read (the SHB byte-order magic) */
    if (shb) {
        r = read_exact(f, hdr + 8, 4, start, "section header block", false, err);
        if (r != CAPTURE_PACKET)
            return r;
        if (get_u32(hdr + 8, true) == PCAPNG_BOM)
            f->le = true;
        else if (get_u32(hdr + 8, false) == PCAPNG_BOM)
            f->le = false;
        else
            return fail_corrupt(f, start, err, "bad section byte-order magic");
        pre = 4;
    }
    *type = shb ? PCAPNG_SHB : get_u32(hdr, f->le);
    uint32_t total = get_u32(hdr + 4, f->le);
    if (total > SS_PCAP_MAX_RECORD)
        return fail_corrupt(f, start, err, "block length %" PRIu32 " over the %u MiB limit", total,
                            SS_PCAP_MAX_RECORD >> 20);
    if (total < PCAPNG_BLOCK_OVERHEAD || total % 4 != 0 ||
        (shb && total < PCAPNG_BLOCK_OVERHEAD + PCAPNG_SHB_MIN_BODY))
        return fail_corrupt(f, start, err, "invalid block length %" PRIu32, total);

    size_t body = total - PCAPNG_BLOCK_OVERHEAD;
    ensure_buf(f, body + 4);
    memcpy(f->buf, hdr + 8, pre);
    r = read_exact(f, f->buf + pre, body - pre + 4, start, "block", false, err);
    if (r != CAPTURE_PACKET)
        return r;
    uint32_t trailer = get_u32(f->buf + body, f->le);
    if (trailer != total)
        return fail_corrupt(f, start, err, "block length %" PRIu32 " but trailing length %" PRIu32,
                            total, trailer);
    *body_len = body;
    return CAPTURE_PACKET;
}

static CaptureResult
pcapng_handle_shb(PcapFile *f, size_t body, uint64_t off, GError **err)
{
    ByteReader r;
    uint16_t major, minor;
    br_init(&r, f->buf, body);
    br_skip(&r, 4);
    if (!br_u16_order(&r, f->le, &major) || !br_u16_order(&r, f->le, &minor))
        return fail_corrupt(f, off, err, "section header too short");
    if (major != 1) {
        f->done = true;
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NOT_CAPTURE,
                    "%s: unsupported pcapng version %u.%u at offset %" PRIu64, f->path, major,
                    minor, off);
        return CAPTURE_ERROR;
    }
    /* A new section starts: interface ids restart from 0 (pcapng §4.1). */
    g_array_set_size(f->ifaces, 0);
    return CAPTURE_END;
}

static CaptureResult
pcapng_handle_idb(PcapFile *f, size_t body, uint64_t off, GError **err)
{
    ByteReader r;
    uint16_t linktype, reserved;
    PcapngIface ifc = {.tsres_pow2 = false, .tsres_exp = 6, .tsoffset = 0};
    br_init(&r, f->buf, body);
    if (!br_u16_order(&r, f->le, &linktype) || !br_u16_order(&r, f->le, &reserved) ||
        !br_u32_order(&r, f->le, &ifc.snaplen))
        return fail_corrupt(f, off, err, "interface description block too short");
    if (f->ifaces->len >= PCAPNG_MAX_INTERFACES)
        return fail_corrupt(f, off, err, "more than %u interfaces in one section",
                            PCAPNG_MAX_INTERFACES);
    ifc.linktype = linktype;

    /* Options (pcapng §3.5): code, length, value padded to 32 bits. A
     * malformed option list ends the list; the interface stays usable. */
    for (;;) {
        uint16_t code, len;
        const uint8_t *val;
        if (!br_u16_order(&r, f->le, &code) || !br_u16_order(&r, f->le, &len))
            break;
        if (code == PCAPNG_OPT_END || !br_bytes(&r, len, &val))
            break;
        br_skip(&r, (4 - len % 4) % 4);
        if (code == PCAPNG_OPT_IF_TSRESOL && len >= 1) {
            /* MSB clear: 10^-v seconds; set: 2^-v (pcapng §4.2). */
            ifc.tsres_pow2 = (val[0] & 0x80) != 0;
            ifc.tsres_exp = val[0] & 0x7f;
            if (ifc.tsres_pow2 ? ifc.tsres_exp > 63 : ifc.tsres_exp > 19)
                return fail_corrupt(f, off, err, "if_tsresol %s%u out of range",
                                    ifc.tsres_pow2 ? "2^-" : "10^-", ifc.tsres_exp);
        } else if (code == PCAPNG_OPT_IF_TSOFFSET && len == 8) {
            ByteReader v;
            uint64_t u = 0;
            br_init(&v, val, 8);
            if (br_u64_order(&v, f->le, &u))
                ifc.tsoffset = (int64_t)u;
        }
    }
    g_array_append_val(f->ifaces, ifc);
    if (f->first_linktype < 0)
        f->first_linktype = ifc.linktype;
    return CAPTURE_END;
}

static uint64_t
pow10_u64(unsigned e)
{
    uint64_t v = 1;
    while (e--)
        v *= 10;
    return v;
}

/* Timestamp units of an interface to nanoseconds since the epoch. */
static SsTime
pcapng_ts(const PcapngIface *ifc, uint64_t units)
{
    uint64_t sec, frac_ns;
    unsigned e = ifc->tsres_exp;
    if (ifc->tsres_pow2) {
        sec = units >> e;
        uint64_t frac = e ? units & ((UINT64_C(1) << e) - 1) : 0;
        /* frac * 10^9 must fit in 64 bits: drop sub-nanosecond bits first */
        if (e > 34) {
            frac >>= e - 34;
            e = 34;
        }
        frac_ns = (frac * (uint64_t)SS_NSEC_PER_SEC) >> e;
    } else {
        uint64_t div = pow10_u64(e); /* e <= 19: fits */
        sec = units / div;
        uint64_t rem = units % div;
        frac_ns = e <= 9 ? rem * pow10_u64(9 - e) : rem / pow10_u64(e - 9);
    }
    return ns_from_sec(sec, frac_ns) +
           (SsTime)((uint64_t)ifc->tsoffset * (uint64_t)SS_NSEC_PER_SEC);
}

static const PcapngIface *
pcapng_iface(PcapFile *f, uint32_t id)
{
    return id < f->ifaces->len ? &g_array_index(f->ifaces, PcapngIface, id) : NULL;
}

static CaptureResult
pcapng_handle_packet(PcapFile *f, uint32_t type, size_t body, uint64_t off, SsPacket *pkt,
                     GError **err)
{
    ByteReader r;
    br_init(&r, f->buf, body);
    const PcapngIface *ifc;
    uint32_t caplen, origlen;
    const uint8_t *data;

    if (type == PCAPNG_SPB) {
        /* pcapng §4.4: interface 0, no timestamp, captured length implied by
         * the block length and the interface's snaplen. */
        if (!br_u32_order(&r, f->le, &origlen))
            return fail_corrupt(f, off, err, "simple packet block too short");
        ifc = pcapng_iface(f, 0);
        if (!ifc)
            return fail_corrupt(f, off, err, "simple packet block before any interface");
        caplen = origlen;
        if (ifc->snaplen && caplen > ifc->snaplen)
            caplen = ifc->snaplen;
        if (!br_bytes(&r, caplen, &data))
            return fail_corrupt(f, off, err,
                                "captured length %" PRIu32 " larger than its block (%zu bytes)",
                                caplen, body);
        /* No timestamp: reuse the previous packet's, so that merging
         * several files and capture-time timeouts see time stand still
         * rather than jump back to 1970. */
        pkt->ts = f->last_ts;
    } else {
        uint32_t id, tsh, tsl;
        if (type == PCAPNG_EPB) {
            if (!br_u32_order(&r, f->le, &id))
                return fail_corrupt(f, off, err, "enhanced packet block too short");
        } else {
            uint16_t id16, drops;
            if (!br_u16_order(&r, f->le, &id16) || !br_u16_order(&r, f->le, &drops))
                return fail_corrupt(f, off, err, "packet block too short");
            id = id16;
        }
        if (!br_u32_order(&r, f->le, &tsh) || !br_u32_order(&r, f->le, &tsl) ||
            !br_u32_order(&r, f->le, &caplen) || !br_u32_order(&r, f->le, &origlen))
            return fail_corrupt(f, off, err, "packet block too short");
        ifc = pcapng_iface(f, id);
        if (!ifc)
            return fail_corrupt(f, off, err, "packet on undefined interface %" PRIu32, id);
        if (!br_bytes(&r, caplen, &data))
            return fail_corrupt(f, off, err,
                                "captured length %" PRIu32 " larger than its block (%zu bytes)",
                                caplen, body);
        pkt->ts = pcapng_ts(ifc, ((uint64_t)tsh << 32) | tsl);
        f->last_ts = pkt->ts;
    }
    pkt->linktype = ifc->linktype;
    pkt->caplen = caplen;
    pkt->origlen = origlen;
    pkt->data = data;
    return CAPTURE_PACKET;
}

/* CAPTURE_PACKET when the block is a packet, CAPTURE_END when it was
 * consumed without one, CAPTURE_ERROR. */
static CaptureResult
pcapng_handle_block(PcapFile *f, uint32_t type, size_t body, uint64_t off, SsPacket *pkt,
                    GError **err)
{
    switch (type) {
    case PCAPNG_SHB:
        return pcapng_handle_shb(f, body, off, err);
    case PCAPNG_IDB:
        return pcapng_handle_idb(f, body, off, err);
    case PCAPNG_EPB:
    case PCAPNG_SPB:
    case PCAPNG_PB:
        return pcapng_handle_packet(f, type, body, off, pkt, err);
    default:
        /* NRB, ISB, DSB, custom blocks...: not needed for SIP analysis */
        return CAPTURE_END;
    }
}

static CaptureResult
pcapng_open(PcapFile *f, const uint8_t magic[4], GError **err)
{
    uint32_t type;
    size_t body;
    uint64_t off;
    f->ifaces = g_array_new(FALSE, FALSE, sizeof(PcapngIface));
    CaptureResult r = pcapng_read_block(f, magic, &type, &body, &off, err);
    if (r != CAPTURE_PACKET)
        return CAPTURE_ERROR;
    r = pcapng_handle_shb(f, body, off, err);
    if (r == CAPTURE_ERROR)
        return r;

    /* Look at the next block now so the first link type is known (writers
     * put the IDBs right after the SHB). Its errors are reported by the
     * first pcap_file_next(): the file did open. */
    GError *local = NULL;
    r = pcapng_read_block(f, NULL, &type, &body, &off, &local);
    if (r == CAPTURE_ERROR) {
        f->deferred = local;
        f->done = false;
    } else if (r == CAPTURE_PACKET) {
        if (type == PCAPNG_IDB) {
            r = pcapng_handle_idb(f, body, off, &local);
            if (r == CAPTURE_ERROR) {
                f->deferred = local;
                f->done = false;
            }
        } else {
            f->block_pending = true;
            f->pending_type = type;
            f->pending_body = body;
            f->pending_off = off;
        }
    }
    return CAPTURE_PACKET;
}

static CaptureResult
pcapng_next(PcapFile *f, SsPacket *pkt, GError **err)
{
    for (;;) {
        uint32_t type;
        size_t body;
        uint64_t off;
        CaptureResult r;
        if (f->block_pending) {
            f->block_pending = false;
            type = f->pending_type;
            body = f->pending_body;
            off = f->pending_off;
        } else {
            r = pcapng_read_block(f, NULL, &type, &body, &off, err);
            if (r != CAPTURE_PACKET)
                return r;
        }
        r = pcapng_handle_block(f, type, body, off, pkt, err);
        if (r != CAPTURE_END)
            return r;
    }
}

/* ---- public ---- */

PcapFile *
pcap_file_open(const char *path, GError **err)
{
    g_return_val_if_fail(path != NULL, NULL);
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NOT_FOUND, "%s: %s",
                    is_stdin ? "stdin" : path, g_strerror(e));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NOT_FOUND, "%s: is a directory", path);
        close(fd);
        return NULL;
    }
    /* stdin is read on a dup of fd 0: the process's stdin stays untouched */
    g_autoptr(PcapFile) f = g_new0(PcapFile, 1);
    f->path = g_strdup(is_stdin ? "stdin" : path);
    f->fd = fd;
    f->io_cap = PCAP_IO_BUFFER;
    f->io = g_malloc(f->io_cap);
    f->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    f->first_linktype = -1;
    if (f->size)
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

    uint8_t magic[4];
    size_t got = MIN(io_fill(f, 4), 4);
    memcpy(magic, f->io, got);
    f->io_pos = got;
    f->offset = got;
    if (got < 4) {
        if (f->io_errno) {
            errno = f->io_errno;
            fail_io(f, err);
        } else if (got == 0) {
            g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NOT_CAPTURE, "%s: empty file",
                        f->path);
        } else {
            g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NOT_CAPTURE,
                        "%s: not a pcap or pcapng file (%zu bytes)", f->path, got);
        }
        return NULL;
    }

    CaptureResult r;
    uint32_t mle = get_u32(magic, true), mbe = get_u32(magic, false);
    if (mle == PCAP_MAGIC_USEC || mle == PCAP_MAGIC_NSEC || mle == PCAP_MAGIC_MODIFIED) {
        f->le = true;
        r = pcap_open_classic(f, magic, err);
    } else if (mbe == PCAP_MAGIC_USEC || mbe == PCAP_MAGIC_NSEC || mbe == PCAP_MAGIC_MODIFIED) {
        f->le = false;
        r = pcap_open_classic(f, magic, err);
    } else if (mle == PCAPNG_SHB) {
        f->pcapng = true;
        r = pcapng_open(f, magic, err);
    } else {
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NOT_CAPTURE,
                    "%s: not a pcap or pcapng file", f->path);
        return NULL;
    }
    if (r != CAPTURE_PACKET)
        return NULL;
    return g_steal_pointer(&f);
}

CaptureResult
pcap_file_next(PcapFile *f, SsPacket *pkt, GError **err)
{
    g_return_val_if_fail(f != NULL && pkt != NULL, CAPTURE_ERROR);
    if (f->deferred) {
        g_propagate_error(err, f->deferred);
        f->deferred = NULL;
        f->done = true;
        return CAPTURE_ERROR;
    }
    if (f->done)
        return CAPTURE_END;
    return f->pcapng ? pcapng_next(f, pkt, err) : pcap_next_classic(f, pkt, err);
}

uint64_t
pcap_file_size(const PcapFile *f)
{
    return f->size;
}

uint64_t
pcap_file_offset(const PcapFile *f)
{
    return f->offset;
}

const char *
pcap_file_path(const PcapFile *f)
{
    return f->path;
}

int
pcap_file_linktype(const PcapFile *f)
{
    return f->first_linktype;
}

void
pcap_file_close(PcapFile *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    if (f->ifaces)
        g_array_unref(f->ifaces);
    if (f->deferred)
        g_error_free(f->deferred);
    g_free(f->io);
    g_free(f->buf);
    g_free(f->path);
    g_free(f);
}
