/* sip_parse.h - a SIP message as one buffer plus spans (RFC 3261 §7).
 *
 * sip_message_parse() never copies and never allocates: a SipMessage points
 * into the caller's buffer with {offset,len} spans for the start line, every
 * header (name and raw value, folding kept) and the body. NUL bytes do not
 * end parsing. Header names are matched case-insensitively, compact forms
 * (RFC 3261 §7.3.3 and the IANA list) map to the same SipHeaderId. Bare LF
 * line ends are accepted and flagged. What is wrong is recorded as anomaly
 * bits (common/anomaly.h), never fatal unless the start line is unusable.
 *
 * Ownership: SipMessage is caller-allocated (it is large: reuse one); it
 * borrows buf, which must outlive every use of the message and its spans.
 */
#ifndef SIPSLEUTH_SIP_PARSE_H
#define SIPSLEUTH_SIP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/anomaly.h"
#include "common/limits.h"
#include "sip/sip_method.h"

#define SIP_MAX_ANOMALIES 16

typedef struct {
    uint32_t off;
    uint32_t len;
} SipSpan;

/* A string view: into the message buffer, or into a decode buffer that the
 * accessor's caller provided. Not NUL-terminated. */
typedef struct {
    const char *p;
    size_t len;
} SipStr;

/* name-addr / addr-spec with parameters (From, To, Contact, Refer-To,
 * Referred-By, Route...; RFC 3261 §20.10, §25.1). */
typedef struct {
    SipStr display;   /* without quotes; escapes (\") kept as sent; empty if none */
    SipStr uri;       /* the URI text inside <> (or the bare addr-spec) */
    SipStr params;    /* header parameters after the URI, without the leading ';' */
    SipStr tag;       /* value of ;tag= (empty if none) */
    bool bracketed;   /* the URI was inside <> */
    /* true when the value was only usable by tolerating a violation of the
     * RFC 3261 §25.1 grammar (non-token display name, LWS inside <>, URI
     * with '?' or ',' outside <>, empty or bad parameters...; RFC 4475
     * §3.1.2). The parser flags SIP_BAD_NAME_ADDR for these. */
    bool malformed;
} SipNameAddr;

typedef enum {
    SIP_HDR_OTHER = 0,
    SIP_HDR_ACCEPT,
    SIP_HDR_ALLOW,
    SIP_HDR_CALL_ID,          /* i */
    SIP_HDR_CONTACT,          /* m */
    SIP_HDR_CONTENT_ENCODING, /* e */
    SIP_HDR_CONTENT_LENGTH,   /* l */
    SIP_HDR_CONTENT_TYPE,     /* c */
    SIP_HDR_CSEQ,
    SIP_HDR_DATE,
    SIP_HDR_EVENT,            /* o */
    SIP_HDR_EXPIRES,
    SIP_HDR_FROM,             /* f */
    SIP_HDR_MAX_FORWARDS,
    SIP_HDR_RACK,
    SIP_HDR_REASON,
    SIP_HDR_RECORD_ROUTE,
    SIP_HDR_REFER_SUB,
    SIP_HDR_REFER_TO,         /* r */
    SIP_HDR_REFERRED_BY,      /* b */
    SIP_HDR_REPLACES,
    SIP_HDR_REQUIRE,
    SIP_HDR_ROUTE,
    SIP_HDR_RSEQ,
    SIP_HDR_SERVER,
    SIP_HDR_SESSION_EXPIRES,  /* x */
    SIP_HDR_SUBJECT,          /* s */
    SIP_HDR_SUBSCRIPTION_STATE,
    SIP_HDR_SUPPORTED,        /* k */
    SIP_HDR_TARGET_DIALOG,
    SIP_HDR_TO,               /* t */
    SIP_HDR_USER_AGENT,
    SIP_HDR_VIA,              /* v */
    SIP_HDR_ALLOW_EVENTS,     /* u */
    SIP_HDR_ACCEPT_CONTACT,   /* a */
    SIP_HDR_REJECT_CONTACT,   /* j */
    SIP_HDR_REQUEST_DISPOSITION, /* d */
    SIP_HDR_IDENTITY,         /* y */
    SIP_HDR_P_ASSERTED_IDENTITY,
    SIP_HDR__COUNT
} SipHeaderId;

typedef struct {
    SipHeaderId id;
    SipSpan name;
    SipSpan value; /* trimmed of leading/trailing whitespace; may contain folded CRLF+WSP */
} SipHeader;

typedef enum {
    SIP_PARSE_OK = 0,        /* usable message (anomalies may be set) */
    SIP_PARSE_TRUNCATED = 1, /* headers never end: partial message, spans valid so far */
    SIP_PARSE_INVALID = 2,   /* not a SIP message (start line unusable) */
} SipParseResult;

typedef struct {
    const char *buf;  /* the whole message */
    size_t len;

    bool is_request;
    SipMethod method;       /* request: from the start line */
    SipSpan method_text;    /* request: the method token as sent */
    SipSpan request_uri;
    unsigned status;        /* response: 100-699 (0 if invalid) */
    SipSpan reason;
    SipSpan version;        /* "SIP/2.0" */

    unsigned n_headers;     /* headers kept, <= SS_SIP_MAX_HEADERS */
    unsigned n_headers_seen; /* including those over the cap */
    SipHeader headers[SS_SIP_MAX_HEADERS];
    /* index + 1 of the first header with each id (0: absent), and how many */
    uint16_t first[SIP_HDR__COUNT];
    uint16_t count[SIP_HDR__COUNT];

    SipSpan body;           /* after the empty line, Content-Length bytes (or to the end) */
    long long content_length; /* -1 absent, -2 unparsable */
    size_t extra_bytes;     /* bytes after the body announced by Content-Length */

    /* From and To as parsed while validating, so the accessors do not parse
     * them again (0 not parsed, 1 usable, 2 unusable); index 0 From, 1 To */
    uint8_t na_state[2];
    SipNameAddr na_cache[2];
    /* CSeq likewise (0 not parsed, 1 usable, 2 unusable) */
    uint8_t cseq_state;
    uint32_t cseq_seq;
    SipMethod cseq_method;
    SipSpan cseq_method_text;

    /* each anomaly seen, once, in order of discovery (first SIP_MAX_ANOMALIES) */
    unsigned n_anomalies;
    SsAnomaly anomalies[SIP_MAX_ANOMALIES];
} SipMessage;

bool sip_message_has_anomaly(const SipMessage *m, SsAnomaly a);

SipParseResult sip_message_parse(SipMessage *m, const char *buf, size_t len);
/* sip_message_parse() in its two steps, for a caller with work to start in
 * between (the pipeline asks for the call's table slot): the scan finds the
 * start line, the headers and the body; the checks that need header values
 * parsed (CSeq, From/To, Contact, Via, ...) and the From/To/CSeq caches come
 * with sip_message_validate(), which must follow a scan that did not return
 * SIP_PARSE_INVALID before any accessor is used. */
SipParseResult sip_message_scan(SipMessage *m, const char *buf, size_t len);
void sip_message_validate(SipMessage *m);
/* The values only: the From/To/CSeq caches and their checks, without the
 * checks that only raise anomalies (missing or repeated headers,
 * Max-Forwards, Contact, Via, Expires, Date, the Request-URI). For a
 * caller that shows no message's anomalies. */
void sip_message_validate_values(SipMessage *m);

static inline SipStr
sip_span_str(const SipMessage *m, SipSpan s)
{
    SipStr r = { m->buf + s.off, s.len };
    return r;
}

/* The first header with this id, or NULL. */
const SipHeader *sip_message_header(const SipMessage *m, SipHeaderId id);
/* Iterate: pass NULL to start; returns the next header with this id. */
const SipHeader *sip_message_next_header(const SipMessage *m, SipHeaderId id,
                                         const SipHeader *prev);
/* Any header by name (case-insensitive, long form only). */
const SipHeader *sip_message_header_by_name(const SipMessage *m, const char *name);
SipHeaderId sip_header_id_from_name(const char *name, size_t len);

#endif
