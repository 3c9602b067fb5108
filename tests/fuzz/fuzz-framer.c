/* libFuzzer target: SIP framing on a stream. The first input byte chooses
 * the segment size (1-256) and whether a gap is reported after every
 * fourth segment (bit 7 of the second byte); the rest is the stream, fed
 * to sip_frame() alone and to a SipStream. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "sip/sip_framer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    size_t bytes; /* message + junk bytes reported */
    size_t limit;
} Count;

static void
on_message(void *user, const uint8_t *msg, size_t len, unsigned flags, SsTime ts,
           uint64_t first_frame, uint64_t last_frame)
{
    Count *c = user;
    volatile uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum ^= msg[i]; /* touch every byte: ASan checks the span */
    (void)sum;
    if (first_frame > last_frame)
        abort();
    c->bytes += len;
}

static void
on_junk(void *user, size_t n, SsTime ts)
{
    Count *c = user;
    c->bytes += n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t seg = (size_t)data[0] + 1;
    int gaps = data[1] & 0x80;
    data += 2;
    size -= 2;

    /* stateless: consumed never exceeds the input, and always advances
     * unless more is needed */
    size_t pos = 0;
    while (pos < size) {
        size_t c;
        SipFrameInfo info;
        SipFrameResult r = sip_frame(data + pos, size - pos, &c, &info);
        if (r == SIP_FRAME_NEED_MORE)
            break;
        if (c == 0 || c > size - pos)
            abort();
        pos += c;
    }

    Count cnt = {0, size};
    SipStreamSink sink = {on_message, on_junk, &cnt};
    SipStream *s = sip_stream_new(&sink);
    unsigned n = 0;
    for (size_t off = 0; off < size; off += seg) {
        size_t len = size - off < seg ? size - off : seg;
        sip_stream_feed(s, data + off, len, (SsTime)off, n);
        if (gaps && ++n % 4 == 0)
            sip_stream_gap(s, 7, (SsTime)off);
    }
    sip_stream_finish(s, (SsTime)size);
    if (sip_stream_buffered(s) != 0 || cnt.bytes > size)
        abort();
    sip_stream_free(s);
    return 0;
}
