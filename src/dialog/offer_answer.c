#include <config.h>
#include "dialog/offer_answer.h"

#include <string.h>

void
oa_summarize(const SdpSession *sdp, SdpSummary *out)
{
    memset(out, 0, sizeof *out);
    out->has_version = sdp->has_origin;
    out->version = sdp->sess_version;
    unsigned n = sdp->n_media < SS_SDP_MAX_MEDIA ? sdp->n_media : SS_SDP_MAX_MEDIA;
    out->n = (uint8_t)n;
    for (unsigned i = 0; i < n; i++) {
        const SdpConnection *c = sdp_media_connection(sdp, i);
        out->s[i].dir = (uint8_t)sdp_media_direction(sdp, i);
        out->s[i].active = sdp->media[i].port != 0;
        out->s[i].null_addr = c && c->present && c->is_null;
        out->s[i].family = c && c->present ? c->family : 0;
    }
}

unsigned
oa_active_streams(const SdpSummary *s)
{
    unsigned n = 0;
    for (unsigned i = 0; i < s->n; i++)
        n += s->s[i].active;
    return n;
}

bool
oa_stream_receives(const SdpStreamState *st)
{
    return st->active && !st->null_addr &&
           (st->dir == SDP_DIR_SENDRECV || st->dir == SDP_DIR_RECVONLY);
}

bool
oa_holds(const SdpSummary *s)
{
    return oa_active_streams(s) > 0 && !oa_receives(s);
}

bool
oa_receives(const SdpSummary *s)
{
    for (unsigned i = 0; i < s->n; i++)
        if (oa_stream_receives(&s->s[i]))
            return true;
    return false;
}

HoldMode
oa_hold_mode(const SdpSummary *s)
{
    bool sendonly = false;
    bool inactive = false;
    for (unsigned i = 0; i < s->n; i++) {
        if (!s->s[i].active)
            continue;
        if (s->s[i].dir == SDP_DIR_INACTIVE)
            inactive = true;
        else if (s->s[i].dir == SDP_DIR_SENDONLY)
            sendonly = true;
    }
    if (inactive)
        return HOLD_MODE_INACTIVE;
    if (sendonly)
        return HOLD_MODE_SENDONLY;
    return HOLD_MODE_NULL_ADDRESS;
}

bool
oa_offer_lets_answerer_receive(const SdpSummary *offer)
{
    for (unsigned i = 0; i < offer->n; i++) {
        const SdpStreamState *st = &offer->s[i];
        if (st->active && (st->dir == SDP_DIR_SENDRECV || st->dir == SDP_DIR_SENDONLY))
            return true;
    }
    return false;
}

bool
oa_answer_valid(const SdpSummary *offer, const SdpSummary *answer)
{
    /* RFC 3264 §6: "The answer MUST contain exactly the same number of
     * m= lines as the offer." (Only judged when both fit the summary.) */
    if (offer->n != answer->n)
        return false;
    for (unsigned i = 0; i < offer->n; i++) {
        const SdpStreamState *o = &offer->s[i];
        const SdpStreamState *a = &answer->s[i];
        if (!o->active || !a->active)
            continue; /* disabled in the offer, or rejected in the answer */
        switch (o->dir) {
        case SDP_DIR_SENDONLY:
            if (a->dir != SDP_DIR_RECVONLY && a->dir != SDP_DIR_INACTIVE)
                return false;
            break;
        case SDP_DIR_RECVONLY:
            if (a->dir != SDP_DIR_SENDONLY && a->dir != SDP_DIR_INACTIVE)
                return false;
            break;
        case SDP_DIR_INACTIVE:
            if (a->dir != SDP_DIR_INACTIVE)
                return false;
            break;
        default:
            /* sendrecv, and RFC 2543 null-address holds: any answer. */
            break;
        }
    }
    return true;
}

SdpDirection
oa_first_direction(const SdpSummary *s, bool *null_addr)
{
    for (unsigned i = 0; i < s->n; i++) {
        if (s->s[i].active) {
            if (null_addr)
                *null_addr = s->s[i].null_addr;
            return (SdpDirection)s->s[i].dir;
        }
    }
    if (null_addr)
        *null_addr = false;
    return SDP_DIR_NONE;
}

uint8_t
oa_first_family(const SdpSummary *s)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->s[i].active)
            return s->s[i].family;
    return 0;
}
