#include <config.h>
#include "capture/capture.h"

#include <inttypes.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#if defined(__linux__)
#include <linux/if_packet.h>
#endif
#include "capture/pcap_file.h"
#include "common/sslog.h"

/* libpcap's own default (MAXIMUM_SNAPLEN): whole packets, even with TSO. */
#define CAPTURE_DEFAULT_SNAPLEN 262144
#define CAPTURE_DEFAULT_BUFFER_MIB 32
/* Live read timeout: short enough that capture_next() returns CAPTURE_IDLE
 * (and the pipeline runs its capture-time timeouts) several times a second. */
#define CAPTURE_LIVE_TIMEOUT_MS 100
/* Compiled filters kept for files, one per link type: inputs rarely mix more
 * than two link types; the least recently compiled one is replaced. */
#define CAPTURE_FILTER_CACHE 4

/* pcap-linktype(7) values where the LINKTYPE_ (file) and DLT_ (libpcap API)
 * numbers differ; the others are the same number. */
#define LINKTYPE_ATM_RFC1483 100
#define LINKTYPE_RAW 101
#define LINKTYPE_PPP_HDLC 50
#define LINKTYPE_PPP_ETHER 51
#define LINKTYPE_NETBSD_HDLC 112
#define LINKTYPE_ETHERNET 1

typedef enum {
    INPUT_NEED_READ,
    INPUT_HAVE,
    INPUT_DONE,
} InputState;

typedef struct {
    PcapFile *file;
    InputState state;
    SsPacket pkt; /* the pending packet when state == INPUT_HAVE */
} CaptureInput;

typedef struct {
    int linktype;
    bool ok; /* false: the expression does not apply to this link type */
    struct bpf_program prog;
} FilterEntry;

struct CaptureSource {
    volatile sig_atomic_t stop;
    bool live;
    uint64_t frame;
    uint64_t packets;
    uint64_t filtered_out;

    /* files */
    CaptureInput *inputs;
    unsigned ninputs;
    char *filter;
    FilterEntry fcache[CAPTURE_FILTER_CACHE];
    unsigned nfcache;
    unsigned fcache_next;

    /* live */
    pcap_t *pcap;
    char *iface;
    int live_linktype;
    int live_fd;
    bool live_nsec;
};

GQuark
ss_capture_error_quark(void)
{
    return g_quark_from_static_string("ss-capture-error-quark");
}

static int
linktype_to_dlt(int linktype)
{
    switch (linktype) {
    case LINKTYPE_ATM_RFC1483:
        return DLT_ATM_RFC1483;
    case LINKTYPE_RAW:
        return DLT_RAW;
    case LINKTYPE_PPP_HDLC:
        return DLT_PPP_SERIAL;
    case LINKTYPE_PPP_ETHER:
        return DLT_PPP_ETHER;
    case LINKTYPE_NETBSD_HDLC:
        return DLT_HDLC;
    default:
        return linktype;
    }
}

static int
dlt_to_linktype(int dlt)
{
    switch (dlt) {
    case DLT_ATM_RFC1483:
        return LINKTYPE_ATM_RFC1483;
    case 12: /* DLT_RAW on most systems */
    case 14: /* DLT_RAW on OpenBSD */
        return LINKTYPE_RAW;
    case DLT_PPP_SERIAL:
        return LINKTYPE_PPP_HDLC;
    case DLT_PPP_ETHER:
        return LINKTYPE_PPP_ETHER;
    default:
        return dlt;
    }
}

/* ---- BPF on files ---- */

static bool
filter_compile(const char *expr, int linktype, struct bpf_program *prog, GError **err)
{
    pcap_t *dead = pcap_open_dead(linktype_to_dlt(linktype), CAPTURE_DEFAULT_SNAPLEN);
    if (!dead) {
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_FAILED,
                    "cannot compile filter for link type %d", linktype);
        return false;
    }
    bool ok = pcap_compile(dead, prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (!ok)
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_BAD_FILTER,
                    "invalid filter expression '%s': %s", expr, pcap_geterr(dead));
    pcap_close(dead);
    return ok;
}

static FilterEntry *
filter_for(CaptureSource *src, int linktype, const char *path)
{
    for (unsigned i = 0; i < src->nfcache; i++) {
        if (src->fcache[i].linktype == linktype)
            return &src->fcache[i];
    }
    FilterEntry *e;
    if (src->nfcache < CAPTURE_FILTER_CACHE) {
        e = &src->fcache[src->nfcache++];
    } else {
        e = &src->fcache[src->fcache_next];
        src->fcache_next = (src->fcache_next + 1) % CAPTURE_FILTER_CACHE;
        if (e->ok)
            pcap_freecode(&e->prog);
    }
    g_autoptr(GError) local = NULL;
    e->linktype = linktype;
    e->ok = filter_compile(src->filter, linktype, &e->prog, &local);
    if (!e->ok) {
        /* The expression compiled for the first input, so it is valid, but
         * not for this link type (e.g. "ether host" on raw IP): no packet of
         * this link type can match it. Say so once per compilation. */
        ss_warn("%s: filter does not apply to link type %d, its packets are skipped: %s", path,
                linktype, local->message);
    }
    return e;
}

static bool
filter_match(CaptureSource *src, const CaptureInput *in)
{
    if (!src->filter)
        return true;
    FilterEntry *e = filter_for(src, in->pkt.linktype, pcap_file_path(in->file));
    if (!e->ok)
        return false;
    struct pcap_pkthdr h = {
        .caplen = in->pkt.caplen,
        .len = in->pkt.origlen,
    };
    return pcap_offline_filter(&e->prog, &h, in->pkt.data) != 0;
}

/* ---- files ---- */

static bool
files_open(CaptureSource *src, const CaptureOptions *opts, GError **err)
{
    unsigned n = g_strv_length((char **)opts->files);
    src->inputs = g_new0(CaptureInput, n);
    for (unsigned i = 0; i < n; i++) {
        src->inputs[i].file = pcap_file_open(opts->files[i], err);
        if (!src->inputs[i].file)
            return false;
        src->ninputs++;
    }
    if (opts->filter) {
        /* Check the expression now, against the link type of the first
         * input (Ethernet when not known yet), so a typo fails before any
         * output; other link types compile when first met. */
        int lt = src->ninputs ? pcap_file_linktype(src->inputs[0].file) : -1;
        if (lt < 0)
            lt = LINKTYPE_ETHERNET;
        FilterEntry *e = &src->fcache[0];
        e->linktype = lt;
        e->ok = filter_compile(opts->filter, lt, &e->prog, err);
        if (!e->ok)
            return false;
        src->nfcache = 1;
    }
    return true;
}

static CaptureResult
files_next(CaptureSource *src, SsPacket *pkt, GError **err)
{
    /* Refill every input without a pending packet: the one delivered last
     * time (its bytes were valid until this call) and fresh ones. */
    for (unsigned i = 0; i < src->ninputs; i++) {
        CaptureInput *in = &src->inputs[i];
        while (in->state == INPUT_NEED_READ) {
            if (src->stop)
                return CAPTURE_END;
            CaptureResult r = pcap_file_next(in->file, &in->pkt, err);
            if (r == CAPTURE_END) {
                in->state = INPUT_DONE;
            } else if (r == CAPTURE_ERROR) {
                /* The file is at its end; the others go on at the next call. */
                in->state = INPUT_DONE;
                return CAPTURE_ERROR;
            } else if (filter_match(src, in)) {
                in->state = INPUT_HAVE;
            } else {
                src->filtered_out++;
            }
        }
    }
    /* Earliest pending packet; on equal timestamps the earlier input wins
     * (strict <), so merging is stable. */
    CaptureInput *best = NULL;
    unsigned best_i = 0;
    for (unsigned i = 0; i < src->ninputs; i++) {
        CaptureInput *in = &src->inputs[i];
        if (in->state == INPUT_HAVE && (!best || in->pkt.ts < best->pkt.ts)) {
            best = in;
            best_i = i;
        }
    }
    if (!best)
        return CAPTURE_END;
    best->state = INPUT_NEED_READ;
    *pkt = best->pkt;
    pkt->input = best_i;
    pkt->frame = ++src->frame;
    src->packets++;
    return CAPTURE_PACKET;
}

/* ---- live ---- */

/* Whether the interface is a loopback one (libpcap's own device list says;
 * "any" and unknown names are not). */
static bool
is_loopback(const char *iface)
{
    pcap_if_t *all = NULL;
    char errbuf[PCAP_ERRBUF_SIZE];
    bool lo = false;
    if (iface == NULL || pcap_findalldevs(&all, errbuf) != 0)
        return false;
    for (const pcap_if_t *d = all; d; d = d->next) {
        if (strcmp(d->name, iface) == 0) {
            lo = (d->flags & PCAP_IF_LOOPBACK) != 0;
            break;
        }
    }
    pcap_freealldevs(all);
    return lo;
}

static void
live_error(const CaptureSource *src, int rc, GError **err)
{
    const char *detail = pcap_geterr(src->pcap);
    const char *iface = src->iface;
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NO_DEVICE,
                    "no such interface '%s' (see ip link)", iface);
        break;
    case PCAP_ERROR_IFACE_NOT_UP:
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_NO_DEVICE,
                    "interface '%s' is down (ip link set %s up)", iface, iface);
        break;
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED: {
        g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_PERMISSION,
                    "no permission to capture on '%s'%s%s%s: run as root, or grant the "
                    "capabilities CAP_NET_RAW and CAP_NET_ADMIN: "
                    "setcap cap_net_raw,cap_net_admin=eip %s",
                    iface, detail && *detail ? " (" : "", detail ? detail : "",
                    detail && *detail ? ")" : "", exe ? exe : "/path/to/sipsleuth");
        break;
    }
    default:
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_FAILED, "%s: %s", iface,
                    detail && *detail ? detail : pcap_statustostr(rc));
        break;
    }
}

static bool
live_open(CaptureSource *src, const CaptureOptions *opts, GError **err)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    src->live = true;
    src->iface = g_strdup(opts->iface);
    src->pcap = pcap_create(opts->iface, errbuf);
    if (!src->pcap) {
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_FAILED, "%s: %s", opts->iface, errbuf);
        return false;
    }
    pcap_set_snaplen(src->pcap, opts->snaplen > 0 ? opts->snaplen : CAPTURE_DEFAULT_SNAPLEN);
    pcap_set_promisc(src->pcap, opts->promisc ? 1 : 0);
    pcap_set_timeout(src->pcap, CAPTURE_LIVE_TIMEOUT_MS);
    if (opts->immediate)
        pcap_set_immediate_mode(src->pcap, 1);
    /* libpcap's 2 MiB default ring dropped packets at 1000 calls/s on
     * loopback (tests/live/load.sh): default to 32 MiB. */
    pcap_set_buffer_size(src->pcap,
                         (opts->buffer_mib > 0 ? opts->buffer_mib : CAPTURE_DEFAULT_BUFFER_MIB) * 1024 * 1024);
    /* Nanosecond stamps where the platform has them; microseconds else. */
    (void)pcap_set_tstamp_precision(src->pcap, PCAP_TSTAMP_PRECISION_NANO);

    int rc = pcap_activate(src->pcap);
    if (rc < 0) {
        live_error(src, rc, err);
        return false;
    }
    /* rc > 0 is a warning (promiscuous mode or time stamp type not
     * supported): the capture works, so go on. */
    src->live_nsec = pcap_get_tstamp_precision(src->pcap) == PCAP_TSTAMP_PRECISION_NANO;
    src->live_fd = pcap_get_selectable_fd(src->pcap);
    errbuf[0] = '\0';
    if (src->live_fd < 0 || pcap_setnonblock(src->pcap, 1, errbuf) != 0) {
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_FAILED,
                    "%s: cannot poll the capture device%s%s", opts->iface, *errbuf ? ": " : "",
                    errbuf);
        return false;
    }
    src->live_linktype = dlt_to_linktype(pcap_datalink(src->pcap));
    /* Loopback hands a packet socket every packet twice, as sent and as
     * received; libpcap keeps one copy, but both fill the kernel ring, so
     * half of it held copies thrown away. Asking for inbound only keeps
     * the same packets and leaves the ring to them (where the kernel can
     * drop outgoing packets itself). */
    if (is_loopback(opts->iface)) {
#if defined(__linux__) && defined(PACKET_IGNORE_OUTGOING)
        /* the kernel drops them before the ring (Linux 4.20); libpcap's
         * own direction filter works after it */
        int one = 1;
        (void)setsockopt(src->live_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
#endif
#if defined(__linux__)
        /* on Linux the received copy is the one libpcap keeps anyway; a
         * BSD lo0 hands each packet once, with a direction of its own */
        (void)pcap_setdirection(src->pcap, PCAP_D_IN);
#endif
    }

    if (opts->filter) {
        struct bpf_program prog;
        if (pcap_compile(src->pcap, &prog, opts->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_BAD_FILTER,
                        "invalid filter expression '%s': %s", opts->filter, pcap_geterr(src->pcap));
            return false;
        }
        rc = pcap_setfilter(src->pcap, &prog);
        pcap_freecode(&prog);
        if (rc != 0) {
            g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_FAILED, "%s: cannot set filter: %s",
                        opts->iface, pcap_geterr(src->pcap));
            return false;
        }
    }
    return true;
}

static CaptureResult
live_next(CaptureSource *src, SsPacket *pkt, GError **err)
{
    /* The socket is non-blocking and we poll() it ourselves: on Linux,
     * libpcap >= 1.10 keeps polling in a blocking pcap_next_ex() until a
     * packet comes, so its timeout alone would never give us CAPTURE_IDLE. */
    for (int attempt = 0;; attempt++) {
        if (src->stop)
            return CAPTURE_END;
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(src->pcap, &h, &data);
        if (rc == 1) {
            uint64_t frac = (uint64_t)h->ts.tv_usec * (src->live_nsec ? 1 : SS_NSEC_PER_USEC);
            pkt->ts = (SsTime)((uint64_t)h->ts.tv_sec * SS_NSEC_PER_SEC + frac);
            pkt->frame = ++src->frame;
            pkt->linktype = src->live_linktype;
            pkt->caplen = h->caplen;
            pkt->origlen = h->len;
            pkt->data = data;
            pkt->input = 0;
            src->packets++;
            return CAPTURE_PACKET;
        }
        if (rc == PCAP_ERROR_BREAK)
            return CAPTURE_END;
        if (rc < 0) {
            g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_FAILED, "%s: %s", src->iface,
                        pcap_geterr(src->pcap));
            return CAPTURE_ERROR;
        }
        if (attempt == 1)
            break;
        /* Nothing buffered: wait for the socket, at most the read timeout
         * (or less when libpcap asks for it, e.g. after ENETDOWN). EINTR
         * (a signal, maybe capture_break()) just ends the wait. */
        int timeout = CAPTURE_LIVE_TIMEOUT_MS;
        const struct timeval *req = pcap_get_required_select_timeout(src->pcap);
        if (req) {
            int ms = (int)(req->tv_sec * 1000 + req->tv_usec / 1000);
            timeout = MIN(timeout, MAX(ms, 1));
        }
        struct pollfd pfd = {.fd = src->live_fd, .events = POLLIN};
        (void)poll(&pfd, 1, timeout);
    }
    /* timeout: let the caller advance its clock */
    memset(pkt, 0, sizeof *pkt);
    pkt->ts = g_get_real_time() * SS_NSEC_PER_USEC;
    pkt->linktype = src->live_linktype;
    return CAPTURE_IDLE;
}

/* ---- public ---- */

CaptureSource *
capture_open(const CaptureOptions *opts, GError **err)
{
    g_return_val_if_fail(opts != NULL, NULL);
    bool has_files = opts->files && opts->files[0];
    if (has_files == (opts->iface != NULL)) {
        g_set_error(err, SS_CAPTURE_ERROR, SS_CAPTURE_ERROR_FAILED, "%s",
                    has_files ? "cannot read files and capture live at once"
                              : "no input: give capture files or an interface");
        return NULL;
    }
    g_autoptr(CaptureSource) src = g_new0(CaptureSource, 1);
    if (opts->filter)
        src->filter = g_strdup(opts->filter);
    if (has_files ? !files_open(src, opts, err) : !live_open(src, opts, err))
        return NULL;
    return g_steal_pointer(&src);
}

CaptureResult
capture_next(CaptureSource *src, SsPacket *pkt, GError **err)
{
    g_return_val_if_fail(src != NULL && pkt != NULL, CAPTURE_ERROR);
    if (src->stop)
        return CAPTURE_END;
    return src->live ? live_next(src, pkt, err) : files_next(src, pkt, err);
}

void
capture_get_stats(CaptureSource *src, CaptureStats *st)
{
    memset(st, 0, sizeof *st);
    st->packets = src->packets;
    st->filtered_out = src->filtered_out;
    st->live = src->live;
    if (src->live && src->pcap) {
        struct pcap_stat ps;
        if (pcap_stats(src->pcap, &ps) == 0) {
            st->kernel_received = ps.ps_recv;
            st->kernel_dropped = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
        }
    }
}

void
capture_break(CaptureSource *src)
{
    src->stop = 1;
    /* pcap_breakloop() only sets a flag (and, on Linux, writes to an
     * eventfd to wake poll()): safe in a signal handler. */
    if (src->pcap)
        pcap_breakloop(src->pcap);
}

bool
capture_is_live(const CaptureSource *src)
{
    return src->live;
}

uint64_t
capture_total_bytes(const CaptureSource *src)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < src->ninputs; i++) {
        uint64_t size = pcap_file_size(src->inputs[i].file);
        if (size == 0)
            return 0; /* a pipe: the total is unknown */
        total += size;
    }
    return total;
}

uint64_t
capture_read_bytes(const CaptureSource *src)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < src->ninputs; i++)
        n += pcap_file_offset(src->inputs[i].file);
    return n;
}

void
capture_close(CaptureSource *src)
{
    if (!src)
        return;
    for (unsigned i = 0; i < src->ninputs; i++)
        pcap_file_close(src->inputs[i].file);
    g_free(src->inputs);
    for (unsigned i = 0; i < src->nfcache; i++) {
        if (src->fcache[i].ok)
            pcap_freecode(&src->fcache[i].prog);
    }
    if (src->pcap)
        pcap_close(src->pcap);
    g_free(src->filter);
    g_free(src->iface);
    g_free(src);
}
