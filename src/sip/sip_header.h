/* sip_header.h - typed accessors for the headers sipsleuth reasons about.
 *
 * Each accessor reads the raw header value (folding and LWS handled) and
 * fills a small struct of views; nothing is allocated. All return false when
 * the header is absent or malformed (then the message carries an anomaly
 * where the parser could tell).
 */
#ifndef SIPSLEUTH_SIP_HEADER_H
#define SIPSLEUTH_SIP_HEADER_H

#include <stdbool.h>
#include <stdint.h>
#include "sip/sip_parse.h"
#include "sip/sip_uri.h"

/* SipNameAddr (name-addr / addr-spec) is defined in sip_parse.h. */

bool sip_name_addr_parse(SipStr value, SipNameAddr *out);
/* The next comma-separated value of a multi-value header (commas inside <>
 * and quoted strings do not split). *rest is advanced past it. */
bool sip_header_next_value(SipStr *rest, SipStr *value);

/* Normalised header value: leading/trailing LWS trimmed. */
SipStr sip_header_value(const SipMessage *m, const SipHeader *h);

bool sip_get_call_id(const SipMessage *m, SipStr *call_id);
bool sip_get_from(const SipMessage *m, SipNameAddr *from);
bool sip_get_to(const SipMessage *m, SipNameAddr *to);
bool sip_get_contact(const SipMessage *m, SipNameAddr *contact); /* first value */

typedef struct {
    uint32_t seq;
    SipMethod method;
    SipStr method_text;
} SipCSeq;
bool sip_get_cseq(const SipMessage *m, SipCSeq *cseq);

typedef struct {
    SipStr protocol;   /* "SIP/2.0" */
    SipStr transport;  /* "UDP", "TCP", "TLS", "WS"... */
    SipStr host;       /* sent-by host */
    int port;          /* -1 when absent */
    SipStr params;
    SipStr branch;
    SipStr received;
    bool has_rport;
    int rport;         /* -1 when absent or without value */
    /* usable, but only by tolerating a grammar violation (empty or bad
     * parameters, bad port, junk after sent-by); flagged SIP_BAD_VIA */
    bool malformed;
} SipVia;
bool sip_via_parse(SipStr value, SipVia *via);
bool sip_get_top_via(const SipMessage *m, SipVia *via);
unsigned sip_count_via(const SipMessage *m); /* values, across all Via headers */

/* -1 absent, -2 malformed; otherwise the value */
long long sip_get_content_length(const SipMessage *m);
/* media type "type/subtype" lower-cased comparison helpers */
bool sip_get_content_type(const SipMessage *m, SipStr *type, SipStr *params);
int sip_get_max_forwards(const SipMessage *m); /* -1 absent/malformed */
bool sip_get_user_agent(const SipMessage *m, SipStr *ua); /* User-Agent, else Server */

typedef struct {
    SipStr protocol; /* "SIP", "Q.850" */
    int cause;       /* -1 when absent */
    SipStr text;     /* without quotes */
} SipReason;
bool sip_get_reason(const SipMessage *m, SipReason *reason);

typedef struct {
    SipStr package; /* "refer", "dialog", ... */
    SipStr id;      /* ;id= (empty if none) */
} SipEvent;
bool sip_get_event(const SipMessage *m, SipEvent *ev);

typedef struct {
    SipStr state;   /* "active", "pending", "terminated" */
    SipStr reason;
    int expires;    /* -1 absent */
} SipSubState;
bool sip_get_subscription_state(const SipMessage *m, SipSubState *ss);

/* Replaces (RFC 3891 §6.1): callid *(;to-tag=..;from-tag=..;early-only).
 * Also Target-Dialog (RFC 4538), which has the same shape but names
 * local-tag / remote-tag. */
typedef struct {
    SipStr call_id;
    SipStr to_tag;
    SipStr from_tag;
    bool early_only;
} SipReplaces;
bool sip_replaces_parse(SipStr value, SipReplaces *out);
bool sip_get_replaces(const SipMessage *m, SipReplaces *out);
bool sip_get_target_dialog(const SipMessage *m, SipReplaces *out); /* to_tag=remote, from_tag=local */

/* Refer-To (RFC 3515 §2.1): a name-addr; an embedded Replaces (RFC 3891 §7)
 * is carried as the URI header "Replaces", %-escaped. decode_buf receives
 * the decoded Replaces value; the views in *replaces point into it. */
typedef struct {
    SipNameAddr addr;
    SipUri uri;
    bool has_replaces;
    SipReplaces replaces;
    /* a "Replaces" URI header is present but does not decode (does not fit
     * decode_buf) or does not parse as RFC 3891 §6.1 (has_replaces false) */
    bool replaces_invalid;
} SipReferTo;
bool sip_get_refer_to(const SipMessage *m, SipReferTo *out, char *decode_buf, size_t decode_size);
bool sip_get_referred_by(const SipMessage *m, SipNameAddr *out);
/* Refer-Sub (RFC 4488): 1 true, 0 false, -1 absent/malformed */
int sip_get_refer_sub(const SipMessage *m);

/* Option tags: true when the Supported (or Require) header lists the tag. */
bool sip_has_option_tag(const SipMessage *m, SipHeaderId which, const char *tag);
/* RSeq (RFC 3262): -1 absent */
long long sip_get_rseq(const SipMessage *m);

#endif
