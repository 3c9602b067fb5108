#include <config.h>
#include "output/pcap_out.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* draft-ietf-opsawg-pcap §4: nanosecond-resolution magic. */
#define PCAP_OUT_MAGIC_NSEC 0xa1b23c4du
#define PCAP_OUT_DEFAULT_SNAPLEN 262144u
#define PCAP_OUT_BUFFER (1024u * 1024u)

struct PcapOut {
    char *path;
    FILE *fp;
    bool is_stdout;
    uint32_t snaplen;
    int linktype;
    uint64_t packets;
    char *iobuf;
};

static void
put_u16le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void
put_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static bool
write_all(PcapOut *o, const void *p, size_t n, GError **err)
{
    if (n && fwrite(p, 1, n, o->fp) != n) {
        int e = errno;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: write error: %s", o->path,
                    g_strerror(e));
        return false;
    }
    return true;
}

static void
pcap_out_free(PcapOut *o)
{
    g_free(o->path);
    g_free(o->iobuf);
    g_free(o);
}

PcapOut *
pcap_out_open(const char *path, int linktype, uint32_t snaplen, GError **err)
{
    g_return_val_if_fail(path != NULL, NULL);
    PcapOut *o = g_new0(PcapOut, 1);
    o->is_stdout = strcmp(path, "-") == 0;
    o->path = g_strdup(o->is_stdout ? "stdout" : path);
    o->snaplen = snaplen ? snaplen : PCAP_OUT_DEFAULT_SNAPLEN;
    o->linktype = linktype;
    o->fp = o->is_stdout ? stdout : fopen(path, "wb");
    if (!o->fp) {
        int e = errno;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s", path, g_strerror(e));
        pcap_out_free(o);
        return NULL;
    }
    if (!o->is_stdout) {
        o->iobuf = g_malloc(PCAP_OUT_BUFFER);
        setvbuf(o->fp, o->iobuf, _IOFBF, PCAP_OUT_BUFFER);
    }
    uint8_t hdr[24];
    put_u32le(hdr, PCAP_OUT_MAGIC_NSEC);
    put_u16le(hdr + 4, 2);
    put_u16le(hdr + 6, 4);
    put_u32le(hdr + 8, 0);  /* thiszone: timestamps are UTC */
    put_u32le(hdr + 12, 0); /* sigfigs */
    put_u32le(hdr + 16, o->snaplen);
    put_u32le(hdr + 20, (uint32_t)linktype);
    if (!write_all(o, hdr, sizeof hdr, err)) {
        pcap_out_close(o, NULL);
        return NULL;
    }
    return o;
}

bool
pcap_out_write(PcapOut *o, SsTime ts, const uint8_t *data, uint32_t caplen, uint32_t origlen,
               GError **err)
{
    g_return_val_if_fail(o != NULL && (data != NULL || caplen == 0), false);
    /* floor division: a (theoretical) pre-1970 stamp keeps 0 <= nsec < 1e9 */
    int64_t sec = ts / SS_NSEC_PER_SEC;
    int64_t nsec = ts % SS_NSEC_PER_SEC;
    if (nsec < 0) {
        nsec += SS_NSEC_PER_SEC;
        sec--;
    }
    if (caplen > o->snaplen)
        caplen = o->snaplen;
    uint8_t rec[16];
    put_u32le(rec, (uint32_t)sec); /* classic pcap: unsigned 32-bit seconds */
    put_u32le(rec + 4, (uint32_t)nsec);
    put_u32le(rec + 8, caplen);
    put_u32le(rec + 12, origlen);
    if (!write_all(o, rec, sizeof rec, err) || !write_all(o, data, caplen, err))
        return false;
    o->packets++;
    return true;
}

int
pcap_out_linktype(const PcapOut *o)
{
    return o->linktype;
}

uint64_t
pcap_out_packets(const PcapOut *o)
{
    return o->packets;
}

bool
pcap_out_close(PcapOut *o, GError **err)
{
    if (!o)
        return true;
    bool ok = true;
    int e = 0;
    if (fflush(o->fp) != 0 || ferror(o->fp)) {
        ok = false;
        e = errno;
    }
    if (!o->is_stdout && fclose(o->fp) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        if (e == 0)
            e = EIO;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "%s: write error: %s", o->path,
                    g_strerror(e));
    }
    pcap_out_free(o);
    return ok;
}
