/* test-sip-header - typed header accessors (RFC 3261 §20, §25; RFC 3515,
 * 3891, 3892, 4488, 4538, 6665, 3326, 3262). */
#include <config.h>

#include <glib.h>
#include <string.h>
#include "sip/sip_header.h"
#include "sip/sip_parse.h"
#include "sip/sip_uri.h"

static SipMessage msg;
static gchar *text;

#define STR_EQ(view, lit) g_assert_cmpmem((view).p, (view).len, lit, sizeof(lit) - 1)
#define S(lit) ((SipStr){ lit, sizeof(lit) - 1 })

/* A request with the mandatory headers plus extra (CRLF-terminated lines). */
static void
parse_with(const char *method, const char *extra)
{
    g_free(text);
    text = g_strdup_printf("%s sip:b@example.com SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
                           "From: <sip:a@example.com>;tag=1\r\n"
                           "To: <sip:b@example.com>\r\n"
                           "Call-ID: c1@h\r\n"
                           "CSeq: 1 %s\r\n"
                           "%s"
                           "Content-Length: 0\r\n\r\n",
                           method, method, extra);
    g_assert_cmpint(sip_message_parse(&msg, text, strlen(text)), ==, SIP_PARSE_OK);
}

static void
test_name_addr(void)
{
    SipNameAddr na;

    g_assert_true(sip_name_addr_parse(S("\"Alice \\\"A\\\" L\" <sip:alice@a.example>;tag=x;foo"), &na));
    STR_EQ(na.display, "Alice \\\"A\\\" L");
    STR_EQ(na.uri, "sip:alice@a.example");
    STR_EQ(na.params, "tag=x;foo");
    STR_EQ(na.tag, "x");
    g_assert_true(na.bracketed);
    g_assert_false(na.malformed);

    /* RFC 4475 §3.1.1.6: no LWS between display name and < */
    g_assert_true(sip_name_addr_parse(S("Bob Smith<sip:bob@b>"), &na));
    STR_EQ(na.display, "Bob Smith");
    STR_EQ(na.uri, "sip:bob@b");
    g_assert_cmpuint(na.tag.len, ==, 0);
    g_assert_false(na.malformed);

    /* quoted display name glued to < */
    g_assert_true(sip_name_addr_parse(S("\"x\"<sip:x@h>"), &na));
    STR_EQ(na.display, "x");

    /* addr-spec: the parameters belong to the header (RFC 3261 §20.10) */
    g_assert_true(sip_name_addr_parse(S("sip:bob@b;user=phone;tag=77"), &na));
    STR_EQ(na.uri, "sip:bob@b");
    STR_EQ(na.params, "user=phone;tag=77");
    STR_EQ(na.tag, "77");
    g_assert_false(na.bracketed);
    g_assert_false(na.malformed);
    g_assert_cmpuint(na.display.len, ==, 0);

    /* URI parameters inside <> are not header parameters */
    g_assert_true(sip_name_addr_parse(S("<sip:bob@b;tag=inside>;tag=outside"), &na));
    STR_EQ(na.uri, "sip:bob@b;tag=inside");
    STR_EQ(na.tag, "outside");

    /* LWS (with folding) around ; and = */
    g_assert_true(sip_name_addr_parse(S("<sip:a@h> \r\n ;\r\n tag = 9z "), &na));
    STR_EQ(na.tag, "9z");
    g_assert_false(na.malformed);

    /* quoted parameter values may hold ';' */
    g_assert_true(sip_name_addr_parse(S("<sip:a@h>;x=\"a;b\";tag=t"), &na));
    STR_EQ(na.tag, "t");
    g_assert_false(na.malformed);

    /* structural failures */
    g_assert_false(sip_name_addr_parse(S(""), &na));
    g_assert_false(sip_name_addr_parse(S("   "), &na));
    g_assert_false(sip_name_addr_parse(S("\"unterminated <sip:a@h>"), &na));
    g_assert_false(sip_name_addr_parse(S("\"q\" sip:a@h"), &na));
    g_assert_false(sip_name_addr_parse(S("<sip:a@h"), &na));
    g_assert_false(sip_name_addr_parse(S("<>"), &na));
    g_assert_false(sip_name_addr_parse(S(";tag=1"), &na));

    /* usable but malformed (flagged SIP_BAD_NAME_ADDR by the parser) */
    const SipStr bad[] = {
        S("Bell, Alexander <sip:a@h>"), /* RFC 4475 §3.1.2.15 */
        S("< sip:a@h >"),               /* §3.1.2.14 */
        S("sip:a@h?Route=x"),           /* §3.1.2.13 */
        S("<sip:a@h>;;;;"),             /* §3.1.2.1 */
        S("<sip:a@h>;"),
        S("<sip:a@h>;tag="),
        S("<sip:a@h> junk"),
        S("a@h"),                       /* no scheme */
        S("<a@h>"),
        S("<sip:a@h>;x=\"open"),
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("bad %zu", i);
        g_assert_true(sip_name_addr_parse(bad[i], &na));
        g_assert_true(na.malformed);
    }
    g_assert_true(sip_name_addr_parse(S("sip:a@h?Route=x"), &na));
    STR_EQ(na.uri, "sip:a@h?Route=x");
}

static void
test_next_value(void)
{
    SipStr rest = S(" a , \"b,c\" <sip:x@h;p=1,2>;q=1 ,<sip:y@h>\r\n , d"), v;
    g_assert_true(sip_header_next_value(&rest, &v));
    STR_EQ(v, "a");
    g_assert_true(sip_header_next_value(&rest, &v));
    STR_EQ(v, "\"b,c\" <sip:x@h;p=1,2>;q=1");
    g_assert_true(sip_header_next_value(&rest, &v));
    STR_EQ(v, "<sip:y@h>");
    g_assert_true(sip_header_next_value(&rest, &v));
    STR_EQ(v, "d");
    g_assert_false(sip_header_next_value(&rest, &v));
    g_assert_false(sip_header_next_value(&rest, &v));

    /* empty values are returned as such */
    rest = S("x,,y");
    g_assert_true(sip_header_next_value(&rest, &v));
    STR_EQ(v, "x");
    g_assert_true(sip_header_next_value(&rest, &v));
    g_assert_cmpuint(v.len, ==, 0);
    g_assert_true(sip_header_next_value(&rest, &v));
    STR_EQ(v, "y");
    g_assert_false(sip_header_next_value(&rest, &v));

    /* escaped quote inside a quoted string */
    rest = S("\"a\\\",b\" <sip:a@h>, <sip:b@h>");
    g_assert_true(sip_header_next_value(&rest, &v));
    STR_EQ(v, "\"a\\\",b\" <sip:a@h>");
}

static void
test_via(void)
{
    SipVia via;
    g_assert_true(sip_via_parse(S("SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bK776;received=192.0.2.1;rport=5061"),
                                &via));
    STR_EQ(via.protocol, "SIP/2.0");
    STR_EQ(via.transport, "UDP");
    STR_EQ(via.host, "pc33.example.com");
    g_assert_cmpint(via.port, ==, 5060);
    STR_EQ(via.branch, "z9hG4bK776");
    STR_EQ(via.received, "192.0.2.1");
    g_assert_true(via.has_rport);
    g_assert_cmpint(via.rport, ==, 5061);
    STR_EQ(via.params, "branch=z9hG4bK776;received=192.0.2.1;rport=5061");
    g_assert_false(via.malformed);

    /* rport without value (RFC 3581), IPv6 reference, no port */
    g_assert_true(sip_via_parse(S("SIP/2.0/TCP [2001:db8::9:1];rport;BRANCH=z9hG4bKx"), &via));
    STR_EQ(via.host, "[2001:db8::9:1]");
    g_assert_cmpint(via.port, ==, -1);
    g_assert_true(via.has_rport);
    g_assert_cmpint(via.rport, ==, -1);
    STR_EQ(via.branch, "z9hG4bKx");
    g_assert_false(via.malformed);

    g_assert_true(sip_via_parse(S("SIP/2.0/TLS [2001:db8::1]:5061"), &via));
    STR_EQ(via.host, "[2001:db8::1]");
    g_assert_cmpint(via.port, ==, 5061);
    g_assert_false(via.has_rport);
    g_assert_cmpuint(via.branch.len, ==, 0);
    STR_EQ(via.transport, "TLS");

    /* LWS everywhere SLASH and LWS allow it */
    g_assert_true(sip_via_parse(S("SIP / 2.0 / WS  df7jal23ls0d.invalid : 80 ; branch = z9hG4bKws"), &via));
    STR_EQ(via.protocol, "SIP / 2.0");
    STR_EQ(via.transport, "WS");
    STR_EQ(via.host, "df7jal23ls0d.invalid");
    g_assert_cmpint(via.port, ==, 80);
    STR_EQ(via.branch, "z9hG4bKws");

    /* the "SIP/2.0/" shortcut: any case, LWS after its slash, and the same
     * answers as the general path ("SIP/2.0 /" and "SIP/2.01/" take it) */
    g_assert_true(sip_via_parse(S("sIp/2.0/udp h.example;branch=z9hG4bKa"), &via));
    STR_EQ(via.protocol, "sIp/2.0");
    STR_EQ(via.transport, "udp");
    STR_EQ(via.host, "h.example");
    g_assert_true(sip_via_parse(S("SIP/2.0/ \t TCP h2"), &via));
    STR_EQ(via.protocol, "SIP/2.0");
    STR_EQ(via.transport, "TCP");
    STR_EQ(via.host, "h2");
    g_assert_true(sip_via_parse(S("SIP/2.0 /UDP h3"), &via));
    STR_EQ(via.protocol, "SIP/2.0");
    STR_EQ(via.transport, "UDP");
    g_assert_true(sip_via_parse(S("SIP/2.01/UDP h4"), &via));
    STR_EQ(via.protocol, "SIP/2.01");
    g_assert_false(sip_via_parse(S("SIP/2.0/"), &via));
    g_assert_false(sip_via_parse(S("SIP/2.0/ "), &via));
    g_assert_false(sip_via_parse(S("SIP/2.0/;x h"), &via));

    /* unusable */
    g_assert_false(sip_via_parse(S(""), &via));
    g_assert_false(sip_via_parse(S("SIP/2.0"), &via));
    g_assert_false(sip_via_parse(S("SIP/2.0/UDP"), &via));
    g_assert_false(sip_via_parse(S("SIP/2.0/UDP ;branch=x"), &via));
    g_assert_false(sip_via_parse(S("SIP/2.0/UDP [::1;branch=x"), &via));
    g_assert_false(sip_via_parse(S(";"), &via));

    /* usable but malformed */
    const SipStr bad[] = {
        S("SIP/2.0/UDP h:99999"),
        S("SIP/2.0/UDP h:"),
        S("SIP/2.0/UDP h;;"),
        S("SIP/2.0/UDP h;"),
        S("SIP/2.0/UDP h junk;branch=z9hG4bKj"),
        S("SIP/2.0/UDP h;rport=abc"),
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("bad via %zu", i);
        g_assert_true(sip_via_parse(bad[i], &via));
        g_assert_true(via.malformed);
        STR_EQ(via.host, "h");
    }
    g_assert_true(sip_via_parse(S("SIP/2.0/UDP h junk;branch=z9hG4bKj"), &via));
    STR_EQ(via.branch, "z9hG4bKj");

    /* in a message: the top value and the count across headers */
    parse_with("INVITE", "Via: SIP/2.0/UDP p2;branch=z9hG4bK2, SIP/2.0/UDP p3;branch=z9hG4bK3\r\n");
    g_assert_true(sip_get_top_via(&msg, &via));
    STR_EQ(via.host, "h.example.com");
    g_assert_cmpuint(sip_count_via(&msg), ==, 3);
    g_assert_cmpuint(msg.n_anomalies, ==, 0);

    parse_with("INVITE", "Via: SIP/2.0/UDP p2;;branch=z9hG4bK2\r\n");
    g_assert_true(sip_message_has_anomaly(&msg, SS_ANOMALY_SIP_BAD_VIA));
}

/* Parameter lists of every length around the 16-byte steps and the 63-byte
 * limit of the bit-mask scan, in exact-size buffers (ASan sees any read
 * past the end), and the malformed forms it must judge as the general scan
 * does. */
static void
na_exact(const char *value, SipNameAddr *na, gchar **buf)
{
    size_t n = strlen(value);
    g_free(*buf);
    *buf = g_malloc(n ? n : 1);
    memcpy(*buf, value, n);
    g_assert_true(sip_name_addr_parse((SipStr){ *buf, n }, na));
}

static void
test_param_lists(void)
{
    SipNameAddr na;
    SipVia via;
    gchar *buf = NULL;
    for (size_t len = 1; len <= 80; len++) {
        g_autofree gchar *run = g_strnfill(len, 'b');
        g_autofree gchar *v1 = g_strdup_printf("<sip:a@h>;tag=%s", run);
        na_exact(v1, &na, &buf);
        g_assert_cmpmem(na.tag.p, na.tag.len, run, len);
        g_assert_false(na.malformed);

        g_autofree gchar *v2 = g_strdup_printf("<sip:a@h>;x-y.z_=%s;TAG=t9", run);
        na_exact(v2, &na, &buf);
        STR_EQ(na.tag, "t9");
        g_assert_false(na.malformed);

        g_autofree gchar *v3 = g_strdup_printf("<sip:a@h>;foo=%s;;tag=t9", run);
        na_exact(v3, &na, &buf);
        STR_EQ(na.tag, "t9");
        g_assert_true(na.malformed);

        g_autofree gchar *v4 = g_strdup_printf("<sip:a@h>;tag=%s;", run);
        na_exact(v4, &na, &buf);
        g_assert_cmpmem(na.tag.p, na.tag.len, run, len);
        g_assert_true(na.malformed);

        g_autofree gchar *v5 = g_strdup_printf("SIP/2.0/UDP h:5060;branch=z9hG4bK%s;rport", run);
        g_free(buf);
        buf = g_memdup2(v5, strlen(v5));
        g_assert_true(sip_via_parse((SipStr){ buf, strlen(v5) }, &via));
        g_assert_cmpuint(via.branch.len, ==, len + 7);
        g_assert_true(via.has_rport);
        g_assert_cmpint(via.rport, ==, -1);
        g_assert_false(via.malformed);
    }

    /* one per form: the value, and whether the list is malformed */
    static const struct {
        const char *params, *tag;
        gboolean malformed;
    } cases[] = {
        { "tag=a:b[c]", "a:b[c]", FALSE },
        { "tag:x;a=1", ":x", TRUE },   /* ':' ends the name; the rest up to ';' is the value */
        { "tag==x", "=x", TRUE },
        { "tag=", "", TRUE },
        { "=x;tag=y", "y", TRUE },
        { "a;tag=y", "y", FALSE },
        { "tag", "", FALSE },
        { "tag=x/y;a", "x/y", TRUE },  /* '/' is no gen-value character */
        { "tag=x!y~z", "x!y~z", FALSE }, /* token characters outside alnum - . _ */
        { "tag = x ; a", "x", FALSE },
        { "tag=\"q;\\\"x\"", "\"q;\\\"x\"", FALSE },
        { "tag=x;tag=y", "x", FALSE },
        { "tagx=1;ta=2;tag=3", "3", FALSE },
        { "t\xc3\xa4g=1;tag=2", "2", TRUE },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree gchar *v = g_strdup_printf("<sip:a@h>;%s", cases[i].params);
        g_test_message("params %s", cases[i].params);
        na_exact(v, &na, &buf);
        g_assert_cmpmem(na.tag.p, na.tag.len, cases[i].tag, strlen(cases[i].tag));
        g_assert_cmpint(na.malformed, ==, cases[i].malformed);
    }

    /* ports: leading zeros, the bound, and past it; rport the same */
    static const struct {
        const char *value;
        int port, rport;
        gboolean malformed;
    } vias[] = {
        { "SIP/2.0/UDP h:065535", 65535, -1, FALSE },
        { "SIP/2.0/UDP h:65536", -1, -1, TRUE },
        { "SIP/2.0/UDP h:0000000000000000000000005060;rport=0", 5060, 0, FALSE },
        { "SIP/2.0/UDP h:99999999999999999999999", -1, -1, TRUE },
        { "SIP/2.0/UDP h:1;rport=65536", 1, -1, TRUE },
        { "SIP/2.0/UDP h:1;rport=65535;received=[::1]", 1, 65535, FALSE },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(vias); i++) {
        g_test_message("via %s", vias[i].value);
        g_free(buf);
        buf = g_memdup2(vias[i].value, strlen(vias[i].value));
        g_assert_true(sip_via_parse((SipStr){ buf, strlen(vias[i].value) }, &via));
        g_assert_cmpint(via.port, ==, vias[i].port);
        g_assert_cmpint(via.rport, ==, vias[i].rport);
        g_assert_cmpint(via.malformed, ==, vias[i].malformed);
    }
    g_free(buf);
}

static void
test_basic_getters(void)
{
    SipStr s, t, p;
    SipNameAddr na;
    SipCSeq cs;
    parse_with("INVITE", "Contact: \"Me\" <sip:me@1.2.3.4:5070;transport=tcp>;expires=60, <sip:two@h>\r\n"
                         "Max-Forwards: 69\r\n"
                         "Content-Type: application/sdp ; charset=utf-8\r\n"
                         "Server: srv/1\r\n"
                         "RSeq: 988789\r\n");
    g_assert_cmpuint(msg.n_anomalies, ==, 0);
    g_assert_true(sip_get_call_id(&msg, &s));
    STR_EQ(s, "c1@h");
    g_assert_true(sip_get_from(&msg, &na));
    STR_EQ(na.tag, "1");
    g_assert_true(sip_get_to(&msg, &na));
    g_assert_cmpuint(na.tag.len, ==, 0);
    g_assert_true(sip_get_contact(&msg, &na));
    STR_EQ(na.display, "Me");
    STR_EQ(na.uri, "sip:me@1.2.3.4:5070;transport=tcp");
    STR_EQ(na.params, "expires=60");
    g_assert_true(sip_get_cseq(&msg, &cs));
    g_assert_cmpuint(cs.seq, ==, 1);
    g_assert_cmpint(cs.method, ==, SIP_METHOD_INVITE);
    g_assert_cmpint(sip_get_max_forwards(&msg), ==, 69);
    g_assert_true(sip_get_content_type(&msg, &t, &p));
    STR_EQ(t, "application/sdp");
    STR_EQ(p, "charset=utf-8");
    g_assert_cmpint(sip_get_content_length(&msg), ==, 0);
    /* no User-Agent: Server */
    g_assert_true(sip_get_user_agent(&msg, &s));
    STR_EQ(s, "srv/1");
    g_assert_cmpint(sip_get_rseq(&msg), ==, 988789);
    SipStr v = sip_header_value(&msg, sip_message_header(&msg, SIP_HDR_CALL_ID));
    STR_EQ(v, "c1@h");
    g_assert_cmpuint(sip_header_value(&msg, NULL).len, ==, 0);

    parse_with("INVITE", "User-Agent:  phone 1.0  \r\nServer: srv/1\r\nRSeq: 0\r\n");
    g_assert_true(sip_get_user_agent(&msg, &s));
    STR_EQ(s, "phone 1.0");
    g_assert_cmpint(sip_get_rseq(&msg), ==, -1);
    g_assert_false(sip_get_contact(&msg, &na));
    g_assert_cmpint(sip_get_refer_sub(&msg), ==, -1);
    SipReason r;
    g_assert_false(sip_get_reason(&msg, &r));

    parse_with("INVITE", "RSeq: 4294967296\r\nMax-Forwards: 256\r\n");
    g_assert_cmpint(sip_get_rseq(&msg), ==, -1);
    g_assert_cmpint(sip_get_max_forwards(&msg), ==, -1);
    g_assert_true(sip_message_has_anomaly(&msg, SS_ANOMALY_SIP_BAD_MAX_FORWARDS));
    g_assert_false(sip_get_user_agent(&msg, &s));
    g_assert_false(sip_get_content_type(&msg, &t, &p));
}

static void
test_cseq(void)
{
    SipCSeq cs;
    static const struct {
        const char *value;
        gboolean ok;
        uint32_t seq;
        SipMethod method;
    } cases[] = {
        { "4294967295 BYE", TRUE, 4294967295u, SIP_METHOD_BYE },
        { "0 ACK", TRUE, 0, SIP_METHOD_ACK },
        { "0009\r\n  INVITE", TRUE, 9, SIP_METHOD_INVITE },
        { "4294967296 BYE", FALSE, 0, 0 },
        { "36893488147419103232 REGISTER", FALSE, 0, 0 },
        { "00000000000000000000004294967295 BYE", TRUE, 4294967295u, SIP_METHOD_BYE },
        { "99999999999999999999999999999999 BYE", FALSE, 0, 0 },
        { "12", FALSE, 0, 0 },
        { "BYE", FALSE, 0, 0 },
        { "12BYE", FALSE, 0, 0 },
        { "-1 BYE", FALSE, 0, 0 },
        { "1 BYE x", FALSE, 0, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree gchar *line = g_strdup_printf("CSeq: %s\r\n", cases[i].value);
        g_free(text);
        text = g_strdup_printf("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=1\r\n"
                               "To: <sip:b@h>\r\nCall-ID: x\r\n%s\r\n",
                               line);
        g_assert_cmpint(sip_message_parse(&msg, text, strlen(text)), ==, SIP_PARSE_OK);
        g_test_message("%s", cases[i].value);
        g_assert_cmpint(sip_get_cseq(&msg, &cs), ==, cases[i].ok);
        g_assert_cmpint(sip_message_has_anomaly(&msg, SS_ANOMALY_SIP_BAD_CSEQ), ==, !cases[i].ok);
        if (cases[i].ok) {
            g_assert_cmpuint(cs.seq, ==, cases[i].seq);
            g_assert_cmpint(cs.method, ==, cases[i].method);
        }
    }
}

static void
test_reason(void)
{
    SipReason r;
    parse_with("BYE", "Reason: Q.850 ;cause=16 ;text=\"Terminated\", SIP;cause=200\r\n");
    g_assert_true(sip_get_reason(&msg, &r));
    STR_EQ(r.protocol, "Q.850");
    g_assert_cmpint(r.cause, ==, 16);
    STR_EQ(r.text, "Terminated");
    parse_with("CANCEL", "Reason: SIP;text=\"Call completed elsewhere\";cause=200\r\n");
    g_assert_true(sip_get_reason(&msg, &r));
    STR_EQ(r.protocol, "SIP");
    g_assert_cmpint(r.cause, ==, 200);
    STR_EQ(r.text, "Call completed elsewhere");
    parse_with("BYE", "Reason: SIP\r\n");
    g_assert_true(sip_get_reason(&msg, &r));
    g_assert_cmpint(r.cause, ==, -1);
    g_assert_cmpuint(r.text.len, ==, 0);
}

static void
test_event_substate(void)
{
    SipEvent ev;
    SipSubState ss;
    parse_with("NOTIFY", "o: refer;id=93809824\r\nSubscription-State: terminated;reason=noresource\r\n");
    g_assert_true(sip_get_event(&msg, &ev));
    STR_EQ(ev.package, "refer");
    STR_EQ(ev.id, "93809824");
    g_assert_true(sip_get_subscription_state(&msg, &ss));
    STR_EQ(ss.state, "terminated");
    STR_EQ(ss.reason, "noresource");
    g_assert_cmpint(ss.expires, ==, -1);

    parse_with("NOTIFY", "Event: dialog\r\nSubscription-State: active ; expires = 3600\r\n");
    g_assert_true(sip_get_event(&msg, &ev));
    STR_EQ(ev.package, "dialog");
    g_assert_cmpuint(ev.id.len, ==, 0);
    g_assert_true(sip_get_subscription_state(&msg, &ss));
    STR_EQ(ss.state, "active");
    g_assert_cmpuint(ss.reason.len, ==, 0);
    g_assert_cmpint(ss.expires, ==, 3600);

    parse_with("NOTIFY", "");
    g_assert_false(sip_get_event(&msg, &ev));
    g_assert_false(sip_get_subscription_state(&msg, &ss));
}

static void
test_replaces(void)
{
    SipReplaces r;
    /* RFC 3891 §6.1 example */
    g_assert_true(sip_replaces_parse(S("98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff"), &r));
    STR_EQ(r.call_id, "98732@sip.example.com");
    STR_EQ(r.from_tag, "r33th4x0r");
    STR_EQ(r.to_tag, "ff87ff");
    g_assert_false(r.early_only);
    g_assert_true(sip_replaces_parse(S(" 425928@bobster.example.org ;to-tag=7743 ;from-tag=6472 ;early-only"), &r));
    STR_EQ(r.call_id, "425928@bobster.example.org");
    g_assert_true(r.early_only);
    /* both tags are required */
    g_assert_false(sip_replaces_parse(S("abc;to-tag=1"), &r));
    g_assert_false(sip_replaces_parse(S("abc;from-tag=1"), &r));
    g_assert_false(sip_replaces_parse(S(";to-tag=1;from-tag=2"), &r));
    g_assert_false(sip_replaces_parse(S(""), &r));

    parse_with("INVITE", "Replaces: 12345@h;to-tag=a;from-tag=b\r\n"
                         "Target-Dialog: 7@h;local-tag=L;remote-tag=R\r\n");
    g_assert_true(sip_get_replaces(&msg, &r));
    STR_EQ(r.call_id, "12345@h");
    STR_EQ(r.to_tag, "a");
    STR_EQ(r.from_tag, "b");
    g_assert_true(sip_get_target_dialog(&msg, &r));
    STR_EQ(r.call_id, "7@h");
    STR_EQ(r.to_tag, "R");
    STR_EQ(r.from_tag, "L");

    parse_with("INVITE", "Target-Dialog: 7@h;local-tag=L\r\n");
    g_assert_false(sip_get_replaces(&msg, &r));
    g_assert_cmpuint(r.call_id.len, ==, 0);
    g_assert_false(sip_get_target_dialog(&msg, &r));
}

static void
test_refer_to(void)
{
    SipReferTo rt;
    char buf[128];

    /* attended transfer: %-escaped Replaces in the URI (RFC 3891 §7) */
    parse_with("REFER", "Refer-To: <sip:bob@b.example?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag"
                        "%3D5FFE-3994>\r\n"
                        "Referred-By: \"Alice\" <sip:alice@a.example>\r\n"
                        "Refer-Sub: false\r\n");
    g_assert_cmpuint(msg.n_anomalies, ==, 0);
    g_assert_true(sip_get_refer_to(&msg, &rt, buf, sizeof buf));
    STR_EQ(rt.addr.uri, "sip:bob@b.example?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994");
    g_assert_cmpint(rt.uri.scheme, ==, SIP_URI_SIP);
    STR_EQ(rt.uri.user, "bob");
    STR_EQ(rt.uri.host, "b.example");
    g_assert_true(rt.has_replaces);
    g_assert_false(rt.replaces_invalid);
    STR_EQ(rt.replaces.call_id, "12345@192.168.118.3");
    STR_EQ(rt.replaces.to_tag, "12345");
    STR_EQ(rt.replaces.from_tag, "5FFE-3994");
    g_assert_true(rt.replaces.call_id.p >= buf && rt.replaces.call_id.p < buf + sizeof buf);
    SipNameAddr rb;
    g_assert_true(sip_get_referred_by(&msg, &rb));
    STR_EQ(rb.display, "Alice");
    STR_EQ(rb.uri, "sip:alice@a.example");
    g_assert_cmpint(sip_get_refer_sub(&msg), ==, 0);

    /* compact r:, header name case-insensitive, other URI headers around */
    parse_with("REFER", "r: <sip:c@h?Subject=x&replaces=a%40b%3Bfrom-tag%3D1%3Bto-tag%3D2%3Bearly-only&Foo=1>\r\n"
                        "b: <sip:alice@a.example>\r\nRefer-Sub: TRUE;x=1\r\n");
    g_assert_true(sip_get_refer_to(&msg, &rt, buf, sizeof buf));
    g_assert_true(rt.has_replaces);
    STR_EQ(rt.replaces.call_id, "a@b");
    STR_EQ(rt.replaces.to_tag, "2");
    STR_EQ(rt.replaces.from_tag, "1");
    g_assert_true(rt.replaces.early_only);
    g_assert_cmpint(sip_get_refer_sub(&msg), ==, 1);
    g_assert_true(sip_get_referred_by(&msg, &rb));

    /* blind transfer */
    parse_with("REFER", "Refer-To: sip:carol@c.example\r\nRefer-Sub: maybe\r\n");
    g_assert_true(sip_get_refer_to(&msg, &rt, buf, sizeof buf));
    g_assert_false(rt.has_replaces);
    g_assert_false(rt.replaces_invalid);
    STR_EQ(rt.uri.user, "carol");
    g_assert_cmpint(sip_get_refer_sub(&msg), ==, -1);

    /* decode buffer too small, no buffer, unparsable Replaces */
    parse_with("REFER", "Refer-To: <sip:bob@b?Replaces=12345%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n");
    g_assert_true(sip_get_refer_to(&msg, &rt, buf, 8));
    g_assert_false(rt.has_replaces);
    g_assert_true(rt.replaces_invalid);
    g_assert_true(sip_get_refer_to(&msg, &rt, NULL, 0));
    g_assert_true(rt.replaces_invalid);
    parse_with("REFER", "Refer-To: <sip:bob@b?Replaces=12345%40h>\r\n");
    g_assert_true(sip_get_refer_to(&msg, &rt, buf, sizeof buf));
    g_assert_false(rt.has_replaces);
    g_assert_true(rt.replaces_invalid);
    g_assert_cmpuint(rt.replaces.call_id.len, ==, 0);

    /* absent */
    parse_with("REFER", "");
    g_assert_false(sip_get_refer_to(&msg, &rt, buf, sizeof buf));
    g_assert_false(sip_get_referred_by(&msg, &rb));
}

static void
test_option_tags(void)
{
    parse_with("INVITE", "Supported: timer, 100rel\r\nk: Replaces\r\nRequire: 100rel\r\n");
    g_assert_true(sip_has_option_tag(&msg, SIP_HDR_SUPPORTED, "timer"));
    g_assert_true(sip_has_option_tag(&msg, SIP_HDR_SUPPORTED, "100rel"));
    g_assert_true(sip_has_option_tag(&msg, SIP_HDR_SUPPORTED, "replaces"));
    g_assert_false(sip_has_option_tag(&msg, SIP_HDR_SUPPORTED, "time"));
    g_assert_false(sip_has_option_tag(&msg, SIP_HDR_SUPPORTED, "norefersub"));
    g_assert_true(sip_has_option_tag(&msg, SIP_HDR_REQUIRE, "100rel"));
    g_assert_false(sip_has_option_tag(&msg, SIP_HDR_REQUIRE, "timer"));
}

static void
test_expires_date(void)
{
    parse_with("REGISTER", "Expires: 4294967295\r\nDate: Sat, 13 Nov 2010 23:29:00 GMT\r\n");
    g_assert_cmpuint(msg.n_anomalies, ==, 0);
    parse_with("REGISTER", "Expires: 4294967296\r\n");
    g_assert_true(sip_message_has_anomaly(&msg, SS_ANOMALY_SIP_BAD_EXPIRES));
    parse_with("REGISTER", "Expires: Sat, 01 Jan 2000 00:00:00 GMT\r\n");
    g_assert_false(sip_message_has_anomaly(&msg, SS_ANOMALY_SIP_BAD_EXPIRES));
    parse_with("REGISTER", "Expires: \r\n");
    g_assert_true(sip_message_has_anomaly(&msg, SS_ANOMALY_SIP_BAD_EXPIRES));
    parse_with("REGISTER", "Date: Sat, 13 Nov 2010 23:29:00 PST\r\n");
    g_assert_true(sip_message_has_anomaly(&msg, SS_ANOMALY_SIP_BAD_DATE));
    parse_with("REGISTER", "Contact: *\r\n");
    g_assert_cmpuint(msg.n_anomalies, ==, 0);
    parse_with("REGISTER", "Contact: \r\n");
    g_assert_true(sip_message_has_anomaly(&msg, SS_ANOMALY_SIP_BAD_NAME_ADDR));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/header/name-addr", test_name_addr);
    g_test_add_func("/sip/header/next-value", test_next_value);
    g_test_add_func("/sip/header/via", test_via);
    g_test_add_func("/sip/header/param-lists", test_param_lists);
    g_test_add_func("/sip/header/basic-getters", test_basic_getters);
    g_test_add_func("/sip/header/cseq", test_cseq);
    g_test_add_func("/sip/header/reason", test_reason);
    g_test_add_func("/sip/header/event-subscription-state", test_event_substate);
    g_test_add_func("/sip/header/replaces-target-dialog", test_replaces);
    g_test_add_func("/sip/header/refer-to", test_refer_to);
    g_test_add_func("/sip/header/option-tags", test_option_tags);
    g_test_add_func("/sip/header/expires-date-contact", test_expires_date);
    int rc = g_test_run();
    g_free(text);
    return rc;
}
