/* sip_body.h - message bodies: SDP (possibly inside multipart/mixed or
 * multipart/alternative, RFC 5621) and message/sipfrag (RFC 3420). */
#ifndef SIPSLEUTH_SIP_BODY_H
#define SIPSLEUTH_SIP_BODY_H

#include <stdbool.h>
#include "sip/sip_parse.h"

/* Find the body part of the given media type ("application/sdp",
 * compared case-insensitively): the whole body when Content-Type matches,
 * else the first matching part of a multipart body (nested up to
 * SS_SIP_MAX_MULTIPART_DEPTH). A body without Content-Type is not matched. */
bool sip_body_find(const SipMessage *m, const char *media_type, SipStr *part);

/* The status line of a message/sipfrag body ("SIP/2.0 200 OK"): the code,
 * 0 if the body does not start with a status line. */
unsigned sip_sipfrag_status(SipStr body);

#endif
