#include <config.h>
#include "capture/link.h"

#include <string.h>
#include "pktbuild.h"

/* 20 bytes of IPv4 header (contents irrelevant to the link layer, only the
 * version nibble is looked at by RAW) and a 40-byte IPv6 one. */
static GByteArray *
ip4_blob(void)
{
    return pb_ipv4("192.0.2.1", "192.0.2.2", 17, 1, 0, pb_str("abcd"));
}

static GByteArray *
ip6_blob(void)
{
    return pb_ipv6("2001:db8::1", "2001:db8::2", 59, pb_str("abcd"));
}

/* Decode and check the network layer starts `hdr` bytes into the frame and
 * runs to its end (minus `trail` bytes of padding). */
static void
check_ok(int lt, const GByteArray *f, L3Proto proto, size_t hdr, size_t trail, uint16_t vlan)
{
    LinkResult r;
    SsAnomaly a = SS_ANOMALY__COUNT;
    g_assert_true(link_decode(lt, f->data, f->len, &r, &a));
    g_assert_cmpint(r.proto, ==, proto);
    g_assert_cmpuint(r.vlan, ==, vlan);
    if (proto == L3_NONE) {
        g_assert_null(r.data);
        g_assert_cmpuint(r.len, ==, 0);
        return;
    }
    g_assert_true(r.data == f->data + hdr);
    g_assert_cmpuint(r.len, ==, f->len - hdr - trail);
}

/* Every prefix shorter than the link header fails with LINK_TRUNCATED;
 * every longer one succeeds with the IP bytes that are there. */
static void
check_prefixes(int lt, const GByteArray *f, size_t hdr)
{
    for (size_t n = 0; n <= f->len; n++) {
        uint8_t *copy = g_memdup2(f->data, n ? n : 1);
        LinkResult r;
        SsAnomaly a = SS_ANOMALY__COUNT;
        bool ok = link_decode(lt, copy, n, &r, &a);
        if (n < hdr || (n == hdr && (lt == SS_LINKTYPE_RAW))) {
            g_assert_false(ok);
            g_assert_cmpint(a, ==, SS_ANOMALY_LINK_TRUNCATED);
        } else {
            g_assert_true(ok);
            g_assert_true(r.data == copy + hdr);
            g_assert_cmpuint(r.len, ==, n - hdr);
        }
        g_free(copy);
    }
}

static void
test_ethernet(void)
{
    g_autoptr(GByteArray) f4 = pb_eth(0x0800, ip4_blob());
    check_ok(SS_LINKTYPE_ETHERNET, f4, L3_IPV4, 14, 0, 0);
    check_prefixes(SS_LINKTYPE_ETHERNET, f4, 14);
    g_autoptr(GByteArray) f6 = pb_eth(0x86DD, ip6_blob());
    check_ok(SS_LINKTYPE_ETHERNET, f6, L3_IPV6, 14, 0, 0);
    g_autoptr(GByteArray) arp = pb_eth(0x0806, pb_str("arp arp arp arp arp arp arp"));
    check_ok(SS_LINKTYPE_ETHERNET, arp, L3_NONE, 0, 0, 0);
    /* 802.3 length field + LLC: not IP */
    g_autoptr(GByteArray) llc = pb_eth(0x0026, pb_str("\x42\x42\x03 stp stp stp"));
    check_ok(SS_LINKTYPE_ETHERNET, llc, L3_NONE, 0, 0, 0);
}

static void
test_vlan(void)
{
    g_autoptr(GByteArray) f = pb_eth(0x0800, ip4_blob());
    pb_eth_add_tag(f, 0x8100, 0x2000 | 142); /* PCP 1, VID 142 */
    check_ok(SS_LINKTYPE_ETHERNET, f, L3_IPV4, 18, 0, 142);
    check_prefixes(SS_LINKTYPE_ETHERNET, f, 18);
}

static void
test_qinq(void)
{
    g_autoptr(GByteArray) f = pb_eth(0x86DD, ip6_blob());
    pb_eth_add_tag(f, 0x8100, 20);  /* inner C-tag */
    pb_eth_add_tag(f, 0x88A8, 300); /* outer S-tag */
    check_ok(SS_LINKTYPE_ETHERNET, f, L3_IPV6, 22, 0, 300);
    pb_eth_add_tag(f, 0x9100, 7); /* a third, pre-standard tag */
    check_ok(SS_LINKTYPE_ETHERNET, f, L3_IPV6, 26, 0, 7);
    check_prefixes(SS_LINKTYPE_ETHERNET, f, 26);
}

static GByteArray *
pppoe(uint16_t ppp_proto, GByteArray *payload)
{
    GByteArray *h = g_byte_array_new();
    pb_put_u8(h, 0x11);
    pb_put_u8(h, 0x00);
    pb_put_u16(h, 0x1234);
    pb_put_u16(h, (uint16_t)(2 + payload->len));
    pb_put_u16(h, ppp_proto);
    g_byte_array_append(h, payload->data, payload->len);
    g_byte_array_unref(payload);
    return h;
}

static void
test_pppoe(void)
{
    g_autoptr(GByteArray) f4 = pb_eth(0x8864, pppoe(0x0021, ip4_blob()));
    check_ok(SS_LINKTYPE_ETHERNET, f4, L3_IPV4, 22, 0, 0);
    check_prefixes(SS_LINKTYPE_ETHERNET, f4, 22);
    g_autoptr(GByteArray) f6 = pb_eth(0x8864, pppoe(0x0057, ip6_blob()));
    check_ok(SS_LINKTYPE_ETHERNET, f6, L3_IPV6, 22, 0, 0);
    g_autoptr(GByteArray) lcp = pb_eth(0x8864, pppoe(0xc021, pb_str("lcp lcp")));
    check_ok(SS_LINKTYPE_ETHERNET, lcp, L3_NONE, 0, 0, 0);
    /* Ethernet padding after the PPPoE length is not handed on */
    g_autoptr(GByteArray) pad = pb_eth(0x8864, pppoe(0x0021, ip4_blob()));
    g_byte_array_append(pad, (const uint8_t *)"\0\0\0\0\0\0", 6);
    check_ok(SS_LINKTYPE_ETHERNET, pad, L3_IPV4, 22, 6, 0);
    /* and behind a VLAN tag */
    pb_eth_add_tag(pad, 0x8100, 10);
    check_ok(SS_LINKTYPE_ETHERNET, pad, L3_IPV4, 26, 6, 10);
}

static void
test_mpls(void)
{
    GByteArray *in = ip4_blob();
    uint8_t labels[8] = {0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40}; /* S on the 2nd */
    pb_prepend(in, labels, 8);
    g_autoptr(GByteArray) f = pb_eth(0x8847, in);
    check_ok(SS_LINKTYPE_ETHERNET, f, L3_IPV4, 22, 0, 0);
}

static GByteArray *
sll(uint16_t proto, GByteArray *payload)
{
    uint8_t h[16] = {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0};
    h[14] = (uint8_t)(proto >> 8);
    h[15] = (uint8_t)proto;
    pb_prepend(payload, h, 16);
    return payload;
}

static GByteArray *
sll2(uint16_t proto, GByteArray *payload)
{
    uint8_t h[20] = {(uint8_t)(proto >> 8), (uint8_t)proto, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6};
    pb_prepend(payload, h, 20);
    return payload;
}

static void
test_sll(void)
{
    g_autoptr(GByteArray) f4 = sll(0x0800, ip4_blob());
    check_ok(SS_LINKTYPE_LINUX_SLL, f4, L3_IPV4, 16, 0, 0);
    check_prefixes(SS_LINKTYPE_LINUX_SLL, f4, 16);
    g_autoptr(GByteArray) f6 = sll(0x86DD, ip6_blob());
    check_ok(SS_LINKTYPE_LINUX_SLL, f6, L3_IPV6, 16, 0, 0);
    g_autoptr(GByteArray) arp = sll(0x0806, pb_str("arp"));
    check_ok(SS_LINKTYPE_LINUX_SLL, arp, L3_NONE, 0, 0, 0);
}

static void
test_sll2(void)
{
    g_autoptr(GByteArray) f4 = sll2(0x0800, ip4_blob());
    check_ok(SS_LINKTYPE_LINUX_SLL2, f4, L3_IPV4, 20, 0, 0);
    check_prefixes(SS_LINKTYPE_LINUX_SLL2, f4, 20);
    g_autoptr(GByteArray) f6 = sll2(0x86DD, ip6_blob());
    check_ok(SS_LINKTYPE_LINUX_SLL2, f6, L3_IPV6, 20, 0, 0);
    /* a VLAN-tagged frame seen on a trunk interface */
    GByteArray *in = ip4_blob();
    uint8_t tag[4] = {0x00, 0x64, 0x08, 0x00};
    pb_prepend(in, tag, 4);
    g_autoptr(GByteArray) fv = sll2(0x8100, in);
    check_ok(SS_LINKTYPE_LINUX_SLL2, fv, L3_IPV4, 24, 0, 100);
}

static GByteArray *
family_hdr(uint32_t fam, bool big_endian, GByteArray *payload)
{
    uint8_t h[4];
    for (int i = 0; i < 4; i++)
        h[i] = (uint8_t)(fam >> (big_endian ? 24 - 8 * i : 8 * i));
    pb_prepend(payload, h, 4);
    return payload;
}

static void
test_null(void)
{
    for (int be = 0; be <= 1; be++) {
        g_autoptr(GByteArray) f4 = family_hdr(2, be, ip4_blob());
        check_ok(SS_LINKTYPE_NULL, f4, L3_IPV4, 4, 0, 0);
        check_prefixes(SS_LINKTYPE_NULL, f4, 4);
        static const uint32_t v6[] = {10, 24, 28, 30};
        for (unsigned i = 0; i < G_N_ELEMENTS(v6); i++) {
            g_autoptr(GByteArray) f6 = family_hdr(v6[i], be, ip6_blob());
            check_ok(SS_LINKTYPE_NULL, f6, L3_IPV6, 4, 0, 0);
        }
        g_autoptr(GByteArray) other = family_hdr(7, be, ip4_blob());
        check_ok(SS_LINKTYPE_NULL, other, L3_NONE, 0, 0, 0);
    }
}

static void
test_loop(void)
{
    g_autoptr(GByteArray) f4 = family_hdr(2, true, ip4_blob());
    check_ok(SS_LINKTYPE_LOOP, f4, L3_IPV4, 4, 0, 0);
    g_autoptr(GByteArray) f6 = family_hdr(30, true, ip6_blob());
    check_ok(SS_LINKTYPE_LOOP, f6, L3_IPV6, 4, 0, 0);
    /* LOOP is always network order: a little-endian 2 is not AF_INET */
    g_autoptr(GByteArray) le = family_hdr(2, false, ip4_blob());
    check_ok(SS_LINKTYPE_LOOP, le, L3_NONE, 0, 0, 0);
}

static void
test_raw(void)
{
    static const int types[] = {SS_LINKTYPE_RAW, SS_LINKTYPE_RAW_OLD, SS_LINKTYPE_RAW_OLD2};
    for (unsigned i = 0; i < G_N_ELEMENTS(types); i++) {
        g_autoptr(GByteArray) f4 = ip4_blob();
        check_ok(types[i], f4, L3_IPV4, 0, 0, 0);
        g_autoptr(GByteArray) f6 = ip6_blob();
        check_ok(types[i], f6, L3_IPV6, 0, 0, 0);
        g_autoptr(GByteArray) junk = pb_str("\x50junk");
        check_ok(types[i], junk, L3_NONE, 0, 0, 0);
    }
    LinkResult r;
    SsAnomaly a;
    g_assert_false(link_decode(SS_LINKTYPE_RAW, (const uint8_t *)"", 0, &r, &a));
    g_assert_cmpint(a, ==, SS_ANOMALY_LINK_TRUNCATED);
}

static void
test_ipv4_ipv6_types(void)
{
    g_autoptr(GByteArray) f4 = ip4_blob();
    check_ok(SS_LINKTYPE_IPV4, f4, L3_IPV4, 0, 0, 0);
    g_autoptr(GByteArray) f6 = ip6_blob();
    check_ok(SS_LINKTYPE_IPV6, f6, L3_IPV6, 0, 0, 0);
}

static void
test_ppp(void)
{
    GByteArray *a = ip4_blob();
    pb_prepend(a, "\xff\x03\x00\x21", 4);
    g_autoptr(GByteArray) withac = a;
    check_ok(SS_LINKTYPE_PPP, withac, L3_IPV4, 4, 0, 0);
    check_prefixes(SS_LINKTYPE_PPP, withac, 4);
    GByteArray *b = ip6_blob();
    pb_prepend(b, "\x00\x57", 2);
    g_autoptr(GByteArray) noac = b;
    check_ok(SS_LINKTYPE_PPP, noac, L3_IPV6, 2, 0, 0);
    GByteArray *c = ip4_blob();
    pb_prepend(c, "\x21", 1); /* protocol-field compression */
    g_autoptr(GByteArray) pfc = c;
    check_ok(SS_LINKTYPE_PPP, pfc, L3_IPV4, 1, 0, 0);
    g_autoptr(GByteArray) lcp = pb_data("\xff\x03\xc0\x21\x01\x01\x00\x04", 8);
    check_ok(SS_LINKTYPE_PPP, lcp, L3_NONE, 0, 0, 0);
}

static void
test_unsupported(void)
{
    LinkResult r;
    SsAnomaly a = SS_ANOMALY__COUNT;
    g_autoptr(GByteArray) f = ip4_blob();
    g_assert_false(link_decode(147, f->data, f->len, &r, &a));
    g_assert_cmpint(a, ==, SS_ANOMALY_LINK_UNSUPPORTED);
    g_assert_false(link_type_supported(147));
    g_assert_cmpstr(link_type_name(147), ==, "unknown");
    g_assert_true(link_type_supported(SS_LINKTYPE_LINUX_SLL2));
    g_assert_cmpstr(link_type_name(SS_LINKTYPE_LINUX_SLL2), ==, "LINUX_SLL2");
    g_assert_cmpstr(link_type_name(SS_LINKTYPE_ETHERNET), ==, "ETHERNET");
    g_assert_cmpstr(link_type_name(SS_LINKTYPE_NULL), ==, "NULL");
}

static void
test_ethertype(void)
{
    LinkResult r;
    SsAnomaly a;
    g_autoptr(GByteArray) ip = ip4_blob();
    g_assert_true(link_decode_ethertype(0x0800, ip->data, ip->len, &r, &a));
    g_assert_cmpint(r.proto, ==, L3_IPV4);
    g_assert_true(r.data == ip->data);

    /* transparent Ethernet bridging: a whole Ethernet frame, tags and all */
    g_autoptr(GByteArray) eth = pb_eth(0x86DD, ip6_blob());
    pb_eth_add_tag(eth, 0x8100, 55);
    g_assert_true(link_decode_ethertype(0x6558, eth->data, eth->len, &r, &a));
    g_assert_cmpint(r.proto, ==, L3_IPV6);
    g_assert_cmpuint(r.vlan, ==, 55);
    g_assert_true(r.data == eth->data + 18);

    GByteArray *p = ip4_blob();
    pb_prepend(p, "\xff\x03\x00\x21", 4);
    g_autoptr(GByteArray) ppp = p;
    g_assert_true(link_decode_ethertype(0x880B, ppp->data, ppp->len, &r, &a));
    g_assert_cmpint(r.proto, ==, L3_IPV4);
    g_assert_true(r.data == ppp->data + 4);

    /* an Ethernet frame with type 0x6558 is not a tunnel by itself */
    g_autoptr(GByteArray) teb = pb_eth(0x6558, pb_eth(0x0800, ip4_blob()));
    check_ok(SS_LINKTYPE_ETHERNET, teb, L3_NONE, 0, 0, 0);

    g_assert_true(link_decode_ethertype(0x88CC, ip->data, ip->len, &r, &a));
    g_assert_cmpint(r.proto, ==, L3_NONE);
    g_assert_false(link_decode_ethertype(0x6558, eth->data, 13, &r, &a));
    g_assert_cmpint(a, ==, SS_ANOMALY_LINK_TRUNCATED);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/link/ethernet", test_ethernet);
    g_test_add_func("/link/vlan", test_vlan);
    g_test_add_func("/link/qinq", test_qinq);
    g_test_add_func("/link/pppoe", test_pppoe);
    g_test_add_func("/link/mpls", test_mpls);
    g_test_add_func("/link/sll", test_sll);
    g_test_add_func("/link/sll2", test_sll2);
    g_test_add_func("/link/null", test_null);
    g_test_add_func("/link/loop", test_loop);
    g_test_add_func("/link/raw", test_raw);
    g_test_add_func("/link/ipv4-ipv6", test_ipv4_ipv6_types);
    g_test_add_func("/link/ppp", test_ppp);
    g_test_add_func("/link/unsupported", test_unsupported);
    g_test_add_func("/link/ethertype", test_ethertype);
    return g_test_run();
}
