/* libFuzzer target: one captured frame through link -> IP -> tunnels ->
 * defragmentation -> UDP/TCP. The first input byte picks the link type. */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "capture/link.h"
#include "net/net_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
    SS_LINKTYPE_ETHERNET, SS_LINKTYPE_LINUX_SLL, SS_LINKTYPE_LINUX_SLL2, SS_LINKTYPE_NULL,
    SS_LINKTYPE_LOOP,     SS_LINKTYPE_RAW,       SS_LINKTYPE_IPV4,       SS_LINKTYPE_IPV6,
    SS_LINKTYPE_PPP,      SS_LINKTYPE_RAW_OLD,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    NetDecoder *d = net_decoder_new(NULL);
    /* the rest may hold several frames separated by a 2-byte length */
    const uint8_t *p = data + 1;
    size_t left = size - 1;
    SsTime ts = 1;
    uint64_t frame = 1;
    while (left > 0) {
        size_t n = left;
        if (left > 2) {
            size_t want = ((size_t)p[0] << 8) | p[1];
            if (want && want <= left - 2) {
                p += 2;
                left -= 2;
                n = want;
            }
        }
        SsPacket pkt = { .ts = ts, .frame = frame++, .linktype = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])],
                         .caplen = (uint32_t)n, .origlen = (uint32_t)n, .data = p };
        NetPacket np;
        NetResult r = net_decoder_feed(d, &pkt, &np);
        if (r == NET_OK && np.payload_len) {
            /* touch every payload byte so ASan checks the bounds */
            volatile uint8_t sink = 0;
            for (size_t i = 0; i < np.payload_len; i++)
                sink ^= np.payload[i];
            (void)sink;
        }
        p += n;
        left -= n;
        ts += SS_NSEC_PER_SEC * 5;
        net_decoder_expire(d, ts);
    }
    net_decoder_free(d);
    return 0;
}
