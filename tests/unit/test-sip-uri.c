/* test-sip-uri - SIP/SIPS/tel URIs, parameters, URI headers, %-escapes
 * (RFC 3261 §19.1, RFC 3966, RFC 4475 §3.1.1.3-5, §3.1.1.9). */
#include <config.h>

#include <glib.h>
#include <string.h>
#include "sip/sip_uri.h"

#define STR_EQ(view, lit) g_assert_cmpmem((view).p, (view).len, lit, sizeof(lit) - 1)
#define S(lit) ((SipStr){ lit, sizeof(lit) - 1 })

static void
test_sip(void)
{
    SipUri u;
    g_assert_true(sip_uri_parse(S("sip:alice:secretword@atlanta.com;transport=tcp;lr?subject=project%20x&priority=urgent"),
                                &u));
    g_assert_cmpint(u.scheme, ==, SIP_URI_SIP);
    STR_EQ(u.scheme_text, "sip");
    STR_EQ(u.user, "alice");
    STR_EQ(u.password, "secretword");
    STR_EQ(u.host, "atlanta.com");
    g_assert_cmpint(u.port, ==, -1);
    STR_EQ(u.params, "transport=tcp;lr");
    STR_EQ(u.headers, "subject=project%20x&priority=urgent");

    g_assert_true(sip_uri_parse(S("SIPS:+1-212-555-1212:1234@gateway.com;user=phone"), &u));
    g_assert_cmpint(u.scheme, ==, SIP_URI_SIPS);
    STR_EQ(u.user, "+1-212-555-1212");
    STR_EQ(u.password, "1234");
    STR_EQ(u.params, "user=phone");

    g_assert_true(sip_uri_parse(S("sip:192.0.2.4:5060"), &u));
    g_assert_cmpuint(u.user.len, ==, 0);
    STR_EQ(u.host, "192.0.2.4");
    g_assert_cmpint(u.port, ==, 5060);
    g_assert_cmpuint(u.params.len, ==, 0);
    g_assert_cmpuint(u.headers.len, ==, 0);

    /* IPv6 reference keeps its brackets */
    g_assert_true(sip_uri_parse(S("sip:bob@[2001:db8::10]:5070;maddr=[::1]"), &u));
    STR_EQ(u.host, "[2001:db8::10]");
    g_assert_cmpint(u.port, ==, 5070);
    STR_EQ(u.params, "maddr=[::1]");
    g_assert_true(sip_uri_parse(S("sip:[::1]"), &u));
    STR_EQ(u.host, "[::1]");

    /* RFC 4475 §3.1.1.9: ';' in the user part */
    g_assert_true(sip_uri_parse(S("sip:user;par=u%40example.net@example.com"), &u));
    STR_EQ(u.user, "user;par=u%40example.net");
    STR_EQ(u.host, "example.com");
    g_assert_cmpuint(u.params.len, ==, 0);

    /* no '@': the hostport only */
    g_assert_true(sip_uri_parse(S("sip:example.com;lr?h=v"), &u));
    STR_EQ(u.host, "example.com");
    STR_EQ(u.params, "lr");
    STR_EQ(u.headers, "h=v");
    g_assert_true(sip_uri_parse(S("sip:example.com?h=v"), &u));
    g_assert_cmpuint(u.params.len, ==, 0);
    STR_EQ(u.headers, "h=v");
}

static void
test_tel_other(void)
{
    SipUri u;
    g_assert_true(sip_uri_parse(S("tel:+1-201-555-0123;ext=1234"), &u));
    g_assert_cmpint(u.scheme, ==, SIP_URI_TEL);
    STR_EQ(u.user, "+1-201-555-0123");
    STR_EQ(u.params, "ext=1234");
    g_assert_cmpuint(u.host.len, ==, 0);
    g_assert_cmpint(u.port, ==, -1);
    g_assert_true(sip_uri_parse(S("TEL:7042"), &u));
    g_assert_cmpint(u.scheme, ==, SIP_URI_TEL);
    STR_EQ(u.user, "7042");
    g_assert_false(sip_uri_parse(S("tel:"), &u));

    g_assert_true(sip_uri_parse(S("urn:service:sos"), &u));
    g_assert_cmpint(u.scheme, ==, SIP_URI_OTHER);
    STR_EQ(u.scheme_text, "urn");
    g_assert_true(sip_uri_parse(S("soap.beep://192.0.2.103:3002"), &u));
    STR_EQ(u.scheme_text, "soap.beep");
    g_assert_true(sip_uri_parse(S("mailto:a@b"), &u));
    g_assert_cmpint(u.scheme, ==, SIP_URI_OTHER);
}

static void
test_invalid(void)
{
    SipUri u;
    const SipStr bad[] = {
        S(""),          S("nocolon"),         S(":x"),          S("1sip:a@b"),
        S("sip:"),      S("sip:@host"),       S("sip:a@"),      S("sip:a@h:port"),
        S("sip:a@h:70000"), S("sip:a@h; lr"), S("sip:a b@h"),   S("sip:a@[::1"),
        S("sip:a@ho$t"), S("sip:a@[zz]"),     S("sip:a@h:5060x;lr"), S("http:"),
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("bad uri %zu: %.*s", i, (int)bad[i].len, bad[i].p);
        g_assert_false(sip_uri_parse(bad[i], &u));
    }
    g_assert_false(sip_uri_parse((SipStr){ NULL, 0 }, &u));
    /* best effort on failure */
    g_assert_false(sip_uri_parse(S("sip:a@h:70000;lr"), &u));
    STR_EQ(u.host, "h");
    g_assert_cmpint(u.port, ==, -1);
    STR_EQ(u.params, "lr");
}

static void
test_params(void)
{
    SipStr v;
    SipStr params = S("transport=TCP; lr ;maddr = 10.0.0.1;x=\"a;b=c\";Method=INVITE;empty=");
    g_assert_true(sip_param_get(params, "transport", &v));
    STR_EQ(v, "TCP");
    g_assert_true(sip_param_get(params, "LR", &v));
    g_assert_cmpuint(v.len, ==, 0);
    g_assert_true(sip_param_get(params, "maddr", &v));
    STR_EQ(v, "10.0.0.1");
    g_assert_true(sip_param_get(params, "x", &v));
    STR_EQ(v, "\"a;b=c\"");
    g_assert_false(sip_param_get(params, "b", &v));
    g_assert_cmpuint(v.len, ==, 0);
    g_assert_true(sip_param_get(params, "method", &v));
    STR_EQ(v, "INVITE");
    g_assert_true(sip_param_get(params, "empty", &v));
    g_assert_cmpuint(v.len, ==, 0);
    g_assert_false(sip_param_get(params, "trans", &v));
    g_assert_false(sip_param_get(S(""), "lr", &v));
    g_assert_true(sip_param_get(params, "lr", NULL));

    /* the iterator */
    size_t pos = 0;
    SipStr n;
    bool hv;
    const char *names[] = { "transport", "lr", "maddr", "x", "Method", "empty" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_assert_true(sip_param_next(params, &pos, &n, &v, &hv));
        g_assert_cmpmem(n.p, n.len, names[i], strlen(names[i]));
        g_assert_cmpint(hv, ==, i != 1);
    }
    g_assert_false(sip_param_next(params, &pos, &n, &v, &hv));
    pos = 0;
    g_assert_true(sip_param_next(S("a;;b"), &pos, &n, &v, &hv));
    g_assert_true(sip_param_next(S("a;;b"), &pos, &n, &v, &hv));
    g_assert_cmpuint(n.len, ==, 0);
    g_assert_true(sip_param_next(S("a;;b"), &pos, &n, &v, &hv));
    STR_EQ(n, "b");
    g_assert_false(sip_param_next(S("a;;b"), &pos, &n, &v, &hv));
}

static void
test_uri_headers(void)
{
    SipStr v;
    SipStr h = S("Subject=hi&Replaces=a%40b%3Bto-tag%3D1&X=&Flag");
    g_assert_true(sip_uri_header_get(h, "replaces", &v));
    STR_EQ(v, "a%40b%3Bto-tag%3D1");
    g_assert_true(sip_uri_header_get(h, "SUBJECT", &v));
    STR_EQ(v, "hi");
    g_assert_true(sip_uri_header_get(h, "X", &v));
    g_assert_cmpuint(v.len, ==, 0);
    g_assert_true(sip_uri_header_get(h, "flag", &v));
    g_assert_false(sip_uri_header_get(h, "Replace", &v));
    g_assert_false(sip_uri_header_get(S(""), "x", &v));
}

static void
test_unescape(void)
{
    char out[64];
    size_t n;
    n = sip_str_unescape(S("sips%3Auser%40example.com"), out, sizeof out);
    g_assert_cmpmem(out, n, "sips:user@example.com", 21);
    /* RFC 4475 §3.1.1.3 */
    n = sip_str_unescape(S("%6C%72;n%61me=v%61lue%25%34%31"), out, sizeof out);
    g_assert_cmpmem(out, n, "lr;name=value%41", 16);
    /* RFC 4475 §3.1.1.4: %00 decodes to a NUL, kept */
    n = sip_str_unescape(S("null-%00-null"), out, sizeof out);
    g_assert_cmpmem(out, n, "null-\0-null", 11);
    /* RFC 4475 §3.1.1.5: '%' that is not an escape is copied */
    n = sip_str_unescape(S("%Z%45"), out, sizeof out);
    g_assert_cmpmem(out, n, "%ZE", 3);
    n = sip_str_unescape(S("209%fzsnel234"), out, sizeof out);
    g_assert_cmpmem(out, n, "209%fzsnel234", 13);
    n = sip_str_unescape(S("end%4"), out, sizeof out);
    g_assert_cmpmem(out, n, "end%4", 5);
    n = sip_str_unescape(S("end%"), out, sizeof out);
    g_assert_cmpmem(out, n, "end%", 4);
    n = sip_str_unescape(S("%aB%Cd"), out, sizeof out);
    g_assert_cmpmem(out, n, "\xab\xcd", 2);
    n = sip_str_unescape(S(""), out, sizeof out);
    g_assert_cmpuint(n, ==, 0);
    /* does not fit */
    g_assert_cmpuint(sip_str_unescape(S("abcdef"), out, 5), ==, (size_t)-1);
    g_assert_cmpuint(sip_str_unescape(S("%41%42"), out, 2), ==, 2);
    g_assert_cmpuint(sip_str_unescape(S("%41%42%43"), out, 2), ==, (size_t)-1);
}

static void
test_str_helpers(void)
{
    g_assert_true(sip_str_eq(S("INVITE"), "INVITE"));
    g_assert_false(sip_str_eq(S("invite"), "INVITE"));
    g_assert_false(sip_str_eq(S("INVITE"), "INVIT"));
    g_assert_true(sip_str_ieq(S("invite"), "INVITE"));
    g_assert_false(sip_str_ieq(S("invitf"), "INVITE"));
    g_assert_true(sip_str_eq(S(""), ""));
    g_assert_true(sip_str_equal(S("a\0b"), S("a\0b")));
    g_assert_false(sip_str_equal(S("a\0b"), S("a\0c")));
    SipStr t = sip_str_trim(S(" \t\r\n x y \r\n "));
    STR_EQ(t, "x y");
    g_assert_cmpuint(sip_str_trim(S("  ")).len, ==, 0);
    g_assert_true(sip_str_is_token(S("z9hG4bK-.!%*_+`'~")));
    g_assert_false(sip_str_is_token(S("a b")));
    g_assert_false(sip_str_is_token(S("")));
    g_assert_false(sip_str_is_token(S("a;b")));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/uri/sip", test_sip);
    g_test_add_func("/sip/uri/tel-and-other", test_tel_other);
    g_test_add_func("/sip/uri/invalid", test_invalid);
    g_test_add_func("/sip/uri/params", test_params);
    g_test_add_func("/sip/uri/headers", test_uri_headers);
    g_test_add_func("/sip/uri/unescape", test_unescape);
    g_test_add_func("/sip/uri/str-helpers", test_str_helpers);
    return g_test_run();
}
