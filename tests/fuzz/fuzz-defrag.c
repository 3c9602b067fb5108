/* libFuzzer target: IP fragment reassembly. The input is a list of fragment
 * records: [flags][id][offset/8 hi][offset/8 lo][len][len bytes]; flags bit 0
 * = more fragments, bit 1 = IPv6, bits 2-3 = source address, bit 4 = time
 * jump past the timeout. */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "net/ip_defrag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    IpDefrag *d = ip_defrag_new(NULL);
    SsTime ts = 1000;
    size_t i = 0;
    while (i + 5 <= size) {
        uint8_t flags = data[i];
        IpFragment f;
        memset(&f, 0, sizeof f);
        f.version = (flags & 2) ? 6 : 4;
        f.src.family = f.dst.family = f.version;
        f.src.addr[3] = (uint8_t)((flags >> 2) & 3);
        f.dst.addr[3] = 9;
        f.id = data[i + 1];
        f.proto = 17;
        f.offset = (uint32_t)(((data[i + 2] << 8) | data[i + 3]) * 8);
        f.more = flags & 1;
        size_t len = data[i + 4];
        i += 5;
        if (len > size - i)
            len = size - i;
        f.data = data + i;
        f.len = len;
        i += len;
        if (flags & 16)
            ts += 60 * SS_NSEC_PER_SEC;
        const uint8_t *out;
        size_t out_len;
        uint8_t proto;
        if (ip_defrag_feed(d, &f, ts, &out, &out_len, &proto)) {
            volatile uint8_t sink = 0;
            for (size_t k = 0; k < out_len; k++)
                sink ^= out[k];
            (void)sink;
        }
        ip_defrag_expire(d, ts);
    }
    ip_defrag_free(d);
    return 0;
}
