/* libFuzzer target: TCP reassembly of one connection. The input is a list
 * of records [flags][seq delta lo][seq delta hi][len][len bytes]:
 * flags bits 0-4 are SS_TCP_FIN/SYN/RST/PSH/ACK, bit 6 advances the
 * capture time past the gap timeout (and calls tcp_reasm_expire), bit 7
 * sends the segment in the reverse direction. The sequence number of each
 * direction moves by the signed 16-bit delta; the ISNs start near 2^32 so
 * wrap-around is reached. Small caps make the overflow paths reachable. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "common/byte_reader.h"
#include "net/tcp_reasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    uint64_t delivered;
} Count;

static void
on_data(void *user, TcpStream *s, const uint8_t *bytes, size_t len, SsTime ts, uint64_t frame)
{
    Count *c = user;
    volatile uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum ^= bytes[i];
    (void)sum;
    if (len == 0)
        abort();
    c->delivered += len;
}

static void
on_gap(void *user, TcpStream *s, uint64_t len, SsTime ts)
{
}

static void
on_close(void *user, TcpStream *s, TcpCloseReason why, SsTime ts)
{
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Count cnt = {0};
    TcpReasmSink sink = {on_data, on_gap, on_close, &cnt};
    TcpReasm *r = tcp_reasm_new(&sink, NULL);
    TcpReasmLimits lim = {
        .max_streams = 2,
        .max_stream_bytes = 600,
        .max_total_bytes = 1000,
        .gap_timeout = 2 * SS_NSEC_PER_SEC,
        .idle_timeout = 60 * SS_NSEC_PER_SEC,
    };
    tcp_reasm_set_limits(r, &lim);
    Endpoint a = {.family = 4, .port = 5060}, b = {.family = 4, .port = 40000};
    a.addr[3] = 1;
    b.addr[3] = 2;
    uint32_t seq[2] = {0xFFFFFE00u, 0xFFFFFFF0u};
    SsTime ts = SS_NSEC_PER_SEC;
    uint64_t frame = 0;

    ByteReader br;
    br_init(&br, data, size);
    uint8_t flags, len8;
    uint16_t delta;
    while (br_u8(&br, &flags) && br_u16le(&br, &delta) && br_u8(&br, &len8)) {
        size_t len = len8 < br_remaining(&br) ? len8 : br_remaining(&br);
        const uint8_t *p = NULL;
        if (!br_bytes(&br, len, &p))
            break;
        unsigned d = flags >> 7;
        seq[d] += (uint32_t)(int32_t)(int16_t)delta;
        ts += (flags & 0x40) ? 3 * SS_NSEC_PER_SEC : SS_NSEC_PER_MSEC;
        if (flags & 0x40)
            tcp_reasm_expire(r, ts);
        tcp_reasm_feed(r, d ? &b : &a, d ? &a : &b, seq[d], flags & 0x1f, p, len, ts, ++frame);
    }
    tcp_reasm_flush(r, ts + 1);
    TcpReasmStats st;
    tcp_reasm_get_stats(r, &st);
    if (st.streams_open != 0 || st.bytes_buffered != 0 || st.bytes_delivered != cnt.delivered)
        abort();
    tcp_reasm_free(r);
    return 0;
}
