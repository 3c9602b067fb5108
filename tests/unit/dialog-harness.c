#include <config.h>
#include "dialog-harness.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dialog/dialog_event.h"
#include "sip/sip_parse.h"

static void
ep(Endpoint *e, const char *ip, int port)
{
    memset(e, 0, sizeof *e);
    if (strchr(ip, ':')) {
        e->family = 6;
        inet_pton(AF_INET6, ip, e->addr);
    } else {
        e->family = 4;
        inet_pton(AF_INET, ip, e->addr);
    }
    e->port = (uint16_t)port;
}

static void
on_flow(void *user, const FlowEvent *f)
{
    Harness *h = user;
    g_string_append_printf(h->log, "%s %s", flow_kind_name(f->kind),
                           f->initiator_is_caller ? "caller" : "callee");
    if (f->kind == FLOW_HOLD || f->kind == FLOW_RESUME) {
        g_string_append_printf(h->log, " %s", sip_method_name(f->method));
        if (f->kind == FLOW_HOLD)
            g_string_append_printf(h->log, " %s", hold_mode_name(f->hold_mode));
        g_string_append_printf(h->log, " %s %u", offer_result_name(f->offer_result), f->status_code);
        if (f->double_hold)
            g_string_append(h->log, " double");
        if (f->kind == FLOW_RESUME)
            g_string_append_printf(h->log, " after=%" G_GINT64_FORMAT "ms",
                                   f->hold_duration / SS_NSEC_PER_MSEC);
    } else {
        g_string_append_printf(h->log, " %s %s status=%u notify=%u", transfer_kind_name(f->transfer_kind),
                               transfer_result_name(f->transfer_result), f->status_code, f->notify_status);
        g_string_append_printf(h->log, " to=%s", f->refer_to ? f->refer_to : "-");
        if (f->replaces_call_id)
            g_string_append_printf(h->log, " replaces=%s/%s/%s%s%s", f->replaces_call_id,
                                   f->replaces_from_tag ? f->replaces_from_tag : "-",
                                   f->replaces_to_tag ? f->replaces_to_tag : "-",
                                   f->replaces_early_only ? "/early-only" : "",
                                   f->replaces_dialog_seen ? "" : "/unseen");
        if (f->new_call_id)
            g_string_append_printf(h->log, " new=%s", f->new_call_id);
        if (f->refer_call_id)
            g_string_append_printf(h->log, " refer=%s", f->refer_call_id);
    }
    g_string_append_printf(h->log, " [%s %s/%s]\n", f->call_id, f->from_tag, f->to_tag ? f->to_tag : "-");
}

static void
on_dialog(void *user, const DialogRecord *r)
{
    Harness *h = user;
    g_string_append_printf(h->log, "dialog %s %s/%s %s %s", r->call_id, r->from_tag,
                           r->to_tag ? r->to_tag : "-", dialog_state_name(r->state),
                           dialog_end_reason_name(r->end_reason));
    if (r->final_status)
        g_string_append_printf(h->log, " %u", r->final_status);
    g_string_append(h->log, " labels=");
    bool first = true;
    for (unsigned b = 1; b <= SS_LABEL_REPLACES_TRANSFER; b <<= 1)
        if (r->labels & b) {
            g_string_append_printf(h->log, "%s%s", first ? "" : ",", ss_label_name(b));
            first = false;
        }
    if (first)
        g_string_append(h->log, "-");
    g_string_append_printf(h->log, " holds=%u", r->hold_count);
    if (r->hold_time)
        g_string_append_printf(h->log, " held=%" G_GINT64_FORMAT "ms", r->hold_time / SS_NSEC_PER_MSEC);
    if (r->n_related) {
        g_string_append(h->log, " related=");
        for (unsigned i = 0; i < r->n_related; i++)
            g_string_append_printf(h->log, "%s%s", i ? "," : "", r->related_call_ids[i]);
    }
    if (r->replaced_by_call_id)
        g_string_append_printf(h->log, " replaced_by=%s", r->replaced_by_call_id);
    if (r->seen_midcall)
        g_string_append(h->log, " midcall");
    if (r->end_reason == DIALOG_END_BYE || r->end_reason == DIALOG_END_CANCEL)
        g_string_append_printf(h->log, " by=%s", r->ended_by_caller ? "caller" : "callee");
    if (h->parties)
        g_string_append_printf(h->log, " from=%s to=%s ua=%s|%s", r->from_uri ? r->from_uri : "-",
                               r->to_uri ? r->to_uri : "-", r->caller_user_agent ? r->caller_user_agent : "-",
                               r->callee_user_agent ? r->callee_user_agent : "-");
    g_string_append(h->log, "\n");
}

static void
on_anomaly(void *user, SsAnomaly a, SsTime ts, const char *detail)
{
    Harness *h = user;
    (void)ts;
    (void)detail;
    g_string_append_printf(h->anomalies, "%s%s", h->anomalies->len ? " " : "", ss_anomaly_code(a));
}

void
h_init(Harness *h)
{
    memset(h, 0, sizeof *h);
    h->log = g_string_new(NULL);
    h->anomalies = g_string_new(NULL);
    h->msg = g_new0(SipMessage, 1);
    h->bufs = g_ptr_array_new_with_free_func(g_free);
    h->t = (SsTime)1700000000 * SS_NSEC_PER_SEC;
    DialogSink sink = { NULL, on_flow, on_dialog, NULL, h };
    AnomalySink as = { on_anomaly, h };
    h->e = dialog_engine_new(&sink, &as, NULL);
}

void
h_free(Harness *h)
{
    dialog_engine_free(h->e);
    g_string_free(h->log, TRUE);
    g_string_free(h->anomalies, TRUE);
    g_ptr_array_free(h->bufs, TRUE);
    g_free(h->msg);
}

void
h_feed(Harness *h, const char *src_ip, int sport, const char *dst_ip, int dport, bool tcp,
       const char *text)
{
    /* split head / body at the first blank line, CRLF everything in the head */
    const char *sep = strstr(text, "\n\n");
    GString *s = g_string_new(NULL);
    const char *head_end = sep ? sep : text + strlen(text);
    for (const char *p = text; p < head_end; p++) {
        if (*p == '\n')
            g_string_append(s, "\r\n");
        else
            g_string_append_c(s, *p);
    }
    const char *body = sep ? sep + 2 : "";
    GString *b = g_string_new(NULL);
    for (const char *p = body; *p; p++) {
        if (*p == '\n')
            g_string_append(b, "\r\n");
        else
            g_string_append_c(b, *p);
    }
    g_string_append_printf(s, "\r\nContent-Length: %zu\r\n\r\n", b->len);
    g_string_append_len(s, b->str, (gssize)b->len);
    g_string_free(b, TRUE);
    char *buf = g_string_free(s, FALSE);
    g_ptr_array_add(h->bufs, buf);
    SipParseResult r = sip_message_parse(h->msg, buf, strlen(buf));
    g_assert_cmpint(r, ==, SIP_PARSE_OK);
    SipMeta meta;
    memset(&meta, 0, sizeof meta);
    meta.ts = h->t;
    meta.frame = h->bufs->len;
    meta.last_frame = meta.frame;
    ep(&meta.src, src_ip, sport);
    ep(&meta.dst, dst_ip, dport);
    meta.transport = tcp ? SS_TRANSPORT_TCP : SS_TRANSPORT_UDP;
    dialog_engine_feed(h->e, h->msg, &meta);
    h->t += 10 * SS_NSEC_PER_MSEC;
}

void
h_req(Harness *h, const Dlg *d, bool by_caller, const char *method, unsigned cseq,
      const char *extra, const char *body)
{
    const char *from = by_caller ? d->caller : d->callee;
    const char *ftag = by_caller ? d->caller_tag : d->callee_tag;
    const char *to = by_caller ? d->callee : d->caller;
    const char *ttag = by_caller ? d->callee_tag : d->caller_tag;
    const char *sip = by_caller ? d->caller_ip : d->callee_ip;
    const char *dip = by_caller ? d->callee_ip : d->caller_ip;
    char *text = g_strdup_printf(
        "%s sip:%s SIP/2.0\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bK%s%u%s\nFrom: <sip:%s>;tag=%s\n"
        "To: <sip:%s>%s%s\nCall-ID: %s\nCSeq: %u %s\nMax-Forwards: 70\nContact: <sip:%s>\n%s%s%s%s",
        method, to, sip, ftag ? ftag : "x", cseq, method, from, ftag ? ftag : "",
        to, ttag ? ";tag=" : "", ttag ? ttag : "", d->call_id, cseq, method,
        from, extra ? extra : "", body ? "Content-Type: application/sdp\n" : "",
        body ? "\n" : "", body ? body : "");
    /* remove a trailing newline from the head when there is no body */
    size_t n = strlen(text);
    if (!body && n && text[n - 1] == '\n')
        text[n - 1] = '\0';
    h_feed(h, sip, 5060, dip, 5060, false, text);
    g_free(text);
}

void
h_resp(Harness *h, const Dlg *d, bool req_by_caller, unsigned status, const char *method,
       unsigned cseq, const char *extra, const char *body)
{
    const char *from = req_by_caller ? d->caller : d->callee;
    const char *ftag = req_by_caller ? d->caller_tag : d->callee_tag;
    const char *to = req_by_caller ? d->callee : d->caller;
    const char *ttag = req_by_caller ? d->callee_tag : d->caller_tag;
    const char *sip = req_by_caller ? d->callee_ip : d->caller_ip;
    const char *dip = req_by_caller ? d->caller_ip : d->callee_ip;
    const char *reason = status == 100 ? "Trying" : status == 180 ? "Ringing" : status < 300 ? "OK"
                         : status == 491 ? "Request Pending" : status == 486 ? "Busy Here"
                         : status == 487 ? "Request Terminated" : status == 488 ? "Not Acceptable Here"
                         : "Error";
    char *text = g_strdup_printf(
        "SIP/2.0 %u %s\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bK%s%u%s\nFrom: <sip:%s>;tag=%s\n"
        "To: <sip:%s>%s%s\nCall-ID: %s\nCSeq: %u %s\nContact: <sip:%s>\n%s%s%s%s",
        status, reason, dip, ftag ? ftag : "x", cseq, method, from, ftag ? ftag : "", to,
        (ttag && status > 100) ? ";tag=" : "", (ttag && status > 100) ? ttag : "", d->call_id, cseq,
        method, to, extra ? extra : "", body ? "Content-Type: application/sdp\n" : "",
        body ? "\n" : "", body ? body : "");
    size_t n = strlen(text);
    if (!body && n && text[n - 1] == '\n')
        text[n - 1] = '\0';
    h_feed(h, sip, 5060, dip, 5060, false, text);
    g_free(text);
}

const char *
h_sdp(Harness *h, const char *dir, const char *addr)
{
    bool v6 = strchr(addr, ':') != NULL;
    char *s = g_strdup_printf("v=0\no=- 1 %u IN IP%c %s\ns=-\nc=IN IP%c %s\nt=0 0\n"
                              "m=audio 40000 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n%s%s%s",
                              h->bufs->len + 1, v6 ? '6' : '4', addr, v6 ? '6' : '4', addr,
                              *dir ? "a=" : "", dir, *dir ? "\n" : "");
    g_ptr_array_add(h->bufs, s);
    return s;
}

void
h_finish(Harness *h)
{
    dialog_engine_finish(h->e, h->t);
}

void
h_call(Harness *h, Dlg *d)
{
    const char *tag = d->callee_tag;
    d->callee_tag = NULL;
    h_req(h, d, true, "INVITE", 1, NULL, h_sdp(h, "sendrecv", d->caller_ip));
    d->callee_tag = tag;
    h_resp(h, d, true, 180, "INVITE", 1, NULL, NULL);
    h_resp(h, d, true, 200, "INVITE", 1, NULL, h_sdp(h, "sendrecv", d->callee_ip));
    h_req(h, d, true, "ACK", 1, NULL, NULL);
}

void
h_call_with(Harness *h, Dlg *d, const char *offer, const char *answer)
{
    const char *tag = d->callee_tag;
    d->callee_tag = NULL;
    h_req(h, d, true, "INVITE", 1, NULL, offer);
    d->callee_tag = tag;
    h_resp(h, d, true, 180, "INVITE", 1, NULL, NULL);
    h_resp(h, d, true, 200, "INVITE", 1, NULL, answer);
    h_req(h, d, true, "ACK", 1, NULL, NULL);
}

void
h_bye(Harness *h, const Dlg *d, bool by_caller, unsigned cseq)
{
    h_req(h, d, by_caller, "BYE", cseq, NULL, NULL);
    h_resp(h, d, by_caller, 200, "BYE", cseq, NULL, NULL);
}

void
h_reinvite(Harness *h, const Dlg *d, bool by_caller, unsigned cseq, const char *offer, const char *answer)
{
    h_req(h, d, by_caller, "INVITE", cseq, NULL, offer);
    h_resp(h, d, by_caller, 200, "INVITE", cseq, NULL, answer);
    h_req(h, d, by_caller, "ACK", cseq, NULL, NULL);
}

const char *
h_sdpv(Harness *h, unsigned version, const char *dir, const char *addr, const char *extra)
{
    char *s = g_strdup_printf("v=0\no=- 1 %u IN IP4 %s\ns=-\nc=IN IP4 %s\nt=0 0\n"
                              "m=audio 40000 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n%s%s%s%s",
                              version, addr, addr, *dir ? "a=" : "", dir, *dir ? "\n" : "",
                              extra ? extra : "");
    g_ptr_array_add(h->bufs, s);
    return s;
}

void
h_raw(Harness *h, const char *src, const char *dst, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    h_feed(h, src, 5060, dst, 5060, false, text);
    g_free(text);
}

static void
h_show(Harness *h, const char *what, const char *expected)
{
    g_printerr("--- expected%s\n%s%s--- got\n%s--- anomalies: %s\n", what, expected,
               *what ? "\n" : "", h->log->str, h->anomalies->str);
}

void
h_check(Harness *h, const char *expected)
{
    bool ok = strcmp(h->log->str, expected) == 0;
    if (getenv("EDGE_PRINT") || !ok)
        h_show(h, "", expected);
    if (!ok)
        g_test_fail(); /* keep going: every difference is printed */
}

void
h_expect_in(Harness *h, const char *needle)
{
    bool ok = strstr(h->log->str, needle) != NULL;
    if (getenv("EDGE_PRINT") || !ok)
        h_show(h, " to contain", needle);
    if (!ok)
        g_test_fail();
}

void
h_expect_not_in(Harness *h, const char *needle)
{
    if (strstr(h->log->str, needle)) {
        h_show(h, " NOT to contain", needle);
        g_test_fail();
    }
}

void
h_expect_anomalies(Harness *h, const char *expected)
{
    if (strcmp(h->anomalies->str, expected) != 0) {
        g_printerr("--- expected anomalies: '%s'\n--- got: '%s'\n", expected, h->anomalies->str);
        g_test_fail();
    }
}

const char *const H_NOTIFY_TRYING =
    "Event: refer\nSubscription-State: active;expires=60\nContent-Type: message/sipfrag\n\nSIP/2.0 100 Trying\n";
const char *const H_NOTIFY_OK =
    "Event: refer\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag\n\nSIP/2.0 200 OK\n";

Dlg
h_std_dlg(void)
{
    Dlg d = { "c1@test", "alice@a.example", "a1", "bob@b.example", "b1", "10.0.0.1", "10.0.0.2" };
    return d;
}
