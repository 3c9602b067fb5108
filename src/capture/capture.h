/* capture.h - where packets come from: capture files (pcap, pcapng; several
 * merged in timestamp order; "-" is stdin) or a live interface (libpcap).
 *
 * Ownership: capture_open() returns (transfer full), free with
 * capture_close(). The packet bytes handed out by capture_next() live until
 * the next call to capture_next() or capture_close() (transfer none).
 */
#ifndef SIPSLEUTH_CAPTURE_H
#define SIPSLEUTH_CAPTURE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "common/sstime.h"

#define SS_CAPTURE_ERROR (ss_capture_error_quark())
GQuark ss_capture_error_quark(void);

typedef enum {
    SS_CAPTURE_ERROR_NOT_FOUND,    /* file does not exist / cannot be opened */
    SS_CAPTURE_ERROR_NOT_CAPTURE,  /* not a pcap or pcapng file */
    SS_CAPTURE_ERROR_TRUNCATED,    /* file cut short (packets before it were delivered) */
    SS_CAPTURE_ERROR_IO,           /* read error */
    SS_CAPTURE_ERROR_NO_DEVICE,    /* unknown interface */
    SS_CAPTURE_ERROR_PERMISSION,   /* not allowed to capture */
    SS_CAPTURE_ERROR_BAD_FILTER,   /* BPF expression does not compile */
    SS_CAPTURE_ERROR_FAILED,       /* anything else libpcap reports */
} SsCaptureError;

/* One captured packet. */
typedef struct {
    SsTime ts;
    uint64_t frame;       /* 1-based, across all inputs in delivery order */
    int linktype;         /* LINKTYPE_* value (pcap-linktype(7)) */
    uint32_t caplen;      /* bytes in data */
    uint32_t origlen;     /* bytes on the wire */
    const uint8_t *data;
    unsigned input;       /* index of the file it came from (0 for live) */
} SsPacket;

typedef struct {
    const char *const *files; /* NULL-terminated, or NULL */
    const char *iface;        /* live interface, or NULL */
    const char *filter;       /* BPF expression, or NULL */
    int snaplen;              /* 0: default (262144) */
    bool promisc;             /* live: promiscuous mode (default true) */
    int buffer_mib;           /* live: kernel buffer in MiB, 0 = default */
    bool immediate;           /* live: deliver packets at once (default) */
} CaptureOptions;

typedef struct {
    uint64_t packets;      /* delivered to us */
    uint64_t filtered_out; /* read but rejected by the BPF filter (files) */
    uint64_t kernel_received; /* live: ps_recv */
    uint64_t kernel_dropped;  /* live: ps_drop + ps_ifdrop */
    bool live;
} CaptureStats;

typedef enum {
    CAPTURE_PACKET = 1, /* *pkt is filled */
    CAPTURE_IDLE = 2,   /* live only: nothing for a while; pkt->ts is "now" */
    CAPTURE_END = 0,    /* all input read, or capture_break() called */
    CAPTURE_ERROR = -1, /* *err is set; for TRUNCATED the caller may go on with capture_next() */
} CaptureResult;

typedef struct CaptureSource CaptureSource;

/* Files: every file is opened (and the BPF expression compiled, against the
 * first file's link type or Ethernet) before this returns, so a missing
 * file, a non-capture or a bad filter fails here: _NOT_FOUND,
 * _NOT_CAPTURE, _BAD_FILTER. Live: _NO_DEVICE (unknown or down interface),
 * _PERMISSION (message says how to grant CAP_NET_RAW/CAP_NET_ADMIN),
 * _BAD_FILTER, _FAILED. Files and an interface together: _FAILED. */
CaptureSource *capture_open(const CaptureOptions *opts, GError **err);
/* Files are merged in timestamp order (ties: the earlier file on the
 * command line first; a file's own order is always kept). The filter is
 * compiled per link type when first met; a link type it cannot apply to
 * (e.g. "ether host" on raw IP) has its packets skipped, with one warning.
 * CAPTURE_ERROR from a file (TRUNCATED, NOT_CAPTURE for a corrupt record,
 * IO) is returned once, after the packets before it were delivered; that
 * file is then finished and later calls go on with the other files, so the
 * caller may report it, remember it for the exit status, and keep calling.
 * Live: CAPTURE_IDLE about every 100 ms without traffic (pkt->ts = wall
 * clock now, caplen 0); CAPTURE_ERROR (_FAILED) when the device fails. */
CaptureResult capture_next(CaptureSource *src, SsPacket *pkt, GError **err);
void capture_get_stats(CaptureSource *src, CaptureStats *st);
/* Async-signal-safe: makes capture_next() return CAPTURE_END soon. */
void capture_break(CaptureSource *src);
/* True for a live interface (privileges can be dropped once it is open). */
bool capture_is_live(const CaptureSource *src);
/* Total size in bytes of all input files (for a progress line), 0 if unknown
 * (stdin, live); and how many bytes were consumed so far. */
uint64_t capture_total_bytes(const CaptureSource *src);
uint64_t capture_read_bytes(const CaptureSource *src);
void capture_close(CaptureSource *src);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CaptureSource, capture_close)

#endif
