#include <config.h>
#include "net/net_decode.h"

#include <pcap/pcap.h>
#include <string.h>
#include "capture/link.h"
#include "common/limits.h"
#include "pktbuild.h"

#define T0 (INT64_C(1700000000) * SS_NSEC_PER_SEC)

typedef struct {
    unsigned count[SS_ANOMALY__COUNT];
    unsigned total;
    SsAnomaly last;
} Anoms;

static void
on_anomaly(void *user, SsAnomaly a, SsTime ts, const char *detail)
{
    (void)ts;
    (void)detail;
    Anoms *an = user;
    an->count[a]++;
    an->total++;
    an->last = a;
}

typedef struct {
    Anoms an;
    AnomalySink sink;
    NetDecoder *d;
    NetPacket np;
} Fx;

static void
fx_setup(Fx *f, gconstpointer data)
{
    (void)data;
    memset(f, 0, sizeof(*f));
    f->sink.fn = on_anomaly;
    f->sink.user = &f->an;
    f->d = net_decoder_new(&f->sink);
}

static void
fx_teardown(Fx *f, gconstpointer data)
{
    (void)data;
    net_decoder_free(f->d);
}

static NetResult
feed_lt(Fx *f, int lt, const uint8_t *data, size_t caplen, size_t origlen, SsTime ts)
{
    SsPacket p = {
        .ts = ts,
        .frame = 1,
        .linktype = lt,
        .caplen = (uint32_t)caplen,
        .origlen = (uint32_t)origlen,
        .data = data,
    };
    return net_decoder_feed(f->d, &p, &f->np);
}

static NetResult
feed_eth(Fx *f, const GByteArray *b)
{
    return feed_lt(f, SS_LINKTYPE_ETHERNET, b->data, b->len, b->len, T0);
}

static void
assert_addr(const Endpoint *e, const char *want, uint16_t port)
{
    char buf[ENDPOINT_ADDR_LEN];
    g_assert_cmpstr(endpoint_addr_str(e, buf), ==, want);
    g_assert_cmpuint(e->port, ==, port);
}

static GByteArray *
udp4(const char *payload)
{
    return pb_ipv4("192.0.2.1", "198.51.100.2", 17, 77, 0, pb_udp(5060, 5080, pb_str(payload)));
}

static GByteArray *
udp6(uint8_t first_next, GByteArray *l4_with_ext)
{
    return pb_ipv6("2001:db8::1", "2001:db8::2", first_next, l4_with_ext);
}

/* ---- basic decoding ---- */

static void
test_udp4(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) b = pb_eth(0x0800, udp4("OPTIONS sip:x SIP/2.0\r\n\r\n"));
    g_assert_cmpint(feed_eth(f, b), ==, NET_OK);
    g_assert_cmpuint(f->np.l4proto, ==, SS_IPPROTO_UDP);
    assert_addr(&f->np.src, "192.0.2.1", 5060);
    assert_addr(&f->np.dst, "198.51.100.2", 5080);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, "OPTIONS sip:x SIP/2.0\r\n\r\n", 25);
    g_assert_true(f->np.payload == b->data + 14 + 20 + 8);
    g_assert_false(f->np.truncated);
    g_assert_false(f->np.reassembled);
    g_assert_cmpuint(f->np.vlan, ==, 0);
    g_assert_cmpuint(f->np.encap_depth, ==, 0);
    g_assert_cmpuint(f->an.total, ==, 0);
    NetStats st;
    net_decoder_get_stats(f->d, &st);
    g_assert_cmpuint(st.ip_packets, ==, 1);
    g_assert_cmpuint(st.bad, ==, 0);
}

static void
test_eth_padding(Fx *f, gconstpointer data)
{
    (void)data;
    /* a 1-byte payload: Ethernet pads the frame to 60 bytes */
    g_autoptr(GByteArray) b = pb_eth(0x0800, udp4("x"));
    g_byte_array_set_size(b, 60);
    memset(b->data + 43, 0xee, 17);
    g_assert_cmpint(feed_eth(f, b), ==, NET_OK);
    g_assert_cmpuint(f->np.payload_len, ==, 1);
    g_assert_false(f->np.truncated);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_tcp4(Fx *f, gconstpointer data)
{
    (void)data;
    GByteArray *seg = pb_tcp(40000, 5060, 0x01020304, 0xa0b0c0d0, SS_TCP_ACK | SS_TCP_PSH, 3,
                             pb_str("BYE sip:a SIP/2.0\r\n"));
    g_autoptr(GByteArray) b = pb_eth(0x0800, pb_ipv4("10.0.0.1", "10.0.0.2", 6, 1, 0x4000, seg));
    pb_eth_add_tag(b, 0x8100, 42);
    g_assert_cmpint(feed_eth(f, b), ==, NET_OK);
    g_assert_cmpuint(f->np.l4proto, ==, SS_IPPROTO_TCP);
    assert_addr(&f->np.src, "10.0.0.1", 40000);
    assert_addr(&f->np.dst, "10.0.0.2", 5060);
    g_assert_cmpuint(f->np.tcp_seq, ==, 0x01020304);
    g_assert_cmpuint(f->np.tcp_ack, ==, 0xa0b0c0d0);
    g_assert_cmpuint(f->np.tcp_flags, ==, SS_TCP_ACK | SS_TCP_PSH);
    g_assert_cmpuint(f->np.vlan, ==, 42);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, "BYE sip:a SIP/2.0\r\n", 19);
    g_assert_true(f->np.payload == b->data + 18 + 20 + 32);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_udp6(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) b =
        pb_eth(0x86DD, udp6(17, pb_udp(5060, 5060, pb_str("SIP/2.0 200 OK\r\n"))));
    g_assert_cmpint(feed_eth(f, b), ==, NET_OK);
    assert_addr(&f->np.src, "2001:db8::1", 5060);
    assert_addr(&f->np.dst, "2001:db8::2", 5060);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, "SIP/2.0 200 OK\r\n", 16);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static GByteArray *
ah(uint8_t next, GByteArray *payload)
{
    /* RFC 4302: 12 bytes + 12 bytes of ICV = 24 bytes, length field 4 */
    GByteArray *h = g_byte_array_new();
    pb_put_u8(h, next);
    pb_put_u8(h, 4);
    for (int i = 0; i < 22; i++)
        pb_put_u8(h, 0);
    g_byte_array_append(h, payload->data, payload->len);
    g_byte_array_unref(payload);
    return h;
}

static void
test_ipv6_ext(Fx *f, gconstpointer data)
{
    (void)data;
    /* hop-by-hop(8) -> routing(8) -> mobility(8) -> HIP(8) -> shim6(24)
     * -> destination options(16) -> AH(24) -> UDP; each line below adds
     * the header named, whose next-header field is the first argument */
    GByteArray *l4 = pb_udp(5062, 5063, pb_str("INFO sip:x SIP/2.0\r\n"));
    l4 = ah(17, l4);
    l4 = pb_ipv6_ext(51, 1, l4);  /* destination options (60) */
    l4 = pb_ipv6_ext(60, 2, l4);  /* shim6 (140) */
    l4 = pb_ipv6_ext(140, 0, l4); /* HIP (139) */
    l4 = pb_ipv6_ext(139, 0, l4); /* mobility (135) */
    l4 = pb_ipv6_ext(135, 0, l4); /* routing (43) */
    l4 = pb_ipv6_ext(43, 0, l4);  /* hop-by-hop (0) */
    g_autoptr(GByteArray) b = pb_eth(0x86DD, udp6(0, l4));
    g_assert_cmpint(feed_eth(f, b), ==, NET_OK);
    g_assert_cmpuint(f->np.src.port, ==, 5062);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, "INFO sip:x SIP/2.0\r\n", 20);
    g_assert_true(f->np.payload == b->data + 14 + 40 + 8 + 8 + 8 + 8 + 24 + 16 + 24 + 8);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_ipv6_esp_nonext(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) esp = pb_eth(0x86DD, udp6(0, pb_ipv6_ext(50, 0, pb_str("encrypted"))));
    g_assert_cmpint(feed_eth(f, esp), ==, NET_SKIP);
    g_autoptr(GByteArray) none = pb_eth(0x86DD, udp6(60, pb_ipv6_ext(59, 0, pb_str("junk"))));
    g_assert_cmpint(feed_eth(f, none), ==, NET_SKIP);
    /* an atomic fragment (RFC 6946) is walked through */
    GByteArray *l4 = pb_udp(1, 2, pb_str("x"));
    g_autoptr(GByteArray) atomic = pb_eth(0x86DD, udp6(44, pb_ipv6_frag(17, 0, FALSE, 5, l4)));
    g_assert_cmpint(feed_eth(f, atomic), ==, NET_OK);
    g_assert_false(f->np.reassembled);
    g_assert_cmpuint(f->np.dst.port, ==, 2);
    g_assert_cmpuint(f->an.total, ==, 0);
    NetStats st;
    net_decoder_get_stats(f->d, &st);
    g_assert_cmpuint(st.fragments, ==, 0);
}

static GByteArray *
dstopts_chain(unsigned n)
{
    GByteArray *l4 = pb_udp(1, 2, pb_str("x"));
    for (unsigned i = 0; i < n; i++)
        l4 = pb_ipv6_ext(i == 0 ? 17 : 60, 0, l4);
    return pb_eth(0x86DD, udp6(60, l4));
}

static void
test_ipv6_too_many_ext(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) ok = dstopts_chain(SS_MAX_IPV6_EXT_HEADERS);
    g_assert_cmpint(feed_eth(f, ok), ==, NET_OK);
    g_assert_cmpuint(f->np.dst.port, ==, 2);
    g_autoptr(GByteArray) bad = dstopts_chain(SS_MAX_IPV6_EXT_HEADERS + 1);
    g_assert_cmpint(feed_eth(f, bad), ==, NET_BAD);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_IP_BAD_HEADER], ==, 1);
    g_assert_cmpuint(f->an.total, ==, 1);
}

static void
test_non_ip(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) arp = pb_eth(0x0806, pb_str("arp arp arp arp arp arp arp arp"));
    g_assert_cmpint(feed_eth(f, arp), ==, NET_SKIP);
    g_autoptr(GByteArray) icmp =
        pb_eth(0x0800, pb_ipv4("10.0.0.1", "10.0.0.2", 1, 1, 0, pb_str("\x08\0\0\0ping")));
    g_assert_cmpint(feed_eth(f, icmp), ==, NET_SKIP);
    g_assert_cmpuint(f->an.total, ==, 0);
    g_assert_cmpint(feed_lt(f, 147, arp->data, arp->len, arp->len, T0), ==, NET_BAD);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_LINK_UNSUPPORTED], ==, 1);
    NetStats st;
    net_decoder_get_stats(f->d, &st);
    g_assert_cmpuint(st.non_ip, ==, 1);
    g_assert_cmpuint(st.ip_packets, ==, 1);
    g_assert_cmpuint(st.bad, ==, 1);
}

/* ---- bad and truncated headers ---- */

static void
test_ipv4_bad(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) b = pb_eth(0x0800, udp4("hello"));
    b->data[14] = 0x44; /* IHL 4 */
    g_assert_cmpint(feed_eth(f, b), ==, NET_BAD);
    g_assert_cmpint(f->an.last, ==, SS_ANOMALY_IP_BAD_HEADER);
    b->data[14] = 0x65; /* version 6 behind ethertype IPv4 */
    g_assert_cmpint(feed_eth(f, b), ==, NET_BAD);
    g_assert_cmpint(f->an.last, ==, SS_ANOMALY_IP_BAD_HEADER);
    b->data[14] = 0x45;
    b->data[16] = 0;
    b->data[17] = 19; /* total length below the header */
    g_assert_cmpint(feed_eth(f, b), ==, NET_BAD);
    g_assert_cmpint(f->an.last, ==, SS_ANOMALY_IP_BAD_HEADER);
    b->data[14] = 0x46; /* IHL 6: 4 option bytes past the capture */
    b->data[17] = 33;
    g_byte_array_set_size(b, 14 + 22);
    g_assert_cmpint(feed_eth(f, b), ==, NET_BAD);
    g_assert_cmpint(f->an.last, ==, SS_ANOMALY_IP_TRUNCATED);
    g_assert_cmpuint(f->an.total, ==, 4);
}

static void
test_ipv4_options(Fx *f, gconstpointer data)
{
    (void)data;
    GByteArray *ip = udp4("opts");
    /* rebuild with IHL 6 and a 4-byte option (NOPs) */
    uint8_t hdr[24];
    memcpy(hdr, ip->data, 20);
    memset(hdr + 20, 1, 4);
    hdr[0] = 0x46;
    uint16_t total = (uint16_t)(ip->len + 4);
    hdr[2] = (uint8_t)(total >> 8);
    hdr[3] = (uint8_t)total;
    GByteArray *rest = pb_data(ip->data + 20, ip->len - 20);
    g_byte_array_unref(ip);
    pb_prepend(rest, hdr, 24);
    g_autoptr(GByteArray) b = pb_eth(0x0800, rest);
    g_assert_cmpint(feed_eth(f, b), ==, NET_OK);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, "opts", 4);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_ipv4_tso(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) b = pb_eth(0x0800, udp4("offloaded"));
    b->data[16] = b->data[17] = 0; /* total length 0: segmentation offload */
    g_assert_cmpint(feed_eth(f, b), ==, NET_OK);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, "offloaded", 9);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_ip_truncated_payload(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) b = pb_eth(0x0800, udp4("0123456789"));
    /* snaplen: the wire had it all, the capture kept 5 payload bytes */
    size_t cap = b->len - 5;
    g_assert_cmpint(feed_lt(f, SS_LINKTYPE_ETHERNET, b->data, cap, b->len, T0), ==, NET_OK);
    g_assert_true(f->np.truncated);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, "01234", 5);
    g_assert_cmpuint(f->an.total, ==, 0); /* expected with a snaplen */
    /* the same bytes as a whole frame: the IP header lies */
    g_assert_cmpint(feed_lt(f, SS_LINKTYPE_ETHERNET, b->data, cap, cap, T0), ==, NET_OK);
    g_assert_true(f->np.truncated);
    g_assert_cmpuint(f->np.payload_len, ==, 5);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_IP_TRUNCATED], ==, 1);
    g_assert_cmpuint(f->an.total, ==, 1);
}

static void
test_udp_lengths(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) b = pb_eth(0x0800, udp4("0123456789"));
    size_t ulen = 14 + 20 + 4;
    b->data[ulen] = 0;
    b->data[ulen + 1] = 7; /* below the header size */
    g_assert_cmpint(feed_eth(f, b), ==, NET_BAD);
    g_assert_cmpint(f->an.last, ==, SS_ANOMALY_UDP_BAD_LENGTH);
    b->data[ulen + 1] = 8 + 20; /* more than the IP payload */
    g_assert_cmpint(feed_eth(f, b), ==, NET_OK);
    g_assert_true(f->np.truncated);
    g_assert_cmpuint(f->np.payload_len, ==, 10);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_UDP_BAD_LENGTH], ==, 2);
    b->data[ulen + 1] = 8 + 4; /* less than the IP payload */
    g_assert_cmpint(feed_eth(f, b), ==, NET_OK);
    g_assert_false(f->np.truncated);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, "0123", 4);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_UDP_BAD_LENGTH], ==, 3);
    g_assert_cmpuint(f->an.total, ==, 3);
}

static void
test_tcp_bad(Fx *f, gconstpointer data)
{
    (void)data;
    GByteArray *seg = pb_tcp(1, 2, 3, 4, SS_TCP_SYN, 0, pb_str(""));
    g_autoptr(GByteArray) b = pb_eth(0x0800, pb_ipv4("10.0.0.1", "10.0.0.2", 6, 1, 0, seg));
    g_assert_cmpint(feed_eth(f, b), ==, NET_OK);
    g_assert_cmpuint(f->np.tcp_flags, ==, SS_TCP_SYN);
    g_assert_cmpuint(f->np.payload_len, ==, 0);
    b->data[14 + 20 + 12] = 0x40; /* data offset 4 words */
    g_assert_cmpint(feed_eth(f, b), ==, NET_BAD);
    g_assert_cmpint(f->an.last, ==, SS_ANOMALY_TCP_BAD_HEADER);
    b->data[14 + 20 + 12] = 0x60; /* options past the segment */
    g_assert_cmpint(feed_eth(f, b), ==, NET_BAD);
    g_assert_cmpint(f->an.last, ==, SS_ANOMALY_TCP_TRUNCATED);
}

/* Every prefix of a valid frame decodes to NET_BAD, or NET_OK with the
 * truncated flag (or, when only trailing bytes of a header-only frame are
 * cut, a whole packet); never outside the buffer (run under ASan). */
static void
check_all_prefixes(int lt, const GByteArray *b, gboolean l4_has_payload)
{
    for (int snapped = 0; snapped <= 1; snapped++) {
        for (size_t n = 0; n <= b->len; n++) {
            Fx f;
            fx_setup(&f, NULL);
            uint8_t *copy = g_memdup2(b->data, n ? n : 1);
            NetResult r = feed_lt(&f, lt, copy, n, snapped ? b->len : n, T0);
            if (n == b->len) {
                g_assert_cmpint(r, ==, NET_OK);
                g_assert_false(f.np.truncated);
            } else if (r == NET_OK) {
                if (l4_has_payload)
                    g_assert_true(f.np.truncated);
                g_assert_true(f.np.payload >= copy);
                g_assert_true(f.np.payload + f.np.payload_len <= copy + n);
            } else {
                g_assert_cmpint(r, ==, NET_BAD);
                g_assert_cmpuint(f.an.total, >=, 1);
            }
            g_free(copy);
            fx_teardown(&f, NULL);
        }
    }
}

static GByteArray *gre_erspan2_frame(void);
static GByteArray *gre_ppp_frame(void);

static void
test_prefixes(Fx *f, gconstpointer data)
{
    (void)f;
    (void)data;
    g_autoptr(GByteArray) u4 = pb_eth(0x0800, udp4("INVITE sip:bob SIP/2.0\r\n"));
    check_all_prefixes(SS_LINKTYPE_ETHERNET, u4, TRUE);
    g_autoptr(GByteArray) t4 = pb_eth(0x0800, pb_ipv4("10.0.0.1", "10.0.0.2", 6, 1, 0,
                                                      pb_tcp(1, 2, 3, 4, 0x18, 2, pb_str("abc"))));
    check_all_prefixes(SS_LINKTYPE_ETHERNET, t4, TRUE);
    GByteArray *l4 = pb_udp(5060, 5060, pb_str("SIP/2.0 180 Ringing\r\n"));
    l4 = pb_ipv6_ext(17, 1, l4);
    l4 = pb_ipv6_ext(60, 0, l4);
    g_autoptr(GByteArray) u6 = pb_eth(0x86DD, udp6(0, l4));
    pb_eth_add_tag(u6, 0x8100, 3);
    pb_eth_add_tag(u6, 0x88A8, 4);
    check_all_prefixes(SS_LINKTYPE_ETHERNET, u6, TRUE);
    g_autoptr(GByteArray) ipip = pb_ipv4("203.0.113.1", "203.0.113.2", 4, 9, 0, udp4("tunnelled"));
    check_all_prefixes(SS_LINKTYPE_RAW, ipip, TRUE);
    g_autoptr(GByteArray) er = gre_erspan2_frame();
    check_all_prefixes(SS_LINKTYPE_ETHERNET, er, TRUE);
    g_autoptr(GByteArray) gp = gre_ppp_frame();
    check_all_prefixes(SS_LINKTYPE_ETHERNET, gp, TRUE);
}

/* ---- fragments ---- */

static void
feed_fragments(Fx *f, GPtrArray *frags, const unsigned *order, gboolean v6)
{
    for (unsigned i = 0; i < frags->len; i++) {
        GByteArray *ip = g_ptr_array_index(frags, order ? order[i] : i);
        g_autoptr(GByteArray) b = pb_eth(v6 ? 0x86DD : 0x0800, pb_data(ip->data, ip->len));
        NetResult r = feed_eth(f, b);
        if (i + 1 < frags->len) {
            g_assert_cmpint(r, ==, NET_BUFFERED);
            continue;
        }
        g_assert_cmpint(r, ==, NET_OK);
        /* the payload lives in the decoder (until the next feed), not in
         * the frame freed here */
        g_assert_true(f->np.reassembled);
    }
}

static void
test_frag4_invite(Fx *f, gconstpointer data)
{
    (void)data;
    g_autofree char *inv = pb_sip_invite(3000);
    size_t len = strlen(inv);
    g_autoptr(GByteArray) udp = pb_udp(5060, 5060, pb_str(inv));
    g_autoptr(GPtrArray) fr =
        pb_ipv4_fragments("192.0.2.10", "192.0.2.20", 17, 0x4242, udp->data, udp->len, 1480);
    g_assert_cmpuint(fr->len, ==, 3);
    static const unsigned rev[3] = {2, 0, 1};
    for (int pass = 0; pass < 2; pass++) {
        feed_fragments(f, fr, pass ? rev : NULL, FALSE);
        g_assert_cmpuint(f->np.l4proto, ==, SS_IPPROTO_UDP);
        assert_addr(&f->np.src, "192.0.2.10", 5060);
        g_assert_cmpuint(f->np.payload_len, ==, len);
        g_assert_cmpmem(f->np.payload, f->np.payload_len, inv, len);
        g_assert_false(f->np.truncated);
    }
    NetStats st;
    net_decoder_get_stats(f->d, &st);
    g_assert_cmpuint(st.fragments, ==, 6);
    g_assert_cmpuint(st.reassembled, ==, 2);
    g_assert_cmpuint(st.ip_packets, ==, 6);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_frag6_invite(Fx *f, gconstpointer data)
{
    (void)data;
    g_autofree char *inv = pb_sip_invite(2500);
    size_t len = strlen(inv);
    g_autoptr(GByteArray) udp = pb_udp(5070, 5060, pb_str(inv));
    g_autoptr(GPtrArray) fr =
        pb_ipv6_fragments("2001:db8::a", "2001:db8::b", 17, 0xfeedf00d, udp->data, udp->len, 1232);
    g_assert_cmpuint(fr->len, ==, 3);
    feed_fragments(f, fr, NULL, TRUE);
    assert_addr(&f->np.src, "2001:db8::a", 5070);
    assert_addr(&f->np.dst, "2001:db8::b", 5060);
    g_assert_cmpuint(f->np.payload_len, ==, len);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, inv, len);

    /* the fragmentable part may start with a destination options header */
    g_autoptr(GByteArray) withdst = pb_ipv6_ext(17, 0, pb_udp(5070, 5060, pb_str(inv)));
    g_autoptr(GPtrArray) fr2 = pb_ipv6_fragments("2001:db8::a", "2001:db8::b", 60, 0x1111,
                                                 withdst->data, withdst->len, 1024);
    static const unsigned order[3] = {1, 2, 0};
    feed_fragments(f, fr2, order, TRUE);
    g_assert_cmpuint(f->np.payload_len, ==, len);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, inv, len);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_frag_duplicate_missing(Fx *f, gconstpointer data)
{
    (void)data;
    g_autofree char *inv = pb_sip_invite(2000);
    g_autoptr(GByteArray) udp = pb_udp(5060, 5060, pb_str(inv));
    g_autoptr(GPtrArray) fr =
        pb_ipv4_fragments("192.0.2.10", "192.0.2.20", 17, 0x99, udp->data, udp->len, 1480);
    g_assert_cmpuint(fr->len, ==, 2);
    GByteArray *first = g_ptr_array_index(fr, 0);
    g_autoptr(GByteArray) b = pb_eth(0x0800, pb_data(first->data, first->len));
    g_assert_cmpint(feed_eth(f, b), ==, NET_BUFFERED);
    g_assert_cmpint(feed_eth(f, b), ==, NET_BUFFERED); /* duplicate */
    net_decoder_expire(f->d, T0 + SS_DEFRAG_TIMEOUT);
    NetStats st;
    net_decoder_get_stats(f->d, &st);
    g_assert_cmpuint(st.frag_timeouts, ==, 0);
    net_decoder_expire(f->d, T0 + SS_DEFRAG_TIMEOUT + SS_NSEC_PER_SEC);
    net_decoder_get_stats(f->d, &st);
    g_assert_cmpuint(st.frag_timeouts, ==, 1);
    g_assert_cmpuint(st.fragments, ==, 2);
    g_assert_cmpuint(st.reassembled, ==, 0);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_FRAG_TIMEOUT], ==, 1);
    g_assert_cmpuint(f->an.total, ==, 1);
}

static void
test_frag_overlap_conflict(Fx *f, gconstpointer data)
{
    (void)data;
    g_autofree char *inv = pb_sip_invite(2000);
    size_t len = strlen(inv);
    g_autoptr(GByteArray) udp = pb_udp(5060, 5060, pb_str(inv));
    g_autoptr(GPtrArray) fr =
        pb_ipv4_fragments("192.0.2.10", "192.0.2.20", 17, 0x77, udp->data, udp->len, 1480);
    /* a forged copy of the first fragment with different bytes */
    GByteArray *first = g_ptr_array_index(fr, 0);
    g_autoptr(GByteArray) forged = pb_eth(0x0800, pb_data(first->data, first->len));
    memcpy(forged->data + 14 + 20 + 8, "BYEBYE", 6);
    GByteArray *second = g_ptr_array_index(fr, 1);
    g_autoptr(GByteArray) a = pb_eth(0x0800, pb_data(first->data, first->len));
    g_autoptr(GByteArray) c = pb_eth(0x0800, pb_data(second->data, second->len));
    g_assert_cmpint(feed_eth(f, a), ==, NET_BUFFERED);
    g_assert_cmpint(feed_eth(f, forged), ==, NET_BUFFERED);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_FRAG_OVERLAP], ==, 1);
    g_assert_cmpint(feed_eth(f, c), ==, NET_OK);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, inv, len); /* first copy won */
}

static void
test_frag_truncated(Fx *f, gconstpointer data)
{
    (void)data;
    g_autofree char *inv = pb_sip_invite(2000);
    g_autoptr(GByteArray) udp = pb_udp(5060, 5060, pb_str(inv));
    g_autoptr(GPtrArray) fr =
        pb_ipv4_fragments("192.0.2.10", "192.0.2.20", 17, 0x78, udp->data, udp->len, 1480);
    GByteArray *first = g_ptr_array_index(fr, 0);
    g_autoptr(GByteArray) a = pb_eth(0x0800, pb_data(first->data, first->len));
    g_assert_cmpint(feed_lt(f, SS_LINKTYPE_ETHERNET, a->data, 200, a->len, T0), ==, NET_BAD);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_IP_TRUNCATED], ==, 1);
    NetStats st;
    net_decoder_get_stats(f->d, &st);
    g_assert_cmpuint(st.fragments, ==, 1);
    g_assert_cmpuint(st.bad, ==, 1);
}

/* ---- tunnels ---- */

static void
test_ipip(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) b =
        pb_eth(0x0800, pb_ipv4("203.0.113.1", "203.0.113.2", 4, 9, 0, udp4("inner")));
    g_assert_cmpint(feed_eth(f, b), ==, NET_OK);
    assert_addr(&f->np.src, "192.0.2.1", 5060);
    assert_addr(&f->np.dst, "198.51.100.2", 5080);
    g_assert_cmpuint(f->np.encap_depth, ==, 1);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, "inner", 5);

    /* IPv6 in IPv4 (41), IPv4 in IPv6 (4) */
    GByteArray *in6 = udp6(17, pb_udp(5060, 5060, pb_str("six")));
    g_autoptr(GByteArray) b6 = pb_eth(0x0800, pb_ipv4("203.0.113.1", "203.0.113.2", 41, 9, 0, in6));
    g_assert_cmpint(feed_eth(f, b6), ==, NET_OK);
    assert_addr(&f->np.src, "2001:db8::1", 5060);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, "six", 3);
    g_autoptr(GByteArray) b46 =
        pb_eth(0x86DD, pb_ipv6("2001:db8::9", "2001:db8::8", 4, udp4("four")));
    g_assert_cmpint(feed_eth(f, b46), ==, NET_OK);
    assert_addr(&f->np.src, "192.0.2.1", 5060);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, "four", 4);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_tunnel_depth(Fx *f, gconstpointer data)
{
    (void)data;
    GByteArray *p = udp4("deep");
    for (int i = 0; i < SS_MAX_ENCAP_DEPTH; i++)
        p = pb_ipv4("203.0.113.1", "203.0.113.2", 4, (uint16_t)i, 0, p);
    g_autoptr(GByteArray) ok = pb_eth(0x0800, g_byte_array_ref(p));
    g_assert_cmpint(feed_eth(f, ok), ==, NET_OK);
    g_assert_cmpuint(f->np.encap_depth, ==, SS_MAX_ENCAP_DEPTH);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, "deep", 4);
    g_autoptr(GByteArray) bad = pb_eth(0x0800, pb_ipv4("203.0.113.1", "203.0.113.2", 4, 99, 0, p));
    g_assert_cmpint(feed_eth(f, bad), ==, NET_BAD);
    g_assert_cmpuint(f->an.count[SS_ANOMALY_IP_TUNNEL_TOO_DEEP], ==, 1);
    g_assert_cmpuint(f->an.total, ==, 1);
}

static GByteArray *
gre(uint16_t flags, uint16_t proto, const uint32_t *opt, unsigned nopt, GByteArray *payload)
{
    GByteArray *h = g_byte_array_new();
    pb_put_u16(h, flags);
    pb_put_u16(h, proto);
    for (unsigned i = 0; i < nopt; i++)
        pb_put_u32(h, opt[i]);
    g_byte_array_append(h, payload->data, payload->len);
    g_byte_array_unref(payload);
    return h;
}

static GByteArray *
over_gre(GByteArray *gre_bytes)
{
    return pb_eth(0x0800, pb_ipv4("10.1.1.1", "10.2.2.2", 47, 5, 0, gre_bytes));
}

static void
assert_inner(Fx *f, const char *payload, uint16_t vlan)
{
    g_assert_cmpuint(f->np.l4proto, ==, SS_IPPROTO_UDP);
    assert_addr(&f->np.src, "192.0.2.1", 5060);
    assert_addr(&f->np.dst, "198.51.100.2", 5080);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, payload, strlen(payload));
    g_assert_cmpuint(f->np.encap_depth, ==, 1);
    g_assert_cmpuint(f->np.vlan, ==, vlan);
}

static void
test_gre_plain(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) a = over_gre(gre(0, 0x0800, NULL, 0, udp4("plain")));
    g_assert_cmpint(feed_eth(f, a), ==, NET_OK);
    assert_inner(f, "plain", 0);
    /* checksum + key + sequence (RFC 2784 / RFC 2890) */
    static const uint32_t opt[3] = {0x12340000, 0xcafe, 17};
    g_autoptr(GByteArray) b = over_gre(gre(0xB000, 0x0800, opt, 3, udp4("cks")));
    g_assert_cmpint(feed_eth(f, b), ==, NET_OK);
    assert_inner(f, "cks", 0);
    /* IPv6 payload, key only */
    g_autoptr(GByteArray) c =
        over_gre(gre(0x2000, 0x86DD, opt, 1, udp6(17, pb_udp(5060, 5080, pb_str("v6")))));
    g_assert_cmpint(feed_eth(f, c), ==, NET_OK);
    assert_addr(&f->np.src, "2001:db8::1", 5060);
    /* RFC 1701 routing: checksum/offset word, then SREs ending with 0/0 */
    static const uint32_t ropt[4] = {0, 0x08000004, 0x0a000001, 0x00000000};
    g_autoptr(GByteArray) d = over_gre(gre(0x4000, 0x0800, ropt, 4, udp4("route")));
    g_assert_cmpint(feed_eth(f, d), ==, NET_OK);
    assert_inner(f, "route", 0);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_gre_teb(Fx *f, gconstpointer data)
{
    (void)data;
    GByteArray *eth = pb_eth(0x0800, udp4("bridged"));
    pb_eth_add_tag(eth, 0x8100, 77);
    static const uint32_t key = 0;
    g_autoptr(GByteArray) a = over_gre(gre(0x2000, 0x6558, &key, 1, eth));
    g_assert_cmpint(feed_eth(f, a), ==, NET_OK);
    assert_inner(f, "bridged", 77);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static GByteArray *
gre_ppp_frame(void)
{
    /* As in nDPI gre.pcapng: VLAN -> IPv4 -> enhanced GRE (version 1, key,
     * sequence, ack) -> PPP (ff 03 00 21) -> IPv4 -> UDP. */
    GByteArray *ppp = udp4("SIP/2.0 100 Trying\r\n");
    pb_prepend(ppp, "\xff\x03\x00\x21", 4);
    static const uint32_t opt[3] = {0x014a9850, 0x6a, 0x8c};
    GByteArray *b = over_gre(gre(0x3081, 0x880B, opt, 3, ppp));
    pb_eth_add_tag(b, 0x8100, 142);
    return b;
}

static void
test_gre_ppp(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) a = gre_ppp_frame();
    g_assert_cmpint(feed_eth(f, a), ==, NET_OK);
    assert_inner(f, "SIP/2.0 100 Trying\r\n", 142);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static GByteArray *
gre_erspan2_frame(void)
{
    GByteArray *er = pb_eth(0x0800, udp4("SUBSCRIBE sip:x SIP/2.0\r\n"));
    /* ver 1, VLAN 0, COS 0, En 3, T 0, session 0x3ff; index 0 */
    pb_prepend(er, "\x10\x00\x1b\xff\x00\x00\x00\x00", 8);
    static const uint32_t seq = 1234;
    return over_gre(gre(0x1000, 0x88BE, &seq, 1, er));
}

static void
test_erspan(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) two = gre_erspan2_frame();
    g_assert_cmpint(feed_eth(f, two), ==, NET_OK);
    assert_inner(f, "SUBSCRIBE sip:x SIP/2.0\r\n", 0);

    /* type I: no sequence, no ERSPAN header */
    g_autoptr(GByteArray) one = over_gre(gre(0, 0x88BE, NULL, 0, pb_eth(0x0800, udp4("type1"))));
    g_assert_cmpint(feed_eth(f, one), ==, NET_OK);
    assert_inner(f, "type1", 0);

    /* type III without and with the platform-specific subheader */
    static const uint32_t seq = 1;
    GByteArray *e3 = pb_eth(0x0800, udp4("type3"));
    pb_prepend(e3,
               "\x20\x00\x00\x01"
               "\x00\x00\x00\x05"
               "\x00\x00\x00\x00",
               12);
    g_autoptr(GByteArray) three = over_gre(gre(0x1000, 0x22EB, &seq, 1, e3));
    g_assert_cmpint(feed_eth(f, three), ==, NET_OK);
    assert_inner(f, "type3", 0);
    GByteArray *e3o = pb_eth(0x0800, udp4("type3o"));
    pb_prepend(e3o,
               "\x20\x00\x00\x01"
               "\x00\x00\x00\x05"
               "\x00\x00\x00\x01"
               "\x03\x00\x00\x00\x00\x00\x00\x00",
               20);
    g_autoptr(GByteArray) three_o = over_gre(gre(0x1000, 0x22EB, &seq, 1, e3o));
    g_assert_cmpint(feed_eth(f, three_o), ==, NET_OK);
    assert_inner(f, "type3o", 0);
    /* type III, frame type 2: IP without Ethernet */
    GByteArray *e3ip = udp4("type3ip");
    pb_prepend(e3ip,
               "\x20\x00\x00\x01"
               "\x00\x00\x00\x05"
               "\x00\x00\x08\x00",
               12);
    g_autoptr(GByteArray) three_ip = over_gre(gre(0x1000, 0x22EB, &seq, 1, e3ip));
    g_assert_cmpint(feed_eth(f, three_ip), ==, NET_OK);
    assert_inner(f, "type3ip", 0);
    g_assert_cmpuint(f->an.total, ==, 0);
}

static void
test_gre_bad(Fx *f, gconstpointer data)
{
    (void)data;
    g_autoptr(GByteArray) v2 = over_gre(gre(0x0002, 0x0800, NULL, 0, udp4("x")));
    g_assert_cmpint(feed_eth(f, v2), ==, NET_BAD);
    g_assert_cmpint(f->an.last, ==, SS_ANOMALY_IP_TUNNEL_BAD);
    g_autoptr(GByteArray) v1nokey = over_gre(gre(0x0001, 0x880B, NULL, 0, udp4("x")));
    g_assert_cmpint(feed_eth(f, v1nokey), ==, NET_BAD);
    g_assert_cmpint(f->an.last, ==, SS_ANOMALY_IP_TUNNEL_BAD);
    g_autoptr(GByteArray) arp_in_gre = over_gre(gre(0, 0x0806, NULL, 0, pb_str("arp")));
    g_assert_cmpint(feed_eth(f, arp_in_gre), ==, NET_SKIP);
    g_assert_cmpuint(f->an.total, ==, 2);
}

/* A tunnelled fragment carried by a fragmented outer packet: the inner
 * fragment's bytes live in the outer reassembly buffer. */
static void
test_frag_in_frag(Fx *f, gconstpointer data)
{
    (void)data;
    g_autofree char *inv = pb_sip_invite(1800);
    size_t len = strlen(inv);
    g_autoptr(GByteArray) udp = pb_udp(5060, 5060, pb_str(inv));
    g_autoptr(GPtrArray) inner =
        pb_ipv4_fragments("192.0.2.10", "192.0.2.20", 17, 0x55, udp->data, udp->len, 1400);
    g_assert_cmpuint(inner->len, ==, 2);
    GByteArray *i0 = g_ptr_array_index(inner, 0);
    GByteArray *i1 = g_ptr_array_index(inner, 1);
    g_autoptr(GByteArray) o0 =
        pb_ipv4("203.0.113.1", "203.0.113.2", 4, 1, 0, pb_data(i0->data, i0->len));
    g_autoptr(GByteArray) f0 = pb_eth(0x0800, pb_data(o0->data, o0->len));
    g_assert_cmpint(feed_eth(f, f0), ==, NET_BUFFERED);
    /* the second inner fragment inside an outer datagram cut in two */
    g_autoptr(GByteArray) o1 =
        pb_ipv4("203.0.113.1", "203.0.113.2", 4, 2, 0, pb_data(i1->data, i1->len));
    g_autoptr(GPtrArray) outer =
        pb_ipv4_fragments("203.0.113.1", "203.0.113.2", 4, 2, o1->data + 20, o1->len - 20, 200);
    for (unsigned i = 0; i < outer->len; i++) {
        GByteArray *ob = g_ptr_array_index(outer, i);
        g_autoptr(GByteArray) fr = pb_eth(0x0800, pb_data(ob->data, ob->len));
        NetResult r = feed_eth(f, fr);
        g_assert_cmpint(r, ==, i + 1 < outer->len ? NET_BUFFERED : NET_OK);
    }
    g_assert_true(f->np.reassembled);
    g_assert_cmpuint(f->np.encap_depth, ==, 1);
    g_assert_cmpmem(f->np.payload, f->np.payload_len, inv, len);
    g_assert_cmpuint(f->an.total, ==, 0);
}

/* ---- a real capture: IPv4-fragmented SIP-I INVITE (tests/pcap/README.md) ---- */

static void
test_pcap_sip_i(Fx *f, gconstpointer data)
{
    (void)data;
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "pcap", "net", "sip-i.pcap", NULL);
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    if (!pc)
        g_error("%s: %s", path, err);
    g_assert_cmpint(pcap_datalink(pc), ==, SS_LINKTYPE_ETHERNET);
    struct pcap_pkthdr *h;
    const u_char *bytes;
    unsigned frame = 0;
    NetResult want[3] = {NET_BUFFERED, NET_OK, NET_OK};
    while (pcap_next_ex(pc, &h, &bytes) == 1) {
        g_assert_cmpuint(frame, <, 3);
        SsTime ts = (SsTime)h->ts.tv_sec * SS_NSEC_PER_SEC + (SsTime)h->ts.tv_usec * 1000;
        NetResult r = feed_lt(f, SS_LINKTYPE_ETHERNET, bytes, h->caplen, h->len, ts);
        g_assert_cmpint(r, ==, want[frame]);
        if (frame == 1) {
            g_assert_true(f->np.reassembled);
            assert_addr(&f->np.src, "216.221.155.72", 5060);
            assert_addr(&f->np.dst, "10.0.90.18", 5060);
            /* tshark: udp.length 1547 */
            g_assert_cmpuint(f->np.payload_len, ==, 1547 - 8);
            g_assert_cmpmem(f->np.payload, 11, "INVITE sip:", 11);
            g_autofree char *sum =
                g_compute_checksum_for_data(G_CHECKSUM_SHA256, f->np.payload, f->np.payload_len);
            g_assert_cmpstr(sum, ==,
                            "60f8691b4acc9285ea136c0dca689f577f7852ed6334b7a69c9a29d78c576f8b");
        } else if (frame == 2) {
            g_assert_false(f->np.reassembled);
            g_assert_cmpuint(f->np.payload_len, ==, 316 - 8);
            g_assert_cmpmem(f->np.payload, 8, "SIP/2.0 ", 8);
        }
        frame++;
    }
    pcap_close(pc);
    g_assert_cmpuint(frame, ==, 3);
    NetStats st;
    net_decoder_get_stats(f->d, &st);
    g_assert_cmpuint(st.fragments, ==, 2);
    g_assert_cmpuint(st.reassembled, ==, 1);
    g_assert_cmpuint(f->an.total, ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fx, NULL, fx_setup, fn, fx_teardown)
    ADD("/net/udp4", test_udp4);
    ADD("/net/eth-padding", test_eth_padding);
    ADD("/net/tcp4-vlan", test_tcp4);
    ADD("/net/udp6", test_udp6);
    ADD("/net/ipv6/ext-headers", test_ipv6_ext);
    ADD("/net/ipv6/esp-no-next-atomic", test_ipv6_esp_nonext);
    ADD("/net/ipv6/too-many-ext", test_ipv6_too_many_ext);
    ADD("/net/non-ip", test_non_ip);
    ADD("/net/ipv4/bad", test_ipv4_bad);
    ADD("/net/ipv4/options", test_ipv4_options);
    ADD("/net/ipv4/tso-zero-length", test_ipv4_tso);
    ADD("/net/ip-truncated-payload", test_ip_truncated_payload);
    ADD("/net/udp/lengths", test_udp_lengths);
    ADD("/net/tcp/bad", test_tcp_bad);
    ADD("/net/truncated-prefixes", test_prefixes);
    ADD("/net/frag/ipv4-invite", test_frag4_invite);
    ADD("/net/frag/ipv6-invite", test_frag6_invite);
    ADD("/net/frag/duplicate-missing-timeout", test_frag_duplicate_missing);
    ADD("/net/frag/overlap-conflict", test_frag_overlap_conflict);
    ADD("/net/frag/truncated-fragment", test_frag_truncated);
    ADD("/net/frag/fragment-in-fragmented-tunnel", test_frag_in_frag);
    ADD("/net/tunnel/ipip", test_ipip);
    ADD("/net/tunnel/depth", test_tunnel_depth);
    ADD("/net/tunnel/gre", test_gre_plain);
    ADD("/net/tunnel/gre-teb", test_gre_teb);
    ADD("/net/tunnel/gre-ppp", test_gre_ppp);
    ADD("/net/tunnel/erspan", test_erspan);
    ADD("/net/tunnel/gre-bad", test_gre_bad);
    ADD("/net/pcap/sip-i", test_pcap_sip_i);
#undef ADD
    return g_test_run();
}
