#include <config.h>
#include "output/output.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sip/sip_header.h"

/* Text report (the default -T text), in tcpdump's spirit: one line per
 * call, a timeline under it with -v, an ASCII ladder with --flow, and a
 * summary at the end. Deterministic (STYLE.md #10): capture time in UTC
 * unless --localtime, durations with integer math, calls printed in the
 * order they end (then, at end of input, in the order they began).
 *
 * The writer keeps per Call-ID only what it prints: the dialog records,
 * the flow events and, for the ladder only, a compact summary of each
 * message (never the message itself). A call is printed and forgotten at
 * its call_end, so memory follows the dialog engine's open calls, whose
 * number the engine caps (SS_MAX_CALLS).
 *
 * Every string that came from the wire is sanitised before it reaches the
 * terminal: control characters and bytes that are not valid UTF-8 become
 * \xHH, so a hostile packet cannot send escape sequences. */

/* Messages drawn per call in the ladder. A call has tens of messages; a
 * stuck retransmission storm or a long session-timer call can have
 * thousands, which nobody reads as a ladder. Past the cap the rest are
 * counted and reported in one line. */
#define TEXT_MAX_LADDER_ROWS 2000
/* Longest message label kept ("486 Busy Here" + reason phrase). */
#define TEXT_MAX_LABEL 48
/* Time column of the timeline and the ladder: "+86399.999s" (a day)
 * fits; a longer offset pushes its line right by the excess. */
#define TEXT_TIME_W 11

#define ANSI_RED "\033[31m"
#define ANSI_CYAN "\033[36m"
#define ANSI_RESET "\033[0m"

typedef struct {
    SsTime ts;
    uint64_t frame;
    Endpoint src, dst;
    const char *label;  /* sanitised, in the call's string chunk */
    const char *sdp;    /* static: "sendonly"... or NULL */
    uint32_t cseq;
    bool has_cseq;
    bool retransmission;
    bool sdp_null_addr;
    uint8_t sdp_family;
} TextMsg;

typedef struct {
    FlowKind kind;
    SsTime start;
    bool initiator_is_caller;
    SipMethod method;
    HoldMode hold_mode;
    OfferResult offer_result;
    unsigned status_code;
    bool double_hold;
    SsTime hold_duration;
    TransferKind transfer_kind;
    TransferResult transfer_result;
    const char *refer_to;
    unsigned notify_status;
    const char *replaces_call_id;
    bool replaces_dialog_seen;
    bool replaces_early_only;
    const char *new_call_id;
    const char *refer_call_id;
} TextFlow;

typedef struct {
    const char *from_tag, *to_tag;
    const char *from_uri, *to_uri;
    Endpoint caller, callee;
    SsTransport transport;
    DialogState state;
    DialogEndReason end_reason;
    bool ended_by_caller;
    bool seen_midcall;
    unsigned final_status;
    SsTime start, answer, end;
    unsigned labels;
    const char *replaced_by_call_id;
    guint related_at;     /* first of n_related in TextCall.related */
    unsigned n_related;
} TextDialog;

typedef struct {
    char *call_id;
    GList link;             /* in TextWriter.order */
    GStringChunk *strings;  /* every copied string of this call */
    GArray *msgs;           /* TextMsg, only with --flow */
    GArray *flows;          /* TextFlow */
    GArray *dialogs;        /* TextDialog */
    GPtrArray *related;     /* related Call-IDs of the dialogs (in strings) */
    unsigned n_msgs;
    unsigned msgs_dropped;  /* over TEXT_MAX_LADDER_ROWS */
    SsTime first_ts, last_ts;
    /* first message, for calls without a dialog (OPTIONS, REGISTER...) */
    Endpoint first_src, first_dst;
    SsTransport transport;
    const char *first_label;
} TextCall;

typedef struct {
    OutputWriter base;
    GHashTable *calls;  /* call_id -> TextCall (lookup only) */
    GQueue order;       /* TextCall by first message: insertion order */
    GString *buf;       /* one call's text, written at once */
    GString *tmp;
    unsigned calls_printed;
} TextWriter;

/* ---- sanitising ---- */

/* Length of the valid UTF-8 sequence at p (RFC 3629 §4), 0 if invalid or a
 * C1 control (U+0080-U+009F: some terminals act on them). */
static size_t
text_utf8_len(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    if (c >= 0xc2 && c <= 0xdf) {
        if (avail < 2 || (p[1] & 0xc0) != 0x80)
            return 0;
        return c == 0xc2 && p[1] < 0xa0 ? 0 : 2;
    }
    if (c >= 0xe0 && c <= 0xef) {
        if (avail < 3 || (p[2] & 0xc0) != 0x80)
            return 0;
        unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        return p[1] >= lo && p[1] <= hi ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (avail < 4 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        return p[1] >= lo && p[1] <= hi ? 4 : 0;
    }
    return 0;
}

static void
text_sanitize(GString *out, const char *str, size_t len)
{
    const unsigned char *p = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f) {
            g_string_append_c(out, (char)c);
            i++;
            continue;
        }
        size_t n = c >= 0x80 ? text_utf8_len(p + i, len - i) : 0;
        if (n) {
            g_string_append_len(out, str + i, (gssize)n);
            i += n;
        } else {
            g_string_append_printf(out, "\\x%02x", c);
            i++;
        }
    }
}

static void
text_puts(GString *out, const char *s)
{
    if (s)
        text_sanitize(out, s, strlen(s));
}

/* ---- colour ---- */

static void
text_color(TextWriter *tw, GString *out, const char *code)
{
    if (tw->base.opts.color)
        g_string_append(out, code);
}

static void
text_reset(TextWriter *tw, GString *out)
{
    if (tw->base.opts.color)
        g_string_append(out, ANSI_RESET);
}

/* ---- call buffer ---- */

static void
text_call_free(gpointer data)
{
    TextCall *c = data;
    g_free(c->call_id);
    if (c->strings)
        g_string_chunk_free(c->strings);
    if (c->msgs)
        g_array_free(c->msgs, TRUE);
    g_array_free(c->flows, TRUE);
    g_array_free(c->dialogs, TRUE);
    g_ptr_array_free(c->related, TRUE);
    g_free(c);
}

static TextCall *
text_call_get(TextWriter *tw, const char *call_id, SsTime ts)
{
    TextCall *c = g_hash_table_lookup(tw->calls, call_id);
    if (c)
        return c;
    c = g_new0(TextCall, 1);
    c->call_id = g_strdup(call_id);
    c->link.data = c;
    c->strings = g_string_chunk_new(512);
    if (tw->base.opts.flow)
        c->msgs = g_array_new(FALSE, FALSE, sizeof(TextMsg));
    c->flows = g_array_new(FALSE, FALSE, sizeof(TextFlow));
    c->dialogs = g_array_new(FALSE, FALSE, sizeof(TextDialog));
    c->related = g_ptr_array_new();
    c->first_ts = c->last_ts = ts;
    g_hash_table_insert(tw->calls, c->call_id, c);
    g_queue_push_tail_link(&tw->order, &c->link);
    return c;
}

static const char *
text_intern(TextCall *c, const char *s)
{
    return s ? g_string_chunk_insert_const(c->strings, s) : NULL;
}

static void
text_touch(TextCall *c, SsTime t)
{
    if (t && t < c->first_ts)
        c->first_ts = t;
    if (t > c->last_ts)
        c->last_ts = t;
}

/* "INVITE", or "486 Busy Here", sanitised and cut to TEXT_MAX_LABEL. */
static const char *
text_msg_label(TextWriter *tw, TextCall *c, const SipMessage *m)
{
    GString *t = tw->tmp;
    g_string_truncate(t, 0);
    if (m->is_request) {
        text_sanitize(t, m->buf + m->method_text.off, m->method_text.len);
    } else {
        g_string_append_printf(t, "%u", m->status);
        if (m->reason.len) {
            g_string_append_c(t, ' ');
            text_sanitize(t, m->buf + m->reason.off, m->reason.len);
        }
    }
    if (t->len > TEXT_MAX_LABEL) {
        /* do not cut inside a UTF-8 sequence */
        size_t n = TEXT_MAX_LABEL;
        while (n > 0 && ((unsigned char)t->str[n] & 0xc0) == 0x80)
            n--;
        g_string_truncate(t, n);
    }
    return g_string_chunk_insert_const(c->strings, t->str);
}

static void
text_message(OutputWriter *w, const MsgEvent *ev)
{
    TextWriter *tw = (TextWriter *)w;
    const SipMessage *m = ev->msg;
    /* a message of no call (OPTIONS, REGISTER) makes no call line: no
     * call end would ever close it */
    if (!ev->in_call || !ev->call_id || !m)
        return;
    TextCall *c = text_call_get(tw, ev->call_id, ev->ts);
    text_touch(c, ev->ts);
    if (c->n_msgs++ == 0) {
        c->first_src = ev->src;
        c->first_dst = ev->dst;
        c->transport = ev->transport;
        c->first_label = text_msg_label(tw, c, m);
    }
    if (!c->msgs)
        return;
    if (c->msgs->len >= TEXT_MAX_LADDER_ROWS) {
        c->msgs_dropped++;
        return;
    }
    TextMsg tm = {
        .ts = ev->ts,
        .frame = ev->frame,
        .src = ev->src,
        .dst = ev->dst,
        .label = text_msg_label(tw, c, m),
        .retransmission = ev->retransmission,
    };
    SipCSeq cseq;
    if (sip_get_cseq(m, &cseq)) {
        tm.cseq = cseq.seq;
        tm.has_cseq = true;
    }
    if (ev->has_sdp) {
        tm.sdp = ev->sdp_dir != SDP_DIR_NONE ? sdp_direction_name(ev->sdp_dir) : "sdp";
        tm.sdp_null_addr = ev->sdp_null_addr;
        tm.sdp_family = ev->sdp_family;
    }
    g_array_append_val(c->msgs, tm);
}

static void
text_flow(OutputWriter *w, const FlowEvent *ev)
{
    TextWriter *tw = (TextWriter *)w;
    if (!ev->call_id)
        return;
    TextCall *c = text_call_get(tw, ev->call_id, ev->start);
    text_touch(c, ev->start);
    TextFlow f = {
        .kind = ev->kind,
        .start = ev->start,
        .initiator_is_caller = ev->initiator_is_caller,
        .method = ev->method,
        .hold_mode = ev->hold_mode,
        .offer_result = ev->offer_result,
        .status_code = ev->status_code,
        .double_hold = ev->double_hold,
        .hold_duration = ev->hold_duration,
        .transfer_kind = ev->transfer_kind,
        .transfer_result = ev->transfer_result,
        .refer_to = text_intern(c, ev->refer_to),
        .notify_status = ev->notify_status,
        .replaces_call_id = text_intern(c, ev->replaces_call_id),
        .replaces_dialog_seen = ev->replaces_dialog_seen,
        .replaces_early_only = ev->replaces_early_only,
        .new_call_id = text_intern(c, ev->new_call_id),
        .refer_call_id = text_intern(c, ev->refer_call_id),
    };
    g_array_append_val(c->flows, f);
}

static void
text_dialog(OutputWriter *w, const DialogRecord *rec)
{
    TextWriter *tw = (TextWriter *)w;
    if (!rec->call_id)
        return;
    TextCall *c = text_call_get(tw, rec->call_id, rec->start);
    text_touch(c, rec->start);
    text_touch(c, rec->end);
    TextDialog d = {
        .from_tag = text_intern(c, rec->from_tag),
        .to_tag = text_intern(c, rec->to_tag),
        .from_uri = text_intern(c, rec->from_uri),
        .to_uri = text_intern(c, rec->to_uri),
        .caller = rec->caller,
        .callee = rec->callee,
        .transport = rec->transport,
        .state = rec->state,
        .end_reason = rec->end_reason,
        .ended_by_caller = rec->ended_by_caller,
        .seen_midcall = rec->seen_midcall,
        .final_status = rec->final_status,
        .start = rec->start,
        .answer = rec->answer,
        .end = rec->end,
        .labels = rec->labels,
        .replaced_by_call_id = text_intern(c, rec->replaced_by_call_id),
    };
    d.related_at = c->related->len;
    for (unsigned i = 0; rec->related_call_ids && i < rec->n_related; i++) {
        if (rec->related_call_ids[i]) {
            g_ptr_array_add(c->related, (gpointer)text_intern(c, rec->related_call_ids[i]));
            d.n_related++;
        }
    }
    g_array_append_val(c->dialogs, d);
}

/* ---- rendering helpers ---- */

/* "alice@atlanta.com" from "sip:alice@atlanta.com;transport=tcp": the
 * scheme, URI parameters and headers dropped (RFC 3261 §19.1.1). */
static void
text_uri_short(GString *out, const char *uri)
{
    const char *p = uri;
    if (g_ascii_strncasecmp(p, "sip:", 4) == 0)
        p += 4;
    else if (g_ascii_strncasecmp(p, "sips:", 5) == 0)
        p += 5;
    else if (g_ascii_strncasecmp(p, "tel:", 4) == 0)
        p += 4;
    size_t n = strcspn(p, ";?>");
    text_sanitize(out, p, n);
}

static void
text_party(GString *out, const char *uri, const Endpoint *e)
{
    char buf[ENDPOINT_STR_LEN];
    if (uri && *uri)
        text_uri_short(out, uri);
    else if (e->family)
        g_string_append(out, endpoint_str(e, buf));
    else
        g_string_append_c(out, '?');
}

static void
text_offset(GString *out, SsTime base, SsTime t)
{
    char d[SS_DURATION_LEN];
    char col[SS_DURATION_LEN + 3];
    const char *s = ss_duration_text(t - base, d);
    snprintf(col, sizeof col, "%s%ss", t >= base ? "+" : "", s);
    g_string_append_printf(out, "%*s", TEXT_TIME_W, col);
}

static const char *
text_transport_upper(SsTransport t)
{
    switch (t) {
    case SS_TRANSPORT_UDP: return "UDP";
    case SS_TRANSPORT_TCP: return "TCP";
    default: return "?";
    }
}

static bool
text_state_is_error(const TextDialog *d)
{
    return d->end_reason == DIALOG_END_REJECTED || d->end_reason == DIALOG_END_TIMEOUT ||
           d->end_reason == DIALOG_END_EVICTED;
}

/* Short state of a dialog for the call line. */
static void
text_state(GString *out, const TextDialog *d)
{
    switch (d->end_reason) {
    case DIALOG_END_BYE:
        g_string_append(out, "completed");
        return;
    case DIALOG_END_CANCEL:
        g_string_append(out, "cancelled");
        return;
    case DIALOG_END_REJECTED:
        g_string_append_printf(out, "failed %u", d->final_status);
        return;
    case DIALOG_END_REPLACED:
        g_string_append(out, "replaced");
        return;
    case DIALOG_END_FORK_LOST:
        g_string_append(out, "fork-lost");
        return;
    case DIALOG_END_TIMEOUT:
        g_string_append(out, "timeout");
        return;
    case DIALOG_END_EVICTED:
        g_string_append(out, "evicted");
        return;
    case DIALOG_END_NONE:
    case DIALOG_END_END_OF_INPUT:
        break;
    }
    if (d->state == DIALOG_STATE_CONFIRMED || d->state == DIALOG_STATE_TERMINATED)
        g_string_append(out, "open");
    else
        g_string_append_printf(out, "open-%s", dialog_state_name(d->state));
}

static const char *
text_party_name(bool caller)
{
    return caller ? "caller" : "callee";
}

/* The dialog the call line describes: the first answered one (forking:
 * the branch that won), else the last one reported. */
static const TextDialog *
text_main_dialog(const TextCall *c)
{
    for (guint i = 0; i < c->dialogs->len; i++) {
        const TextDialog *d = &g_array_index(c->dialogs, TextDialog, i);
        if (d->answer)
            return d;
    }
    return c->dialogs->len ? &g_array_index(c->dialogs, TextDialog, c->dialogs->len - 1) : NULL;
}

static unsigned
text_call_labels(const TextCall *c)
{
    unsigned labels = 0;
    for (guint i = 0; i < c->dialogs->len; i++)
        labels |= g_array_index(c->dialogs, TextDialog, i).labels;
    for (guint i = 0; i < c->flows->len; i++) {
        const TextFlow *f = &g_array_index(c->flows, TextFlow, i);
        switch (f->kind) {
        case FLOW_HOLD: labels |= SS_LABEL_HOLD; break;
        case FLOW_RESUME: labels |= SS_LABEL_RESUME; break;
        case FLOW_REFER_TRANSFER: labels |= SS_LABEL_REFER_TRANSFER; break;
        case FLOW_REPLACES_TRANSFER: labels |= SS_LABEL_REPLACES_TRANSFER; break;
        }
    }
    return labels;
}

/* ---- the call line ---- */

static void
text_call_line(TextWriter *tw, GString *out, const TextCall *c)
{
    char tbuf[SS_TIME_TEXT_LEN], dbuf[SS_DURATION_LEN];
    const TextDialog *d = text_main_dialog(c);

    g_string_append(out, ss_time_text(c->first_ts, tw->base.opts.localtime, tbuf));
    g_string_append(out, "  ");
    text_puts(out, c->call_id);
    g_string_append(out, "  ");
    if (d) {
        text_party(out, d->from_uri, &d->caller);
        g_string_append(out, " -> ");
        text_party(out, d->to_uri, &d->callee);
        g_string_append_printf(out, "  %s  ", text_transport_upper(d->transport));
        if (text_state_is_error(d))
            text_color(tw, out, ANSI_RED);
        text_state(out, d);
        if (text_state_is_error(d))
            text_reset(tw, out);
        if (d->answer)
            g_string_append_printf(out, "  setup=%ss", ss_duration_text(d->answer - d->start, dbuf));
        else
            g_string_append(out, "  setup=-");
        g_string_append_printf(out, "  dur=%ss", ss_duration_text(d->end - d->start, dbuf));
        if (c->dialogs->len > 1)
            g_string_append_printf(out, "  dialogs=%u", c->dialogs->len);
    } else {
        /* no dialog: OPTIONS, REGISTER, MESSAGE, an unanswered request... */
        char a[ENDPOINT_STR_LEN], b[ENDPOINT_STR_LEN];
        g_string_append_printf(out, "%s -> %s  %s  %s", endpoint_str(&c->first_src, a),
                               endpoint_str(&c->first_dst, b), text_transport_upper(c->transport),
                               c->first_label ? c->first_label : "?");
        g_string_append_printf(out, "  msgs=%u  dur=%ss", c->n_msgs,
                               ss_duration_text(c->last_ts - c->first_ts, dbuf));
    }
    unsigned labels = text_call_labels(c);
    if (labels) {
        g_string_append(out, "  ");
        text_color(tw, out, ANSI_CYAN);
        g_string_append_c(out, '[');
        bool first = true;
        for (unsigned i = 0; i < SS_LABEL_COUNT; i++) {
            if (!(labels & (1u << i)))
                continue;
            if (!first)
                g_string_append_c(out, ' ');
            g_string_append(out, ss_label_name((SsLabel)(1u << i)));
            first = false;
        }
        g_string_append_c(out, ']');
        text_reset(tw, out);
    }
    g_string_append_c(out, '\n');
}

/* "  linked: <call-id>" for every other call a transfer ties to this one,
 * once each, in the order they were first named. */
static void
text_add_link(GPtrArray *links, const char *own, const char *id)
{
    if (!id || strcmp(id, own) == 0)
        return;
    for (guint i = 0; i < links->len; i++) {
        if (strcmp(links->pdata[i], id) == 0)
            return;
    }
    g_ptr_array_add(links, (gpointer)id);
}

static void
text_links(GString *out, const TextCall *c)
{
    GPtrArray *links = g_ptr_array_new();
    for (guint i = 0; i < c->dialogs->len; i++) {
        const TextDialog *d = &g_array_index(c->dialogs, TextDialog, i);
        for (unsigned j = 0; j < d->n_related; j++)
            text_add_link(links, c->call_id, c->related->pdata[d->related_at + j]);
        text_add_link(links, c->call_id, d->replaced_by_call_id);
    }
    for (guint i = 0; i < c->flows->len; i++) {
        const TextFlow *f = &g_array_index(c->flows, TextFlow, i);
        text_add_link(links, c->call_id, f->new_call_id);
        /* the call a Replaces names, when it was captured (as in the
         * JSON records' related_call_ids) */
        if (f->replaces_dialog_seen)
            text_add_link(links, c->call_id, f->replaces_call_id);
        text_add_link(links, c->call_id, f->refer_call_id);
    }
    for (guint i = 0; i < links->len; i++) {
        g_string_append(out, "  linked: ");
        text_puts(out, links->pdata[i]);
        g_string_append_c(out, '\n');
    }
    g_ptr_array_free(links, TRUE);
}

/* ---- flow descriptions (timeline and ladder share them) ---- */

static void
text_result(TextWriter *tw, GString *out, const char *name, bool bad, unsigned status)
{
    if (bad)
        text_color(tw, out, ANSI_RED);
    g_string_append(out, name);
    if (status)
        g_string_append_printf(out, " %u", status);
    if (bad)
        text_reset(tw, out);
}

static void
text_flow_desc(TextWriter *tw, GString *out, const TextFlow *f)
{
    const char *who = text_party_name(f->initiator_is_caller);
    const char *other = text_party_name(!f->initiator_is_caller);
    char dbuf[SS_DURATION_LEN];

    switch (f->kind) {
    case FLOW_HOLD:
    case FLOW_RESUME:
        if (f->kind == FLOW_HOLD)
            g_string_append_printf(out, "hold: %s holds %s (%s, ", who, other,
                                   hold_mode_name(f->hold_mode));
        else
            g_string_append_printf(out, "resume: %s resumes %s after %ss (", who, other,
                                   ss_duration_text(f->hold_duration, dbuf));
        text_result(tw, out, offer_result_name(f->offer_result),
                    f->offer_result == OFFER_RESULT_REJECTED ||
                        f->offer_result == OFFER_RESULT_ANSWER_MISMATCH,
                    f->status_code);
        if (f->double_hold)
            g_string_append(out, ", double hold");
        g_string_append_c(out, ')');
        return;
    case FLOW_REFER_TRANSFER:
        g_string_append_printf(out, "%s transfer: %s refers %s to ",
                               transfer_kind_name(f->transfer_kind), who, other);
        text_puts(out, f->refer_to ? f->refer_to : "?");
        if (f->replaces_call_id) {
            g_string_append(out, " replacing ");
            text_puts(out, f->replaces_call_id);
        }
        g_string_append(out, " (");
        if (f->status_code)
            g_string_append_printf(out, "REFER %u, ", f->status_code);
        if (f->notify_status)
            g_string_append_printf(out, "NOTIFY %u, ", f->notify_status);
        break;
    case FLOW_REPLACES_TRANSFER:
        g_string_append(out, "replaces transfer: INVITE replaces ");
        text_puts(out, f->replaces_call_id ? f->replaces_call_id : "?");
        if (f->replaces_early_only)
            g_string_append(out, " early-only");
        g_string_append(out, " (");
        if (f->status_code)
            g_string_append_printf(out, "%u, ", f->status_code);
        break;
    }
    text_result(tw, out, transfer_result_name(f->transfer_result),
                f->transfer_result == TRANSFER_RESULT_FAILED ||
                    f->transfer_result == TRANSFER_RESULT_REJECTED,
                0);
    g_string_append_c(out, ')');
    if (f->new_call_id) {
        g_string_append(out, " -> call ");
        text_puts(out, f->new_call_id);
    }
    if (f->refer_call_id) {
        g_string_append(out, " after REFER in ");
        text_puts(out, f->refer_call_id);
    }
}

static void
text_end_desc(TextWriter *tw, GString *out, const TextDialog *d)
{
    switch (d->end_reason) {
    case DIALOG_END_BYE:
        g_string_append_printf(out, "ended: BYE from %s", text_party_name(d->ended_by_caller));
        return;
    case DIALOG_END_CANCEL:
        g_string_append_printf(out, "ended: cancelled by %s", text_party_name(d->ended_by_caller));
        return;
    case DIALOG_END_REJECTED:
        g_string_append(out, "ended: ");
        text_result(tw, out, "rejected", true, d->final_status);
        return;
    case DIALOG_END_REPLACED:
        g_string_append(out, "ended: replaced by ");
        text_puts(out, d->replaced_by_call_id ? d->replaced_by_call_id : "?");
        return;
    case DIALOG_END_FORK_LOST:
        g_string_append(out, "ended: fork lost (another branch answered)");
        return;
    case DIALOG_END_TIMEOUT:
        g_string_append(out, "ended: ");
        text_result(tw, out, "idle timeout", true, 0);
        return;
    case DIALOG_END_EVICTED:
        g_string_append(out, "ended: ");
        text_result(tw, out, "evicted (dialog table full)", true, 0);
        return;
    case DIALOG_END_NONE:
    case DIALOG_END_END_OF_INPUT:
        g_string_append_printf(out, "still %s at end of input", dialog_state_name(d->state));
        return;
    }
}

/* ---- -v timeline ---- */

typedef struct {
    SsTime t;
    unsigned order; /* stable tie-break: insertion order */
    int kind;       /* 0 dialog start, 1 answer, 2 flow, 3 end */
    const void *p;
} TextItem;

static gint
text_item_cmp(gconstpointer a, gconstpointer b)
{
    const TextItem *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void
text_timeline(TextWriter *tw, GString *out, const TextCall *c)
{
    GArray *items = g_array_new(FALSE, FALSE, sizeof(TextItem));
    unsigned order = 0;
    bool several = c->dialogs->len > 1;

    for (guint i = 0; i < c->dialogs->len; i++) {
        const TextDialog *d = &g_array_index(c->dialogs, TextDialog, i);
        TextItem it = { d->start, order++, 0, d };
        if (several || d->seen_midcall)
            g_array_append_val(items, it);
        if (d->answer) {
            TextItem a = { d->answer, order++, 1, d };
            g_array_append_val(items, a);
        }
    }
    for (guint i = 0; i < c->flows->len; i++) {
        const TextFlow *f = &g_array_index(c->flows, TextFlow, i);
        TextItem it = { f->start, order++, 2, f };
        g_array_append_val(items, it);
    }
    for (guint i = 0; i < c->dialogs->len; i++) {
        const TextDialog *d = &g_array_index(c->dialogs, TextDialog, i);
        TextItem it = { d->end, order++, 3, d };
        g_array_append_val(items, it);
    }
    g_array_sort(items, text_item_cmp);

    for (guint i = 0; i < items->len; i++) {
        const TextItem *it = &g_array_index(items, TextItem, i);
        text_offset(out, c->first_ts, it->t);
        g_string_append(out, "  ");
        if (it->kind == 2) {
            text_flow_desc(tw, out, it->p);
        } else {
            const TextDialog *d = it->p;
            if (several) {
                g_string_append(out, "dialog ");
                text_puts(out, d->to_tag ? d->to_tag : "-");
                g_string_append(out, ": ");
            }
            if (it->kind == 0)
                g_string_append(out, d->seen_midcall ? "first seen mid-call" : "started");
            else if (it->kind == 1)
                g_string_append_printf(out, "answered (%u)", d->final_status);
            else
                text_end_desc(tw, out, d);
        }
        g_string_append_c(out, '\n');
    }
    g_array_free(items, TRUE);
}

/* ---- --flow ladder ---- */

typedef struct {
    unsigned n;
    Endpoint ep[64];
    int x[64];
} Ladder;

/* Column of an endpoint; -1 past the 64 columns drawn. */
static int
ladder_col(Ladder *l, const Endpoint *e, bool add)
{
    for (unsigned i = 0; i < l->n; i++) {
        if (endpoint_equal(&l->ep[i], e))
            return (int)i;
    }
    if (!add || l->n >= G_N_ELEMENTS(l->ep))
        return -1;
    l->ep[l->n] = *e;
    return (int)l->n++;
}

/* A row of width chars: spaces with a bar on every column. */
static void
ladder_row(const Ladder *l, char *row, int width)
{
    memset(row, ' ', (size_t)width);
    for (unsigned i = 0; i < l->n; i++)
        row[l->x[i]] = '|';
}

static void
ladder_emit_row(GString *out, const char *row, int width)
{
    int end = width;
    while (end > 0 && row[end - 1] == ' ')
        end--;
    g_string_append_len(out, row, end);
    g_string_append_c(out, '\n');
}

/* A row whose time column holds the text in time (TEXT_TIME_W wide, or
 * wider: then the row shifts right). */
static void
ladder_emit_timed(GString *out, const GString *time, const char *row, int width)
{
    g_string_append_len(out, time->str, (gssize)time->len);
    ladder_emit_row(out, row + TEXT_TIME_W, width - TEXT_TIME_W);
}

/* Writes text centered in [lo, hi) of row, cut to fit. */
static void
ladder_center(char *row, int lo, int hi, const char *text, size_t len)
{
    int room = hi - lo;
    if (room <= 0)
        return;
    if (len > (size_t)room)
        len = (size_t)room;
    int at = lo + (room - (int)len) / 2;
    memcpy(row + at, text, len);
}

/* Longest arrow label for columns a and b: one dash and a space before,
 * a space, one dash and the head after. */
static size_t
ladder_arrow_room(const Ladder *l, int a, int b)
{
    int d = l->x[a] > l->x[b] ? l->x[a] - l->x[b] : l->x[b] - l->x[a];
    return d - 1 - 5 > 0 ? (size_t)(d - 1 - 5) : 0;
}

static void
ladder_arrow(const Ladder *l, char *row, int a, int b, const char *label, size_t len)
{
    int xa = l->x[a], xb = l->x[b];
    int lo = xa < xb ? xa : xb, hi = xa < xb ? xb : xa;
    for (int x = lo + 1; x < hi; x++)
        row[x] = '-';
    if (xb > xa)
        row[hi - 1] = '>';
    else
        row[lo + 1] = '<';
    size_t room = ladder_arrow_room(l, a, b);
    if (len > room)
        len = room;
    if (!len)
        return;
    /* centred on the shaft; the head side keeps its dash */
    int at = lo + 1 + ((hi - lo - 1) - (int)len) / 2;
    if (at < lo + 3)
        at = lo + 3;
    row[at - 1] = ' ';
    memcpy(row + at, label, len);
    row[at + (int)len] = ' ';
}

/* Endpoint text for the header, abbreviated from the left to fit width:
 * the port and the end of the address tell endpoints apart. */
static void
ladder_ep_text(const Endpoint *e, int width, char *buf, size_t size)
{
    char s[ENDPOINT_STR_LEN];
    endpoint_str(e, s);
    size_t len = strlen(s);
    if (width < 2)
        width = 2;
    if (len <= (size_t)width)
        g_strlcpy(buf, s, size);
    else
        snprintf(buf, size, "~%s", s + len - (size_t)(width - 1));
}

/* The arrow label, from the fullest form to the shortest that fits:
 * "INVITE (2) sendonly (retrans)", then without the SDP direction. */
static void
ladder_msg_label(GString *lab, const TextMsg *m, size_t room)
{
    for (int pass = 0; pass < 2; pass++) {
        g_string_truncate(lab, 0);
        g_string_append(lab, m->label);
        if (m->has_cseq)
            g_string_append_printf(lab, " (%" PRIu32 ")", m->cseq);
        if (m->sdp && pass == 0) {
            g_string_append_printf(lab, " %s", m->sdp);
            if (m->sdp_null_addr)
                g_string_append(lab, m->sdp_family == 6 ? " ::" : " 0.0.0.0");
        }
        if (m->retransmission)
            g_string_append(lab, " (retrans)");
        if (lab->len <= room)
            return;
    }
}

/* Short flow text for the ladder (the timeline has the long one). */
static void
ladder_flow_text(GString *out, const TextFlow *f)
{
    const char *who = text_party_name(f->initiator_is_caller);
    const char *other = text_party_name(!f->initiator_is_caller);
    g_string_append(out, "== ");
    switch (f->kind) {
    case FLOW_HOLD:
        g_string_append_printf(out, "hold: %s holds %s (%s, %s%s)", who, other,
                               hold_mode_name(f->hold_mode), offer_result_name(f->offer_result),
                               f->double_hold ? ", double hold" : "");
        break;
    case FLOW_RESUME:
        g_string_append_printf(out, "resume: %s resumes %s (%s)", who, other,
                               offer_result_name(f->offer_result));
        break;
    case FLOW_REFER_TRANSFER:
        g_string_append_printf(out, "%s transfer: %s refers %s to ",
                               transfer_kind_name(f->transfer_kind), who, other);
        if (f->refer_to) {
            /* the URI without its ?headers (the embedded Replaces is in the
             * timeline): keeps the line within the terminal */
            char *cut = g_strdup(f->refer_to);
            char *q = strchr(cut, '?');
            if (q)
                *q = '\0';
            text_puts(out, cut);
            g_free(cut);
        } else {
            text_puts(out, "?");
        }
        g_string_append_printf(out, " (%s)", transfer_result_name(f->transfer_result));
        break;
    case FLOW_REPLACES_TRANSFER:
        g_string_append(out, "replaces transfer of ");
        text_puts(out, f->replaces_call_id ? f->replaces_call_id : "?");
        g_string_append_printf(out, " (%s)", transfer_result_name(f->transfer_result));
        break;
    }
    g_string_append(out, " ==");
}

static gint
ladder_flow_cmp(gconstpointer a, gconstpointer b)
{
    const TextFlow *x = *(const TextFlow *const *)a, *y = *(const TextFlow *const *)b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x < y ? -1 : x > y; /* array order: stable */
}

#define LADDER_WIDTH 80
#define LADDER_MAX_GAP 40
#define LADDER_MIN_GAP 16

static void
text_ladder(TextWriter *tw, GString *out, const TextCall *c)
{
    Ladder l = { 0 };
    for (guint i = 0; i < c->msgs->len; i++) {
        const TextMsg *m = &g_array_index(c->msgs, TextMsg, i);
        ladder_col(&l, &m->src, true);
        ladder_col(&l, &m->dst, true);
    }
    if (l.n == 0)
        return;

    /* Fit LADDER_WIDTH for 2-3 endpoints: the time column, the first
     * endpoint's name, equal gaps, the last name; names shortened when the
     * gaps are narrower than them. More endpoints run wider. */
    char ep[64][ENDPOINT_STR_LEN];
    int gap = LADDER_MAX_GAP;
    /* the widest names (up to a full IPv6 endpoint) whose gaps still
     * hold them */
    for (int maxw = ENDPOINT_STR_LEN - 1; maxw >= LADDER_MIN_GAP - 2; maxw--) {
        for (unsigned i = 0; i < l.n; i++)
            ladder_ep_text(&l.ep[i], maxw, ep[i], sizeof ep[i]);
        int left = TEXT_TIME_W + 1 + (int)strlen(ep[0]) / 2;
        int right = LADDER_WIDTH - ((int)strlen(ep[l.n - 1]) + 1) / 2;
        l.x[0] = left;
        if (l.n == 1)
            break;
        gap = (right - left) / (int)(l.n - 1);
        if (gap > LADDER_MAX_GAP)
            gap = LADDER_MAX_GAP;
        if (gap < LADDER_MIN_GAP)
            gap = LADDER_MIN_GAP;
        bool fits = true;
        for (unsigned i = 0; i < l.n; i++)
            fits = fits && (int)strlen(ep[i]) <= gap - 2;
        if (fits)
            break;
    }
    for (unsigned i = 1; i < l.n; i++)
        l.x[i] = l.x[0] + (int)i * gap;
    int width = l.x[l.n - 1] + ENDPOINT_STR_LEN;
    char *row = g_malloc((size_t)width + 1);
    GString *lab = g_string_new(NULL);

    /* header: endpoint names over their columns, then bare bars */
    memset(row, ' ', (size_t)width);
    for (unsigned i = 0; i < l.n; i++) {
        size_t len = strlen(ep[i]);
        int at = l.x[i] - (int)len / 2;
        memcpy(row + at, ep[i], len);
    }
    ladder_emit_row(out, row, width);
    ladder_row(&l, row, width);
    ladder_emit_row(out, row, width);

    /* flows by the time of their request (they arrive by outcome) */
    GPtrArray *flows = g_ptr_array_sized_new(c->flows->len);
    for (guint i = 0; i < c->flows->len; i++)
        g_ptr_array_add(flows, &g_array_index(c->flows, TextFlow, i));
    g_ptr_array_sort(flows, ladder_flow_cmp);

    /* messages and flow annotations merged by time; at one instant the
     * message comes first (a hold is drawn under its re-INVITE) */
    guint fi = 0;
    for (guint mi = 0; mi <= c->msgs->len; mi++) {
        const TextMsg *m = mi < c->msgs->len ? &g_array_index(c->msgs, TextMsg, mi) : NULL;
        while (fi < flows->len) {
            const TextFlow *f = flows->pdata[fi];
            if (m && f->start >= m->ts)
                break;
            g_string_truncate(lab, 0);
            ladder_flow_text(lab, f);
            g_string_truncate(tw->tmp, 0);
            text_offset(tw->tmp, c->first_ts, f->start);
            ladder_row(&l, row, width);
            /* between the outer bars if it fits there, else a plain line */
            int lo = l.x[0] + 1, hi = l.x[l.n - 1];
            if (lab->len + 2 <= (size_t)(hi - lo)) {
                ladder_center(row, lo, hi, lab->str, lab->len);
                ladder_emit_timed(out, tw->tmp, row, width);
            } else {
                g_string_append_len(out, tw->tmp->str, (gssize)tw->tmp->len);
                g_string_append_len(out, "  ", 2);
                g_string_append_len(out, lab->str, (gssize)lab->len);
                g_string_append_c(out, '\n');
            }
            fi++;
        }
        if (!m)
            break;

        g_string_truncate(tw->tmp, 0);
        text_offset(tw->tmp, c->first_ts, m->ts);
        ladder_row(&l, row, width);
        int a = ladder_col(&l, &m->src, false), b = ladder_col(&l, &m->dst, false);
        if (a >= 0 && b >= 0 && a != b) {
            size_t room = ladder_arrow_room(&l, a, b);
            ladder_msg_label(lab, m, room);
            ladder_arrow(&l, row, a, b, lab->str, lab->len);
            ladder_emit_timed(out, tw->tmp, row, width);
        } else {
            /* to itself (or past the columns drawn): a note on its column */
            ladder_msg_label(lab, m, SIZE_MAX);
            int x = a >= 0 ? l.x[a] : TEXT_TIME_W + 1;
            ladder_emit_timed(out, tw->tmp, row, x + 1);
            g_string_truncate(out, out->len - 1);
            g_string_append(out, " <-> ");
            g_string_append_len(out, lab->str, (gssize)lab->len);
            g_string_append_c(out, '\n');
        }
    }
    if (c->msgs_dropped)
        g_string_append_printf(out, "%*s  ... %u more messages not drawn\n", TEXT_TIME_W, "",
                               c->msgs_dropped);
    g_ptr_array_free(flows, TRUE);
    g_free(row);
    g_string_free(lab, TRUE);
}

/* ---- printing a call ---- */

/* Remembers the first write error (see output.h: err_no). */
static void
text_fail(OutputWriter *w)
{
    if (!w->failed) {
        w->failed = true;
        w->err_no = errno ? errno : EIO;
    }
}

static void
text_flush_out(TextWriter *tw, GString *out)
{
    OutputWriter *w = &tw->base;
    errno = 0;
    if (out->len && fwrite(out->str, 1, out->len, w->out) != out->len)
        text_fail(w);
    else if (ferror(w->out))
        text_fail(w);
    else if (w->opts.live && fflush(w->out) != 0)
        text_fail(w);
    g_string_truncate(out, 0);
}

static void
text_print_call(TextWriter *tw, TextCall *c)
{
    GString *out = tw->buf;
    g_string_truncate(out, 0);
    /* a blank line between calls once details are shown */
    if ((tw->base.opts.verbose > 0 || tw->base.opts.flow) && tw->calls_printed)
        g_string_append_c(out, '\n');
    text_call_line(tw, out, c);
    text_links(out, c);
    if (tw->base.opts.verbose > 0)
        text_timeline(tw, out, c);
    if (tw->base.opts.flow && c->msgs && c->msgs->len) {
        g_string_append_c(out, '\n');
        text_ladder(tw, out, c);
    }
    tw->calls_printed++;
    text_flush_out(tw, out);
}

static void
text_drop_call(TextWriter *tw, TextCall *c)
{
    g_queue_unlink(&tw->order, &c->link);
    g_hash_table_remove(tw->calls, c->call_id); /* frees c */
}

static void
text_call_end(OutputWriter *w, const CallEnd *ev)
{
    TextWriter *tw = (TextWriter *)w;
    TextCall *c = ev->call_id ? g_hash_table_lookup(tw->calls, ev->call_id) : NULL;
    if (!c)
        return;
    text_print_call(tw, c);
    text_drop_call(tw, c);
}

static void
text_anomaly(OutputWriter *w, SsAnomaly a, SsTime ts, uint64_t frame, const char *detail)
{
    /* counted in the summary (RunStats); one line each would drown the
     * report in a damaged capture */
}

/* ---- summary ---- */

typedef struct {
    unsigned code;
    uint64_t count;
} TextCount;

static gint
text_count_cmp(gconstpointer a, gconstpointer b)
{
    const TextCount *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->code < y->code ? -1 : x->code > y->code;
}

#define TEXT_TOP_ANOMALIES 10

static void
text_summary(TextWriter *tw, GString *out, const RunStats *st)
{
    if (tw->calls_printed)
        g_string_append_c(out, '\n');
    g_string_append(out, "Summary:\n");
    g_string_append_printf(out, "  calls: %" PRIu64 "  dialogs: %" PRIu64, st->calls, st->dialogs);
    if (st->dialog_evictions)
        g_string_append_printf(out, "  (evicted: %" PRIu64 ")", st->dialog_evictions);
    if (st->filtered)
        g_string_append_printf(out, "  (shown: %" PRIu64 ", by the filters and their links)", st->calls_selected);
    g_string_append_c(out, '\n');
    g_string_append_printf(out,
                           "  SIP messages: %" PRIu64 " (requests %" PRIu64 ", responses %" PRIu64
                           ", retransmissions %" PRIu64 ", incomplete %" PRIu64 ")\n",
                           st->sip_messages, st->sip_requests, st->sip_responses,
                           st->sip_retransmissions, st->sip_incomplete);
    g_string_append(out, "  labels:");
    for (unsigned i = 0; i < SS_LABEL_COUNT; i++) {
        if (st->labels[i])
            text_color(tw, out, ANSI_CYAN);
        g_string_append_printf(out, " %s %" PRIu64, ss_label_name((SsLabel)(1u << i)),
                               st->labels[i]);
        if (st->labels[i])
            text_reset(tw, out);
        if (i + 1 < SS_LABEL_COUNT)
            g_string_append_c(out, ',');
    }
    g_string_append_c(out, '\n');

    g_string_append_printf(out, "  anomalies: %" PRIu64, st->anomalies_total);
    TextCount top[SS_ANOMALY__COUNT];
    unsigned n = 0;
    for (unsigned i = 0; i < SS_ANOMALY__COUNT; i++) {
        if (st->anomalies[i]) {
            top[n].code = i;
            top[n].count = st->anomalies[i];
            n++;
        }
    }
    qsort(top, n, sizeof top[0], text_count_cmp);
    for (unsigned i = 0; i < n && i < TEXT_TOP_ANOMALIES; i++) {
        g_string_append(out, i ? ", " : " (");
        text_color(tw, out, ANSI_RED);
        g_string_append(out, ss_anomaly_code((SsAnomaly)top[i].code));
        text_reset(tw, out);
        g_string_append_printf(out, " %" PRIu64, top[i].count);
    }
    if (n > TEXT_TOP_ANOMALIES)
        g_string_append_printf(out, ", %u more codes", n - TEXT_TOP_ANOMALIES);
    if (n)
        g_string_append_c(out, ')');
    g_string_append_c(out, '\n');

    g_string_append_printf(out,
                           "  packets: %" PRIu64 " (%" PRIu64 " bytes), IP fragments: %" PRIu64
                           " (reassembled %" PRIu64 "), TCP gaps: %" PRIu64 "\n",
                           st->packets, st->bytes, st->ip_fragments, st->ip_reassembled,
                           st->tcp_gaps);
    if (st->live)
        g_string_append_printf(out,
                               "  kernel: %" PRIu64 " received, %" PRIu64 " dropped\n",
                               st->kernel_received, st->kernel_dropped);
}

static void
text_finish(OutputWriter *w, const RunStats *st)
{
    TextWriter *tw = (TextWriter *)w;
    /* calls still buffered: in the order they began */
    while (tw->order.head && !w->failed) {
        TextCall *c = tw->order.head->data;
        text_print_call(tw, c);
        text_drop_call(tw, c);
    }
    if (w->failed)
        return;
    text_summary(tw, tw->buf, st);
    text_flush_out(tw, tw->buf);
    errno = 0;
    if (!w->failed && (fflush(w->out) != 0 || ferror(w->out)))
        text_fail(w);
}

static void
text_destroy(OutputWriter *w)
{
    TextWriter *tw = (TextWriter *)w;
    /* calls own their links: unlink them all before the table frees them */
    g_queue_init(&tw->order);
    g_hash_table_destroy(tw->calls);
    g_string_free(tw->buf, TRUE);
    g_string_free(tw->tmp, TRUE);
    g_free(tw);
}

static const OutputWriterOps text_ops = {
    .message = text_message,
    .flow = text_flow,
    .dialog = text_dialog,
    .call_end = text_call_end,
    .anomaly = text_anomaly,
    .finish = text_finish,
    .destroy = text_destroy,
};

OutputWriter *
output_text_new(FILE *out, const OutputOptions *opts)
{
    g_return_val_if_fail(out != NULL && opts != NULL, NULL);
    TextWriter *tw = g_new0(TextWriter, 1);
    tw->base.ops = &text_ops;
    tw->base.out = out;
    tw->base.opts = *opts;
    tw->calls = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, text_call_free);
    g_queue_init(&tw->order);
    tw->buf = g_string_sized_new(4096);
    tw->tmp = g_string_sized_new(256);
    return &tw->base;
}
