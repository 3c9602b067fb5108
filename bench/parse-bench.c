/* parse-bench - micro-benchmark of sip_message_parse() (no I/O).
 *
 * Parses a realistic mix of messages (INVITE and 200 with SDP, ACK, BYE,
 * REFER with an embedded Replaces, NOTIFY with a sipfrag body) N times and
 * reports messages/s and MB/s, first for the parse alone, then for the
 * parse plus the accessors the dialog layer calls on every message.
 *
 *   bench/parse-bench [ROUNDS]      (default 200000 rounds of 6 messages)
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sip/sip_body.h"
#include "sip/sip_header.h"
#include "sip/sip_parse.h"

#define CRLF "\r\n"

static const char msg_invite[] =
    "INVITE sip:bob@biloxi.example.com SIP/2.0" CRLF
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport" CRLF
    "Max-Forwards: 70" CRLF
    "To: Bob <sip:bob@biloxi.example.com>" CRLF
    "From: \"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774" CRLF
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com" CRLF
    "CSeq: 314159 INVITE" CRLF
    "Contact: <sip:alice@pc33.atlanta.example.com:5060;transport=udp>" CRLF
    "Allow: INVITE, ACK, CANCEL, BYE, REFER, OPTIONS, NOTIFY, INFO, UPDATE" CRLF
    "Supported: replaces, timer, 100rel" CRLF
    "User-Agent: ExamplePhone/4.2.1" CRLF
    "Session-Expires: 1800;refresher=uac" CRLF
    "Content-Type: application/sdp" CRLF
    "Content-Length: 224" CRLF
    CRLF
    "v=0" CRLF
    "o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com" CRLF
    "s=-" CRLF
    "c=IN IP4 192.0.2.101" CRLF
    "t=0 0" CRLF
    "m=audio 49172 RTP/AVP 0 8 101" CRLF
    "a=rtpmap:0 PCMU/8000" CRLF
    "a=rtpmap:8 PCMA/8000" CRLF
    "a=rtpmap:101 telephone-event/8000" CRLF
    "a=sendrecv" CRLF;

static const char msg_200[] =
    "SIP/2.0 200 OK" CRLF
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.0.2.101" CRLF
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf" CRLF
    "From: \"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774" CRLF
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com" CRLF
    "CSeq: 314159 INVITE" CRLF
    "Contact: <sip:bob@192.0.2.4:5060>" CRLF
    "Server: ExampleSBC/1.0" CRLF
    "Content-Type: application/sdp" CRLF
    "Content-Length: 154" CRLF
    CRLF
    "v=0" CRLF
    "o=bob 2808844564 2808844564 IN IP4 biloxi.example.com" CRLF
    "s=-" CRLF
    "c=IN IP4 192.0.2.4" CRLF
    "t=0 0" CRLF
    "m=audio 3456 RTP/AVP 0 101" CRLF
    "a=rtpmap:0 PCMU/8000" CRLF
    "a=sendrecv" CRLF;

static const char msg_ack[] =
    "ACK sip:bob@192.0.2.4:5060 SIP/2.0" CRLF
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bKnashds9" CRLF
    "Max-Forwards: 70" CRLF
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf" CRLF
    "From: \"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774" CRLF
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com" CRLF
    "CSeq: 314159 ACK" CRLF
    "Content-Length: 0" CRLF
    CRLF;

static const char msg_bye[] =
    "BYE sip:alice@pc33.atlanta.example.com:5060 SIP/2.0" CRLF
    "Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKnashds10" CRLF
    "Max-Forwards: 70" CRLF
    "From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf" CRLF
    "To: \"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774" CRLF
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com" CRLF
    "CSeq: 231 BYE" CRLF
    "Reason: SIP;cause=200;text=\"Call completed\"" CRLF
    "Content-Length: 0" CRLF
    CRLF;

static const char msg_refer[] =
    "REFER sip:bob@192.0.2.4:5060 SIP/2.0" CRLF
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bKnashds11" CRLF
    "Max-Forwards: 70" CRLF
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf" CRLF
    "From: \"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774" CRLF
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com" CRLF
    "CSeq: 314160 REFER" CRLF
    "Contact: <sip:alice@pc33.atlanta.example.com:5060>" CRLF
    "Refer-To: <sip:carol@chicago.example.com?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>" CRLF
    "Referred-By: <sip:alice@atlanta.example.com>" CRLF
    "Content-Length: 0" CRLF
    CRLF;

static const char msg_notify[] =
    "NOTIFY sip:alice@pc33.atlanta.example.com:5060 SIP/2.0" CRLF
    "Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKnashds12" CRLF
    "Max-Forwards: 70" CRLF
    "From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf" CRLF
    "To: \"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774" CRLF
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com" CRLF
    "CSeq: 232 NOTIFY" CRLF
    "Contact: <sip:bob@192.0.2.4:5060>" CRLF
    "Event: refer;id=314160" CRLF
    "Subscription-State: terminated;reason=noresource" CRLF
    "Content-Type: message/sipfrag;version=2.0" CRLF
    "Content-Length: 16" CRLF
    CRLF
    "SIP/2.0 200 OK" CRLF;

typedef struct {
    const char *buf;
    size_t len;
} BenchMsg;

static double
now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static SipMessage msg;

int
main(int argc, char **argv)
{
    const BenchMsg mix[] = {
        { msg_invite, sizeof msg_invite - 1 }, { msg_200, sizeof msg_200 - 1 },
        { msg_ack, sizeof msg_ack - 1 },       { msg_bye, sizeof msg_bye - 1 },
        { msg_refer, sizeof msg_refer - 1 },   { msg_notify, sizeof msg_notify - 1 },
    };
    const size_t n_mix = sizeof mix / sizeof mix[0];
    long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    if (rounds <= 0)
        rounds = 1;

    size_t bytes_per_round = 0;
    for (size_t i = 0; i < n_mix; i++) {
        bytes_per_round += mix[i].len;
        if (sip_message_parse(&msg, mix[i].buf, mix[i].len) != SIP_PARSE_OK || msg.n_anomalies != 0) {
            fprintf(stderr, "parse-bench: message %zu does not parse cleanly\n", i);
            return 1;
        }
    }

    /* parse only */
    unsigned long sink = 0;
    double t0 = now_sec();
    for (long r = 0; r < rounds; r++)
        for (size_t i = 0; i < n_mix; i++) {
            sip_message_parse(&msg, mix[i].buf, mix[i].len);
            sink += msg.n_headers;
        }
    double t1 = now_sec();

    /* parse + the accessors the dialog layer uses on every message */
    char decode[256];
    for (long r = 0; r < rounds; r++)
        for (size_t i = 0; i < n_mix; i++) {
            SipStr cid, ct;
            SipNameAddr from, to;
            SipCSeq cseq;
            SipVia via;
            SipReferTo rt;
            SipStr part;
            sip_message_parse(&msg, mix[i].buf, mix[i].len);
            sink += sip_get_call_id(&msg, &cid) + sip_get_from(&msg, &from) + sip_get_to(&msg, &to) +
                    sip_get_cseq(&msg, &cseq) + sip_get_top_via(&msg, &via) +
                    sip_get_content_type(&msg, &ct, NULL);
            if (msg.method == SIP_METHOD_REFER)
                sink += sip_get_refer_to(&msg, &rt, decode, sizeof decode);
            if (sip_body_find(&msg, "application/sdp", &part))
                sink += part.len;
            else if (sip_body_find(&msg, "message/sipfrag", &part))
                sink += sip_sipfrag_status(part);
        }
    double t2 = now_sec();

    /* the INVITE with SDP alone, parse only */
    for (long r = 0; r < rounds * (long)n_mix; r++) {
        sip_message_parse(&msg, mix[0].buf, mix[0].len);
        sink += msg.n_headers;
    }
    double t3 = now_sec();

    double n = (double)rounds * (double)n_mix;
    double mb = (double)rounds * (double)bytes_per_round / 1e6;
    printf("mix: %zu messages, %zu bytes (average %.0f bytes/message), %ld rounds\n", n_mix, bytes_per_round,
           (double)bytes_per_round / (double)n_mix, rounds);
    printf("parse only:         %10.0f messages/s  %8.1f MB/s\n", n / (t1 - t0), mb / (t1 - t0));
    printf("parse + accessors:  %10.0f messages/s  %8.1f MB/s\n", n / (t2 - t1), mb / (t2 - t1));
    printf("INVITE+SDP (%zu bytes), parse only: %10.0f messages/s  %8.1f MB/s\n", mix[0].len, n / (t3 - t2),
           n * (double)mix[0].len / 1e6 / (t3 - t2));
    fprintf(stderr, "(checksum %lu)\n", sink);
    return 0;
}
