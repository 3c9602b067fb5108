/* test-sip-body - finding SDP in plain and multipart bodies (RFC 5621,
 * RFC 2046 §5.1) and the message/sipfrag status line (RFC 3420). */
#include <config.h>

#include <glib.h>
#include <string.h>
#include "sip/sip_body.h"
#include "sip/sip_parse.h"

static SipMessage msg;
static gchar *text;

#define STR_EQ(view, lit) g_assert_cmpmem((view).p, (view).len, lit, sizeof(lit) - 1)
#define S(lit) ((SipStr){ lit, sizeof(lit) - 1 })

#define SDP "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"

static void
parse_body(const char *ctype, const char *body)
{
    g_free(text);
    g_autofree gchar *ct = ctype ? g_strdup_printf("Content-Type: %s\r\n", ctype) : g_strdup("");
    text = g_strdup_printf("INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
                           "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
                           "%sContent-Length: %zu\r\n\r\n%s",
                           ct, strlen(body), body);
    g_assert_cmpint(sip_message_parse(&msg, text, strlen(text)), ==, SIP_PARSE_OK);
    g_assert_cmpuint(msg.n_anomalies, ==, 0);
}

static void
test_plain(void)
{
    SipStr part;
    parse_body("application/sdp", SDP);
    g_assert_true(sip_body_find(&msg, "application/sdp", &part));
    STR_EQ(part, SDP);
    g_assert_false(sip_body_find(&msg, "message/sipfrag", &part));
    /* case and LWS around '/' do not matter */
    parse_body("Application / SDP;charset=x", SDP);
    g_assert_true(sip_body_find(&msg, "application/sdp", &part));
    STR_EQ(part, SDP);
    /* a body without Content-Type is not matched */
    parse_body(NULL, SDP);
    g_assert_false(sip_body_find(&msg, "application/sdp", &part));
    parse_body("application/sdpx", SDP);
    g_assert_false(sip_body_find(&msg, "application/sdp", &part));
    parse_body("text/plain", "hi");
    g_assert_false(sip_body_find(&msg, "text/plai", &part));
}

static void
test_multipart(void)
{
    SipStr part;
    /* RFC 5621 §3.1 style: SDP next to another part, quoted boundary */
    parse_body("multipart/mixed;boundary=\"unique-boundary-1\"",
               "--unique-boundary-1\r\n"
               "Content-Type: application/resource-lists+xml\r\n"
               "Content-Disposition: recipient-list\r\n"
               "\r\n"
               "<list/>\r\n"
               "--unique-boundary-1\r\n"
               "content-type:  application/SDP\r\n"
               "\r\n" SDP "\r\n"
               "--unique-boundary-1--\r\n");
    g_assert_true(sip_body_find(&msg, "application/sdp", &part));
    STR_EQ(part, SDP);
    g_assert_true(sip_body_find(&msg, "application/resource-lists+xml", &part));
    STR_EQ(part, "<list/>");
    g_assert_true(sip_body_find(&msg, "multipart/mixed", &part));
    g_assert_cmpuint(part.len, ==, msg.body.len);

    /* unquoted boundary, preamble, part without headers = text/plain,
     * transport padding after the delimiter */
    parse_body("multipart/alternative; boundary=b1",
               "preamble\r\n"
               "--b1  \r\n"
               "\r\n"
               "plain words\r\n"
               "--b1\r\n"
               "Content-Type: application/sdp\r\n"
               "\r\n" SDP "\r\n"
               "--b1--");
    g_assert_true(sip_body_find(&msg, "text/plain", &part));
    STR_EQ(part, "plain words");
    g_assert_true(sip_body_find(&msg, "application/sdp", &part));
    STR_EQ(part, SDP);

    /* nested multipart */
    parse_body("multipart/mixed;boundary=outer",
               "--outer\r\n"
               "Content-Type: multipart/alternative;boundary=inner\r\n"
               "\r\n"
               "--inner\r\n"
               "Content-Type: text/plain\r\n"
               "\r\n"
               "x\r\n"
               "--inner\r\n"
               "Content-Type: application/sdp\r\n"
               "\r\n" SDP "\r\n"
               "--inner--\r\n"
               "\r\n"
               "--outer--\r\n");
    g_assert_true(sip_body_find(&msg, "application/sdp", &part));
    STR_EQ(part, SDP);

    /* no boundary parameter, empty boundary, boundary never seen */
    parse_body("multipart/mixed", "--x\r\nContent-Type: application/sdp\r\n\r\n" SDP "--x--\r\n");
    g_assert_false(sip_body_find(&msg, "application/sdp", &part));
    parse_body("multipart/mixed;boundary=\"\"", "--\r\n\r\n");
    g_assert_false(sip_body_find(&msg, "application/sdp", &part));
    parse_body("multipart/mixed;boundary=zz", "--x\r\nContent-Type: application/sdp\r\n\r\n" SDP);
    g_assert_false(sip_body_find(&msg, "application/sdp", &part));
    /* last part cut short (no close delimiter): still found, to the end */
    parse_body("multipart/mixed;boundary=x", "--x\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n");
    g_assert_true(sip_body_find(&msg, "application/sdp", &part));
    STR_EQ(part, "v=0\r\n");
    /* a boundary-like string in the middle of a line is no delimiter */
    parse_body("multipart/mixed;boundary=x",
               "--x\r\nContent-Type: text/plain\r\n\r\nsee --x here\r\n--x--\r\n");
    g_assert_true(sip_body_find(&msg, "text/plain", &part));
    STR_EQ(part, "see --x here");
    /* bare LF line ends inside parts */
    parse_body("multipart/mixed;boundary=x", "--x\nContent-Type: application/sdp\n\nv=0\n--x--\n");
    g_assert_true(sip_body_find(&msg, "application/sdp", &part));
    STR_EQ(part, "v=0");
}

static void
test_depth(void)
{
    /* nesting deeper than SS_SIP_MAX_MULTIPART_DEPTH is not followed */
    GString *b = g_string_new(NULL);
    int depth = SS_SIP_MAX_MULTIPART_DEPTH + 2;
    for (int i = 0; i < depth; i++)
        g_string_append_printf(b, "--b%d\r\nContent-Type: multipart/mixed;boundary=b%d\r\n\r\n", i, i + 1);
    g_string_append_printf(b, "--b%d\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n", depth);
    SipStr part;
    parse_body("multipart/mixed;boundary=b0", b->str);
    g_assert_false(sip_body_find(&msg, "application/sdp", &part));
    g_string_free(b, TRUE);

    /* exactly at the cap: found */
    b = g_string_new(NULL);
    depth = SS_SIP_MAX_MULTIPART_DEPTH - 1;
    for (int i = 0; i < depth; i++)
        g_string_append_printf(b, "--b%d\r\nContent-Type: multipart/mixed;boundary=b%d\r\n\r\n", i, i + 1);
    g_string_append_printf(b, "--b%d\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n", depth);
    parse_body("multipart/mixed;boundary=b0", b->str);
    g_assert_true(sip_body_find(&msg, "application/sdp", &part));
    STR_EQ(part, "v=0\r\n");
    g_string_free(b, TRUE);
}

static void
test_sipfrag(void)
{
    SipStr part;
    parse_body("message/sipfrag;version=2.0", "SIP/2.0 200 OK\r\n");
    g_assert_true(sip_body_find(&msg, "message/sipfrag", &part));
    g_assert_cmpuint(sip_sipfrag_status(part), ==, 200);
    g_assert_cmpuint(sip_sipfrag_status(S("SIP/2.0 100 Trying\r\nContent-Type: x\r\n")), ==, 100);
    g_assert_cmpuint(sip_sipfrag_status(S("SIP/2.0 603 Declined")), ==, 603);
    g_assert_cmpuint(sip_sipfrag_status(S("SIP/2.0 487")), ==, 487);
    g_assert_cmpuint(sip_sipfrag_status(S("\r\nSIP/2.0 180 Ringing\r\n")), ==, 180);
    g_assert_cmpuint(sip_sipfrag_status(S("sip/2.0 202 Accepted")), ==, 202);
    g_assert_cmpuint(sip_sipfrag_status(S("INVITE sip:a@b SIP/2.0\r\n")), ==, 0);
    g_assert_cmpuint(sip_sipfrag_status(S("SIP/2.0 2000 x")), ==, 0);
    g_assert_cmpuint(sip_sipfrag_status(S("SIP/2.0 20")), ==, 0);
    g_assert_cmpuint(sip_sipfrag_status(S("SIP/2.0 099 x")), ==, 0);
    g_assert_cmpuint(sip_sipfrag_status(S("SIP/2.0 abc")), ==, 0);
    g_assert_cmpuint(sip_sipfrag_status(S("SIP/2.0")), ==, 0);
    g_assert_cmpuint(sip_sipfrag_status(S("")), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sip/body/plain", test_plain);
    g_test_add_func("/sip/body/multipart", test_multipart);
    g_test_add_func("/sip/body/multipart-depth", test_depth);
    g_test_add_func("/sip/body/sipfrag", test_sipfrag);
    int rc = g_test_run();
    g_free(text);
    return rc;
}
