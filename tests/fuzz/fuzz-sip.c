/* fuzz-sip - libFuzzer target for the SIP message parser and every accessor.
 *
 * Seeds: tests/fuzz/corpus/sip/ (the RFC 4475 torture messages).
 * The input is parsed as one datagram; then every accessor of sip_header.h,
 * sip_uri.h and sip_body.h runs on what it found, and the spans are checked
 * to stay inside the input.
 */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sip/sip_body.h"
#include "sip/sip_header.h"
#include "sip/sip_method.h"
#include "sip/sip_parse.h"
#include "sip/sip_uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static SipMessage msg;
static volatile size_t sink;

static void
check_str(const char *buf, size_t len, SipStr s, const char *dec, size_t dec_size)
{
    if (s.len == 0)
        return;
    bool in_msg = s.p >= buf && s.p + s.len <= buf + len;
    bool in_dec = dec && s.p >= dec && s.p + s.len <= dec + dec_size;
    if (!in_msg && !in_dec)
        abort();
    /* touch every byte so ASan sees any stray view */
    for (size_t i = 0; i < s.len; i++)
        sink += (unsigned char)s.p[i];
}

#define CHK(s) check_str(buf, size, (s), NULL, 0)

static void
check_span(const char *buf, size_t size, SipSpan sp)
{
    if ((size_t)sp.off + sp.len > size)
        abort();
    (void)buf;
}

static void
uri_all(const char *buf, size_t size, SipStr text)
{
    SipUri u;
    SipStr v, n;
    bool hv;
    char dec[256];
    sip_uri_parse(text, &u);
    CHK(u.scheme_text);
    CHK(u.user);
    CHK(u.password);
    CHK(u.host);
    CHK(u.params);
    CHK(u.headers);
    sip_param_get(u.params, "transport", &v);
    CHK(v);
    sip_param_get(u.params, "lr", NULL);
    for (size_t pos = 0; sip_param_next(u.params, &pos, &n, &v, &hv);) {
        CHK(n);
        CHK(v);
    }
    sip_uri_header_get(u.headers, "Replaces", &v);
    CHK(v);
    size_t k = sip_str_unescape(u.user, dec, sizeof dec);
    if (k != (size_t)-1 && k > sizeof dec)
        abort();
    k = sip_str_unescape(u.params, dec, 4);
    if (k != (size_t)-1 && k > 4)
        abort();
    sink += sip_str_eq(u.scheme_text, "sip") + sip_str_ieq(u.host, "example.com") + sip_str_equal(u.user, u.host) +
            sip_str_is_token(u.user) + sip_str_trim(text).len;
}

static void
name_addr_all(const char *buf, size_t size, const SipNameAddr *na)
{
    CHK(na->display);
    CHK(na->uri);
    CHK(na->params);
    CHK(na->tag);
    uri_all(buf, size, na->uri);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    SipParseResult r = sip_message_parse(&msg, buf, size);
    if (r == SIP_PARSE_INVALID)
        return 0;

    check_span(buf, size, msg.method_text);
    check_span(buf, size, msg.request_uri);
    check_span(buf, size, msg.reason);
    check_span(buf, size, msg.version);
    check_span(buf, size, msg.body);
    if (msg.n_headers > SS_SIP_MAX_HEADERS || msg.n_anomalies > SIP_MAX_ANOMALIES)
        abort();
    if ((size_t)msg.body.off + msg.body.len + msg.extra_bytes > size)
        abort();
    for (unsigned i = 0; i < msg.n_anomalies; i++)
        sink += sip_message_has_anomaly(&msg, msg.anomalies[i]) + strlen(ss_anomaly_code(msg.anomalies[i]));
    sink += strlen(sip_method_name(msg.method));
    if (msg.is_request)
        uri_all(buf, size, sip_span_str(&msg, msg.request_uri));

    /* every header, every value, by id and by name */
    for (unsigned i = 0; i < msg.n_headers; i++) {
        const SipHeader *h = &msg.headers[i];
        check_span(buf, size, h->name);
        check_span(buf, size, h->value);
        SipStr rest = sip_header_value(&msg, h), v;
        CHK(rest);
        sink += sip_header_id_from_name(buf + h->name.off, h->name.len);
        while (sip_header_next_value(&rest, &v)) {
            SipNameAddr na;
            SipVia via;
            SipReplaces rp;
            CHK(v);
            if (sip_name_addr_parse(v, &na))
                name_addr_all(buf, size, &na);
            if (sip_via_parse(v, &via)) {
                CHK(via.protocol);
                CHK(via.transport);
                CHK(via.host);
                CHK(via.params);
                CHK(via.branch);
                CHK(via.received);
            }
            if (sip_replaces_parse(v, &rp)) {
                CHK(rp.call_id);
                CHK(rp.to_tag);
                CHK(rp.from_tag);
            }
        }
    }
    for (int id = 0; id < SIP_HDR__COUNT; id++) {
        unsigned n = 0;
        for (const SipHeader *h = sip_message_next_header(&msg, (SipHeaderId)id, NULL); h;
             h = sip_message_next_header(&msg, (SipHeaderId)id, h))
            n++;
        if (n != msg.count[id])
            abort();
    }
    sink += (sip_message_header_by_name(&msg, "Call-ID") != NULL) +
            (sip_message_header_by_name(&msg, "X-Unknown") != NULL);

    SipStr s, t, p;
    SipNameAddr na;
    SipCSeq cs;
    SipVia via;
    if (sip_get_call_id(&msg, &s))
        CHK(s);
    if (sip_get_from(&msg, &na))
        name_addr_all(buf, size, &na);
    if (sip_get_to(&msg, &na))
        name_addr_all(buf, size, &na);
    if (sip_get_contact(&msg, &na))
        name_addr_all(buf, size, &na);
    if (sip_get_cseq(&msg, &cs))
        CHK(cs.method_text);
    if (sip_get_top_via(&msg, &via))
        CHK(via.host);
    sink += sip_count_via(&msg);
    sink += (size_t)sip_get_content_length(&msg);
    if (sip_get_content_type(&msg, &t, &p)) {
        CHK(t);
        CHK(p);
    }
    sink += (size_t)sip_get_max_forwards(&msg);
    if (sip_get_user_agent(&msg, &s))
        CHK(s);
    SipReason reason;
    if (sip_get_reason(&msg, &reason)) {
        CHK(reason.protocol);
        CHK(reason.text);
    }
    SipEvent ev;
    if (sip_get_event(&msg, &ev)) {
        CHK(ev.package);
        CHK(ev.id);
    }
    SipSubState ss;
    if (sip_get_subscription_state(&msg, &ss)) {
        CHK(ss.state);
        CHK(ss.reason);
    }
    SipReplaces rp;
    if (sip_get_replaces(&msg, &rp))
        CHK(rp.call_id);
    if (sip_get_target_dialog(&msg, &rp))
        CHK(rp.to_tag);
    char dec[64];
    SipReferTo rt;
    if (sip_get_refer_to(&msg, &rt, dec, sizeof dec)) {
        name_addr_all(buf, size, &rt.addr);
        if (rt.has_replaces) {
            check_str(buf, size, rt.replaces.call_id, dec, sizeof dec);
            check_str(buf, size, rt.replaces.to_tag, dec, sizeof dec);
            check_str(buf, size, rt.replaces.from_tag, dec, sizeof dec);
        }
    }
    sip_get_refer_to(&msg, &rt, NULL, 0);
    if (sip_get_referred_by(&msg, &na))
        name_addr_all(buf, size, &na);
    sink += (size_t)sip_get_refer_sub(&msg);
    sink += sip_has_option_tag(&msg, SIP_HDR_SUPPORTED, "replaces") +
            sip_has_option_tag(&msg, SIP_HDR_REQUIRE, "100rel");
    sink += (size_t)sip_get_rseq(&msg);

    SipStr part;
    if (sip_body_find(&msg, "application/sdp", &part))
        CHK(part);
    if (sip_body_find(&msg, "message/sipfrag", &part)) {
        CHK(part);
        sink += sip_sipfrag_status(part);
    }
    sink += sip_sipfrag_status(sip_span_str(&msg, msg.body));
    return 0;
}
