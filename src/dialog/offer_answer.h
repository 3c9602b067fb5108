/* offer_answer.h - the media-state view of an SDP that hold detection needs
 * (RFC 3264 §5-§8, RFC 6337 §5, DESIGN.md §2).
 *
 * An SdpSummary is a fixed-size copy (no pointers) of one SDP's streams:
 * effective direction, port != 0, null connection address. It outlives the
 * message, so pending offers can be kept until their answer arrives.
 */
#ifndef SIPSLEUTH_OFFER_ANSWER_H
#define SIPSLEUTH_OFFER_ANSWER_H

#include <stdbool.h>
#include <stdint.h>
#include "common/limits.h"
#include "dialog/dialog_event.h"
#include "sdp/sdp_parse.h"

typedef struct {
    uint8_t dir;       /* SdpDirection, effective (media > session > sendrecv) */
    bool active;       /* port != 0 */
    bool null_addr;    /* c= 0.0.0.0 or :: */
    uint8_t family;    /* of the connection address: 4, 6, 0 unknown */
} SdpStreamState;

typedef struct {
    uint8_t n;         /* streams kept (m= lines) */
    bool has_version;
    uint64_t version;  /* o= sess-version */
    SdpStreamState s[SS_SDP_MAX_MEDIA];
} SdpSummary;

void oa_summarize(const SdpSession *sdp, SdpSummary *out);

/* Active streams (port != 0). */
unsigned oa_active_streams(const SdpSummary *s);
/* A stream "receives" when its direction lets its sender receive media
 * (sendrecv or recvonly) at a real address. */
bool oa_stream_receives(const SdpStreamState *st);
/* DESIGN §2: the SDP holds when it has at least one active stream and every
 * active stream is sendonly/inactive or has a null connection address (the
 * sender refuses to receive: RFC 3264 §8.4, RFC 2543 §B.5 c=0.0.0.0). */
bool oa_holds(const SdpSummary *s);
/* At least one active stream receives at a real address. */
bool oa_receives(const SdpSummary *s);
/* The hold mode of a holding SDP: inactive > sendonly > null address. */
HoldMode oa_hold_mode(const SdpSummary *s);
/* The offer lets the answerer receive (some active stream offered sendrecv
 * or sendonly): only then is an answer that refuses to receive a choice of
 * the answerer (a hold in the answer), not a forced reply (RFC 3264 §6.1). */
bool oa_offer_lets_answerer_receive(const SdpSummary *offer);
/* RFC 3264 §6 / §6.1: same number of m= lines; per stream, an offered
 * sendonly is answered recvonly or inactive, recvonly by sendonly or
 * inactive, inactive by inactive; a stream rejected (port 0) in the answer
 * is always valid; an RFC 2543 null-address sendrecv offer accepts any
 * answer. */
bool oa_answer_valid(const SdpSummary *offer, const SdpSummary *answer);
/* Effective direction of the first active stream (SDP_DIR_NONE if none),
 * and whether it has a null address. */
SdpDirection oa_first_direction(const SdpSummary *s, bool *null_addr);
/* Address family of the first active stream's connection (4, 6, 0). */
uint8_t oa_first_family(const SdpSummary *s);

#endif
