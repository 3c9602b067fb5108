/* test-sip-parse - the SIP message parser against every RFC 4475 torture
 * message, plus the edge cases of RFC 3261 §7 (folding, bare LF, NUL bytes,
 * huge lines, header floods, Content-Length extremes). */
#include <config.h>

#include <glib.h>
#include <string.h>
#include "common/scan.h"
#include "sip/sip_body.h"
#include "sip/sip_header.h"
#include "sip/sip_parse.h"
#include "sip/sip_uri.h"

static SipMessage msg; /* large: one, reused */
static gchar *file_data;
static gsize file_len;

#define STR_EQ(view, lit) g_assert_cmpmem((view).p, (view).len, lit, sizeof(lit) - 1)
#define SPAN_EQ(span, lit) STR_EQ(sip_span_str(&msg, span), lit)

static SipParseResult
parse_file(const char *dir, const char *name)
{
    g_autofree gchar *path = g_test_build_filename(G_TEST_DIST, "msgs", dir, name, NULL);
    g_autoptr(GError) err = NULL;
    g_free(file_data);
    file_data = NULL;
    gboolean ok = g_file_get_contents(path, &file_data, &file_len, &err);
    g_assert_no_error(err);
    g_assert_true(ok);
    return sip_message_parse(&msg, file_data, file_len);
}

static SipParseResult
parse_rfc(const char *name)
{
    g_autofree gchar *file = g_strconcat(name, ".dat", NULL);
    return parse_file("rfc4475", file);
}

static SipParseResult
parse_str(const char *s)
{
    return sip_message_parse(&msg, s, strlen(s));
}

/* The message carries exactly these anomalies (in any order). */
static void
check_anomalies(const SsAnomaly *want, size_t n)
{
    GString *got = g_string_new(NULL);
    for (unsigned i = 0; i < msg.n_anomalies; i++)
        g_string_append_printf(got, " %s", ss_anomaly_code(msg.anomalies[i]));
    g_test_message("anomalies:%s", got->str);
    g_string_free(got, TRUE);
    g_assert_cmpuint(msg.n_anomalies, ==, n);
    for (size_t i = 0; i < n; i++)
        g_assert_true(sip_message_has_anomaly(&msg, want[i]));
}

#define EXPECT_ANOMALIES(...) \
    do { \
        static const SsAnomaly want_[] = { __VA_ARGS__ }; \
        check_anomalies(want_, G_N_ELEMENTS(want_)); \
    } while (0)
#define EXPECT_NO_ANOMALIES() check_anomalies(NULL, 0)

#define A(x) SS_ANOMALY_##x

/* the usual checks on the five mandatory headers */
static void
check_call_id(const char *want)
{
    SipStr s;
    g_assert_true(sip_get_call_id(&msg, &s));
    g_assert_cmpmem(s.p, s.len, want, strlen(want));
}

static void
check_cseq(uint32_t seq, const char *method)
{
    SipCSeq cs;
    g_assert_true(sip_get_cseq(&msg, &cs));
    g_assert_cmpuint(cs.seq, ==, seq);
    g_assert_cmpmem(cs.method_text.p, cs.method_text.len, method, strlen(method));
}

static void
check_top_branch(const char *branch)
{
    SipVia v;
    g_assert_true(sip_get_top_via(&msg, &v));
    g_assert_cmpmem(v.branch.p, v.branch.len, branch, strlen(branch));
}

static void
check_from(const char *uri, const char *tag)
{
    SipNameAddr na;
    g_assert_true(sip_get_from(&msg, &na));
    g_assert_cmpmem(na.uri.p, na.uri.len, uri, strlen(uri));
    g_assert_cmpmem(na.tag.p, na.tag.len, tag, strlen(tag));
}

static void
check_to(const char *uri, const char *tag)
{
    SipNameAddr na;
    g_assert_true(sip_get_to(&msg, &na));
    g_assert_cmpmem(na.uri.p, na.uri.len, uri, strlen(uri));
    g_assert_cmpmem(na.tag.p, na.tag.len, tag, strlen(tag));
}

static void
check_request(SipMethod method, const char *ruri)
{
    g_assert_true(msg.is_request);
    g_assert_cmpint(msg.method, ==, method);
    g_assert_cmpmem(msg.buf + msg.request_uri.off, msg.request_uri.len, ruri, strlen(ruri));
}

/* ---- RFC 4475 §3.1.1: valid messages ---- */

/* §3.1.1.1 A Short Tortuous INVITE */
static void
test_wsinv(void)
{
    g_assert_cmpint(parse_rfc("wsinv"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    check_request(SIP_METHOD_INVITE, "sip:vivekg@chair-dnrc.example.com;unknownparam");
    check_call_id("wsinv.ndaksdj@192.0.2.1");
    /* "TO :" folded, LWS around ';' and '=' */
    check_to("sip:vivekg@chair-dnrc.example.com", "1918181833n");
    SipNameAddr from;
    g_assert_true(sip_get_from(&msg, &from));
    STR_EQ(from.display, "J Rosenberg \\\\\\\"");
    STR_EQ(from.uri, "sip:jdrosen@example.com");
    STR_EQ(from.tag, "98asjd8");
    g_assert_false(from.malformed);
    /* leading zeros */
    g_assert_cmpint(sip_get_max_forwards(&msg), ==, 68);
    check_cseq(9, "INVITE");
    g_assert_cmpint(sip_get_content_length(&msg), ==, 150);
    g_assert_cmpuint(msg.body.len, ==, 150);
    g_assert_cmpuint(msg.extra_bytes, ==, 0);
    /* Via folded inside sent-protocol; one "Via" and one "v" with two values */
    SipVia via;
    g_assert_true(sip_get_top_via(&msg, &via));
    STR_EQ(via.transport, "UDP");
    STR_EQ(via.host, "192.0.2.2");
    STR_EQ(via.branch, "390skdjuw");
    g_assert_cmpint(via.port, ==, -1);
    g_assert_cmpuint(sip_count_via(&msg), ==, 3);
    g_assert_cmpuint(msg.count[SIP_HDR_VIA], ==, 2);
    const SipHeader *h = sip_message_next_header(&msg, SIP_HDR_VIA, sip_message_header(&msg, SIP_HDR_VIA));
    g_assert_nonnull(h);
    SipStr rest = sip_header_value(&msg, h), v;
    g_assert_true(sip_header_next_value(&rest, &v));
    g_assert_true(sip_via_parse(v, &via));
    STR_EQ(via.transport, "TCP");
    STR_EQ(via.host, "spindle.example.com");
    STR_EQ(via.branch, "z9hG4bK9ikj8");
    g_assert_true(sip_header_next_value(&rest, &v));
    g_assert_true(sip_via_parse(v, &via));
    STR_EQ(via.host, "192.168.255.111");
    STR_EQ(via.branch, "z9hG4bK30239");
    g_assert_false(sip_header_next_value(&rest, &v));
    /* empty Subject ("s :") */
    h = sip_message_header(&msg, SIP_HDR_SUBJECT);
    g_assert_nonnull(h);
    g_assert_cmpuint(sip_header_value(&msg, h).len, ==, 0);
    /* unknown headers, one folded */
    h = sip_message_header_by_name(&msg, "NewFangledHeader");
    g_assert_nonnull(h);
    STR_EQ(sip_header_value(&msg, h), "newfangled value\r\n continued newfangled value");
    h = sip_message_header_by_name(&msg, "UnknownHeaderWithUnusualValue");
    g_assert_nonnull(h);
    STR_EQ(sip_header_value(&msg, h), ";;,,;;,;");
    /* m: Contact with quoted display name and valueless parameter */
    SipNameAddr c;
    g_assert_true(sip_get_contact(&msg, &c));
    STR_EQ(c.display, "Quoted string \\\"\\\"");
    STR_EQ(c.uri, "sip:jdrosen@example.com");
    SipStr p;
    g_assert_true(sip_param_get(c.params, "newparam", &p));
    STR_EQ(p, "newvalue");
    g_assert_true(sip_param_get(c.params, "secondparam", &p));
    g_assert_cmpuint(p.len, ==, 0);
    g_assert_true(sip_param_get(c.params, "q", &p));
    STR_EQ(p, "0.33");
    SipStr type;
    g_assert_true(sip_get_content_type(&msg, &type, NULL));
    STR_EQ(type, "application/sdp");
    h = sip_message_header(&msg, SIP_HDR_ROUTE);
    STR_EQ(sip_header_value(&msg, h), "<sip:services.example.com;lr;unknownwith=value;unknown-no-value>");
}

/* §3.1.1.2 Wide Range of Valid Characters */
static void
test_intmeth(void)
{
    g_assert_cmpint(parse_rfc("intmeth"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_true(msg.is_request);
    g_assert_cmpint(msg.method, ==, SIP_METHOD_UNKNOWN);
    SPAN_EQ(msg.method_text, "!interesting-Method0123456789_*+`.%indeed'~");
    SPAN_EQ(msg.request_uri, "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too."
                             "(doesn't-it)@example.com");
    SipUri u;
    g_assert_true(sip_uri_parse(sip_span_str(&msg, msg.request_uri), &u));
    STR_EQ(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    STR_EQ(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    STR_EQ(u.host, "example.com");
    check_call_id("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    check_cseq(139122385, "!interesting-Method0123456789_*+`.%indeed'~");
    check_top_branch("z9hG4bK-.!%66*_+`'~");
    SipNameAddr na;
    g_assert_true(sip_get_to(&msg, &na));
    /* escaped BEL, NUL, DEL inside the quoted display name */
    STR_EQ(na.display, "BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f");
    STR_EQ(na.uri, "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com");
    g_assert_true(sip_get_from(&msg, &na));
    STR_EQ(na.display, "token1~` token2'+_ token3*%!.-");
    STR_EQ(na.uri, "sip:mundane@example.com");
    STR_EQ(na.tag, "_token~1'+`*%!-.");
    SipStr p;
    g_assert_true(sip_param_get(na.params, "fromParam''~+*_!.-%", &p));
    STR_EQ(p, "\"\xd1\x80\xd0\xb0\xd0\xb1\xd0\xbe\xd1\x82\xd0\xb0\xd1\x8e\xd1\x89\xd0\xb8\xd0\xb9\"");
    g_assert_cmpint(sip_get_max_forwards(&msg), ==, 255);
    const SipHeader *h = sip_message_header_by_name(&msg, "extensionHeader-!.%*+_`'~");
    g_assert_nonnull(h);
    STR_EQ(sip_header_value(&msg, h), "\xef\xbb\xbf\xe5\xa4\xa7\xe5\x81\x9c\xe9\x9b\xbb");
}

/* §3.1.1.3 Valid Use of the % Escaping Mechanism */
static void
test_esc01(void)
{
    char buf[64];
    size_t n;
    SipUri u;
    SipNameAddr na;
    g_assert_cmpint(parse_rfc("esc01"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    check_request(SIP_METHOD_INVITE, "sip:sips%3Auser%40example.com@example.net");
    g_assert_true(sip_uri_parse(sip_span_str(&msg, msg.request_uri), &u));
    STR_EQ(u.host, "example.net");
    n = sip_str_unescape(u.user, buf, sizeof buf);
    g_assert_cmpmem(buf, n, "sips:user@example.com", 21);
    /* the To URI equals sip:user@example.com once decoded */
    g_assert_true(sip_get_to(&msg, &na));
    g_assert_true(sip_uri_parse(na.uri, &u));
    n = sip_str_unescape(u.user, buf, sizeof buf);
    g_assert_cmpmem(buf, n, "user", 4);
    g_assert_true(sip_get_from(&msg, &na));
    g_assert_true(sip_uri_parse(na.uri, &u));
    n = sip_str_unescape(u.user, buf, sizeof buf);
    g_assert_cmpmem(buf, n, "I have spaces", 13);
    STR_EQ(na.tag, "938");
    check_call_id("esc01.239409asdfakjkn23onasd0-3234");
    check_cseq(234234, "INVITE");
    /* "C:" is Content-Type; Contact value on a folded line */
    SipStr type;
    g_assert_true(sip_get_content_type(&msg, &type, NULL));
    STR_EQ(type, "application/sdp");
    g_assert_true(sip_get_contact(&msg, &na));
    g_assert_true(sip_uri_parse(na.uri, &u));
    n = sip_str_unescape(u.user, buf, sizeof buf);
    g_assert_cmpmem(buf, n, "caller", 6);
    n = sip_str_unescape(u.params, buf, sizeof buf);
    g_assert_cmpmem(buf, n, "lr;name=value%41", 16);
    g_assert_cmpuint(msg.body.len, ==, 150);
}

/* §3.1.1.4 Escaped Nulls in URIs */
static void
test_escnull(void)
{
    char buf[64];
    size_t n;
    SipUri u;
    SipNameAddr na;
    g_assert_cmpint(parse_rfc("escnull"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    check_request(SIP_METHOD_REGISTER, "sip:example.com");
    g_assert_true(sip_get_to(&msg, &na));
    g_assert_true(sip_uri_parse(na.uri, &u));
    n = sip_str_unescape(u.user, buf, sizeof buf);
    g_assert_cmpmem(buf, n, "null-\0-null", 11);
    check_from("sip:null-%00-null@example.com", "839923423");
    /* two Contact headers: user parts of length 1 and 2 */
    const SipHeader *h = sip_message_header(&msg, SIP_HDR_CONTACT);
    g_assert_true(sip_name_addr_parse(sip_header_value(&msg, h), &na));
    g_assert_true(sip_uri_parse(na.uri, &u));
    n = sip_str_unescape(u.user, buf, sizeof buf);
    g_assert_cmpmem(buf, n, "\0", 1);
    h = sip_message_next_header(&msg, SIP_HDR_CONTACT, h);
    g_assert_true(sip_name_addr_parse(sip_header_value(&msg, h), &na));
    g_assert_true(sip_uri_parse(na.uri, &u));
    n = sip_str_unescape(u.user, buf, sizeof buf);
    g_assert_cmpmem(buf, n, "\0\0", 2);
    g_assert_null(sip_message_next_header(&msg, SIP_HDR_CONTACT, h));
    /* "L:0" compact Content-Length without space */
    g_assert_cmpint(sip_get_content_length(&msg), ==, 0);
}

/* §3.1.1.5 Use of % When It Is Not an Escape */
static void
test_esc02(void)
{
    SipNameAddr na;
    g_assert_cmpint(parse_rfc("esc02"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    /* the method is unknown, NOT REGISTER */
    g_assert_cmpint(msg.method, ==, SIP_METHOD_UNKNOWN);
    SPAN_EQ(msg.method_text, "RE%47IST%45R");
    check_cseq(29344, "RE%47IST%45R");
    g_assert_true(sip_get_to(&msg, &na));
    STR_EQ(na.display, "%Z%45");
    g_assert_true(sip_get_from(&msg, &na));
    STR_EQ(na.display, "%Z%45");
    check_top_branch("z9hG4bK209%fzsnel234");
    /* two Contact values, not three: "C%6Fntact" is another header */
    g_assert_cmpuint(msg.count[SIP_HDR_CONTACT], ==, 2);
    const SipHeader *h = sip_message_header_by_name(&msg, "C%6Fntact");
    g_assert_nonnull(h);
    g_assert_cmpint(h->id, ==, SIP_HDR_OTHER);
    STR_EQ(sip_header_value(&msg, h), "<sip:alias2@host2.example.com>");
    char buf[16];
    size_t n = sip_str_unescape((SipStr){ "%Z%45", 5 }, buf, sizeof buf);
    g_assert_cmpmem(buf, n, "%ZE", 3);
}

/* §3.1.1.6 Message with No LWS between Display Name and < */
static void
test_lwsdisp(void)
{
    SipNameAddr na;
    g_assert_cmpint(parse_rfc("lwsdisp"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_true(sip_get_from(&msg, &na));
    STR_EQ(na.display, "caller");
    STR_EQ(na.uri, "sip:caller@example.com");
    STR_EQ(na.tag, "323");
    g_assert_true(na.bracketed);
    g_assert_false(na.malformed);
    check_cseq(60, "OPTIONS");
}

static gchar *
repeat(const char *prefix, const char *unit, int n, const char *suffix)
{
    GString *s = g_string_new(prefix);
    for (int i = 0; i < n; i++)
        g_string_append(s, unit);
    g_string_append(s, suffix);
    return g_string_free(s, FALSE);
}

/* §3.1.1.7 Long Values in Header Fields */
static void
test_longreq(void)
{
    SipNameAddr na;
    SipVia via;
    g_assert_cmpint(parse_rfc("longreq"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_true(sip_get_to(&msg, &na));
    g_autofree gchar *disp = repeat("I have a user name of ", "extreme", 10, " proportion");
    g_assert_cmpmem(na.display.p, na.display.len, disp, strlen(disp));
    SipUri u;
    g_assert_true(sip_uri_parse(na.uri, &u));
    g_assert_cmpint(u.port, ==, 6000);
    SipStr p;
    g_autofree gchar *v1 = repeat("very", "long", 20, "value");
    g_assert_true(sip_param_get(u.params, "unknownparam1", &p));
    g_assert_cmpmem(p.p, p.len, v1, strlen(v1));
    g_assert_true(sip_get_from(&msg, &na));
    g_autofree gchar *tag = repeat("1", "298", 50, "2424");
    g_assert_cmpmem(na.tag.p, na.tag.len, tag, strlen(tag));
    g_autofree gchar *user = repeat("", "amazinglylongcallername", 5, "");
    g_assert_true(sip_uri_parse(na.uri, &u));
    g_assert_cmpmem(u.user.p, u.user.len, user, strlen(user));
    g_autofree gchar *cid = repeat("longreq.one", "really", 20, "longcallid");
    check_call_id(cid);
    /* 34 Via headers, in every case mix and compact form */
    g_assert_cmpuint(msg.count[SIP_HDR_VIA], ==, 34);
    g_assert_cmpuint(sip_count_via(&msg), ==, 34);
    g_assert_true(sip_get_top_via(&msg, &via));
    STR_EQ(via.host, "sip33.example.com");
    const SipHeader *h = NULL, *last = NULL;
    while ((h = sip_message_next_header(&msg, SIP_HDR_VIA, h)))
        last = h;
    g_assert_true(sip_via_parse(sip_header_value(&msg, last), &via));
    STR_EQ(via.received, "192.0.2.5");
    g_autofree gchar *branch = repeat("very", "long", 50, "branchvalue");
    g_assert_cmpmem(via.branch.p, via.branch.len, branch, strlen(branch));
    g_assert_cmpint(sip_get_content_length(&msg), ==, 150);
    g_assert_cmpuint(msg.body.len, ==, 150);
}

/* §3.1.1.8 Extra Trailing Octets in a UDP Datagram */
static void
test_dblreq(void)
{
    g_assert_cmpint(parse_rfc("dblreq"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_EXTRA_BYTES));
    check_request(SIP_METHOD_REGISTER, "sip:example.com");
    check_call_id("dblreq.0ha0isndaksdj99sdfafnl3lk233412");
    g_assert_cmpint(sip_get_content_length(&msg), ==, 0);
    g_assert_cmpuint(msg.body.len, ==, 0);
    /* the INVITE after the REGISTER is not part of it */
    g_assert_cmpuint(msg.extra_bytes, ==, 450);
    g_assert_cmpuint(msg.body.off + msg.body.len + msg.extra_bytes, ==, file_len);
    g_assert_true(memcmp(file_data + msg.body.off, "\r\nINVITE sip:joe@example.com", 28) == 0);
    g_assert_cmpuint(msg.count[SIP_HDR_TO], ==, 1);
}

/* §3.1.1.9 Semicolon-Separated Parameters in URI User Part */
static void
test_semiuri(void)
{
    SipUri u;
    char buf[64];
    g_assert_cmpint(parse_rfc("semiuri"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_true(sip_uri_parse(sip_span_str(&msg, msg.request_uri), &u));
    STR_EQ(u.user, "user;par=u%40example.net");
    STR_EQ(u.host, "example.com");
    g_assert_cmpuint(u.params.len, ==, 0);
    size_t n = sip_str_unescape(u.user, buf, sizeof buf);
    g_assert_cmpmem(buf, n, "user;par=u@example.net", 22);
    /* folded Accept with six values */
    const SipHeader *h = sip_message_header(&msg, SIP_HDR_ACCEPT);
    SipStr rest = sip_header_value(&msg, h), v;
    const char *want[] = { "application/sdp", "application/pkcs7-mime", "multipart/mixed",
                           "multipart/signed", "message/sip", "message/sipfrag" };
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        g_assert_true(sip_header_next_value(&rest, &v));
        g_assert_cmpmem(v.p, v.len, want[i], strlen(want[i]));
    }
    g_assert_false(sip_header_next_value(&rest, &v));
}

/* §3.1.1.10 Varied and Unknown Transport Types */
static void
test_transports(void)
{
    g_assert_cmpint(parse_rfc("transports"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    const char *tr[] = { "UDP", "SCTP", "TLS", "UNKNOWN", "TCP" };
    const char *br[] = { "z9hG4bKkdjuw", "z9hG4bKklasjdhf", "z9hG4bK2980unddj", "z9hG4bKasd0f3en",
                         "z9hG4bK0a9idfnee" };
    const SipHeader *h = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(tr); i++) {
        SipVia via;
        h = sip_message_next_header(&msg, SIP_HDR_VIA, h);
        g_assert_nonnull(h);
        g_assert_true(sip_via_parse(sip_header_value(&msg, h), &via));
        g_assert_cmpmem(via.transport.p, via.transport.len, tr[i], strlen(tr[i]));
        g_assert_cmpmem(via.branch.p, via.branch.len, br[i], strlen(br[i]));
    }
    g_assert_null(sip_message_next_header(&msg, SIP_HDR_VIA, h));
    /* "Call-ID:  x": two spaces */
    check_call_id("transports.kijh4akdnaqjkwendsasfdj");
}

/* §3.1.1.11 Multipart MIME Message */
static void
test_mpart01(void)
{
    SipStr part, params, b;
    SipVia via;
    g_assert_cmpint(parse_rfc("mpart01"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    check_request(SIP_METHOD_MESSAGE, "sip:kumiko@example.org");
    g_assert_cmpuint(msg.body.len, ==, 553);
    g_assert_true(sip_get_content_type(&msg, &part, &params));
    STR_EQ(part, "multipart/mixed");
    g_assert_true(sip_param_get(params, "boundary", &b));
    STR_EQ(b, "7a9cbec02ceef655");
    g_assert_true(sip_body_find(&msg, "text/plain", &part));
    STR_EQ(part, "Hello");
    g_assert_true(sip_body_find(&msg, "application/octet-stream", &part));
    g_assert_cmpuint(part.len, ==, 342);
    g_assert_cmpint((unsigned char)part.p[0], ==, 0x30);
    g_assert_false(sip_body_find(&msg, "application/sdp", &part));
    g_assert_true(sip_get_top_via(&msg, &via));
    g_assert_true(via.has_rport);
    g_assert_cmpint(via.rport, ==, -1);
    g_assert_cmpint(via.port, ==, 5070);
    SipStr ua;
    g_assert_true(sip_get_user_agent(&msg, &ua));
    STR_EQ(ua, "SIPimp.org/0.2.5 (curses)");
}

/* §3.1.1.12 Unusual Reason Phrase */
static void
test_unreason(void)
{
    g_assert_cmpint(parse_rfc("unreason"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_false(msg.is_request);
    g_assert_cmpuint(msg.status, ==, 200);
    SPAN_EQ(msg.reason, "= 2**3 * 5**2 \xd0\xbd\xd0\xbe \xd1\x81\xd1\x82\xd0\xbe "
                        "\xd0\xb4\xd0\xb5\xd0\xb2\xd1\x8f\xd0\xbd\xd0\xbe\xd1\x81\xd1\x82\xd0\xbe "
                        "\xd0\xb4\xd0\xb5\xd0\xb2\xd1\x8f\xd1\x82\xd1\x8c - "
                        "\xd0\xbf\xd1\x80\xd0\xbe\xd1\x81\xd1\x82\xd0\xbe\xd0\xb5");
    check_cseq(35, "INVITE");
    g_assert_cmpuint(msg.body.len, ==, 154);
}

/* §3.1.1.13 Empty Reason Phrase */
static void
test_noreason(void)
{
    g_assert_cmpint(parse_rfc("noreason"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_false(msg.is_request);
    g_assert_cmpuint(msg.status, ==, 100);
    g_assert_cmpuint(msg.reason.len, ==, 0);
    SPAN_EQ(msg.version, "SIP/2.0");
    check_to("sip:user@example.edu", "902jndnke3");
}

/* ---- RFC 4475 §3.1.2: invalid messages, each with a specific anomaly ---- */

/* §3.1.2.1 Extraneous Header Field Separators */
static void
test_badinv01(void)
{
    g_assert_cmpint(parse_rfc("badinv01"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_VIA), A(SIP_BAD_NAME_ADDR));
    SipVia via;
    g_assert_true(sip_get_top_via(&msg, &via));
    g_assert_true(via.malformed);
    STR_EQ(via.host, "192.0.2.15");
    SipNameAddr c;
    g_assert_true(sip_get_contact(&msg, &c));
    g_assert_true(c.malformed);
    STR_EQ(c.uri, "sip:joe@example.org");
}

/* §3.1.2.2 Content Length Larger Than Message */
static void
test_clerr(void)
{
    g_assert_cmpint(parse_rfc("clerr"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_CONTENT_LENGTH_MISMATCH));
    g_assert_cmpint(sip_get_content_length(&msg), ==, 9999);
    g_assert_cmpuint(msg.body.len, ==, 154);
    g_assert_cmpuint(msg.body.off + msg.body.len, ==, file_len);
}

/* §3.1.2.3 Negative Content-Length */
static void
test_ncl(void)
{
    g_assert_cmpint(parse_rfc("ncl"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_CONTENT_LENGTH));
    g_assert_cmpint(sip_get_content_length(&msg), ==, -2);
    g_assert_cmpuint(msg.body.len, ==, file_len - msg.body.off);
    check_cseq(0, "INVITE");
    g_assert_cmpint(sip_get_max_forwards(&msg), ==, 254);
}

/* §3.1.2.4 Request Scalar Fields with Overlarge Values */
static void
test_scalar02(void)
{
    SipCSeq cs;
    g_assert_cmpint(parse_rfc("scalar02"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_CSEQ), A(SIP_BAD_MAX_FORWARDS), A(SIP_BAD_EXPIRES));
    g_assert_false(sip_get_cseq(&msg, &cs));
    g_assert_cmpint(sip_get_max_forwards(&msg), ==, -1);
    g_assert_cmpint(sip_get_content_length(&msg), ==, 0);
}

/* §3.1.2.5 Response Scalar Fields with Overlarge Values */
static void
test_scalarlg(void)
{
    SipCSeq cs;
    g_assert_cmpint(parse_rfc("scalarlg"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_CSEQ));
    g_assert_cmpuint(msg.status, ==, 503);
    SPAN_EQ(msg.reason, "Service Unavailable");
    g_assert_false(sip_get_cseq(&msg, &cs));
    SipVia via;
    g_assert_true(sip_get_top_via(&msg, &via));
    STR_EQ(via.received, "192.0.2.129");
}

/* §3.1.2.6 Unterminated Quoted String in Display Name */
static void
test_quotbal(void)
{
    SipNameAddr na;
    g_assert_cmpint(parse_rfc("quotbal"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_NAME_ADDR));
    g_assert_false(sip_get_to(&msg, &na));
    check_from("sip:caller@example.net", "93334");
}

/* §3.1.2.7 <> Enclosing Request-URI */
static void
test_ltgtruri(void)
{
    g_assert_cmpint(parse_rfc("ltgtruri"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_START_LINE));
    /* recovered without the brackets */
    check_request(SIP_METHOD_INVITE, "sip:user@example.com");
    SPAN_EQ(msg.version, "SIP/2.0");
}

/* §3.1.2.8 Malformed SIP Request-URI (embedded LWS) */
static void
test_lwsruri(void)
{
    g_assert_cmpint(parse_rfc("lwsruri"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_START_LINE));
    check_request(SIP_METHOD_INVITE, "sip:user@example.com; lr");
    SPAN_EQ(msg.version, "SIP/2.0");
    SipUri u;
    g_assert_false(sip_uri_parse(sip_span_str(&msg, msg.request_uri), &u));
}

/* §3.1.2.9 Multiple SP Separating Request-Line Elements */
static void
test_lwsstart(void)
{
    g_assert_cmpint(parse_rfc("lwsstart"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_START_LINE));
    check_request(SIP_METHOD_INVITE, "sip:user@example.com");
    SPAN_EQ(msg.version, "SIP/2.0");
    check_cseq(1893884, "INVITE");
}

/* §3.1.2.10 SP Characters at End of Request-Line */
static void
test_trws(void)
{
    g_assert_cmpint(parse_rfc("trws"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_START_LINE));
    check_request(SIP_METHOD_OPTIONS, "sip:remote-target@example.com");
    SPAN_EQ(msg.version, "SIP/2.0");
}

/* §3.1.2.11 Escaped Headers in SIP Request-URI */
static void
test_escruri(void)
{
    g_assert_cmpint(parse_rfc("escruri"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_RURI_HEADERS));
    check_request(SIP_METHOD_INVITE, "sip:user@example.com?Route=%3Csip:example.com%3E");
}

/* §3.1.2.12 Invalid Time Zone in Date Header Field */
static void
test_baddate(void)
{
    g_assert_cmpint(parse_rfc("baddate"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_DATE));
    const SipHeader *h = sip_message_header(&msg, SIP_HDR_DATE);
    STR_EQ(sip_header_value(&msg, h), "Fri, 01 Jan 2010 16:00:00 EST");
}

/* §3.1.2.13 Failure to Enclose name-addr URI in <> */
static void
test_regbadct(void)
{
    SipNameAddr c;
    g_assert_cmpint(parse_rfc("regbadct"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_NAME_ADDR));
    g_assert_true(sip_get_contact(&msg, &c));
    g_assert_true(c.malformed);
    g_assert_false(c.bracketed);
}

/* §3.1.2.14 Spaces within addr-spec */
static void
test_badaspec(void)
{
    SipNameAddr na;
    g_assert_cmpint(parse_rfc("badaspec"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_NAME_ADDR));
    g_assert_true(sip_get_to(&msg, &na));
    g_assert_true(na.malformed);
    STR_EQ(na.uri, "sip:t.watson@example.org");
    g_assert_true(sip_get_from(&msg, &na));
    g_assert_false(na.malformed);
    STR_EQ(na.display, "Bell, Alexander");
}

/* §3.1.2.15 Non-token Characters in Display Name (the original decode
 * also lacks the empty line) */
static void
test_baddn(void)
{
    SipNameAddr na;
    g_assert_cmpint(parse_rfc("baddn"), ==, SIP_PARSE_TRUNCATED);
    EXPECT_ANOMALIES(A(SIP_BAD_NAME_ADDR), A(SIP_NO_END_OF_HEADERS));
    g_assert_true(sip_get_from(&msg, &na));
    g_assert_true(na.malformed);
    STR_EQ(na.display, "Bell, Alexander");
    STR_EQ(na.tag, "43");
    g_assert_cmpint(sip_get_content_length(&msg), ==, 0);
}

/* §3.1.2.16 Unknown Protocol Version */
static void
test_badvers(void)
{
    g_assert_cmpint(parse_rfc("badvers"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_VERSION));
    SPAN_EQ(msg.version, "SIP/7.0");
    check_request(SIP_METHOD_OPTIONS, "sip:t.watson@example.org");
}

/* §3.1.2.17 Start Line and CSeq Method Mismatch */
static void
test_mismatch01(void)
{
    g_assert_cmpint(parse_rfc("mismatch01"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_CSEQ_METHOD_MISMATCH));
    g_assert_cmpint(msg.method, ==, SIP_METHOD_OPTIONS);
    check_cseq(8, "INVITE");
}

/* §3.1.2.18 Unknown Method with CSeq Method Mismatch */
static void
test_mismatch02(void)
{
    g_assert_cmpint(parse_rfc("mismatch02"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_CSEQ_METHOD_MISMATCH));
    SPAN_EQ(msg.method_text, "NEWMETHOD");
    check_cseq(8, "INVITE");
    g_assert_cmpuint(msg.body.len, ==, 138);
}

/* §3.1.2.19 Overlarge Response Code */
static void
test_bigcode(void)
{
    g_assert_cmpint(parse_rfc("bigcode"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_STATUS));
    g_assert_false(msg.is_request);
    g_assert_cmpuint(msg.status, ==, 0);
    SPAN_EQ(msg.reason, "better not break the receiver");
}

/* ---- §3.2 transaction layer, §3.3 application layer, §3.4 RFC 2543 ---- */

/* §3.2.1 Missing Transaction Identifier */
static void
test_badbranch(void)
{
    g_assert_cmpint(parse_rfc("badbranch"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    check_top_branch("z9hG4bK");
}

/* §3.3.1 Missing Required Header Fields */
static void
test_insuf(void)
{
    SipNameAddr na;
    SipStr s;
    g_assert_cmpint(parse_rfc("insuf"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_MISSING_HEADER));
    g_assert_false(sip_get_call_id(&msg, &s));
    g_assert_false(sip_get_from(&msg, &na));
    g_assert_false(sip_get_to(&msg, &na));
    g_assert_cmpint(sip_get_max_forwards(&msg), ==, -1);
    check_cseq(193942, "INVITE");
}

/* §3.3.2 Request-URI with Unknown Scheme */
static void
test_unkscm(void)
{
    SipUri u;
    g_assert_cmpint(parse_rfc("unkscm"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_true(sip_uri_parse(sip_span_str(&msg, msg.request_uri), &u));
    g_assert_cmpint(u.scheme, ==, SIP_URI_OTHER);
    STR_EQ(u.scheme_text, "nobodyKnowsThisScheme");
}

/* §3.3.3 Request-URI with Known but Atypical Scheme */
static void
test_novelsc(void)
{
    SipUri u;
    g_assert_cmpint(parse_rfc("novelsc"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    check_request(SIP_METHOD_OPTIONS, "soap.beep://192.0.2.103:3002");
    g_assert_true(sip_uri_parse(sip_span_str(&msg, msg.request_uri), &u));
    g_assert_cmpint(u.scheme, ==, SIP_URI_OTHER);
    STR_EQ(u.scheme_text, "soap.beep");
}

/* §3.3.4 Unknown URI Schemes in Header Fields */
static void
test_unksm2(void)
{
    SipNameAddr na;
    SipUri u;
    g_assert_cmpint(parse_rfc("unksm2"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_true(sip_get_to(&msg, &na));
    STR_EQ(na.uri, "isbn:2983792873");
    g_assert_false(na.bracketed);
    g_assert_true(sip_uri_parse(na.uri, &u));
    g_assert_cmpint(u.scheme, ==, SIP_URI_OTHER);
    check_from("http://www.example.com", "3234233");
    g_assert_true(sip_get_contact(&msg, &na));
    STR_EQ(na.uri, "name:John_Smith");
}

/* §3.3.5 Proxy-Require and Require */
static void
test_bext01(void)
{
    g_assert_cmpint(parse_rfc("bext01"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_true(sip_has_option_tag(&msg, SIP_HDR_REQUIRE, "nothingSupportsThis"));
    g_assert_true(sip_has_option_tag(&msg, SIP_HDR_REQUIRE, "nothingSupportsThisEither"));
    g_assert_false(sip_has_option_tag(&msg, SIP_HDR_REQUIRE, "noProxiesSupportThis"));
    g_assert_false(sip_has_option_tag(&msg, SIP_HDR_SUPPORTED, "nothingSupportsThis"));
    const SipHeader *h = sip_message_header_by_name(&msg, "proxy-require");
    g_assert_nonnull(h);
    STR_EQ(sip_header_value(&msg, h), "noProxiesSupportThis, norDoAnyProxiesSupportThis");
    SipVia via;
    g_assert_true(sip_get_top_via(&msg, &via));
    STR_EQ(via.transport, "TLS");
}

/* §3.3.6 Unknown Content-Type */
static void
test_invut(void)
{
    SipStr type, part;
    g_assert_cmpint(parse_rfc("invut"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_true(sip_get_content_type(&msg, &type, NULL));
    STR_EQ(type, "application/unknownformat");
    g_assert_false(sip_body_find(&msg, "application/sdp", &part));
    g_assert_true(sip_body_find(&msg, "Application/UnknownFormat", &part));
    g_assert_cmpuint(part.len, ==, 40);
}

/* §3.3.7 Unknown Authorization Scheme */
static void
test_regaut01(void)
{
    g_assert_cmpint(parse_rfc("regaut01"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    const SipHeader *h = sip_message_header_by_name(&msg, "Authorization");
    g_assert_nonnull(h);
    STR_EQ(sip_header_value(&msg, h), "NoOneKnowsThisScheme opaque-data=here");
    g_assert_cmpint(sip_get_content_length(&msg), ==, 0);
}

/* §3.3.8 Multiple Values in Single Value Required Fields */
static void
test_multi01(void)
{
    g_assert_cmpint(parse_rfc("multi01"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_DUPLICATE_HEADER));
    g_assert_cmpuint(msg.count[SIP_HDR_CALL_ID], ==, 2);
    g_assert_cmpuint(msg.count[SIP_HDR_CSEQ], ==, 2);
    g_assert_cmpuint(msg.count[SIP_HDR_FROM], ==, 2);
    g_assert_cmpuint(msg.count[SIP_HDR_TO], ==, 2);
    g_assert_cmpuint(msg.count[SIP_HDR_MAX_FORWARDS], ==, 2);
    g_assert_cmpuint(msg.count[SIP_HDR_CONTACT], ==, 2);
    /* the accessors give the first */
    check_call_id("multi01.98asdh@192.0.2.1");
    check_cseq(5, "INVITE");
    check_from("sip:caller@example.com", "3413415");
    const SipHeader *h = sip_message_next_header(&msg, SIP_HDR_CALL_ID, sip_message_header(&msg, SIP_HDR_CALL_ID));
    STR_EQ(sip_header_value(&msg, h), "multi01.98asdh@192.0.2.2");
}

/* §3.3.9 Multiple Content-Length Values */
static void
test_mcl01(void)
{
    g_assert_cmpint(parse_rfc("mcl01"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_DUPLICATE_HEADER), A(SIP_EXTRA_BYTES));
    g_assert_cmpuint(msg.count[SIP_HDR_CONTENT_LENGTH], ==, 2);
    /* the first value is used */
    g_assert_cmpint(sip_get_content_length(&msg), ==, 13);
    g_assert_cmpuint(msg.body.len, ==, 13);
    SPAN_EQ(msg.body, "There's no wa");
}

/* §3.3.10 200 OK Response with Broadcast Via Header Field Value */
static void
test_bcast(void)
{
    SipVia via;
    g_assert_cmpint(parse_rfc("bcast"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_cmpuint(msg.status, ==, 200);
    const SipHeader *h = sip_message_next_header(&msg, SIP_HDR_VIA, sip_message_header(&msg, SIP_HDR_VIA));
    g_assert_true(sip_via_parse(sip_header_value(&msg, h), &via));
    STR_EQ(via.host, "255.255.255.255");
    STR_EQ(via.branch, "z9hG4bK1saber23");
    check_to("sip:user@example.edu", "2229");
}

/* §3.3.11 Max-Forwards of Zero */
static void
test_zeromf(void)
{
    g_assert_cmpint(parse_rfc("zeromf"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_cmpint(sip_get_max_forwards(&msg), ==, 0);
}

/* §3.3.12 REGISTER with a Contact Header Parameter */
static void
test_cparam01(void)
{
    SipNameAddr c;
    SipUri u;
    g_assert_cmpint(parse_rfc("cparam01"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_true(sip_get_contact(&msg, &c));
    /* without <>, the parameter belongs to the header (RFC 3261 §20.10) */
    STR_EQ(c.uri, "sip:+19725552222@gw1.example.net");
    STR_EQ(c.params, "unknownparam");
    g_assert_false(c.bracketed);
    g_assert_true(sip_uri_parse(c.uri, &u));
    g_assert_cmpuint(u.params.len, ==, 0);
}

/* §3.3.13 REGISTER with a url-parameter */
static void
test_cparam02(void)
{
    SipNameAddr c;
    SipUri u;
    g_assert_cmpint(parse_rfc("cparam02"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_true(sip_get_contact(&msg, &c));
    STR_EQ(c.uri, "sip:+19725552222@gw1.example.net;unknownparam");
    g_assert_cmpuint(c.params.len, ==, 0);
    g_assert_true(sip_uri_parse(c.uri, &u));
    STR_EQ(u.params, "unknownparam");
    STR_EQ(u.user, "+19725552222");
}

/* §3.3.14 REGISTER with a URL Escaped Header */
static void
test_regescrt(void)
{
    SipNameAddr c;
    SipUri u;
    SipStr r;
    char buf[64];
    g_assert_cmpint(parse_rfc("regescrt"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    /* "M:" compact Contact, "L:0" */
    g_assert_true(sip_get_contact(&msg, &c));
    g_assert_true(sip_uri_parse(c.uri, &u));
    g_assert_true(sip_uri_header_get(u.headers, "route", &r));
    STR_EQ(r, "%3Csip:sip.example.com%3E");
    size_t n = sip_str_unescape(r, buf, sizeof buf);
    g_assert_cmpmem(buf, n, "<sip:sip.example.com>", 21);
    g_assert_cmpint(sip_get_content_length(&msg), ==, 0);
}

/* §3.3.15 Unacceptable Accept Offering */
static void
test_sdp01(void)
{
    SipStr part;
    g_assert_cmpint(parse_rfc("sdp01"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    const SipHeader *h = sip_message_header(&msg, SIP_HDR_ACCEPT);
    STR_EQ(sip_header_value(&msg, h), "text/nobodyKnowsThis");
    g_assert_true(sip_body_find(&msg, "application/sdp", &part));
    g_assert_cmpuint(part.len, ==, 150);
    g_assert_true(memcmp(part.p, "v=0\r\n", 5) == 0);
}

/* §3.4.1 INVITE with RFC 2543 Syntax */
static void
test_inv2543(void)
{
    SipVia via;
    SipNameAddr na;
    g_assert_cmpint(parse_rfc("inv2543"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    check_request(SIP_METHOD_INVITE, "sip:UserB@example.com");
    /* no branch, no Max-Forwards, no Content-Length: body to the end */
    g_assert_true(sip_get_top_via(&msg, &via));
    g_assert_cmpuint(via.branch.len, ==, 0);
    STR_EQ(via.host, "iftgw.example.com");
    g_assert_cmpint(sip_get_max_forwards(&msg), ==, -1);
    g_assert_cmpint(sip_get_content_length(&msg), ==, -1);
    g_assert_cmpuint(msg.body.off + msg.body.len, ==, file_len);
    g_assert_cmpuint(msg.body.len, ==, 105);
    g_assert_true(sip_get_from(&msg, &na));
    STR_EQ(na.uri, "sip:+13035551111@ift.client.example.net;user=phone");
    g_assert_cmpuint(na.tag.len, ==, 0);
    check_to("sip:+16505552222@ss1.example.net", "");
    g_assert_true(sip_get_to(&msg, &na));
    STR_EQ(na.params, "user=phone");
}

/* test.dat: in the RFC archive, referenced by no section */
static void
test_testdat(void)
{
    g_assert_cmpint(parse_rfc("test"), ==, SIP_PARSE_OK);
    /* no SIP-Version, "Foobar roobar" is no header, no Via/CSeq, To/From
     * without a scheme */
    EXPECT_ANOMALIES(A(SIP_BAD_START_LINE), A(SIP_BAD_VERSION), A(SIP_BAD_HEADER), A(SIP_MISSING_HEADER),
                     A(SIP_BAD_NAME_ADDR));
    check_request(SIP_METHOD_INVITE, "sip:alan@jasomi.com");
    g_assert_cmpuint(msg.version.len, ==, 0);
    g_assert_cmpint(sip_get_max_forwards(&msg), ==, 68);
    g_assert_cmpint(sip_get_content_length(&msg), ==, 18);
    g_assert_nonnull(sip_message_header_by_name(&msg, "Xyzzy-2"));
    g_assert_null(sip_message_header_by_name(&msg, "Foobar"));
}

/* ---- suricata-verify fixtures: compact forms, repeated To ---- */

static void
test_suricata_compact(void)
{
    SipNameAddr na;
    SipVia via;
    SipStr type;
    g_assert_cmpint(parse_file("sip", "suricata-compact-form.txt"), ==, SIP_PARSE_OK);
    /* the capture announces l: 272 for 372 bytes of SDP; the From display
     * name is \"arik\" unquoted (not a token) */
    EXPECT_ANOMALIES(A(SIP_EXTRA_BYTES), A(SIP_BAD_NAME_ADDR));
    g_assert_true(sip_get_top_via(&msg, &via));
    STR_EQ(via.host, "192.168.1.2");
    g_assert_cmpint(via.port, ==, 5060);
    g_assert_true(via.has_rport);
    STR_EQ(via.branch, "z9hG4bKnp104984053-44ce4a41192.168.1.2");
    g_assert_true(sip_get_from(&msg, &na));
    STR_EQ(na.tag, "6433ef9");
    STR_EQ(na.uri, "sip:816666@voip.brurjula.net");
    check_to("sip:97239287044@voip.brujula.net", "");
    g_assert_true(sip_get_content_type(&msg, &type, NULL));
    STR_EQ(type, "application/sdp");
    g_assert_cmpint(sip_get_content_length(&msg), ==, 272);
    g_assert_cmpuint(msg.extra_bytes, ==, 100);
    g_assert_cmpuint(msg.count[SIP_HDR_VIA], ==, 1);
}

static void
test_suricata_multi_value(void)
{
    g_assert_cmpint(parse_file("sip", "suricata-header-multi-value.txt"), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_EXTRA_BYTES), A(SIP_BAD_NAME_ADDR), A(SIP_DUPLICATE_HEADER));
    /* "t:" then "To:" */
    g_assert_cmpuint(msg.count[SIP_HDR_TO], ==, 2);
    check_to("sip:97239287044@voip.brujula.net", "");
    const SipHeader *h = sip_message_next_header(&msg, SIP_HDR_TO, sip_message_header(&msg, SIP_HDR_TO));
    STR_EQ(sip_header_value(&msg, h), "<sip:12345@voip.brujula.net>");
    SPAN_EQ(h->name, "To");
    SPAN_EQ(sip_message_header(&msg, SIP_HDR_TO)->name, "t");
}

/* ---- RFC 3261 §7 edge cases ---- */

static void
test_compact_all(void)
{
    static const struct {
        char c;
        SipHeaderId id;
    } forms[] = {
        { 'i', SIP_HDR_CALL_ID },          { 'f', SIP_HDR_FROM },
        { 't', SIP_HDR_TO },               { 'v', SIP_HDR_VIA },
        { 'm', SIP_HDR_CONTACT },          { 'l', SIP_HDR_CONTENT_LENGTH },
        { 'c', SIP_HDR_CONTENT_TYPE },     { 'k', SIP_HDR_SUPPORTED },
        { 's', SIP_HDR_SUBJECT },          { 'e', SIP_HDR_CONTENT_ENCODING },
        { 'o', SIP_HDR_EVENT },            { 'r', SIP_HDR_REFER_TO },
        { 'b', SIP_HDR_REFERRED_BY },      { 'x', SIP_HDR_SESSION_EXPIRES },
        { 'u', SIP_HDR_ALLOW_EVENTS },     { 'y', SIP_HDR_IDENTITY },
        { 'a', SIP_HDR_ACCEPT_CONTACT },   { 'd', SIP_HDR_REQUEST_DISPOSITION },
        { 'j', SIP_HDR_REJECT_CONTACT },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
        char lo = forms[i].c, up = (char)g_ascii_toupper(forms[i].c);
        g_assert_cmpint(sip_header_id_from_name(&lo, 1), ==, forms[i].id);
        g_assert_cmpint(sip_header_id_from_name(&up, 1), ==, forms[i].id);
    }
    g_assert_cmpint(sip_header_id_from_name("n", 1), ==, SIP_HDR_OTHER);
    g_assert_cmpint(sip_header_id_from_name("z", 1), ==, SIP_HDR_OTHER);

    /* every long form, any case */
    static const struct {
        const char *name;
        SipHeaderId id;
    } longs[] = {
        { "Accept", SIP_HDR_ACCEPT },
        { "Allow", SIP_HDR_ALLOW },
        { "Call-ID", SIP_HDR_CALL_ID },
        { "Contact", SIP_HDR_CONTACT },
        { "Content-Encoding", SIP_HDR_CONTENT_ENCODING },
        { "Content-Length", SIP_HDR_CONTENT_LENGTH },
        { "Content-Type", SIP_HDR_CONTENT_TYPE },
        { "CSeq", SIP_HDR_CSEQ },
        { "Date", SIP_HDR_DATE },
        { "Event", SIP_HDR_EVENT },
        { "Expires", SIP_HDR_EXPIRES },
        { "From", SIP_HDR_FROM },
        { "Max-Forwards", SIP_HDR_MAX_FORWARDS },
        { "RAck", SIP_HDR_RACK },
        { "Reason", SIP_HDR_REASON },
        { "Record-Route", SIP_HDR_RECORD_ROUTE },
        { "Refer-Sub", SIP_HDR_REFER_SUB },
        { "Refer-To", SIP_HDR_REFER_TO },
        { "Referred-By", SIP_HDR_REFERRED_BY },
        { "Replaces", SIP_HDR_REPLACES },
        { "Require", SIP_HDR_REQUIRE },
        { "Route", SIP_HDR_ROUTE },
        { "RSeq", SIP_HDR_RSEQ },
        { "Server", SIP_HDR_SERVER },
        { "Session-Expires", SIP_HDR_SESSION_EXPIRES },
        { "Subject", SIP_HDR_SUBJECT },
        { "Subscription-State", SIP_HDR_SUBSCRIPTION_STATE },
        { "Supported", SIP_HDR_SUPPORTED },
        { "Target-Dialog", SIP_HDR_TARGET_DIALOG },
        { "To", SIP_HDR_TO },
        { "User-Agent", SIP_HDR_USER_AGENT },
        { "Via", SIP_HDR_VIA },
        { "Allow-Events", SIP_HDR_ALLOW_EVENTS },
        { "Accept-Contact", SIP_HDR_ACCEPT_CONTACT },
        { "Reject-Contact", SIP_HDR_REJECT_CONTACT },
        { "Request-Disposition", SIP_HDR_REQUEST_DISPOSITION },
        { "Identity", SIP_HDR_IDENTITY },
        { "P-Asserted-Identity", SIP_HDR_P_ASSERTED_IDENTITY },
    };
    g_assert_cmpuint(G_N_ELEMENTS(longs), ==, SIP_HDR__COUNT - 1);
    for (size_t i = 0; i < G_N_ELEMENTS(longs); i++) {
        g_autofree gchar *up = g_ascii_strup(longs[i].name, -1);
        g_autofree gchar *lo = g_ascii_strdown(longs[i].name, -1);
        g_assert_cmpint(sip_header_id_from_name(longs[i].name, strlen(longs[i].name)), ==, longs[i].id);
        g_assert_cmpint(sip_header_id_from_name(up, strlen(up)), ==, longs[i].id);
        g_assert_cmpint(sip_header_id_from_name(lo, strlen(lo)), ==, longs[i].id);
    }
    /* near misses */
    g_assert_cmpint(sip_header_id_from_name("Call_ID", 7), ==, SIP_HDR_OTHER);
    g_assert_cmpint(sip_header_id_from_name("Call\rID", 7), ==, SIP_HDR_OTHER);
    g_assert_cmpint(sip_header_id_from_name("Vias", 4), ==, SIP_HDR_OTHER);
    g_assert_cmpint(sip_header_id_from_name("T", 1), ==, SIP_HDR_TO);
}

#define BASE_HDRS \
    "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n" \
    "From: <sip:a@example.com>;tag=1\r\n" \
    "To: <sip:b@example.com>\r\n" \
    "Call-ID: c1@h\r\n" \
    "CSeq: 1 INVITE\r\n"

static void
test_folding(void)
{
    const char *m = "INVITE sip:b@example.com SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP h.example.com\r\n"
                    "\t;branch=z9hG4bKf\r\n"
                    "From:\r\n <sip:a@example.com>\r\n  ;tag=x1\r\n"
                    "To: <sip:b@example.com>\r\n"
                    "Call-ID: c1@h\r\n"
                    "CSeq: 1\r\n INVITE\r\n"
                    "Subject: one\r\n two\r\n\tthree\r\n"
                    "Content-Length: 0\r\n\r\n";
    g_assert_cmpint(parse_str(m), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_cmpuint(msg.n_headers, ==, 7);
    check_top_branch("z9hG4bKf");
    check_from("sip:a@example.com", "x1");
    check_cseq(1, "INVITE");
    const SipHeader *h = sip_message_header(&msg, SIP_HDR_SUBJECT);
    STR_EQ(sip_header_value(&msg, h), "one\r\n two\r\n\tthree");
}

static void
test_bare_lf(void)
{
    const char *m = "INVITE sip:b@example.com SIP/2.0\n"
                    "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\n"
                    "From: <sip:a@example.com>;tag=1\n"
                    " ;x=y\r\n"
                    "To: <sip:b@example.com>\n"
                    "Call-ID: c1@h\n"
                    "CSeq: 1 INVITE\n"
                    "Content-Length: 4\n"
                    "\n"
                    "body";
    g_assert_cmpint(parse_str(m), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BARE_LF));
    check_call_id("c1@h");
    check_from("sip:a@example.com", "1");
    SPAN_EQ(msg.body, "body");
    g_assert_cmpuint(msg.n_headers, ==, 6);
}

static void
test_leading_crlf(void)
{
    /* RFC 3261 §7.5: CRLFs before the start line are ignored */
    const char *m = "\r\n\r\nOPTIONS sip:b@example.com SIP/2.0\r\n" BASE_HDRS "\r\n";
    g_assert_cmpint(parse_str(m), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_CSEQ_METHOD_MISMATCH));
    g_assert_cmpint(msg.method, ==, SIP_METHOD_OPTIONS);
    g_assert_cmpint(msg.content_length, ==, -1);
    g_assert_cmpuint(msg.body.len, ==, 0);
}

static void
test_nul_bytes(void)
{
    /* NUL in Call-ID and in an unknown header: nothing truncates */
    static const char m[] = "INVITE sip:b@example.com SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
                            "From: <sip:a@example.com>;tag=1\r\n"
                            "To: <sip:b@example.com>\r\n"
                            "Call-ID: ab\0cd@h\r\n"
                            "X-Junk: \0\0\0\r\n"
                            "CSeq: 1 INVITE\r\n"
                            "Content-Length: 3\r\n"
                            "\r\n"
                            "a\0b";
    g_assert_cmpint(sip_message_parse(&msg, m, sizeof m - 1), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_NUL_BYTE));
    SipStr cid;
    g_assert_true(sip_get_call_id(&msg, &cid));
    g_assert_cmpmem(cid.p, cid.len, "ab\0cd@h", 7);
    const SipHeader *h = sip_message_header_by_name(&msg, "x-junk");
    g_assert_nonnull(h);
    g_assert_cmpmem(sip_header_value(&msg, h).p, sip_header_value(&msg, h).len, "\0\0\0", 3);
    check_cseq(1, "INVITE");
    g_assert_cmpuint(msg.body.len, ==, 3);
    g_assert_cmpmem(msg.buf + msg.body.off, 3, "a\0b", 3);

    /* a NUL in the start line does not stop the parse either */
    static const char m2[] = "INVITE sip:b\0@example.com SIP/2.0\r\n" BASE_HDRS "\r\n";
    g_assert_cmpint(sip_message_parse(&msg, m2, sizeof m2 - 1), ==, SIP_PARSE_OK);
    g_assert_true(sip_message_has_anomaly(&msg, A(SIP_NUL_BYTE)));
    g_assert_cmpmem(msg.buf + msg.request_uri.off, msg.request_uri.len, "sip:b\0@example.com", 18);
    check_call_id("c1@h");
}

static void
test_huge_line(void)
{
    /* one 1 MiB header line */
    GString *s = g_string_new("INVITE sip:b@example.com SIP/2.0\r\n" BASE_HDRS "X-Big: ");
    gsize start = s->len;
    for (int i = 0; i < 1024 * 1024; i++)
        g_string_append_c(s, (char)('a' + i % 26));
    g_string_append(s, "\r\nContent-Length: 2\r\n\r\nok");
    g_assert_cmpint(sip_message_parse(&msg, s->str, s->len), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    const SipHeader *h = sip_message_header_by_name(&msg, "X-Big");
    g_assert_nonnull(h);
    g_assert_cmpuint(h->value.off, ==, start);
    g_assert_cmpuint(h->value.len, ==, 1024 * 1024);
    g_assert_cmpint(sip_get_content_length(&msg), ==, 2);
    SPAN_EQ(msg.body, "ok");
    g_string_free(s, TRUE);
}

static void
test_many_headers(void)
{
    /* 100 000 headers: the first SS_SIP_MAX_HEADERS are kept, the
     * Content-Length after them is still found */
    GString *s = g_string_new("INVITE sip:b@example.com SIP/2.0\r\n" BASE_HDRS);
    for (int i = 0; i < 100000; i++)
        g_string_append_printf(s, "X-H%d: %d\r\n", i, i);
    g_string_append(s, "Content-Length: 5\r\n\r\nhello");
    g_assert_cmpint(sip_message_parse(&msg, s->str, s->len), ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_TOO_MANY_HEADERS));
    g_assert_cmpuint(msg.n_headers, ==, SS_SIP_MAX_HEADERS);
    g_assert_cmpuint(msg.n_headers_seen, ==, 100000 + 6);
    g_assert_cmpint(sip_get_content_length(&msg), ==, 5);
    g_assert_null(sip_message_header(&msg, SIP_HDR_CONTENT_LENGTH));
    SPAN_EQ(msg.body, "hello");
    check_call_id("c1@h");
    g_string_free(s, TRUE);
}

static void
cl_case(const char *value, long long want_cl, gsize want_body, gboolean bad, gboolean mismatch)
{
    g_autofree gchar *m = g_strdup_printf("INVITE sip:b@example.com SIP/2.0\r\n" BASE_HDRS
                                          "Content-Length: %s\r\n\r\n0123456789",
                                          value);
    g_assert_cmpint(parse_str(m), ==, SIP_PARSE_OK);
    g_assert_cmpint(msg.content_length, ==, want_cl);
    g_assert_cmpuint(msg.body.len, ==, want_body);
    g_assert_cmpint(sip_message_has_anomaly(&msg, A(SIP_BAD_CONTENT_LENGTH)), ==, bad);
    g_assert_cmpint(sip_message_has_anomaly(&msg, A(SIP_CONTENT_LENGTH_MISMATCH)), ==, mismatch);
}

static void
test_content_length(void)
{
    cl_case("10", 10, 10, FALSE, FALSE);
    cl_case("4", 4, 4, FALSE, FALSE);
    g_assert_cmpuint(msg.extra_bytes, ==, 6);
    g_assert_true(sip_message_has_anomaly(&msg, A(SIP_EXTRA_BYTES)));
    cl_case("2147483648", 2147483648LL, 10, FALSE, TRUE);
    cl_case("4294967296", 4294967296LL, 10, FALSE, TRUE);
    cl_case("9223372036854775807", 9223372036854775807LL, 10, FALSE, TRUE);
    /* 2^63 and beyond: not representable, unusable */
    cl_case("9223372036854775808", -2, 10, TRUE, FALSE);
    cl_case("99999999999999999999999999", -2, 10, TRUE, FALSE);
    cl_case("-1", -2, 10, TRUE, FALSE);
    cl_case("+5", -2, 10, TRUE, FALSE);
    cl_case("abc", -2, 10, TRUE, FALSE);
    cl_case("", -2, 10, TRUE, FALSE);
    cl_case("1 2", -2, 10, TRUE, FALSE);
    /* absent: the rest of the datagram */
    g_assert_cmpint(parse_str("INVITE sip:b@example.com SIP/2.0\r\n" BASE_HDRS "\r\nabc"), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_cmpint(msg.content_length, ==, -1);
    SPAN_EQ(msg.body, "abc");
}

/* Header names: a known name is matched in any case of its letters, and
 * only then; any other byte where the name has a '-' (a bare CR, which
 * OR-ing 0x20 would turn into '-') makes a bad header, not that header. */
static void
test_header_names(void)
{
    g_assert_cmpint(parse_str("INVITE sip:b@example.com SIP/2.0\r\n" BASE_HDRS "CONTENT-length : 3\r\n\r\nabc"),
                    ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_cmpint(msg.content_length, ==, 3);
    g_assert_nonnull(sip_message_header(&msg, SIP_HDR_CONTENT_LENGTH));

    g_assert_cmpint(parse_str("INVITE sip:b@example.com SIP/2.0\r\n" BASE_HDRS "Content\rLength: 3\r\n\r\nabc"),
                    ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_HEADER));
    g_assert_cmpint(msg.content_length, ==, -1);
    g_assert_null(sip_message_header(&msg, SIP_HDR_CONTENT_LENGTH));
    g_assert_cmpuint(msg.n_headers_seen, ==, msg.n_headers + 1);

    /* an unknown name with a non-token byte, and one that is a token */
    g_assert_cmpint(parse_str("INVITE sip:b@example.com SIP/2.0\r\n" BASE_HDRS "X-Fo@o: 1\r\nX-Ok.1 :2\r\n\r\n"),
                    ==, SIP_PARSE_OK);
    EXPECT_ANOMALIES(A(SIP_BAD_HEADER));
    const SipHeader *h = sip_message_header_by_name(&msg, "x-ok.1");
    g_assert_nonnull(h);
    SPAN_EQ(h->value, "2");
    g_assert_null(sip_message_header_by_name(&msg, "x-fo@o"));

    /* a compact form is one letter, in either case; "V" is Via */
    g_assert_cmpint(parse_str("INVITE sip:b@example.com SIP/2.0\r\n"
                              "V: SIP/2.0/UDP h;branch=z9hG4bK1\r\ni: c1@h\r\nf: <sip:a@h>;tag=1\r\n"
                              "t: <sip:b@h>\r\nCSeq: 1 INVITE\r\n\r\n"),
                    ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    check_call_id("c1@h");
    g_assert_cmpuint(msg.count[SIP_HDR_VIA], ==, 1);
}

static void
test_truncated(void)
{
    /* the headers never end */
    g_assert_cmpint(parse_str("INVITE sip:b@example.com SIP/2.0\r\n" BASE_HDRS "Content-Len"), ==,
                    SIP_PARSE_TRUNCATED);
    EXPECT_ANOMALIES(A(SIP_NO_END_OF_HEADERS), A(SIP_BAD_HEADER));
    check_call_id("c1@h");
    g_assert_cmpuint(msg.body.len, ==, 0);
    g_assert_cmpint(parse_str("SIP/2.0 200 OK"), ==, SIP_PARSE_TRUNCATED);
    g_assert_cmpuint(msg.status, ==, 200);
    g_assert_true(sip_message_has_anomaly(&msg, A(SIP_NO_END_OF_HEADERS)));
    g_assert_true(sip_message_has_anomaly(&msg, A(SIP_MISSING_HEADER)));
}

static void
test_invalid_start(void)
{
    const char *bad[] = {
        "",
        "\r\n\r\n",
        "INVITE\r\n\r\n",
        "INVITE \r\n\r\n",
        "\x01\x02\x03 sip:a@b SIP/2.0\r\n\r\n",
        "INVITE\tsip:a@b SIP/2.0\r\n\r\n",
        "SIP/2.0\r\n\r\n",
        "SIP/2.0 OK\r\n\r\n",
        "INVITE SIP/2.0\r\n\r\n",
        " INVITE sip:a@b SIP/2.0\r\n\r\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("case %zu", i);
        g_assert_cmpint(parse_str(bad[i]), ==, SIP_PARSE_INVALID);
        g_assert_cmpuint(msg.status, ==, 0);
        g_assert_cmpuint(msg.n_headers, ==, 0);
    }
    g_assert_cmpint(sip_message_parse(&msg, NULL, 0), ==, SIP_PARSE_INVALID);
}

static void
test_status_lines(void)
{
    static const struct {
        const char *line;
        unsigned status;
        const char *reason;
        gboolean bad_status, bad_line, bad_version;
    } cases[] = {
        { "SIP/2.0 180 Ringing", 180, "Ringing", FALSE, FALSE, FALSE },
        { "SIP/2.0 699 x y z", 699, "x y z", FALSE, FALSE, FALSE },
        { "sip/2.0 200 OK", 200, "OK", FALSE, FALSE, FALSE },
        { "SIP/2.0 099 Low", 0, "Low", TRUE, FALSE, FALSE },
        { "SIP/2.0 700 High", 0, "High", TRUE, FALSE, FALSE },
        { "SIP/2.0 2000 Long", 0, "Long", TRUE, FALSE, FALSE },
        { "SIP/2.0 20 Short", 0, "Short", TRUE, FALSE, FALSE },
        { "SIP/2.0 200", 200, "", FALSE, TRUE, FALSE },
        { "SIP/2.0  200 Two", 200, "Two", FALSE, TRUE, FALSE },
        { "SIP/3.0 200 OK", 200, "OK", FALSE, FALSE, TRUE },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree gchar *m = g_strdup_printf("%s\r\n" BASE_HDRS "\r\n", cases[i].line);
        g_test_message("%s", cases[i].line);
        g_assert_cmpint(parse_str(m), ==, SIP_PARSE_OK);
        g_assert_false(msg.is_request);
        g_assert_cmpuint(msg.status, ==, cases[i].status);
        g_assert_cmpmem(msg.buf + msg.reason.off, msg.reason.len, cases[i].reason, strlen(cases[i].reason));
        g_assert_cmpint(sip_message_has_anomaly(&msg, A(SIP_BAD_STATUS)), ==, cases[i].bad_status);
        g_assert_cmpint(sip_message_has_anomaly(&msg, A(SIP_BAD_START_LINE)), ==, cases[i].bad_line);
        g_assert_cmpint(sip_message_has_anomaly(&msg, A(SIP_BAD_VERSION)), ==, cases[i].bad_version);
        /* CSeq INVITE in a response is no mismatch */
        g_assert_false(sip_message_has_anomaly(&msg, A(SIP_CSEQ_METHOD_MISMATCH)));
    }
}

static void
test_methods(void)
{
    for (int m = SIP_METHOD_INVITE; m < SIP_METHOD__COUNT; m++) {
        const char *name = sip_method_name((SipMethod)m);
        g_assert_cmpint(sip_method_from_token(name, strlen(name)), ==, m);
        g_autofree gchar *msgtext =
            g_strdup_printf("%s sip:b@example.com SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\n"
                            "Call-ID: x\r\nCSeq: 7 %s\r\n\r\n",
                            name, name);
        g_assert_cmpint(parse_str(msgtext), ==, SIP_PARSE_OK);
        EXPECT_NO_ANOMALIES();
        g_assert_cmpint(msg.method, ==, m);
    }
    /* RFC 3261 §7.1: case-sensitive */
    g_assert_cmpint(sip_method_from_token("invite", 6), ==, SIP_METHOD_UNKNOWN);
    g_assert_cmpint(sip_method_from_token("INVITEX", 7), ==, SIP_METHOD_UNKNOWN);
    g_assert_cmpstr(sip_method_name(SIP_METHOD_UNKNOWN), ==, "UNKNOWN");
    g_assert_cmpstr(sip_method_name((SipMethod)999), ==, "UNKNOWN");
    g_assert_cmpstr(sip_method_name(SIP_METHOD_REFER), ==, "REFER");
}

static void
test_iteration(void)
{
    const char *m = "SIP/2.0 200 OK\r\n"
                    "Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/TCP b;branch=z9hG4bK2\r\n"
                    "v: SIP/2.0/UDP c;branch=z9hG4bK3\r\n"
                    "Record-Route: <sip:p1;lr>, <sip:p2;lr>\r\n"
                    "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
                    "Contact: \"A, B\" <sip:a@h>, <sip:c@h;x=\"q,r\">;q=0.5\r\n"
                    "\r\n";
    g_assert_cmpint(parse_str(m), ==, SIP_PARSE_OK);
    EXPECT_NO_ANOMALIES();
    g_assert_cmpuint(sip_count_via(&msg), ==, 3);
    const char *hosts[] = { "a", "b", "c" };
    size_t k = 0;
    for (const SipHeader *h = sip_message_next_header(&msg, SIP_HDR_VIA, NULL); h;
         h = sip_message_next_header(&msg, SIP_HDR_VIA, h)) {
        SipStr rest = sip_header_value(&msg, h), v;
        while (sip_header_next_value(&rest, &v)) {
            SipVia via;
            g_assert_cmpuint(k, <, 3);
            g_assert_true(sip_via_parse(v, &via));
            g_assert_cmpmem(via.host.p, via.host.len, hosts[k], 1);
            k++;
        }
    }
    g_assert_cmpuint(k, ==, 3);
    const SipHeader *h = sip_message_header(&msg, SIP_HDR_CONTACT);
    SipStr rest = sip_header_value(&msg, h), v;
    SipNameAddr na;
    g_assert_true(sip_header_next_value(&rest, &v));
    g_assert_true(sip_name_addr_parse(v, &na));
    STR_EQ(na.display, "A, B");
    g_assert_true(sip_header_next_value(&rest, &v));
    g_assert_true(sip_name_addr_parse(v, &na));
    STR_EQ(na.uri, "sip:c@h;x=\"q,r\"");
    STR_EQ(na.params, "q=0.5");
    g_assert_false(sip_header_next_value(&rest, &v));
    /* by name: long name finds the compact form too */
    g_assert_true(sip_message_header_by_name(&msg, "VIA") == sip_message_header(&msg, SIP_HDR_VIA));
    g_assert_null(sip_message_header_by_name(&msg, "Route"));
    g_assert_nonnull(sip_message_header_by_name(&msg, "record-route"));
    g_assert_null(sip_message_next_header(&msg, SIP_HDR_VIA, &msg.headers[msg.n_headers - 1]));
    g_assert_null(sip_message_header(&msg, (SipHeaderId)SIP_HDR__COUNT));
}

/* ss_find_byte() (the parsers' inline memchr) agrees with memchr on every
 * length 0-80, every start offset 0-15, bytes above 0x7f, absent bytes and
 * several matches; it never reads past the span (the span ends at the end
 * of an exactly-sized heap block, so valgrind/ASan would see it). */
static void
test_find_byte(void)
{
    GRand *r = g_rand_new_with_seed(3261);
    for (size_t len = 0; len <= 80; len++) {
        for (size_t off = 0; off < 16; off++) {
            /* exactly the bytes searched (ASan builds catch a read past) */
            unsigned char *blk = g_malloc(MAX(off + len, 1));
            unsigned char *p = blk + off;
            for (int round = 0; round < 8; round++) {
                for (size_t k = 0; k < len; k++)
                    p[k] = (unsigned char)g_rand_int_range(r, 0, round < 4 ? 4 : 256);
                static const int needles[] = { 0, 1, 2, 3, '\n', 0x80, 0xff, 'z' };
                for (size_t t = 0; t < G_N_ELEMENTS(needles); t++) {
                    const void *want = memchr(p, needles[t], len);
                    const void *got = ss_find_byte(p, needles[t], len);
                    const void *got8 = ss_find_byte_swar(p, needles[t], len);
                    if (want != got || want != got8)
                        g_error("len %zu off %zu needle %d: %p vs %p, %p", len, off, needles[t], want, got, got8);
                }
            }
            g_free(blk);
        }
    }
    g_rand_free(r);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* RFC 4475 §3.1.1 */
    g_test_add_func("/sip/parse/rfc4475/wsinv", test_wsinv);
    g_test_add_func("/sip/parse/rfc4475/intmeth", test_intmeth);
    g_test_add_func("/sip/parse/rfc4475/esc01", test_esc01);
    g_test_add_func("/sip/parse/rfc4475/escnull", test_escnull);
    g_test_add_func("/sip/parse/rfc4475/esc02", test_esc02);
    g_test_add_func("/sip/parse/rfc4475/lwsdisp", test_lwsdisp);
    g_test_add_func("/sip/parse/rfc4475/longreq", test_longreq);
    g_test_add_func("/sip/parse/rfc4475/dblreq", test_dblreq);
    g_test_add_func("/sip/parse/rfc4475/semiuri", test_semiuri);
    g_test_add_func("/sip/parse/rfc4475/transports", test_transports);
    g_test_add_func("/sip/parse/rfc4475/mpart01", test_mpart01);
    g_test_add_func("/sip/parse/rfc4475/unreason", test_unreason);
    g_test_add_func("/sip/parse/rfc4475/noreason", test_noreason);
    /* §3.1.2 */
    g_test_add_func("/sip/parse/rfc4475/badinv01", test_badinv01);
    g_test_add_func("/sip/parse/rfc4475/clerr", test_clerr);
    g_test_add_func("/sip/parse/rfc4475/ncl", test_ncl);
    g_test_add_func("/sip/parse/rfc4475/scalar02", test_scalar02);
    g_test_add_func("/sip/parse/rfc4475/scalarlg", test_scalarlg);
    g_test_add_func("/sip/parse/rfc4475/quotbal", test_quotbal);
    g_test_add_func("/sip/parse/rfc4475/ltgtruri", test_ltgtruri);
    g_test_add_func("/sip/parse/rfc4475/lwsruri", test_lwsruri);
    g_test_add_func("/sip/parse/rfc4475/lwsstart", test_lwsstart);
    g_test_add_func("/sip/parse/rfc4475/trws", test_trws);
    g_test_add_func("/sip/parse/rfc4475/escruri", test_escruri);
    g_test_add_func("/sip/parse/rfc4475/baddate", test_baddate);
    g_test_add_func("/sip/parse/rfc4475/regbadct", test_regbadct);
    g_test_add_func("/sip/parse/rfc4475/badaspec", test_badaspec);
    g_test_add_func("/sip/parse/rfc4475/baddn", test_baddn);
    g_test_add_func("/sip/parse/rfc4475/badvers", test_badvers);
    g_test_add_func("/sip/parse/rfc4475/mismatch01", test_mismatch01);
    g_test_add_func("/sip/parse/rfc4475/mismatch02", test_mismatch02);
    g_test_add_func("/sip/parse/rfc4475/bigcode", test_bigcode);
    /* §3.2, §3.3, §3.4 */
    g_test_add_func("/sip/parse/rfc4475/badbranch", test_badbranch);
    g_test_add_func("/sip/parse/rfc4475/insuf", test_insuf);
    g_test_add_func("/sip/parse/rfc4475/unkscm", test_unkscm);
    g_test_add_func("/sip/parse/rfc4475/novelsc", test_novelsc);
    g_test_add_func("/sip/parse/rfc4475/unksm2", test_unksm2);
    g_test_add_func("/sip/parse/rfc4475/bext01", test_bext01);
    g_test_add_func("/sip/parse/rfc4475/invut", test_invut);
    g_test_add_func("/sip/parse/rfc4475/regaut01", test_regaut01);
    g_test_add_func("/sip/parse/rfc4475/multi01", test_multi01);
    g_test_add_func("/sip/parse/rfc4475/mcl01", test_mcl01);
    g_test_add_func("/sip/parse/rfc4475/bcast", test_bcast);
    g_test_add_func("/sip/parse/rfc4475/zeromf", test_zeromf);
    g_test_add_func("/sip/parse/rfc4475/cparam01", test_cparam01);
    g_test_add_func("/sip/parse/rfc4475/cparam02", test_cparam02);
    g_test_add_func("/sip/parse/rfc4475/regescrt", test_regescrt);
    g_test_add_func("/sip/parse/rfc4475/sdp01", test_sdp01);
    g_test_add_func("/sip/parse/rfc4475/inv2543", test_inv2543);
    g_test_add_func("/sip/parse/rfc4475/test", test_testdat);
    /* fixtures and edge cases */
    g_test_add_func("/sip/parse/suricata/compact-form", test_suricata_compact);
    g_test_add_func("/sip/parse/suricata/header-multi-value", test_suricata_multi_value);
    g_test_add_func("/sip/parse/compact-headers", test_compact_all);
    g_test_add_func("/sip/parse/folding", test_folding);
    g_test_add_func("/sip/parse/bare-lf", test_bare_lf);
    g_test_add_func("/sip/parse/leading-crlf", test_leading_crlf);
    g_test_add_func("/sip/parse/nul-bytes", test_nul_bytes);
    g_test_add_func("/sip/parse/huge-line", test_huge_line);
    g_test_add_func("/sip/parse/many-headers", test_many_headers);
    g_test_add_func("/sip/parse/content-length", test_content_length);
    g_test_add_func("/sip/parse/truncated", test_truncated);
    g_test_add_func("/sip/parse/invalid-start-line", test_invalid_start);
    g_test_add_func("/sip/parse/status-lines", test_status_lines);
    g_test_add_func("/sip/parse/methods", test_methods);
    g_test_add_func("/sip/parse/iteration", test_iteration);
    g_test_add_func("/sip/parse/find-byte", test_find_byte);
    g_test_add_func("/sip/parse/header-names", test_header_names);
    int rc = g_test_run();
    g_free(file_data);
    return rc;
}
