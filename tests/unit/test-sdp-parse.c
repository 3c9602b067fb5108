/* test-sdp-parse.c - sdp_parse() with exact values (RFC 8866, RFC 3264). */
#include <config.h>
#include "sdp/sdp_parse.h"

#include <glib.h>
#include <string.h>

static bool
parse_str(const char *text, SdpSession *s)
{
    return sdp_parse(text, strlen(text), s);
}

static bool
has_anomaly(const SdpSession *s, SsAnomaly a)
{
    for (unsigned i = 0; i < s->n_anomalies; i++)
        if (s->anomalies[i] == a)
            return true;
    return false;
}

static void
assert_str(SdpStr s, const char *expect)
{
    g_assert_cmpmem(s.p, s.len, expect, strlen(expect));
}

static char *
load_fixture(const char *name, gsize *len)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "msgs", "sdp", name, NULL);
    char *data = NULL;
    g_autoptr(GError) err = NULL;
    g_assert_true(g_file_get_contents(path, &data, len, &err));
    g_assert_no_error(err);
    return data;
}

static void
test_basic_audio(void)
{
    SdpSession s;
    const char *t = "v=0\r\n"
                    "o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\n"
                    "s=-\r\n"
                    "c=IN IP4 192.0.2.101\r\n"
                    "t=0 0\r\n"
                    "m=audio 49172 RTP/AVP 0 8 97\r\n"
                    "a=rtpmap:0 PCMU/8000\r\n"
                    "a=rtpmap:8 PCMA/8000\r\n"
                    "a=rtpmap:97 iLBC/8000\r\n";
    g_assert_true(parse_str(t, &s));
    g_assert_true(s.has_origin);
    assert_str(s.origin_user, "alice");
    g_assert_cmpuint(s.sess_id, ==, 2890844526u);
    g_assert_cmpuint(s.sess_version, ==, 2890844527u);
    assert_str(s.origin_addr, "host.atlanta.example.com");
    g_assert_true(s.conn.present);
    g_assert_cmpuint(s.conn.family, ==, 4);
    g_assert_false(s.conn.is_null);
    assert_str(s.conn.addr, "192.0.2.101");
    g_assert_cmpint(s.dir, ==, SDP_DIR_NONE);
    g_assert_cmpuint(s.n_media, ==, 1);
    g_assert_cmpuint(s.n_media_seen, ==, 1);
    const SdpMedia *m = &s.media[0];
    assert_str(m->media, "audio");
    g_assert_cmpuint(m->port, ==, 49172);
    assert_str(m->proto, "RTP/AVP");
    assert_str(m->formats, "0 8 97");
    g_assert_cmpint(m->dir, ==, SDP_DIR_NONE);
    g_assert_false(m->conn.present);
    g_assert_cmpuint(m->n_rtpmap, ==, 3);
    g_assert_cmpuint(m->rtpmap[0].pt, ==, 0);
    assert_str(m->rtpmap[0].encoding, "PCMU/8000");
    g_assert_cmpuint(m->rtpmap[2].pt, ==, 97);
    assert_str(m->rtpmap[2].encoding, "iLBC/8000");
    g_assert_cmpuint(s.n_anomalies, ==, 0);
    g_assert_cmpint(sdp_media_direction(&s, 0), ==, SDP_DIR_SENDRECV);
    g_assert_true(sdp_media_connection(&s, 0) == &s.conn);
}

/* RFC 3264 §5.1 / RFC 8866 §6.7: media level beats session level */
static void
test_direction_precedence(void)
{
    SdpSession s;
    const char *t = "v=0\n"
                    "o=- 1 1 IN IP4 192.0.2.1\n"
                    "s=-\n"
                    "c=IN IP4 192.0.2.1\n"
                    "t=0 0\n"
                    "a=sendonly\n"
                    "m=audio 5000 RTP/AVP 0\n"
                    "m=video 5002 RTP/AVP 31\n"
                    "a=inactive\n"
                    "m=audio 5004 RTP/AVP 0\n"
                    "a=recvonly\n";
    g_assert_true(parse_str(t, &s));
    g_assert_cmpint(s.dir, ==, SDP_DIR_SENDONLY);
    g_assert_cmpuint(s.n_media, ==, 3);
    g_assert_cmpint(s.media[0].dir, ==, SDP_DIR_NONE);
    g_assert_cmpint(s.media[1].dir, ==, SDP_DIR_INACTIVE);
    g_assert_cmpint(s.media[2].dir, ==, SDP_DIR_RECVONLY);
    g_assert_cmpint(sdp_media_direction(&s, 0), ==, SDP_DIR_SENDONLY);
    g_assert_cmpint(sdp_media_direction(&s, 1), ==, SDP_DIR_INACTIVE);
    g_assert_cmpint(sdp_media_direction(&s, 2), ==, SDP_DIR_RECVONLY);
    g_assert_cmpuint(s.n_anomalies, ==, 0);
    g_assert_cmpstr(sdp_direction_name(SDP_DIR_SENDRECV), ==, "sendrecv");
    g_assert_cmpstr(sdp_direction_name(SDP_DIR_SENDONLY), ==, "sendonly");
    g_assert_cmpstr(sdp_direction_name(SDP_DIR_RECVONLY), ==, "recvonly");
    g_assert_cmpstr(sdp_direction_name(SDP_DIR_INACTIVE), ==, "inactive");
    g_assert_cmpstr(sdp_direction_name(SDP_DIR_NONE), ==, "none");
}

static void
test_conflicting_direction(void)
{
    SdpSession s;
    const char *t = "v=0\r\n"
                    "o=- 1 1 IN IP4 192.0.2.1\r\n"
                    "c=IN IP4 192.0.2.1\r\n"
                    "a=sendrecv\r\n"
                    "a=sendrecv\r\n" /* the same twice: no conflict */
                    "m=audio 5000 RTP/AVP 0\r\n"
                    "a=sendonly\r\n"
                    "a=inactive\r\n";
    g_assert_true(parse_str(t, &s));
    g_assert_cmpint(s.dir, ==, SDP_DIR_SENDRECV);
    g_assert_cmpint(s.media[0].dir, ==, SDP_DIR_INACTIVE); /* last wins */
    g_assert_cmpuint(s.n_anomalies, ==, 1);
    g_assert_cmpint(s.anomalies[0], ==, SS_ANOMALY_SDP_CONFLICTING_DIRECTION);

    /* at session level too */
    g_assert_true(parse_str("v=0\na=recvonly\na=sendonly\n", &s));
    g_assert_cmpint(s.dir, ==, SDP_DIR_SENDONLY);
    g_assert_true(has_anomaly(&s, SS_ANOMALY_SDP_CONFLICTING_DIRECTION));
}

/* RFC 3264 §8.4 (and RFC 2543 hold): c=0.0.0.0 */
static void
test_null_ipv4(void)
{
    SdpSession s;
    g_assert_true(parse_str("v=0\r\n"
                            "o=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com\r\n"
                            "s=\r\n"
                            "c=IN IP4 0.0.0.0\r\n"
                            "t=0 0\r\n"
                            "m=audio 49170 RTP/AVP 0\r\n",
                            &s));
    g_assert_true(s.conn.present);
    g_assert_true(s.conn.is_null);
    g_assert_cmpuint(s.conn.family, ==, 4);
    assert_str(s.conn.addr, "0.0.0.0");
    const SdpConnection *c = sdp_media_connection(&s, 0);
    g_assert_nonnull(c);
    g_assert_true(c->is_null);
    g_assert_cmpuint(s.n_anomalies, ==, 0);

    /* the TTL form, at media level */
    g_assert_true(parse_str("v=0\nm=audio 4000 RTP/AVP 0\nc=IN IP4 0.0.0.0/127\n", &s));
    g_assert_false(s.conn.present);
    g_assert_true(s.media[0].conn.present);
    g_assert_true(s.media[0].conn.is_null);
    assert_str(s.media[0].conn.addr, "0.0.0.0");
    g_assert_true(sdp_media_connection(&s, 0) == &s.media[0].conn);
    g_assert_cmpuint(s.n_anomalies, ==, 0);

    /* a real multicast address with TTL and count is not null */
    g_assert_true(parse_str("v=0\nc=IN IP4 233.252.0.1/127/3\nm=audio 4000 RTP/AVP 0\n", &s));
    g_assert_false(s.conn.is_null);
    assert_str(s.conn.addr, "233.252.0.1");
    g_assert_cmpuint(s.n_anomalies, ==, 0);

    /* 0.0.0.1 and "0.0.0.0.0" are not the null address */
    g_assert_true(parse_str("v=0\nc=IN IP4 0.0.0.1\n", &s));
    g_assert_false(s.conn.is_null);
    g_assert_true(parse_str("v=0\nc=IN IP4 0.0.0.0.0\n", &s));
    g_assert_false(s.conn.is_null);
}

static void
test_null_ipv6(void)
{
    static const char *nulls[] = {"::", "::0", "0:0:0:0:0:0:0:0", "0::0"};
    for (unsigned i = 0; i < G_N_ELEMENTS(nulls); i++) {
        SdpSession s;
        g_autofree char *t = g_strdup_printf("v=0\r\nc=IN IP6 %s\r\nm=audio 4000 RTP/AVP 0\r\n",
                                             nulls[i]);
        g_assert_true(parse_str(t, &s));
        g_assert_true(s.conn.present);
        g_assert_cmpuint(s.conn.family, ==, 6);
        g_assert_true(s.conn.is_null);
        assert_str(s.conn.addr, nulls[i]);
    }
    SdpSession s;
    g_assert_true(parse_str("v=0\r\nc=IN IP6 2001:db8::1\r\n", &s));
    g_assert_cmpuint(s.conn.family, ==, 6);
    g_assert_false(s.conn.is_null);
    assert_str(s.conn.addr, "2001:db8::1");
    /* "::" under IP4 is not an IPv4 address: not null */
    g_assert_true(parse_str("v=0\r\nc=IN IP4 ::\r\n", &s));
    g_assert_cmpuint(s.conn.family, ==, 4);
    g_assert_false(s.conn.is_null);
    /* other nettypes are legal, family 0 */
    g_assert_true(parse_str("v=0\r\nc=ATM NSAP 47.0091.8100.0000\r\n", &s));
    g_assert_true(s.conn.present);
    g_assert_cmpuint(s.conn.family, ==, 0);
    g_assert_false(s.conn.is_null);
}

/* RFC 3264 §5.1: port 0 = stream rejected/disabled; multiple media */
static void
test_multiple_media_port0(void)
{
    SdpSession s;
    const char *t = "v=0\r\n"
                    "o=carol 28908764872 28908764872 IN IP4 100.3.6.6\r\n"
                    "s=-\r\n"
                    "t=0 0\r\n"
                    "c=IN IP4 192.0.2.4\r\n"
                    "m=audio 0 RTP/AVP 0 1 3\r\n"
                    "a=rtpmap:0 PCMU/8000\r\n"
                    "a=rtpmap:1 1016/8000\r\n"
                    "a=rtpmap:3 GSM/8000\r\n"
                    "m=video 53000 RTP/AVP 32\r\n"
                    "a=rtpmap:32 MPV/90000\r\n"
                    "a=sendonly\r\n"
                    "m=audio 5000/2 RTP/AVP 0\r\n";
    g_assert_true(parse_str(t, &s));
    g_assert_cmpuint(s.n_media, ==, 3);
    g_assert_cmpuint(s.n_media_seen, ==, 3);
    assert_str(s.media[0].media, "audio");
    g_assert_cmpuint(s.media[0].port, ==, 0);
    assert_str(s.media[0].formats, "0 1 3");
    g_assert_cmpuint(s.media[0].n_rtpmap, ==, 3);
    assert_str(s.media[0].rtpmap[1].encoding, "1016/8000");
    assert_str(s.media[1].media, "video");
    g_assert_cmpuint(s.media[1].port, ==, 53000);
    g_assert_cmpuint(s.media[1].n_rtpmap, ==, 1);
    g_assert_cmpuint(s.media[1].rtpmap[0].pt, ==, 32);
    g_assert_cmpint(sdp_media_direction(&s, 1), ==, SDP_DIR_SENDONLY);
    g_assert_cmpint(sdp_media_direction(&s, 0), ==, SDP_DIR_SENDRECV);
    g_assert_cmpuint(s.media[2].port, ==, 5000);
    g_assert_cmpuint(s.n_anomalies, ==, 0);
    /* out of range: programmer error, checked */
    g_test_expect_message("sipsleuth", G_LOG_LEVEL_CRITICAL, "*assertion*");
    g_assert_null(sdp_media_connection(&s, 3));
    g_test_assert_expected_messages();
}

static void
test_missing_connection(void)
{
    SdpSession s;
    /* active stream, no c= anywhere */
    g_assert_true(parse_str("v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n", &s));
    g_assert_cmpuint(s.n_anomalies, ==, 1);
    g_assert_cmpint(s.anomalies[0], ==, SS_ANOMALY_SDP_NO_CONNECTION);
    g_assert_false(sdp_media_connection(&s, 0)->present);
    /* a disabled stream needs none */
    g_assert_true(parse_str("v=0\r\nm=audio 0 RTP/AVP 0\r\n", &s));
    g_assert_cmpuint(s.n_anomalies, ==, 0);
    /* media-level c= on every active stream is enough */
    g_assert_true(parse_str("v=0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\n"
                            "m=video 0 RTP/AVP 31\r\n",
                            &s));
    g_assert_cmpuint(s.n_anomalies, ==, 0);
    g_assert_true(parse_str("v=0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\n"
                            "m=video 4002 RTP/AVP 31\r\n",
                            &s));
    g_assert_cmpuint(s.n_anomalies, ==, 1);
    g_assert_cmpint(s.anomalies[0], ==, SS_ANOMALY_SDP_NO_CONNECTION);
}

static void
test_not_sdp(void)
{
    SdpSession s;
    memset(&s, 0xAB, sizeof s);
    g_assert_false(sdp_parse("", 0, &s));
    g_assert_cmpuint(s.n_media, ==, 0);
    g_assert_false(s.has_origin);
    g_assert_cmpuint(s.n_anomalies, ==, 0);
    g_assert_false(sdp_parse(NULL, 0, &s));
    g_assert_false(parse_str("v", &s));
    g_assert_false(parse_str("o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\n", &s)); /* v= not first */
    g_assert_false(parse_str("\r\nv=0\r\n", &s));
    g_assert_false(parse_str("hello world", &s));
    g_assert_cmpuint(s.n_media, ==, 0);
    /* the shortest SDP */
    g_assert_true(parse_str("v=0", &s));
    g_assert_cmpuint(s.n_media, ==, 0);
    g_assert_cmpuint(s.n_anomalies, ==, 0);
}

static void
test_garbage_lines(void)
{
    SdpSession s;
    const char *t = "v=0\r\n"
                    "this is not sdp\r\n"
                    "=novalue\r\n"
                    "1=digit\r\n"
                    "c=IN IP4\r\n"
                    "o=x y z\r\n"
                    "m=audio\r\n"
                    "m=video 99999 RTP/AVP 31\r\n"
                    "m=text 5000/x RTP/AVP 98\r\n"
                    "a=rtpmap:200 X/8000\r\n"
                    "c=IN IP4 192.0.2.5/notttl\r\n"
                    "v=0\r\n";
    g_assert_true(parse_str(t, &s));
    g_assert_false(s.has_origin);
    g_assert_false(s.conn.present);
    g_assert_cmpuint(s.n_media_seen, ==, 3);
    g_assert_cmpuint(s.n_media, ==, 3);
    assert_str(s.media[0].media, "audio");
    g_assert_cmpuint(s.media[0].port, ==, 0); /* malformed: kept, disabled */
    g_assert_cmpuint(s.media[1].port, ==, 0);
    g_assert_cmpuint(s.media[2].port, ==, 0);
    g_assert_false(s.media[2].conn.present);
    g_assert_cmpuint(s.media[2].n_rtpmap, ==, 0);
    g_assert_cmpuint(s.n_anomalies, ==, 4);
    g_assert_cmpint(s.anomalies[0], ==, SS_ANOMALY_SDP_BAD_LINE);
    g_assert_cmpint(s.anomalies[1], ==, SS_ANOMALY_SDP_BAD_CONNECTION);
    g_assert_cmpint(s.anomalies[2], ==, SS_ANOMALY_SDP_BAD_ORIGIN);
    g_assert_cmpint(s.anomalies[3], ==, SS_ANOMALY_SDP_BAD_MEDIA);
}

static void
test_origin_overflow(void)
{
    SdpSession s;
    /* UINT64_MAX fits */
    g_assert_true(parse_str("v=0\no=u 18446744073709551615 0 IN IP4 h\n", &s));
    g_assert_true(s.has_origin);
    g_assert_cmpuint(s.sess_id, ==, G_MAXUINT64);
    g_assert_cmpuint(s.sess_version, ==, 0);
    g_assert_cmpuint(s.n_anomalies, ==, 0);
    /* one more does not */
    g_assert_true(parse_str("v=0\no=u 1 18446744073709551616 IN IP4 h\n", &s));
    g_assert_false(s.has_origin);
    g_assert_cmpuint(s.n_anomalies, ==, 1);
    g_assert_cmpint(s.anomalies[0], ==, SS_ANOMALY_SDP_BAD_ORIGIN);
    /* non-numeric, and a second o= */
    g_assert_true(parse_str("v=0\no=u 12a 1 IN IP4 h\n", &s));
    g_assert_false(s.has_origin);
    g_assert_true(has_anomaly(&s, SS_ANOMALY_SDP_BAD_ORIGIN));
    g_assert_true(parse_str("v=0\no=u 1 2 IN IP4 h\no=v 3 4 IN IP4 h\n", &s));
    g_assert_true(s.has_origin);
    assert_str(s.origin_user, "u");
    g_assert_cmpuint(s.sess_version, ==, 2);
    g_assert_true(has_anomaly(&s, SS_ANOMALY_SDP_BAD_ORIGIN));
}

static void
test_too_many_media(void)
{
    GString *t = g_string_new("v=0\r\nc=IN IP4 192.0.2.1\r\n");
    for (unsigned i = 0; i < SS_SDP_MAX_MEDIA + 3; i++)
        g_string_append_printf(t, "m=audio %u RTP/AVP 0\r\na=sendonly\r\n", 10000 + 2 * i);
    SdpSession s;
    g_assert_true(sdp_parse(t->str, t->len, &s));
    g_assert_cmpuint(s.n_media, ==, SS_SDP_MAX_MEDIA);
    g_assert_cmpuint(s.n_media_seen, ==, SS_SDP_MAX_MEDIA + 3);
    g_assert_cmpuint(s.media[SS_SDP_MAX_MEDIA - 1].port, ==, 10000 + 2 * (SS_SDP_MAX_MEDIA - 1));
    g_assert_cmpint(s.dir, ==, SDP_DIR_NONE); /* dropped sections' a= stay out */
    g_assert_cmpuint(s.n_anomalies, ==, 1);
    g_assert_cmpint(s.anomalies[0], ==, SS_ANOMALY_SDP_TOO_MANY_MEDIA);
    g_string_free(t, TRUE);
}

static void
test_line_ends_and_whitespace(void)
{
    SdpSession s;
    /* LF only, trailing SP/HTAB, no final line end */
    g_assert_true(parse_str("v=0 \no=- 7 8 IN IP4 192.0.2.1\t\nc=IN IP4 0.0.0.0  \n"
                            "m=audio 4000 RTP/AVP 0 \na=inactive \t",
                            &s));
    g_assert_cmpuint(s.sess_version, ==, 8);
    g_assert_true(s.conn.is_null);
    assert_str(s.conn.addr, "0.0.0.0");
    assert_str(s.media[0].formats, "0");
    g_assert_cmpint(s.media[0].dir, ==, SDP_DIR_INACTIVE);
    g_assert_cmpuint(s.n_anomalies, ==, 0);
}

static void
test_nul_bytes(void)
{
    static const char t[] = "v=0\r\nc=IN IP4 192.0.2.1\r\na=send\0only\r\n"
                            "m=audio 4000 RTP/AVP 0\r\na=recvonly\r\n";
    SdpSession s;
    g_assert_true(sdp_parse(t, sizeof t - 1, &s));
    /* the line with the NUL is dropped, parsing goes on after it */
    g_assert_cmpint(s.dir, ==, SDP_DIR_NONE);
    g_assert_cmpuint(s.n_media, ==, 1);
    g_assert_cmpint(s.media[0].dir, ==, SDP_DIR_RECVONLY);
    g_assert_cmpuint(s.n_anomalies, ==, 1);
    g_assert_cmpint(s.anomalies[0], ==, SS_ANOMALY_SDP_BAD_LINE);
}

static void
test_long_lines(void)
{
    GString *t = g_string_new("v=0\r\nc=IN IP4 192.0.2.1\r\ns=");
    for (unsigned i = 0; i < 100000; i++)
        g_string_append_c(t, 'x');
    g_string_append(t, "\r\nc=IN IP4 ");
    for (unsigned i = 0; i < 70000; i++)
        g_string_append_c(t, '0');
    g_string_append(t, "\r\nm=audio 4000 RTP/AVP ");
    for (unsigned i = 0; i < 20000; i++)
        g_string_append(t, "96 ");
    g_string_append(t, "\r\n");
    SdpSession s;
    g_assert_true(sdp_parse(t->str, t->len, &s));
    assert_str(s.conn.addr, "192.0.2.1");
    g_assert_cmpuint(s.n_media, ==, 1);
    g_assert_cmpuint(s.media[0].formats.len, ==, 20000 * 3 - 1);
    g_assert_cmpuint(s.n_anomalies, ==, 0);
    g_string_free(t, TRUE);

    /* a long null-looking address is not copied anywhere unbounded */
    t = g_string_new("v=0\nc=IN IP6 ");
    for (unsigned i = 0; i < 4096; i++)
        g_string_append(t, "0:");
    g_assert_true(sdp_parse(t->str, t->len, &s));
    g_assert_true(s.conn.present);
    g_assert_false(s.conn.is_null);
    g_string_free(t, TRUE);
}

static void
test_rtpmap_cap(void)
{
    GString *t = g_string_new("v=0\nc=IN IP4 192.0.2.1\na=rtpmap:0 PCMU/8000\nm=audio 1 RTP/AVP");
    for (unsigned i = 0; i < SDP_MAX_RTPMAP + 2; i++)
        g_string_append_printf(t, " %u", 96 + i);
    g_string_append_c(t, '\n');
    for (unsigned i = 0; i < SDP_MAX_RTPMAP + 2; i++)
        g_string_append_printf(t, "a=rtpmap:%u X%u/8000\n", 96 + i, i);
    g_string_append(t, "a=rtpmap:x PCMU/8000\n");
    SdpSession s;
    g_assert_true(sdp_parse(t->str, t->len, &s));
    g_assert_cmpuint(s.media[0].n_rtpmap, ==, SDP_MAX_RTPMAP);
    g_assert_cmpuint(s.media[0].rtpmap[7].pt, ==, 103);
    assert_str(s.media[0].rtpmap[7].encoding, "X7/8000");
    g_assert_cmpuint(s.n_anomalies, ==, 1);
    g_assert_cmpint(s.anomalies[0], ==, SS_ANOMALY_SDP_BAD_LINE);
    g_string_free(t, TRUE);
}

/* RFC 4475 §3.3.15 sdp01.dat body */
static void
test_rfc4475_sdp01(void)
{
    gsize len;
    g_autofree char *t = load_fixture("rfc4475-sdp01.sdp", &len);
    g_assert_cmpuint(len, ==, 150);
    SdpSession s;
    g_assert_true(sdp_parse(t, len, &s));
    assert_str(s.origin_user, "mhandley");
    g_assert_cmpuint(s.sess_id, ==, 29739);
    g_assert_cmpuint(s.sess_version, ==, 7272939);
    assert_str(s.origin_addr, "192.0.2.5");
    assert_str(s.conn.addr, "192.0.2.5");
    g_assert_cmpuint(s.n_media, ==, 2);
    assert_str(s.media[0].media, "audio");
    g_assert_cmpuint(s.media[0].port, ==, 49217);
    assert_str(s.media[0].formats, "0 12");
    g_assert_cmpuint(s.media[0].n_rtpmap, ==, 0);
    assert_str(s.media[1].media, "video");
    g_assert_cmpuint(s.media[1].port, ==, 3227);
    g_assert_cmpuint(s.media[1].n_rtpmap, ==, 1);
    g_assert_cmpuint(s.media[1].rtpmap[0].pt, ==, 31);
    assert_str(s.media[1].rtpmap[0].encoding, "LPC");
    g_assert_cmpint(sdp_media_direction(&s, 1), ==, SDP_DIR_SENDRECV);
    g_assert_cmpuint(s.n_anomalies, ==, 0);
}

/* RFC 4475 §3.1.1.11 mpart01.dat: a multipart body is not SDP */
static void
test_rfc4475_mpart01(void)
{
    gsize len;
    g_autofree char *t = load_fixture("rfc4475-mpart01.body", &len);
    g_assert_cmpuint(len, ==, 553);
    SdpSession s;
    g_assert_false(sdp_parse(t, len, &s));
    g_assert_cmpuint(s.n_media, ==, 0);
}

/* the seed's two examples: an offer, then Bob's sendonly hold */
static void
test_seed_examples(void)
{
    gsize len;
    SdpSession s;
    g_autofree char *f1 = load_fixture("seed-f1-offer.sdp", &len);
    g_assert_true(sdp_parse(f1, len, &s));
    assert_str(s.origin_user, "alice");
    g_assert_cmpuint(s.sess_id, ==, 2890844526u);
    g_assert_cmpuint(s.sess_version, ==, 2890844526u);
    assert_str(s.conn.addr, "client.atlanta.example.com");
    g_assert_cmpuint(s.conn.family, ==, 4);
    g_assert_false(s.conn.is_null);
    g_assert_cmpuint(s.n_media, ==, 1);
    g_assert_cmpuint(s.media[0].port, ==, 49170);
    assert_str(s.media[0].rtpmap[0].encoding, "PCMU/8000");
    g_assert_cmpint(sdp_media_direction(&s, 0), ==, SDP_DIR_SENDRECV);
    g_assert_cmpuint(s.n_anomalies, ==, 0);

    g_autofree char *f10 = load_fixture("seed-f10-hold.sdp", &len);
    g_assert_true(sdp_parse(f10, len, &s));
    assert_str(s.origin_user, "bob");
    g_assert_cmpuint(s.sess_id, ==, 2890844527u);
    g_assert_cmpuint(s.sess_version, ==, 2890844528u);
    g_assert_cmpuint(s.media[0].port, ==, 3456);
    g_assert_cmpint(s.media[0].dir, ==, SDP_DIR_SENDONLY);
    g_assert_cmpint(sdp_media_direction(&s, 0), ==, SDP_DIR_SENDONLY);
    g_assert_cmpuint(s.n_anomalies, ==, 0);
}

/* A NUL byte spoils only its own line (RFC 8866 §5 forbids NUL in SDP
 * text); the lines around it still count. */
static void
test_nul_line(void)
{
    static const char text[] = "v=0\r\n"
                               "o=- 1 2 IN IP4 192.0.2.1\r\n"
                               "c=IN IP4 0.0.0.0\x00junk\r\n"
                               "c=IN IP4 192.0.2.1\r\n"
                               "m=audio 4000 RTP/AVP 0\r\n"
                               "a=sendonly\r\n";
    SdpSession s;
    g_assert_true(sdp_parse(text, sizeof text - 1, &s));
    g_assert_true(has_anomaly(&s, SS_ANOMALY_SDP_BAD_LINE));
    g_assert_true(s.conn.present);
    g_assert_false(s.conn.is_null);
    assert_str(s.conn.addr, "192.0.2.1");
    g_assert_cmpuint(s.n_media, ==, 1);
    g_assert_cmpint(sdp_media_direction(&s, 0), ==, SDP_DIR_SENDONLY);
}

/* One SdpSession parsed into again and again (as the dialog engine does):
 * nothing of the previous body shows through. */
static void
test_reuse(void)
{
    SdpSession s;
    g_assert_true(parse_str("v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\nc=IN IP4 0.0.0.0\r\na=inactive\r\n"
                            "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendonly\r\n"
                            "m=video 4002 RTP/AVP 96\r\nc=IN IP4 192.0.2.9\r\n"
                            "m=audio 0 RTP/AVP 0\r\nx\r\n",
                            &s));
    g_assert_cmpuint(s.n_media, ==, 3);
    g_assert_cmpuint(s.n_anomalies, ==, 1);
    g_assert_true(parse_str("v=0\r\nm=audio 5000 RTP/AVP 8\r\n", &s));
    g_assert_false(s.has_origin);
    g_assert_false(s.conn.present);
    g_assert_cmpint(s.dir, ==, SDP_DIR_NONE);
    g_assert_cmpuint(s.n_media, ==, 1);
    g_assert_cmpuint(s.n_media_seen, ==, 1);
    g_assert_cmpuint(s.media[0].port, ==, 5000);
    g_assert_cmpuint(s.media[0].n_rtpmap, ==, 0);
    g_assert_false(s.media[0].conn.present);
    g_assert_cmpint(sdp_media_direction(&s, 0), ==, SDP_DIR_SENDRECV);
    g_assert_cmpuint(s.n_anomalies, ==, 1); /* no c= anywhere */
    g_assert_true(has_anomaly(&s, SS_ANOMALY_SDP_NO_CONNECTION));
}

/* Spellings next to the usual one, which the parser reads by shortcuts:
 * each must give what the general reading gives. */
static void
test_spelling_edges(void)
{
    SdpSession s;
    /* rtpmap payload types: leading zeros, SP runs, HTAB, an extra word */
    g_assert_true(parse_str("v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 97 8 9 10\n"
                            "a=rtpmap:0097 X/1\na=rtpmap:8  PCMA/8000\na=rtpmap:9\tG722/8000 x\n"
                            "a=rtpmap:127 L16/44100/2\n",
                            &s));
    g_assert_cmpuint(s.media[0].n_rtpmap, ==, 4);
    g_assert_cmpuint(s.media[0].rtpmap[0].pt, ==, 97);
    assert_str(s.media[0].rtpmap[0].encoding, "X/1");
    g_assert_cmpuint(s.media[0].rtpmap[1].pt, ==, 8);
    assert_str(s.media[0].rtpmap[1].encoding, "PCMA/8000");
    g_assert_cmpuint(s.media[0].rtpmap[2].pt, ==, 9);
    assert_str(s.media[0].rtpmap[2].encoding, "G722/8000");
    g_assert_cmpuint(s.media[0].rtpmap[3].pt, ==, 127);
    g_assert_cmpuint(s.n_anomalies, ==, 0);
    static const char *bad_rtpmap[] = {"a=rtpmap:128 X/1", "a=rtpmap:1000 X/1", "a=rtpmap:1a X/1",
                                       "a=rtpmap:5", "a=rtpmap:", "a=rtpmap: 5"};
    for (unsigned i = 0; i < G_N_ELEMENTS(bad_rtpmap); i++) {
        g_autofree char *t = g_strdup_printf("v=0\nm=audio 0 RTP/AVP 5\n%s\n", bad_rtpmap[i]);
        g_assert_true(parse_str(t, &s));
        g_assert_cmpuint(s.media[0].n_rtpmap, ==, 0);
        g_assert_cmpuint(s.n_anomalies, ==, 1);
        g_assert_cmpint(s.anomalies[0], ==, SS_ANOMALY_SDP_BAD_LINE);
    }

    /* c=: SP runs and HTAB after IN IP4/IP6, an addrtype that only starts
     * like IP4, suffixes */
    g_assert_true(parse_str("v=0\nc=IN IP4  192.0.2.1\n", &s));
    g_assert_cmpuint(s.conn.family, ==, 4);
    assert_str(s.conn.addr, "192.0.2.1");
    g_assert_true(parse_str("v=0\nc=IN IP6\t::\n", &s));
    g_assert_cmpuint(s.conn.family, ==, 6);
    g_assert_true(s.conn.is_null);
    g_assert_true(parse_str("v=0\nc=IN IP4X 192.0.2.1\n", &s));
    g_assert_true(s.conn.present);
    g_assert_cmpuint(s.conn.family, ==, 0);
    g_assert_true(parse_str("v=0\nc=IN IP4 233.252.0.1/127/2\n", &s));
    assert_str(s.conn.addr, "233.252.0.1");
    g_assert_cmpuint(s.n_anomalies, ==, 0);
    static const char *bad_conn[] = {"c=IN IP4 233.252.0.1/127/2/1", "c=IN IP4 /127",
                                     "c=IN IP4 192.0.2.1/", "c=IN IP4 192.0.2.1 x", "c=IN IP4"};
    for (unsigned i = 0; i < G_N_ELEMENTS(bad_conn); i++) {
        g_autofree char *t = g_strdup_printf("v=0\n%s\n", bad_conn[i]);
        g_assert_true(parse_str(t, &s));
        g_assert_false(s.conn.present);
        g_assert_cmpuint(s.n_anomalies, ==, 1);
        g_assert_cmpint(s.anomalies[0], ==, SS_ANOMALY_SDP_BAD_CONNECTION);
    }

    /* o=: numbers of every length class, SP runs around IN IP4 */
    g_assert_true(parse_str("v=0\no=u 0000000000000000000000000000001 12345678 IN IP4 h\n", &s));
    g_assert_true(s.has_origin);
    g_assert_cmpuint(s.sess_id, ==, 1);
    g_assert_cmpuint(s.sess_version, ==, 12345678);
    g_assert_true(parse_str("v=0\no=u 1234567890123456 12345678901234567 IN  IP4 h\n", &s));
    g_assert_cmpuint(s.sess_id, ==, G_GUINT64_CONSTANT(1234567890123456));
    g_assert_cmpuint(s.sess_version, ==, G_GUINT64_CONSTANT(12345678901234567));
    assert_str(s.origin_addr, "h");
    g_assert_true(parse_str("v=0\no=u 123456789 1234 IN IP6 ::1\n", &s));
    g_assert_cmpuint(s.sess_id, ==, 123456789);
    g_assert_cmpuint(s.sess_version, ==, 1234);
    g_assert_cmpuint(s.n_anomalies, ==, 0);
    static const char *bad_origin[] = {"o=u 12345678a 1 IN IP4 h", "o=u 1 1234567a IN IP4 h",
                                       "o=u 1 2 IN IP4 h x", "o=u 1 2 IN IP4", "o=u 1 -2 IN IP4 h"};
    for (unsigned i = 0; i < G_N_ELEMENTS(bad_origin); i++) {
        g_autofree char *t = g_strdup_printf("v=0\n%s\n", bad_origin[i]);
        g_assert_true(parse_str(t, &s));
        g_assert_false(s.has_origin);
        g_assert_cmpuint(s.n_anomalies, ==, 1);
        g_assert_cmpint(s.anomalies[0], ==, SS_ANOMALY_SDP_BAD_ORIGIN);
    }

    /* fields in the last bytes of the body, no final line end */
    g_assert_true(parse_str("v=0\nc=IN IP4 192.0.2.1\nm=audio 1234/2 RTP/AVP 0", &s));
    g_assert_cmpuint(s.media[0].port, ==, 1234);
    assert_str(s.media[0].formats, "0");
    g_assert_true(parse_str("v=0\nm=audio 0 RTP/AVP 0\na=rtpmap:0 PCMU/8000", &s));
    assert_str(s.media[0].rtpmap[0].encoding, "PCMU/8000");
    g_assert_true(parse_str("v=0\no=u 12345 1234 IN IP4 h", &s));
    g_assert_cmpuint(s.sess_id, ==, 12345);
    g_assert_cmpuint(s.sess_version, ==, 1234);
}

/* Line ends are found 64 bytes at a time: lines and bodies that end at
 * and around those boundaries. */
static void
test_block_boundaries(void)
{
    for (unsigned pad = 0; pad < 140; pad++) {
        /* an s= line of pad bytes moves the lines after it across the
         * boundaries; the body ends with or without a line end */
        for (unsigned crlf = 0; crlf < 3; crlf++) {
            const char *nl = crlf == 0 ? "\n" : "\r\n";
            GString *t = g_string_new("v=0");
            g_string_append(t, nl);
            g_string_append(t, "s=");
            for (unsigned i = 0; i < pad; i++)
                g_string_append_c(t, 'x');
            g_string_append_printf(t, "%sc=IN IP4 192.0.2.1%sm=audio 4000 RTP/AVP 0%sa=sendonly", nl,
                                   nl, nl);
            if (crlf != 2)
                g_string_append(t, nl);
            SdpSession s;
            g_assert_true(sdp_parse(t->str, t->len, &s));
            g_assert_cmpuint(s.n_media, ==, 1);
            g_assert_cmpuint(s.media[0].port, ==, 4000);
            assert_str(s.conn.addr, "192.0.2.1");
            g_assert_cmpint(s.media[0].dir, ==, SDP_DIR_SENDONLY);
            g_assert_cmpuint(s.n_anomalies, ==, 0);
            g_string_free(t, TRUE);
        }
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sdp/parse/basic-audio", test_basic_audio);
    g_test_add_func("/sdp/parse/direction-precedence", test_direction_precedence);
    g_test_add_func("/sdp/parse/conflicting-direction", test_conflicting_direction);
    g_test_add_func("/sdp/parse/null-ipv4", test_null_ipv4);
    g_test_add_func("/sdp/parse/null-ipv6", test_null_ipv6);
    g_test_add_func("/sdp/parse/multiple-media-port0", test_multiple_media_port0);
    g_test_add_func("/sdp/parse/missing-connection", test_missing_connection);
    g_test_add_func("/sdp/parse/not-sdp", test_not_sdp);
    g_test_add_func("/sdp/parse/garbage-lines", test_garbage_lines);
    g_test_add_func("/sdp/parse/origin-overflow", test_origin_overflow);
    g_test_add_func("/sdp/parse/too-many-media", test_too_many_media);
    g_test_add_func("/sdp/parse/line-ends", test_line_ends_and_whitespace);
    g_test_add_func("/sdp/parse/nul-bytes", test_nul_bytes);
    g_test_add_func("/sdp/parse/long-lines", test_long_lines);
    g_test_add_func("/sdp/parse/rtpmap-cap", test_rtpmap_cap);
    g_test_add_func("/sdp/parse/rfc4475-sdp01", test_rfc4475_sdp01);
    g_test_add_func("/sdp/parse/rfc4475-mpart01", test_rfc4475_mpart01);
    g_test_add_func("/sdp/parse/seed-examples", test_seed_examples);
    g_test_add_func("/sdp/parse/nul-line", test_nul_line);
    g_test_add_func("/sdp/parse/reuse", test_reuse);
    g_test_add_func("/sdp/parse/spelling-edges", test_spelling_edges);
    g_test_add_func("/sdp/parse/block-boundaries", test_block_boundaries);
    return g_test_run();
}
