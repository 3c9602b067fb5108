#include <config.h>
#include "pipeline.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/exit_codes.h"
#include "common/sslog.h"
#include "dialog/call_select.h"
#include "dialog/dialog.h"
#include "net/net_decode.h"
#include "net/tcp_reasm.h"
#include "output/pcap_out.h"
#include "sip/sip_framer.h"
#include "sip/sip_header.h"
#include "sip/sip_parse.h"

/*
 * The pipeline: the only place that knows every stage (STYLE.md #2).
 *
 *   capture -> net_decode -> UDP payload ----------------------> sip parse
 *                         -> TCP segment -> tcp_reasm -> sip_stream -^
 *   sip parse -> dialog engine -> output writer
 *
 * Timeouts run on capture time: every second of capture time (and on
 * every idle tick of a live capture) each stage expires what is overdue.
 */

typedef struct {
    const PipelineOptions *opts;
    CaptureSource *src;
    NetDecoder *net;
    TcpReasm *tcp;
    DialogEngine *eng;
    OutputWriter *out;
    PcapOut *wout;
    SipMessage *msg;           /* one reusable parse target */
    /* some output shows a message's anomalies (text; JSON message, stats or
     * anomaly records): else the checks that only raise them are skipped */
    bool msg_anomalies;
    RunStats st;
    SsTime now;
    SsTime last_expire;
    uint64_t cur_frame;
    const SsPacket *cur_pkt;
    bool cur_pkt_written;
    int wout_linktype;
    bool stop_writing;
    bool cur_reassembled;      /* the current packet completed an IP datagram */
    uint64_t cur_first_fragment;
    unsigned pending_fragments;
    CallSelect *sel;           /* --call-id / --user / --label */
    bool notes_only;           /* first pass of a filtered offline run */
    /* -w: recent IP fragments and TCP data segments, so the packets that
     * carried a message can be written once its call is known selected */
    struct RingPkt {
        uint64_t frame;
        SsTime ts;
        uint32_t caplen, origlen;
        int linktype;
        bool tcp;
        bool written;
        Endpoint src, dst;
        uint8_t *data;
        size_t cap;
    } *ring;
    unsigned ring_pos;
} Pipeline;

#define RING_SIZE 4096

static volatile sig_atomic_t stop_requested;
static CaptureSource *volatile running_source;

void
pipeline_request_stop(void)
{
    stop_requested = 1;
    CaptureSource *s = running_source;
    if (s)
        capture_break(s);
}

/* ---- anomalies from any stage ---- */
static void
on_anomaly(void *user, SsAnomaly a, SsTime ts, const char *detail)
{
    Pipeline *p = user;
    p->st.anomalies_total++;
    if ((unsigned)a < SS_ANOMALY__COUNT)
        p->st.anomalies[a]++;
    /* with call filters, anomalies are only counted (they belong to packets) */
    if (!p->notes_only && !call_select_active(p->sel))
        output_anomaly(p->out, a, ts ? ts : p->now, p->cur_frame, detail);
}

static const AnomalySink *
anomaly_sink(Pipeline *p)
{
    static AnomalySink s;
    s.fn = on_anomaly;
    s.user = p;
    return &s;
}

/* ---- the dialog engine's events go to the writer ---- */
static void write_message_packets(Pipeline *p, const MsgEvent *ev);

static bool
selected(Pipeline *p, const char *call_id)
{
    if (!call_select_active(p->sel))
        return true;
    return call_select_is_selected(p->sel, call_id);
}

static void
on_message(void *user, const MsgEvent *ev)
{
    Pipeline *p = user;
    /* A message's anomalies are counted once (not again for its
     * retransmissions); the writer reports them with the message. */
    if (!ev->retransmission) {
        for (unsigned i = 0; i < ev->msg->n_anomalies && i < SIP_MAX_ANOMALIES; i++) {
            p->st.anomalies_total++;
            p->st.anomalies[ev->msg->anomalies[i]]++;
        }
    }
    call_select_note_message(p->sel, ev);
    if (p->notes_only || !selected(p, ev->call_id))
        return;
    write_message_packets(p, ev);
    output_message(p->out, ev);
}

static void
on_flow(void *user, const FlowEvent *ev)
{
    Pipeline *p = user;
    call_select_note_flow(p->sel, ev);
    if (p->notes_only || !selected(p, ev->call_id))
        return;
    output_flow(p->out, ev);
}

static void
on_dialog(void *user, const DialogRecord *rec)
{
    Pipeline *p = user;
    call_select_note_dialog(p->sel, rec);
    if (p->notes_only || !selected(p, rec->call_id))
        return;
    output_dialog(p->out, rec);
}

static void
on_call_end(void *user, const CallEnd *ev)
{
    Pipeline *p = user;
    if (p->notes_only || !selected(p, ev->call_id))
        return;
    output_call_end(p->out, ev);
}

/* ---- one SIP message, from a datagram or a stream ---- */
static void
sip_message(Pipeline *p, const uint8_t *bytes, size_t len, const Endpoint *src,
            const Endpoint *dst, SsTransport tr, SsTime ts, uint64_t first_frame,
            uint64_t last_frame, bool incomplete)
{
    SipParseResult r = sip_message_scan(p->msg, (const char *)bytes, len);
    if (r == SIP_PARSE_INVALID) {
        p->st.non_sip_payloads++;
        return;
    }
    /* the call's slot is on its way while the header values are checked */
    dialog_engine_prefetch(p->eng, p->msg);
    if (p->msg_anomalies)
        sip_message_validate(p->msg);
    else
        sip_message_validate_values(p->msg);
    p->st.sip_messages++;
    if (p->msg->is_request)
        p->st.sip_requests++;
    else
        p->st.sip_responses++;
    SipMeta meta = {
        .ts = ts,
        .frame = first_frame,
        .last_frame = last_frame,
        .src = *src,
        .dst = *dst,
        .transport = tr,
        .incomplete = incomplete || r == SIP_PARSE_TRUNCATED,
    };
    /* as its record says (a cut datagram, a lost segment, or no end of
     * the headers) */
    if (meta.incomplete)
        p->st.sip_incomplete++;
    dialog_engine_feed(p->eng, p->msg, &meta);
}

/* ---- TCP: reassembled bytes -> SIP framing ---- */
typedef struct {
    Pipeline *p;
    TcpStream *s; /* valid while the stream lives */
    SipStream *sip;
    bool in_junk; /* skipping non-SIP bytes since the last message */
} StreamCtx;

static void
stream_message(void *user, const uint8_t *msg, size_t len, unsigned flags, SsTime ts,
               uint64_t first_frame, uint64_t last_frame)
{
    StreamCtx *sc = user;
    Pipeline *p = sc->p;
    sc->in_junk = false;
    if (flags & SIP_STREAM_MSG_NO_CONTENT_LENGTH)
        on_anomaly(p, SS_ANOMALY_SIP_STREAM_NO_CONTENT_LENGTH, ts, NULL);
    if (flags & SIP_STREAM_MSG_BAD_CONTENT_LENGTH)
        on_anomaly(p, SS_ANOMALY_SIP_BAD_CONTENT_LENGTH, ts, "stream framed as Content-Length 0");
    if (flags & SIP_STREAM_MSG_TOO_BIG)
        on_anomaly(p, SS_ANOMALY_SIP_MESSAGE_TOO_BIG, ts, NULL);
    if (flags & SIP_STREAM_MSG_INCOMPLETE)
        on_anomaly(p, SS_ANOMALY_SIP_INCOMPLETE, ts, NULL);
    sip_message(p, msg, len, &sc->s->src, &sc->s->dst, SS_TRANSPORT_TCP, ts, first_frame, last_frame,
                (flags & (SIP_STREAM_MSG_INCOMPLETE | SIP_STREAM_MSG_TOO_BIG)) != 0);
}

static void
stream_junk(void *user, size_t n, SsTime ts)
{
    StreamCtx *sc = user;
    sc->p->st.non_sip_payloads++;
    (void)n;
    /* once per run of junk (the framer skips it a line at a time) */
    if (!sc->in_junk) {
        sc->in_junk = true;
        on_anomaly(sc->p, SS_ANOMALY_SIP_STREAM_JUNK, ts, "skipped up to the next SIP start line");
    }
}

static StreamCtx *
stream_ctx(Pipeline *p, TcpStream *s)
{
    StreamCtx *sc = s->user;
    if (!sc) {
        sc = g_new0(StreamCtx, 1);
        sc->p = p;
        SipStreamSink sink = { stream_message, stream_junk, sc };
        sc->sip = sip_stream_new(&sink);
        s->user = sc;
    }
    sc->s = s;
    return sc;
}

static void
tcp_data(void *user, TcpStream *s, const uint8_t *bytes, size_t len, SsTime ts, uint64_t frame)
{
    StreamCtx *sc = stream_ctx(user, s);
    sip_stream_feed(sc->sip, bytes, len, ts, frame);
}

static void
tcp_gap(void *user, TcpStream *s, uint64_t len, SsTime ts)
{
    StreamCtx *sc = stream_ctx(user, s);
    sip_stream_gap(sc->sip, len, ts);
}

static void
tcp_close(void *user, TcpStream *s, TcpCloseReason why, SsTime ts)
{
    StreamCtx *sc = s->user;
    (void)why;
    (void)user;
    if (!sc)
        return;
    sc->s = s;
    sip_stream_finish(sc->sip, ts);
    sip_stream_free(sc->sip);
    g_free(sc);
    s->user = NULL;
}

/* ---- -w: write the packets that carried SIP ---- */
static void
pcap_write(Pipeline *p, SsTime ts, const uint8_t *data, uint32_t caplen, uint32_t origlen,
           int linktype)
{
    if (!p->wout || p->stop_writing || linktype != p->wout_linktype)
        return; /* a pcap file has one link type: others cannot go in */
    GError *err = NULL;
    if (!pcap_out_write(p->wout, ts, data, caplen, origlen, &err)) {
        ss_error("%s", err->message);
        g_clear_error(&err);
        p->stop_writing = true;
    }
}

/* Keep a copy of a fragment or TCP segment: its message may complete later. */
static void
ring_keep(Pipeline *p, const SsPacket *pkt, bool tcp, const Endpoint *src, const Endpoint *dst)
{
    if (!p->ring)
        p->ring = g_new0(struct RingPkt, RING_SIZE);
    struct RingPkt *r = &p->ring[p->ring_pos];
    p->ring_pos = (p->ring_pos + 1) % RING_SIZE;
    if (r->cap < pkt->caplen) {
        g_free(r->data);
        r->cap = pkt->caplen;
        r->data = g_malloc(r->cap);
    }
    memcpy(r->data, pkt->data, pkt->caplen);
    r->frame = pkt->frame;
    r->ts = pkt->ts;
    r->caplen = pkt->caplen;
    r->origlen = pkt->origlen;
    r->linktype = pkt->linktype;
    r->tcp = tcp;
    r->written = false;
    if (src)
        r->src = *src;
    if (dst)
        r->dst = *dst;
}

static gint
ring_frame_cmp(gconstpointer a, gconstpointer b)
{
    const struct RingPkt *x = *(struct RingPkt *const *)a, *y = *(struct RingPkt *const *)b;
    return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* The packets of one message: the packet that completed it, and before it
 * the TCP segments of the same stream or the IP fragments it was rebuilt
 * from (held in the ring). */
static void
write_message_packets(Pipeline *p, const MsgEvent *ev)
{
    if (!p->wout || p->stop_writing)
        return;
    if (p->ring) {
        GPtrArray *take = g_ptr_array_new();
        for (unsigned i = 0; i < RING_SIZE; i++) {
            struct RingPkt *r = &p->ring[i];
            if (!r->data || r->written || r->frame > ev->last_frame)
                continue;
            bool mine;
            if (r->tcp)
                mine = ev->transport == SS_TRANSPORT_TCP && r->frame >= ev->frame &&
                       endpoint_equal(&r->src, &ev->src) && endpoint_equal(&r->dst, &ev->dst);
            else
                mine = p->cur_reassembled && r->frame >= p->cur_first_fragment;
            if (mine)
                g_ptr_array_add(take, r);
        }
        g_ptr_array_sort(take, ring_frame_cmp);
        for (guint i = 0; i < take->len; i++) {
            struct RingPkt *r = g_ptr_array_index(take, i);
            r->written = true;
            if (r->frame == p->cur_frame)
                p->cur_pkt_written = true;
            pcap_write(p, r->ts, r->data, r->caplen, r->origlen, r->linktype);
        }
        g_ptr_array_free(take, TRUE);
    }
    if (p->cur_pkt && !p->cur_pkt_written && p->cur_frame == ev->last_frame) {
        p->cur_pkt_written = true;
        pcap_write(p, p->cur_pkt->ts, p->cur_pkt->data, p->cur_pkt->caplen, p->cur_pkt->origlen,
                   p->cur_pkt->linktype);
    }
}

static void
maybe_expire(Pipeline *p, SsTime now)
{
    if (now < p->last_expire + SS_NSEC_PER_SEC)
        return;
    p->last_expire = now;
    net_decoder_expire(p->net, now);
    tcp_reasm_expire(p->tcp, now);
    dialog_engine_expire(p->eng, now);
}

static void
packet(Pipeline *p, const SsPacket *pkt)
{
    p->st.packets++;
    p->st.bytes += pkt->caplen;
    if (pkt->ts > p->now)
        p->now = pkt->ts;
    if (!p->st.first_ts || pkt->ts < p->st.first_ts)
        p->st.first_ts = pkt->ts;
    if (pkt->ts > p->st.last_ts)
        p->st.last_ts = pkt->ts;
    p->cur_frame = pkt->frame;
    p->cur_pkt = pkt;
    p->cur_pkt_written = false;
    p->cur_reassembled = false;

    NetPacket np;
    NetResult r = net_decoder_feed(p->net, pkt, &np);
    if (r != NET_OK) {
        if (r == NET_BUFFERED && p->wout) {
            if (!p->pending_fragments++)
                p->cur_first_fragment = pkt->frame;
            ring_keep(p, pkt, false, NULL, NULL);
        }
        maybe_expire(p, p->now);
        return;
    }
    if (np.reassembled) {
        p->cur_reassembled = true;
        p->pending_fragments = 0;
    }
    if (np.l4proto == SS_IPPROTO_UDP) {
        p->st.udp_datagrams++;
        if (np.payload_len && sip_frame_looks_like_start(np.payload, np.payload_len)) {
            if (np.truncated && pkt->caplen < pkt->origlen)
                on_anomaly(p, SS_ANOMALY_CAPTURE_TRUNCATED, pkt->ts, "SIP datagram cut by the snaplen");
            sip_message(p, np.payload, np.payload_len, &np.src, &np.dst, SS_TRANSPORT_UDP, pkt->ts,
                        pkt->frame, pkt->frame, np.truncated);
        } else if (np.payload_len) {
            p->st.non_sip_payloads++;
        }
    } else if (np.l4proto == SS_IPPROTO_TCP) {
        p->st.tcp_segments++;
        if (p->wout && np.payload_len)
            ring_keep(p, pkt, true, &np.src, &np.dst);
        tcp_reasm_feed(p->tcp, &np.src, &np.dst, np.tcp_seq, np.tcp_flags, np.payload, np.payload_len,
                       pkt->ts, pkt->frame);
    }
    maybe_expire(p, p->now);
}

static void
collect_stats(Pipeline *p)
{
    NetStats ns;
    net_decoder_get_stats(p->net, &ns);
    p->st.ip_packets = ns.ip_packets;
    p->st.non_ip = ns.non_ip;
    p->st.ip_fragments = ns.fragments;
    p->st.ip_reassembled = ns.reassembled;
    p->st.frag_timeouts = ns.frag_timeouts;
    p->st.frag_evictions = ns.frag_evictions;
    TcpReasmStats ts;
    tcp_reasm_get_stats(p->tcp, &ts);
    p->st.tcp_gaps = ts.gaps;
    p->st.tcp_gap_bytes = ts.gap_bytes;
    p->st.tcp_retransmissions = ts.retransmissions;
    p->st.tcp_stream_evictions = ts.streams_evicted;
    DialogStats ds;
    dialog_engine_get_stats(p->eng, &ds);
    p->st.sip_retransmissions = ds.retransmissions;
    p->st.calls = ds.calls;
    p->st.filtered = call_select_active(p->sel);
    p->st.calls_selected = p->st.filtered ? call_select_count(p->sel) : 0;
    p->st.dialogs = ds.dialogs;
    p->st.dialog_evictions = ds.evictions;
    for (int i = 0; i < SS_LABEL_COUNT; i++)
        p->st.labels[i] = ds.labels[i];
    CaptureStats cs;
    capture_get_stats(p->src, &cs);
    p->st.kernel_received = cs.kernel_received;
    p->st.kernel_dropped = cs.kernel_dropped;
    p->st.live = cs.live;
}

static int
exit_for_capture_error(const GError *err)
{
    if (err->domain != SS_CAPTURE_ERROR)
        return SS_EXIT_ERROR;
    switch (err->code) {
    case SS_CAPTURE_ERROR_BAD_FILTER: return SS_EXIT_USAGE;
    case SS_CAPTURE_ERROR_PERMISSION: return SS_EXIT_PERMISSION;
    case SS_CAPTURE_ERROR_TRUNCATED: return SS_EXIT_TRUNCATED;
    case SS_CAPTURE_ERROR_IO: return SS_EXIT_ERROR;
    default: return SS_EXIT_INPUT;
    }
}

static bool
drop_privileges(const char *user)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        ss_error("-Z: no such user '%s'", user);
        return false;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0) {
        ss_error("-Z: cannot switch to user '%s': %s", user, g_strerror(errno));
        return false;
    }
    if (setuid(0) == 0 && pw->pw_uid != 0) {
        ss_error("-Z: could regain root after switching to '%s'", user);
        return false;
    }
    return true;
}

static void
progress(Pipeline *p, bool final)
{
    static gint64 last;
    gint64 now = g_get_monotonic_time();
    if (!final && now - last < 250000)
        return;
    last = now;
    uint64_t total = capture_total_bytes(p->src);
    uint64_t done = capture_read_bytes(p->src);
    if (total)
        fprintf(stderr, "\rsipsleuth: %3u%%  %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT
                        " SIP messages%s",
                (unsigned)(done * 100 / total), p->st.packets, p->st.sip_messages,
                final ? "\n" : "");
    else
        fprintf(stderr, "\rsipsleuth: %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT
                        " SIP messages%s",
                p->st.packets, p->st.sip_messages, final ? "\n" : "");
}

/* One pass over the input. Returns an exit status; *stopped is set when
 * the output failed or a stop was requested. */
static int
run_pass(Pipeline *p, bool final_pass)
{
    const PipelineOptions *opts = p->opts;
    int status = SS_EXIT_OK;
    GError *err = NULL;

    p->src = capture_open(&opts->capture, &err);
    if (!p->src) {
        ss_error("%s", err->message);
        /* cut inside its file header, a file cannot be opened at all:
         * exit 5 promises that what was read was reported */
        status = err->code == SS_CAPTURE_ERROR_TRUNCATED ? SS_EXIT_INPUT : exit_for_capture_error(err);
        g_error_free(err);
        return status;
    }
    if (final_pass && opts->drop_user && !drop_privileges(opts->drop_user)) {
        capture_close(p->src);
        p->src = NULL;
        return SS_EXIT_PERMISSION;
    }
    memset(&p->st, 0, sizeof p->st);
    p->now = 0;
    p->last_expire = 0;
    p->net = net_decoder_new(anomaly_sink(p));
    TcpReasmSink ts = { tcp_data, tcp_gap, tcp_close, p };
    p->tcp = tcp_reasm_new(&ts, anomaly_sink(p));
    DialogSink ds = { on_message, on_flow, on_dialog, on_call_end, p };
    DialogConfig dc = { .idle_timeout = opts->idle_timeout, .want_messages = true };
    p->eng = dialog_engine_new(&ds, anomaly_sink(p), &dc);

    running_source = p->src;
    bool live = capture_is_live(p->src);
    bool show_progress = opts->progress && !live;
    for (;;) {
        if (stop_requested)
            break;
        SsPacket pkt;
        CaptureResult cr = capture_next(p->src, &pkt, &err);
        if (cr == CAPTURE_END)
            break;
        if (cr == CAPTURE_ERROR) {
            int st = exit_for_capture_error(err);
            if (st == SS_EXIT_TRUNCATED || err->code == SS_CAPTURE_ERROR_NOT_CAPTURE) {
                /* a file cut short or corrupt in its middle: say so, keep
                 * what was read, go on with the other files */
                if (final_pass)
                    ss_warn("%s", err->message);
                g_clear_error(&err);
                status = SS_EXIT_TRUNCATED;
                continue;
            }
            ss_error("%s", err->message);
            g_clear_error(&err);
            status = st;
            break;
        }
        if (cr == CAPTURE_IDLE) {
            if (pkt.ts > p->now)
                p->now = pkt.ts;
            maybe_expire(p, p->now);
            if (output_failed(p->out))
                break;
            continue;
        }
        if (final_pass && opts->write_file && !p->wout && !p->stop_writing) {
            p->wout_linktype = pkt.linktype;
            p->wout = pcap_out_open(opts->write_file, pkt.linktype,
                                    opts->capture.snaplen ? (uint32_t)opts->capture.snaplen : 262144,
                                    &err);
            if (!p->wout) {
                ss_error("%s", err->message);
                g_clear_error(&err);
                status = SS_EXIT_ERROR;
                break;
            }
        }
        packet(p, &pkt);
        if (output_failed(p->out))
            break;
        if (show_progress && (p->st.packets & 0x3fff) == 0)
            progress(p, false);
        if (opts->count && p->st.packets >= opts->count)
            break;
    }
    running_source = NULL;
    if (show_progress)
        progress(p, true);

    /* Always flush the streams: it releases their framers (a failed writer
     * just ignores what follows). */
    tcp_reasm_flush(p->tcp, p->now);
    if (!output_failed(p->out)) {
        dialog_engine_finish(p->eng, p->now);
        collect_stats(p);
        if (final_pass)
            output_finish(p->out, &p->st);
    }
    dialog_engine_free(p->eng);
    tcp_reasm_free(p->tcp);
    net_decoder_free(p->net);
    capture_close(p->src);
    p->eng = NULL;
    p->tcp = NULL;
    p->net = NULL;
    p->src = NULL;
    return status;
}

/* Can the input be read twice? (regular files only: not stdin, not live) */
static bool
rereadable(const PipelineOptions *opts)
{
    if (opts->capture.iface || !opts->capture.files)
        return false;
    for (const char *const *f = opts->capture.files; *f; f++) {
        struct stat st;
        if (!strcmp(*f, "-") || stat(*f, &st) != 0 || !S_ISREG(st.st_mode))
            return false;
    }
    return true;
}

int
pipeline_run(const PipelineOptions *opts)
{
    Pipeline p;
    memset(&p, 0, sizeof p);
    p.opts = opts;
    p.wout_linktype = -1;
    p.msg = g_new(SipMessage, 1);
    p.sel = call_select_new(opts->call_ids, opts->users, opts->labels);
    int status = SS_EXIT_OK;

    OutputOptions oo = opts->output;
    oo.live = opts->capture.iface != NULL;
    unsigned emit = oo.emit ? oo.emit : (EMIT_FLOW | EMIT_DIALOG);
    p.msg_anomalies = opts->format != FORMAT_JSON || (emit & (EMIT_MESSAGE | EMIT_STATS | EMIT_ANOMALY)) != 0;
    p.out = opts->format == FORMAT_JSON ? output_json_new(stdout, &oo) : output_text_new(stdout, &oo);

    /* Filtered offline runs read twice: the first pass finds the calls
     * (a label may appear late, a transfer links calls), the second writes
     * them complete. One pass (stdin, live) selects calls from the event
     * that matches on. */
    if (call_select_active(p.sel) && rereadable(opts)) {
        p.notes_only = true;
        status = run_pass(&p, false);
        p.notes_only = false;
        call_select_freeze(p.sel);
    }
    if (status == SS_EXIT_OK || status == SS_EXIT_TRUNCATED)
        status = run_pass(&p, true);

    if (output_failed(p.out)) {
        /* A closed pipe (| head) is the reader's choice, not our failure. */
        if (p.out->err_no != EPIPE) {
            ss_error("cannot write output: %s", g_strerror(p.out->err_no));
            status = SS_EXIT_ERROR;
        }
    }
    if (p.wout) {
        GError *err = NULL;
        if (!pcap_out_close(p.wout, &err)) {
            ss_error("%s", err->message);
            g_clear_error(&err);
            status = SS_EXIT_ERROR;
        }
    }
    if (p.ring) {
        for (unsigned i = 0; i < RING_SIZE; i++)
            g_free(p.ring[i].data);
        g_free(p.ring);
    }
    output_free(p.out);
    call_select_free(p.sel);
    g_free(p.msg);
    return status;
}
