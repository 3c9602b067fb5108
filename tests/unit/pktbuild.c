#include <config.h>
#include "pktbuild.h"

#include <arpa/inet.h>
#include <string.h>

GByteArray *
pb_data(const void *data, size_t len)
{
    GByteArray *b = g_byte_array_new();
    if (len)
        g_byte_array_append(b, data, (guint)len);
    return b;
}

GByteArray *
pb_str(const char *s)
{
    return pb_data(s, strlen(s));
}

void
pb_put_u8(GByteArray *b, uint8_t v)
{
    g_byte_array_append(b, &v, 1);
}

void
pb_put_u16(GByteArray *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    g_byte_array_append(b, x, 2);
}

void
pb_put_u32(GByteArray *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    g_byte_array_append(b, x, 4);
}

void
pb_prepend(GByteArray *b, const void *data, size_t len)
{
    g_byte_array_prepend(b, data, (guint)len);
}

static GByteArray *
wrap(GByteArray *hdr, GByteArray *payload)
{
    g_byte_array_append(hdr, payload->data, payload->len);
    g_byte_array_unref(payload);
    return hdr;
}

GByteArray *
pb_udp(uint16_t sport, uint16_t dport, GByteArray *payload)
{
    GByteArray *h = g_byte_array_new();
    pb_put_u16(h, sport);
    pb_put_u16(h, dport);
    pb_put_u16(h, (uint16_t)(8 + payload->len));
    pb_put_u16(h, 0);
    return wrap(h, payload);
}

GByteArray *
pb_tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
       unsigned opt_words, GByteArray *payload)
{
    GByteArray *h = g_byte_array_new();
    pb_put_u16(h, sport);
    pb_put_u16(h, dport);
    pb_put_u32(h, seq);
    pb_put_u32(h, ack);
    pb_put_u8(h, (uint8_t)((5 + opt_words) << 4));
    pb_put_u8(h, flags);
    pb_put_u16(h, 65535);
    pb_put_u32(h, 0); /* checksum, urgent pointer */
    for (unsigned i = 0; i < opt_words; i++)
        pb_put_u32(h, 0x01010101); /* NOPs */
    return wrap(h, payload);
}

static void
put_addr(GByteArray *b, int af, const char *s)
{
    uint8_t a[16];
    g_assert_cmpint(inet_pton(af, s, a), ==, 1);
    g_byte_array_append(b, a, af == AF_INET ? 4 : 16);
}

GByteArray *
pb_ipv4(const char *src, const char *dst, uint8_t proto, uint16_t id, uint16_t frag,
        GByteArray *payload)
{
    GByteArray *h = g_byte_array_new();
    pb_put_u8(h, 0x45);
    pb_put_u8(h, 0);
    pb_put_u16(h, (uint16_t)(20 + payload->len));
    pb_put_u16(h, id);
    pb_put_u16(h, frag);
    pb_put_u8(h, 64);
    pb_put_u8(h, proto);
    pb_put_u16(h, 0);
    put_addr(h, AF_INET, src);
    put_addr(h, AF_INET, dst);
    uint32_t sum = 0;
    for (unsigned i = 0; i < 20; i += 2)
        sum += (uint32_t)(h->data[i] << 8 | h->data[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    h->data[10] = (uint8_t)(~sum >> 8);
    h->data[11] = (uint8_t)~sum;
    return wrap(h, payload);
}

GByteArray *
pb_ipv6(const char *src, const char *dst, uint8_t next, GByteArray *payload)
{
    GByteArray *h = g_byte_array_new();
    pb_put_u32(h, 0x60000000);
    pb_put_u16(h, (uint16_t)payload->len);
    pb_put_u8(h, next);
    pb_put_u8(h, 64);
    put_addr(h, AF_INET6, src);
    put_addr(h, AF_INET6, dst);
    return wrap(h, payload);
}

GByteArray *
pb_ipv6_ext(uint8_t next, uint8_t len8, GByteArray *payload)
{
    GByteArray *h = g_byte_array_new();
    pb_put_u8(h, next);
    pb_put_u8(h, len8);
    for (unsigned i = 2; i < 8u * (len8 + 1u); i++)
        pb_put_u8(h, 0);
    return wrap(h, payload);
}

GByteArray *
pb_ipv6_frag(uint8_t next, uint32_t offset, gboolean more, uint32_t id, GByteArray *payload)
{
    GByteArray *h = g_byte_array_new();
    pb_put_u8(h, next);
    pb_put_u8(h, 0);
    pb_put_u16(h, (uint16_t)((offset & 0xfff8) | (more ? 1 : 0)));
    pb_put_u32(h, id);
    return wrap(h, payload);
}

GByteArray *
pb_eth(uint16_t ethertype, GByteArray *payload)
{
    static const uint8_t macs[12] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                                     0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
    GByteArray *h = pb_data(macs, sizeof(macs));
    pb_put_u16(h, ethertype);
    return wrap(h, payload);
}

void
pb_eth_add_tag(GByteArray *frame, uint16_t tpid, uint16_t tci)
{
    uint8_t tag[4] = {(uint8_t)(tpid >> 8), (uint8_t)tpid, (uint8_t)(tci >> 8), (uint8_t)tci};
    g_assert_cmpuint(frame->len, >=, 14);
    /* after the MACs, before the current type: the new tag is outermost */
    GByteArray *tail = pb_data(frame->data + 12, frame->len - 12);
    g_byte_array_set_size(frame, 12);
    g_byte_array_append(frame, tag, 4);
    g_byte_array_append(frame, tail->data, tail->len);
    g_byte_array_unref(tail);
}

GPtrArray *
pb_ipv4_fragments(const char *src, const char *dst, uint8_t proto, uint16_t id,
                  const uint8_t *payload, size_t len, size_t frag_len)
{
    g_assert_cmpuint(frag_len % 8, ==, 0);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
    for (size_t off = 0; off < len; off += frag_len) {
        size_t n = MIN(frag_len, len - off);
        uint16_t f = (uint16_t)((off / 8) | (off + n < len ? 0x2000 : 0));
        g_ptr_array_add(out, pb_ipv4(src, dst, proto, id, f, pb_data(payload + off, n)));
    }
    return out;
}

GPtrArray *
pb_ipv6_fragments(const char *src, const char *dst, uint8_t next, uint32_t id,
                  const uint8_t *payload, size_t len, size_t frag_len)
{
    g_assert_cmpuint(frag_len % 8, ==, 0);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
    for (size_t off = 0; off < len; off += frag_len) {
        size_t n = MIN(frag_len, len - off);
        GByteArray *fh =
            pb_ipv6_frag(next, (uint32_t)off, off + n < len, id, pb_data(payload + off, n));
        g_ptr_array_add(out, pb_ipv6(src, dst, 44, fh));
    }
    return out;
}

char *
pb_sip_invite(size_t body)
{
    GString *sdp =
        g_string_new("v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.1\r\n"
                     "s=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n");
    for (unsigned i = 0; sdp->len < body; i++)
        g_string_append_printf(sdp, "a=x-filler:%u padding to make the datagram fragment\r\n", i);
    char *msg = g_strdup_printf("INVITE sip:bob@example.com SIP/2.0\r\n"
                                "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n"
                                "Max-Forwards: 70\r\n"
                                "To: Bob <sip:bob@example.com>\r\n"
                                "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
                                "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
                                "CSeq: 314159 INVITE\r\n"
                                "Contact: <sip:alice@192.0.2.1>\r\n"
                                "Content-Type: application/sdp\r\n"
                                "Content-Length: %zu\r\n\r\n%s",
                                sdp->len, sdp->str);
    g_string_free(sdp, TRUE);
    return msg;
}
