/* sdp_parse.h - the parts of an SDP body (RFC 8866) that offer/answer and
 * hold detection need (RFC 3264, RFC 6337). Zero copy: views into the body.
 * Malformed lines are anomalies, never failures.
 */
#ifndef SIPSLEUTH_SDP_PARSE_H
#define SIPSLEUTH_SDP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/anomaly.h"
#include "common/limits.h"

typedef struct {
    const char *p;
    size_t len;
} SdpStr;

typedef enum {
    SDP_DIR_NONE = 0, /* no direction attribute at this level */
    SDP_DIR_SENDRECV,
    SDP_DIR_SENDONLY,
    SDP_DIR_RECVONLY,
    SDP_DIR_INACTIVE,
} SdpDirection;

const char *sdp_direction_name(SdpDirection d); /* "sendrecv"...; "none" */

typedef struct {
    bool present;
    uint8_t family;  /* 4 (IP4), 6 (IP6), 0 other */
    bool is_null;    /* 0.0.0.0 or :: (also 0.0.0.0/ttl), RFC 3264 §8.4 / RFC 2543 hold */
    SdpStr addr;     /* the address without any /ttl or /count suffix */
} SdpConnection;

#define SDP_MAX_RTPMAP 8
typedef struct {
    SdpStr media;    /* "audio", "video", "image", ... */
    uint32_t port;   /* 0: stream disabled/rejected (RFC 3264 §5.1) */
    SdpStr proto;    /* "RTP/AVP", "udptl", ... */
    SdpStr formats;  /* the format list as sent */
    SdpDirection dir; /* media-level attribute, SDP_DIR_NONE if absent */
    SdpConnection conn; /* media-level c= */
    unsigned n_rtpmap;
    struct {
        unsigned pt;
        SdpStr encoding; /* "PCMU/8000" */
    } rtpmap[SDP_MAX_RTPMAP];
} SdpMedia;

#define SDP_MAX_ANOMALIES 8

typedef struct {
    bool has_origin;
    SdpStr origin_user;
    uint64_t sess_id;
    uint64_t sess_version;
    SdpStr origin_addr;
    SdpConnection conn;  /* session-level c= */
    SdpDirection dir;    /* session-level attribute, SDP_DIR_NONE if absent */
    unsigned n_media;    /* kept, <= SS_SDP_MAX_MEDIA; a malformed m= keeps
                          * its slot with port 0 (RFC 3264 §6 pairs by index) */
    unsigned n_media_seen; /* every m= line, kept or not */
    SdpMedia media[SS_SDP_MAX_MEDIA];
    unsigned n_anomalies; /* each code at most once, in order found */
    SsAnomaly anomalies[SDP_MAX_ANOMALIES];
} SdpSession;

/* Parses text (CRLF or LF line ends). Returns false only when the text is
 * not SDP at all (does not start with "v="); *out is then empty. */
bool sdp_parse(const char *text, size_t len, SdpSession *out);

/* The direction that applies to media i (RFC 3264 §5.1 / RFC 8866 §6.7):
 * the media-level attribute, else the session-level one, else sendrecv. */
SdpDirection sdp_media_direction(const SdpSession *s, unsigned i);
/* The connection that applies to media i: media-level c=, else session-level
 * (then ->present may be false). NULL when i >= n_media. */
const SdpConnection *sdp_media_connection(const SdpSession *s, unsigned i);

#endif
