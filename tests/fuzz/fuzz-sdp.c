/* libFuzzer target: the SDP parser. The input is an SDP body. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "sdp/sdp_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SdpSession s;
    if (!sdp_parse((const char *)data, size, &s))
        return 0;
    if (s.n_media > SS_SDP_MAX_MEDIA || s.n_media > s.n_media_seen ||
        s.n_anomalies > SDP_MAX_ANOMALIES)
        abort();
    for (unsigned i = 0; i < s.n_media; i++) {
        (void)sdp_direction_name(sdp_media_direction(&s, i));
        const SdpConnection *c = sdp_media_connection(&s, i);
        if (!c || s.media[i].n_rtpmap > SDP_MAX_RTPMAP || s.media[i].port > 65535)
            abort();
        /* every view lies inside the input */
        const char *lo = (const char *)data, *hi = lo + size;
        if (c->present && (c->addr.p < lo || c->addr.p + c->addr.len > hi))
            abort();
        if (s.media[i].formats.len && (s.media[i].formats.p < lo ||
                                       s.media[i].formats.p + s.media[i].formats.len > hi))
            abort();
    }
    return 0;
}
