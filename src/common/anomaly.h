/* anomaly.h - what was wrong with the input, as data.
 *
 * Bad input is data, not an error (STYLE.md #5): every layer reports what it
 * found odd through an AnomalySink with a stable snake_case code listed here;
 * the pipeline counts them (stats) and the writers show them. Codes are part
 * of the output contract: never rename one, only add.
 */
#ifndef SIPSLEUTH_ANOMALY_H
#define SIPSLEUTH_ANOMALY_H

#include <stdint.h>
#include "common/sstime.h"

/* X(ENUM_SUFFIX, "code", "description") — grouped by layer. */
#define SS_ANOMALY_LIST(X) \
    /* capture / link */ \
    X(LINK_TRUNCATED, "link_truncated", "link-layer header cut short") \
    X(LINK_UNSUPPORTED, "link_unsupported", "link type or encapsulation not decoded") \
    X(CAPTURE_TRUNCATED, "capture_truncated", "SIP datagram captured shorter than it was on the wire (snaplen)") \
    /* ip */ \
    X(IP_TRUNCATED, "ip_truncated", "IP header or payload cut short") \
    X(IP_BAD_HEADER, "ip_bad_header", "IP header invalid (version, length)") \
    X(IP_EXT_TRUNCATED, "ip_ext_truncated", "IPv6 extension header chain cut short") \
    X(IP_TUNNEL_TOO_DEEP, "ip_tunnel_too_deep", "too many nested IP tunnels") \
    X(IP_TUNNEL_BAD, "ip_tunnel_bad", "tunnel header (GRE, ERSPAN) cut short or invalid") \
    X(FRAG_OVERLAP, "frag_overlap", "IP fragments overlap with different bytes") \
    X(FRAG_TIMEOUT, "frag_timeout", "IP fragments never completed (timeout)") \
    X(FRAG_EVICTED, "frag_evicted", "IP fragment set evicted (cap reached)") \
    X(FRAG_TOO_BIG, "frag_too_big", "reassembled IP datagram over 65535 bytes") \
    X(FRAG_INCONSISTENT, "frag_inconsistent", "IP fragments disagree on the datagram end") \
    X(UDP_TRUNCATED, "udp_truncated", "UDP header or payload cut short") \
    X(UDP_BAD_LENGTH, "udp_bad_length", "UDP length field disagrees with the IP payload") \
    X(TCP_BAD_HEADER, "tcp_bad_header", "TCP data offset below 5 words (20 bytes)") \
    /* tcp */ \
    X(TCP_TRUNCATED, "tcp_truncated", "TCP header cut short") \
    X(TCP_OVERLAP_CONFLICT, "tcp_overlap_conflict", "overlapping TCP segments carry different bytes") \
    X(TCP_GAP, "tcp_gap", "TCP bytes never captured; stream skipped the gap") \
    X(TCP_STREAM_EVICTED, "tcp_stream_evicted", "TCP stream evicted (cap reached)") \
    X(TCP_BUFFER_OVERFLOW, "tcp_buffer_overflow", "TCP out-of-order bytes over the buffer cap") \
    /* sip framing on streams */ \
    X(SIP_STREAM_JUNK, "sip_stream_junk", "bytes on a SIP stream that are not a SIP message") \
    X(SIP_STREAM_NO_CONTENT_LENGTH, "sip_stream_no_content_length", "SIP message on a stream without Content-Length") \
    X(SIP_INCOMPLETE, "sip_incomplete", "SIP message lost bytes (gap or end of capture)") \
    X(SIP_MESSAGE_TOO_BIG, "sip_message_too_big", "SIP message over the size cap") \
    /* sip message */ \
    X(SIP_BAD_START_LINE, "sip_bad_start_line", "malformed request or status line") \
    X(SIP_BAD_VERSION, "sip_bad_version", "SIP version is not SIP/2.0") \
    X(SIP_BAD_HEADER, "sip_bad_header", "malformed header line") \
    X(SIP_BARE_LF, "sip_bare_lf", "line ends with LF only (not CRLF)") \
    X(SIP_TOO_MANY_HEADERS, "sip_too_many_headers", "more headers than the parser keeps") \
    X(SIP_NO_END_OF_HEADERS, "sip_no_end_of_headers", "no empty line ends the headers") \
    X(SIP_MISSING_HEADER, "sip_missing_header", "a mandatory header (Call-ID, From, To, CSeq, Via) is missing") \
    X(SIP_DUPLICATE_HEADER, "sip_duplicate_header", "a single-value header appears more than once") \
    X(SIP_BAD_CONTENT_LENGTH, "sip_bad_content_length", "Content-Length not a valid number") \
    X(SIP_CONTENT_LENGTH_MISMATCH, "sip_content_length_mismatch", "Content-Length larger than the data") \
    X(SIP_EXTRA_BYTES, "sip_extra_bytes", "bytes after the body announced by Content-Length") \
    X(SIP_BAD_CSEQ, "sip_bad_cseq", "malformed CSeq") \
    X(SIP_CSEQ_METHOD_MISMATCH, "sip_cseq_method_mismatch", "CSeq method differs from the request method") \
    X(SIP_BAD_URI, "sip_bad_uri", "malformed URI") \
    X(SIP_BAD_NAME_ADDR, "sip_bad_name_addr", "malformed From/To/Contact value") \
    X(SIP_BAD_STATUS, "sip_bad_status", "status code out of range") \
    X(SIP_NUL_BYTE, "sip_nul_byte", "NUL byte inside the message headers") \
    X(SIP_BAD_MAX_FORWARDS, "sip_bad_max_forwards", "Max-Forwards not a number in 0..255") \
    X(SIP_BAD_VIA, "sip_bad_via", "malformed Via value") \
    X(SIP_BAD_EXPIRES, "sip_bad_expires", "Expires not a number in 0..2^32-1") \
    X(SIP_BAD_DATE, "sip_bad_date", "Date not an RFC 1123 date in GMT") \
    X(SIP_RURI_HEADERS, "sip_ruri_headers", "Request-URI carries URI headers ('?')") \
    /* sdp */ \
    X(SDP_BAD_LINE, "sdp_bad_line", "SDP line not of the form x=value") \
    X(SDP_BAD_ORIGIN, "sdp_bad_origin", "malformed o= line") \
    X(SDP_BAD_CONNECTION, "sdp_bad_connection", "malformed c= line") \
    X(SDP_BAD_MEDIA, "sdp_bad_media", "malformed m= line") \
    X(SDP_TOO_MANY_MEDIA, "sdp_too_many_media", "more m= lines than the parser keeps") \
    X(SDP_NO_CONNECTION, "sdp_no_connection", "active media stream without a connection address") \
    X(SDP_CONFLICTING_DIRECTION, "sdp_conflicting_direction", "several direction attributes at one level") \
    X(SDP_VERSION_NOT_INCREMENTED, "sdp_version_not_incremented", "changed SDP with the same o= version") \
    /* dialogs and flows */ \
    X(DIALOG_ORPHAN_RESPONSE, "orphan_response", "response to a request that was not seen") \
    X(DIALOG_MIDCALL, "dialog_seen_midcall", "dialog first seen by an in-dialog request") \
    X(DIALOG_EVICTED, "dialog_evicted", "dialog evicted (cap reached)") \
    X(TRANSACTION_EVICTED, "transaction_evicted", "transaction evicted (cap reached)") \
    X(OA_ANSWER_MISMATCH, "answer_mismatch", "SDP answer does not fit the offer (RFC 3264)") \
    X(OA_UNEXPECTED_ANSWER, "unexpected_sdp", "SDP where no offer or answer is allowed") \
    X(OA_GLARE, "offer_glare", "two offers in flight at once (RFC 3264 glare)") \
    X(REFER_NO_REFER_TO, "refer_without_refer_to", "REFER without a Refer-To header") \
    X(REFER_BAD_REPLACES, "refer_bad_replaces", "Refer-To carries an unparsable embedded Replaces") \
    X(REPLACES_UNKNOWN_DIALOG, "replaces_unknown_dialog", "Replaces names a dialog that was not seen") \
    X(REPLACES_BAD_HEADER, "replaces_bad_header", "malformed Replaces header") \
    X(NOTIFY_BAD_SIPFRAG, "notify_bad_sipfrag", "NOTIFY for refer without a sipfrag status line") \
    X(TRANSFER_AMBIGUOUS, "transfer_ambiguous", "transfer outcome or link could not be decided") \
    X(TRANSFER_CAP, "transfer_cap", "too many transfers in one call: later ones not followed (cap reached)")

typedef enum {
#define SS_ANOMALY_ENUM(e, code, desc) SS_ANOMALY_##e,
    SS_ANOMALY_LIST(SS_ANOMALY_ENUM)
#undef SS_ANOMALY_ENUM
    SS_ANOMALY__COUNT
} SsAnomaly;

const char *ss_anomaly_code(SsAnomaly a);        /* "sip_bad_header" */
const char *ss_anomaly_description(SsAnomaly a); /* one line of English */

/* Where a stage reports an anomaly. detail may be NULL; it lives only during
 * the call (transfer none). */
typedef void (*AnomalyFn)(void *user, SsAnomaly a, SsTime ts, const char *detail);
typedef struct {
    AnomalyFn fn;
    void *user;
} AnomalySink;

static inline void
anomaly_report(const AnomalySink *s, SsAnomaly a, SsTime ts, const char *detail)
{
    if (s && s->fn)
        s->fn(s->user, a, ts, detail);
}

#endif
