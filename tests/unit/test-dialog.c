/* Dialogs, offer/answer and the labeller (DESIGN.md §2), driven by SIP text. */
#include <config.h>

#include <string.h>

#include "dialog-harness.h"

#define SEC (SS_NSEC_PER_SEC)
#define MS (SS_NSEC_PER_MSEC)

static void
test_basic_call(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_bye(&h, &d, true, 2);
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 terminated bye 200 labels=- holds=0 by=caller\n");
    g_assert_cmpstr(h.anomalies->str, ==, "");
    h_free(&h);
}

static void
test_hold_sendonly_resume(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_reinvite(&h, &d, true, 2, h_sdp(&h, "sendonly", "10.0.0.1"), h_sdp(&h, "recvonly", "10.0.0.2"));
    h.t += 5 * SEC;
    h_reinvite(&h, &d, true, 3, h_sdp(&h, "sendrecv", "10.0.0.1"), h_sdp(&h, "sendrecv", "10.0.0.2"));
    h_bye(&h, &d, false, 1);
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "resume caller INVITE accepted 200 after=5030ms [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=hold,resume holds=1 held=5030ms by=callee\n");
    h_free(&h);
}

static void
test_hold_inactive(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_reinvite(&h, &d, true, 2, h_sdp(&h, "inactive", "10.0.0.1"), h_sdp(&h, "inactive", "10.0.0.2"));
    h_finish(&h);
    h_check(&h, "hold caller INVITE inactive accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=30ms\n");
    h_free(&h);
}

static void
test_hold_null_address(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    /* RFC 2543 hold: c=0.0.0.0, no direction attribute */
    h_reinvite(&h, &d, true, 2, h_sdp(&h, "", "0.0.0.0"), h_sdp(&h, "", "10.0.0.2"));
    h_reinvite(&h, &d, true, 3, h_sdp(&h, "", "10.0.0.1"), h_sdp(&h, "", "10.0.0.2"));
    h_finish(&h);
    h_check(&h, "hold caller INVITE null_address accepted 200 [c1@test a1/b1]\n"
              "resume caller INVITE accepted 200 after=30ms [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold,resume holds=1 held=30ms\n");
    h_free(&h);
}

static void
test_hold_ipv6_null(void)
{
    Harness h;
    h_init(&h);
    Dlg d = { "c6@test", "alice@a.example", "a1", "bob@b.example", "b1", "::1", "::1" };
    h_call(&h, &d);
    h_reinvite(&h, &d, true, 2, h_sdp(&h, "sendonly", "::"), h_sdp(&h, "recvonly", "::1"));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c6@test a1/b1]\n"
              "dialog c6@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=30ms\n");
    h_free(&h);
}

static void
test_session_vs_media_level(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    /* session-level sendonly, media-level sendrecv: the media level wins (no hold) */
    const char *o1 = "v=0\no=- 1 2 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\na=sendonly\n"
                     "m=audio 40000 RTP/AVP 0\na=sendrecv\n";
    h_reinvite(&h, &d, true, 2, o1, h_sdp(&h, "sendrecv", "10.0.0.2"));
    /* session-level inactive and no media-level attribute: hold */
    const char *o2 = "v=0\no=- 1 3 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\na=inactive\n"
                     "m=audio 40000 RTP/AVP 0\n";
    h_reinvite(&h, &d, true, 3, o2, h_sdp(&h, "inactive", "10.0.0.2"));
    h_finish(&h);
    h_check(&h, "hold caller INVITE inactive accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=30ms\n");
    h_free(&h);
}

static void
test_hold_by_update(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "UPDATE", 2, NULL, h_sdp(&h, "sendonly", "10.0.0.1"));
    h_resp(&h, &d, true, 200, "UPDATE", 2, NULL, h_sdp(&h, "recvonly", "10.0.0.2"));
    h_finish(&h);
    h_check(&h, "hold caller UPDATE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=20ms\n");
    h_free(&h);
}

static void
test_hold_delayed_offer(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    /* re-INVITE without SDP: the offer comes in the 200, the hold in the ACK's answer */
    h_req(&h, &d, true, "INVITE", 2, NULL, NULL);
    h_resp(&h, &d, true, 200, "INVITE", 2, NULL, h_sdp(&h, "sendrecv", "10.0.0.2"));
    h_req(&h, &d, true, "ACK", 2, NULL, h_sdp(&h, "sendonly", "10.0.0.1"));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=30ms\n");
    h_free(&h);
}

static void
test_hold_rejected_491(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "INVITE", 2, NULL, h_sdp(&h, "sendonly", "10.0.0.1"));
    h_resp(&h, &d, true, 491, "INVITE", 2, NULL, NULL);
    h_req(&h, &d, true, "ACK", 2, NULL, NULL);
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly rejected 491 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=- holds=0\n");
    h_free(&h);
}

static void
test_hold_answer_mismatch(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_reinvite(&h, &d, true, 2, h_sdp(&h, "sendonly", "10.0.0.1"), h_sdp(&h, "sendrecv", "10.0.0.2"));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly answer_mismatch 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=30ms\n");
    g_assert_cmpstr(h.anomalies->str, ==, "answer_mismatch");
    h_free(&h);
}

static void
test_double_hold(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_reinvite(&h, &d, true, 2, h_sdp(&h, "sendonly", "10.0.0.1"), h_sdp(&h, "recvonly", "10.0.0.2"));
    /* RFC 6337 §5.3: B holds too, offering inactive */
    h_reinvite(&h, &d, false, 1, h_sdp(&h, "inactive", "10.0.0.2"), h_sdp(&h, "inactive", "10.0.0.1"));
    /* A resumes towards a party that still holds: recvonly */
    h_reinvite(&h, &d, true, 3, h_sdp(&h, "recvonly", "10.0.0.1"), h_sdp(&h, "sendonly", "10.0.0.2"));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "hold callee INVITE inactive accepted 200 double [c1@test a1/b1]\n"
              "resume caller INVITE accepted 200 double after=60ms [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold,resume holds=2 held=120ms\n");
    h_free(&h);
}

static void
test_callee_hold(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    /* the seed's F10: Bob (callee) puts Alice on hold, then resumes; Alice hangs up */
    h_reinvite(&h, &d, false, 1, h_sdp(&h, "sendonly", "10.0.0.2"), h_sdp(&h, "recvonly", "10.0.0.1"));
    h_reinvite(&h, &d, false, 2, h_sdp(&h, "sendrecv", "10.0.0.2"), h_sdp(&h, "sendrecv", "10.0.0.1"));
    h_bye(&h, &d, true, 2);
    h_finish(&h);
    h_check(&h, "hold callee INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "resume callee INVITE accepted 200 after=30ms [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=hold,resume holds=1 held=30ms by=caller\n");
    h_free(&h);
}

static void
test_retransmission_not_relabelled(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    const char *o = h_sdp(&h, "sendonly", "10.0.0.1");
    h_req(&h, &d, true, "INVITE", 2, NULL, o);
    h_req(&h, &d, true, "INVITE", 2, NULL, o); /* retransmission */
    const char *a = h_sdp(&h, "recvonly", "10.0.0.2");
    h_resp(&h, &d, true, 200, "INVITE", 2, NULL, a);
    h_resp(&h, &d, true, 200, "INVITE", 2, NULL, a);
    h_req(&h, &d, true, "ACK", 2, NULL, NULL);
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=50ms\n");
    h_free(&h);
}

/* The dedupe ring keeps a call's last 64 message fingerprints behind a
 * 64-bit filter that is rebuilt each time the ring has been overwritten
 * once round: a retransmission of a recent message is found after any
 * number of wraps; one of a message gone from the ring is a new message. */
static void
test_retransmission_after_ring_wraps(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d); /* 4 messages */
    for (unsigned cseq = 2; cseq < 2 + 100; cseq++) {
        h_req(&h, &d, true, "INFO", cseq, NULL, NULL);
        h_resp(&h, &d, true, 200, "INFO", cseq, NULL, NULL);
    }
    DialogStats st;
    dialog_engine_get_stats(h.e, &st);
    g_assert_cmpuint(st.messages, ==, 204);
    g_assert_cmpuint(st.retransmissions, ==, 0);
    /* the last INFO and its 200 again; then one from 20 messages back */
    h_req(&h, &d, true, "INFO", 101, NULL, NULL);
    h_resp(&h, &d, true, 200, "INFO", 101, NULL, NULL);
    h_req(&h, &d, true, "INFO", 92, NULL, NULL);
    dialog_engine_get_stats(h.e, &st);
    g_assert_cmpuint(st.retransmissions, ==, 3);
    /* CSeq 3 left the ring long ago (200 messages back): a new message */
    h_req(&h, &d, true, "INFO", 3, NULL, NULL);
    dialog_engine_get_stats(h.e, &st);
    g_assert_cmpuint(st.retransmissions, ==, 3);
    g_assert_cmpuint(st.messages, ==, 208);
    h_finish(&h);
    h_free(&h);
}

/* blind transfer (RFC 5589 §6): A refers B to carol; B calls carol */
static void
blind_transfer(Harness *h, unsigned final_status)
{
    Dlg d = h_std_dlg();
    h_call(h, &d);
    h_req(h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_req(h, &d, false, "NOTIFY", 1,
          "Event: refer\nSubscription-State: active;expires=60\nContent-Type: message/sipfrag\n\nSIP/2.0 100 Trying\n", NULL);
    h_resp(h, &d, false, 200, "NOTIFY", 1, NULL, NULL);
    Dlg n = { "c2@test", "bob@b.example", "b2", "carol@c.example", "k1", "10.0.0.2", "10.0.0.3" };
    n.callee_tag = NULL;
    h_req(h, &n, true, "INVITE", 1, "Referred-By: <sip:alice@a.example>\n", h_sdp(h, "sendrecv", "10.0.0.2"));
    n.callee_tag = "k1";
    if (final_status == 200) {
        h_resp(h, &n, true, 200, "INVITE", 1, NULL, h_sdp(h, "sendrecv", "10.0.0.3"));
        h_req(h, &n, true, "ACK", 1, NULL, NULL);
        h_req(h, &d, false, "NOTIFY", 2,
              "Event: refer\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag\n\nSIP/2.0 200 OK\n", NULL);
    } else {
        h_resp(h, &n, true, final_status, "INVITE", 1, NULL, NULL);
        h_req(h, &n, true, "ACK", 1, NULL, NULL);
        h_req(h, &d, false, "NOTIFY", 2,
              "Event: refer\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag\n\nSIP/2.0 486 Busy Here\n", NULL);
    }
    h_resp(h, &d, false, 200, "NOTIFY", 2, NULL, NULL);
    h_bye(h, &d, true, 3);
    h_finish(h);
}

static void
test_blind_transfer_succeeded(void)
{
    Harness h;
    h_init(&h);
    blind_transfer(&h, 200);
    h_check(&h, "refer_transfer caller blind succeeded status=202 notify=200 to=sip:carol@c.example new=c2@test [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 related=c2@test by=caller\n"
              "dialog c2@test b2/k1 confirmed end_of_input 200 labels=- holds=0 related=c1@test\n");
    h_free(&h);
}

static void
test_blind_transfer_failed(void)
{
    Harness h;
    h_init(&h);
    blind_transfer(&h, 486);
    h_check(&h, "dialog c2@test b2/k1 terminated rejected 486 labels=- holds=0 related=c1@test\n"
              "refer_transfer caller blind failed status=202 notify=486 to=sip:carol@c.example new=c2@test [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 related=c2@test by=caller\n");
    h_free(&h);
}

static void
test_refer_rejected_after_challenge(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    const char *hdr = "Refer-To: <sip:carol@c.example?Replaces=x9%40c.example%3Bto-tag%3Dk9%3Bfrom-tag%3Da9>\n";
    h_req(&h, &d, true, "REFER", 2, hdr, NULL);
    h_resp(&h, &d, true, 407, "REFER", 2, NULL, NULL);
    h_req(&h, &d, true, "REFER", 3, hdr, NULL);
    h_resp(&h, &d, true, 488, "REFER", 3, NULL, NULL);
    h_bye(&h, &d, true, 4);
    h_finish(&h);
    h_check(&h, "refer_transfer caller attended rejected status=488 notify=0 to=sip:carol@c.example?Replaces=x9%40c.example%3Bto-tag%3Dk9%3Bfrom-tag%3Da9 replaces=x9@c.example/a9/k9/unseen [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 by=caller\n");
    h_free(&h);
}

/* attended transfer (RFC 5589 §7.1) */
static void
test_attended_transfer(void)
{
    Harness h;
    h_init(&h);
    Dlg ab = h_std_dlg();
    h_call(&h, &ab);
    h_reinvite(&h, &ab, true, 2, h_sdp(&h, "sendonly", "10.0.0.1"), h_sdp(&h, "recvonly", "10.0.0.2"));
    Dlg ac = { "c3@test", "alice@a.example", "a3", "carol@c.example", "k3", "10.0.0.1", "10.0.0.3" };
    h_call(&h, &ac);
    h_req(&h, &ab, true, "REFER", 3,
          "Refer-To: <sip:carol@c.example?Replaces=c3%40test%3Bto-tag%3Dk3%3Bfrom-tag%3Da3>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &ab, true, 202, "REFER", 3, NULL, NULL);
    Dlg bc = { "c4@test", "bob@b.example", "b4", "carol@c.example", NULL, "10.0.0.2", "10.0.0.3" };
    h_req(&h, &bc, true, "INVITE", 1, "Replaces: c3@test;to-tag=k3;from-tag=a3\nReferred-By: <sip:alice@a.example>\n",
          h_sdp(&h, "sendrecv", "10.0.0.2"));
    bc.callee_tag = "k4";
    h_resp(&h, &bc, true, 200, "INVITE", 1, NULL, h_sdp(&h, "sendrecv", "10.0.0.3"));
    h_req(&h, &bc, true, "ACK", 1, NULL, NULL);
    h_bye(&h, &ac, false, 1); /* carol ends the consultation call */
    h_req(&h, &ab, false, "NOTIFY", 1,
          "Event: refer\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag\n\nSIP/2.0 200 OK\n", NULL);
    h_resp(&h, &ab, false, 200, "NOTIFY", 1, NULL, NULL);
    h_bye(&h, &ab, true, 4);
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "replaces_transfer caller replaces succeeded status=200 notify=0 to=sip:carol@c.example replaces=c3@test/a3/k3 refer=c1@test [c4@test b4/k4]\n"
              "dialog c3@test a3/k3 terminated replaced 200 labels=- holds=0 related=c1@test,c4@test replaced_by=c4@test\n"
              "refer_transfer caller attended succeeded status=202 notify=200 to=sip:carol@c.example?Replaces=c3%40test%3Bto-tag%3Dk3%3Bfrom-tag%3Da3 replaces=c3@test/a3/k3 new=c4@test [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=hold,refer_transfer holds=1 held=160ms related=c3@test,c4@test by=caller\n"
              "dialog c4@test b4/k4 confirmed end_of_input 200 labels=replaces_transfer holds=0 related=c3@test,c1@test\n");
    h_free(&h);
}

/* RFC 3891 §1 call pickup: an INVITE with Replaces and no REFER */
static void
test_replaces_without_refer(void)
{
    Harness h;
    h_init(&h);
    Dlg ab = h_std_dlg();
    ab.callee_tag = NULL;
    h_req(&h, &ab, true, "INVITE", 1, NULL, h_sdp(&h, "sendrecv", "10.0.0.1"));
    ab.callee_tag = "b1";
    h_resp(&h, &ab, true, 180, "INVITE", 1, NULL, NULL);
    Dlg ca = { "c5@test", "carol@c.example", "k5", "alice@a.example", NULL, "10.0.0.3", "10.0.0.1" };
    h_req(&h, &ca, true, "INVITE", 1, "Replaces: c1@test;to-tag=a1;from-tag=b1;early-only\n",
          h_sdp(&h, "sendrecv", "10.0.0.3"));
    ca.callee_tag = "a5";
    h_resp(&h, &ca, true, 200, "INVITE", 1, NULL, h_sdp(&h, "sendrecv", "10.0.0.1"));
    h_req(&h, &ca, true, "ACK", 1, NULL, NULL);
    h_req(&h, &ab, true, "CANCEL", 1, NULL, NULL);
    h_resp(&h, &ab, true, 200, "CANCEL", 1, NULL, NULL);
    h_resp(&h, &ab, true, 487, "INVITE", 1, NULL, NULL);
    h_finish(&h);
    h_check(&h, "replaces_transfer caller replaces succeeded status=200 notify=0 to=sip:alice@a.example replaces=c1@test/b1/a1/early-only [c5@test k5/a5]\n"
              "dialog c1@test a1/b1 terminated replaced 487 labels=- holds=0 related=c5@test replaced_by=c5@test\n"
              "dialog c5@test k5/a5 confirmed end_of_input 200 labels=replaces_transfer holds=0 related=c1@test\n");
    h_free(&h);
}

static void
test_forking(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, NULL, h_sdp(&h, "sendrecv", "10.0.0.1"));
    d.callee_tag = "f1";
    h_resp(&h, &d, true, 180, "INVITE", 1, NULL, NULL);
    d.callee_tag = "f2";
    h_resp(&h, &d, true, 180, "INVITE", 1, NULL, NULL);
    h_resp(&h, &d, true, 200, "INVITE", 1, NULL, h_sdp(&h, "sendrecv", "10.0.0.2"));
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    h_reinvite(&h, &d, true, 2, h_sdp(&h, "sendonly", "10.0.0.1"), h_sdp(&h, "recvonly", "10.0.0.2"));
    h_bye(&h, &d, true, 3);
    /* f1 lost the fork at f2's 200, but could still have answered with a
     * 2xx of its own until 64*T1 later (RFC 3261 §13.2.2.4): its record
     * comes out then */
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/f2]\n"
              "dialog c1@test a1/f2 terminated bye 200 labels=hold holds=1 held=30ms by=caller\n");
    dialog_engine_expire(h.e, h.t + 33 * SS_NSEC_PER_SEC);
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/f2]\n"
              "dialog c1@test a1/f2 terminated bye 200 labels=hold holds=1 held=30ms by=caller\n"
              "dialog c1@test a1/f1 terminated fork_lost labels=- holds=0\n");
    /* the second early dialog inherits the pending offer: the 200's SDP
     * answers it, no answer_mismatch */
    g_assert_cmpstr(h.anomalies->str, ==, "");
    h_free(&h);
}

static void
test_cancel(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, NULL, h_sdp(&h, "sendrecv", "10.0.0.1"));
    h_resp(&h, &d, true, 100, "INVITE", 1, NULL, NULL);
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 180, "INVITE", 1, NULL, NULL);
    d.callee_tag = NULL;
    h_req(&h, &d, true, "CANCEL", 1, NULL, NULL);
    h_resp(&h, &d, true, 200, "CANCEL", 1, NULL, NULL);
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 487, "INVITE", 1, NULL, NULL);
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 terminated cancel 487 labels=- holds=0 by=caller\n");
    h_free(&h);
}

static void
test_rejected_486(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, NULL, h_sdp(&h, "sendrecv", "10.0.0.1"));
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 486, "INVITE", 1, NULL, NULL);
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 terminated rejected 486 labels=- holds=0\n");
    h_free(&h);
}

static void
test_midcall_start(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    /* the capture starts with the hold re-INVITE */
    h_reinvite(&h, &d, false, 7, h_sdp(&h, "sendonly", "10.0.0.2"), h_sdp(&h, "recvonly", "10.0.0.1"));
    h_reinvite(&h, &d, false, 8, h_sdp(&h, "sendrecv", "10.0.0.2"), h_sdp(&h, "sendrecv", "10.0.0.1"));
    h_bye(&h, &d, true, 9);
    h_finish(&h);
    /* the sender of the first request seen is taken as the caller */
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test b1/a1]\n"
              "resume caller INVITE accepted 200 after=30ms [c1@test b1/a1]\n"
              "dialog c1@test b1/a1 terminated bye labels=hold,resume holds=1 held=30ms midcall by=callee\n");
    g_assert_cmpstr(h.anomalies->str, ==, "dialog_seen_midcall");
    h_free(&h);
}

/* RFC 3261 §22.2: the INVITE is challenged, then re-sent with credentials */
static void
test_auth_challenge(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, NULL, h_sdp(&h, "sendrecv", "10.0.0.1"));
    d.callee_tag = "px";
    h_resp(&h, &d, true, 407, "INVITE", 1, NULL, NULL);
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 2, "Proxy-Authorization: Digest username=\"a\"\n",
          h_sdp(&h, "sendrecv", "10.0.0.1"));
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 180, "INVITE", 2, NULL, NULL);
    h_resp(&h, &d, true, 200, "INVITE", 2, NULL, h_sdp(&h, "sendrecv", "10.0.0.2"));
    h_req(&h, &d, true, "ACK", 2, NULL, NULL);
    h_reinvite(&h, &d, true, 3, h_sdp(&h, "sendonly", "10.0.0.1"), h_sdp(&h, "recvonly", "10.0.0.2"));
    h_bye(&h, &d, true, 4);
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=hold holds=1 held=30ms by=caller\n");
    h_free(&h);
}

/* challenged and never re-sent (or re-sent with another from-tag, as a
 * B2BUA does): the first attempt failed with 407 */
static void
test_auth_challenge_abandoned(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, NULL, h_sdp(&h, "sendrecv", "10.0.0.1"));
    d.callee_tag = "px";
    h_resp(&h, &d, true, 407, "INVITE", 1, NULL, NULL);
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    h.t += 40 * SEC;
    dialog_engine_expire(h.e, h.t);
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/px terminated rejected 407 labels=- holds=0\n");
    h_free(&h);
}

/* a NOTIFY whose sipfrag comes without Content-Type still tells the outcome */
static void
test_notify_without_content_type(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_req(&h, &d, false, "NOTIFY", 1,
          "Event: refer\nSubscription-State: terminated;reason=noresource\n\nSIP/2.0 603 Declined\n", NULL);
    h_finish(&h);
    h_check(&h, "refer_transfer caller blind failed status=202 notify=603 to=sip:carol@c.example [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=refer_transfer holds=0\n");
    h_free(&h);
}

/* Records that wait for a deadline (a BYE never answered lingers 32 s, an
 * abandoned 407 as long) come out in the expiry pass where their deadline
 * is due, not before, earliest deadline first, whatever the order the calls
 * were made in; a message on a waiting call is looked at again. */
static void
test_expiry_deadlines(void)
{
    static const char *const ids[] = { "e1@test", "e2@test", "e3@test", "e4@test", "e5@test" };
    static const int bye_at[] = { 5, 1, 3, 2, 4 }; /* seconds after T */
    Harness h;
    h_init(&h);
    SsTime t0 = h.t;
    Dlg d[5];
    for (int i = 0; i < 5; i++) {
        d[i] = h_std_dlg();
        d[i].call_id = ids[i];
        h_call(&h, &d[i]);
    }
    /* a sixth call challenged with 407 at +2.5 s and never re-sent */
    Dlg x = h_std_dlg();
    x.call_id = "e6@test";
    x.callee_tag = NULL;
    h.t = t0 + 2500 * MS;
    h_req(&h, &x, true, "INVITE", 1, NULL, h_sdp(&h, "sendrecv", "10.0.0.1"));
    x.callee_tag = "px";
    h_resp(&h, &x, true, 407, "INVITE", 1, NULL, NULL);
    for (int i = 0; i < 5; i++) {
        h.t = t0 + bye_at[i] * SEC;
        h_req(&h, &d[i], true, "BYE", 2, NULL, NULL);
    }
    /* e4 gets a late OPTIONS while it waits: still due at its BYE + 32 s */
    h.t = t0 + 20 * SEC;
    h_req(&h, &d[3], false, "OPTIONS", 7, NULL, NULL);
    static const char *const rec[] = {
        "dialog e2@test a1/b1 terminated bye 200 labels=- holds=0 by=caller\n",
        "dialog e4@test a1/b1 terminated bye 200 labels=- holds=0 by=caller\n",
        "dialog e6@test a1/px terminated rejected 407 labels=- holds=0\n",
        "dialog e3@test a1/b1 terminated bye 200 labels=- holds=0 by=caller\n",
        "dialog e5@test a1/b1 terminated bye 200 labels=- holds=0 by=caller\n",
        "dialog e1@test a1/b1 terminated bye 200 labels=- holds=0 by=caller\n",
    };
    /* pass at (second, records out by then) */
    static const struct {
        int ms;
        int n;
    } passes[] = { { 30000, 0 }, { 32900, 0 }, { 33000, 1 }, { 33500, 1 }, { 34000, 2 },
                   { 34600, 3 }, { 35000, 4 }, { 36000, 5 }, { 36999, 5 }, { 37000, 6 }, { 60000, 6 } };
    for (size_t k = 0; k < G_N_ELEMENTS(passes); k++) {
        dialog_engine_expire(h.e, t0 + passes[k].ms * MS);
        GString *want = g_string_new(NULL);
        for (int r = 0; r < passes[k].n; r++)
            g_string_append(want, rec[r]);
        h_check(&h, want->str);
        g_string_free(want, TRUE);
    }
    h_finish(&h);
    h_free(&h);
}

/* A Call-ID, tags, URIs and user agents longer than the room a call or a
 * dialog keeps for its strings (the rest go to the heap) come out whole;
 * and short ones of a second call on the same engine are not disturbed. */
static void
test_long_party_strings(void)
{
    Harness h;
    h_init(&h);
    h.parties = true;
    GString *user = g_string_new(NULL), *tag = g_string_new(NULL), *ua = g_string_new(NULL);
    for (int i = 0; i < 200; i++)
        g_string_append_c(user, (char)('a' + i % 26));
    for (int i = 0; i < 150; i++)
        g_string_append_c(tag, (char)('0' + i % 10));
    for (int i = 0; i < 150; i++)
        g_string_append_c(ua, (char)('A' + i % 26));
    g_autofree char *caller = g_strdup_printf("%s@a.example", user->str);
    g_autofree char *call_id = g_strdup_printf("%s@long.example", tag->str); /* past the inline room */
    g_autofree char *ua_hdr = g_strdup_printf("User-Agent: %s\n", ua->str);
    g_autofree char *server_hdr = g_strdup_printf("User-Agent: S-%s\n", ua->str);
    Dlg d = h_std_dlg();
    d.call_id = call_id;
    d.caller = caller;
    d.caller_tag = tag->str;
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, ua_hdr, h_sdp(&h, "sendrecv", "10.0.0.1"));
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 200, "INVITE", 1, server_hdr, h_sdp(&h, "sendrecv", "10.0.0.2"));
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    h_bye(&h, &d, true, 2);
    Dlg s2 = h_std_dlg();
    s2.call_id = "c2@test";
    h_call(&h, &s2);
    h_finish(&h);
    g_autofree char *want = g_strdup_printf(
        "dialog %s %s/b1 terminated bye 200 labels=- holds=0 by=caller from=sip:%s to=sip:bob@b.example "
        "ua=%s|S-%s\n"
        "dialog c2@test a1/b1 confirmed end_of_input 200 labels=- holds=0 from=sip:alice@a.example "
        "to=sip:bob@b.example ua=-|-\n",
        call_id, tag->str, caller, ua->str, ua->str);
    h_check(&h, want);
    g_string_free(user, TRUE);
    g_string_free(tag, TRUE);
    g_string_free(ua, TRUE);
    h_free(&h);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dialog/basic-call", test_basic_call);
    g_test_add_func("/dialog/cancel", test_cancel);
    g_test_add_func("/dialog/rejected-486", test_rejected_486);
    g_test_add_func("/dialog/forking", test_forking);
    g_test_add_func("/dialog/midcall-start", test_midcall_start);
    g_test_add_func("/dialog/auth-challenge", test_auth_challenge);
    g_test_add_func("/dialog/auth-challenge-abandoned", test_auth_challenge_abandoned);
    g_test_add_func("/dialog/expiry-deadlines", test_expiry_deadlines);
    g_test_add_func("/dialog/long-party-strings", test_long_party_strings);
    g_test_add_func("/labels/hold/sendonly-resume", test_hold_sendonly_resume);
    g_test_add_func("/labels/hold/inactive", test_hold_inactive);
    g_test_add_func("/labels/hold/null-address", test_hold_null_address);
    g_test_add_func("/labels/hold/ipv6-null", test_hold_ipv6_null);
    g_test_add_func("/labels/hold/session-vs-media-level", test_session_vs_media_level);
    g_test_add_func("/labels/hold/update", test_hold_by_update);
    g_test_add_func("/labels/hold/delayed-offer", test_hold_delayed_offer);
    g_test_add_func("/labels/hold/rejected-491", test_hold_rejected_491);
    g_test_add_func("/labels/hold/answer-mismatch", test_hold_answer_mismatch);
    g_test_add_func("/labels/hold/double-hold", test_double_hold);
    g_test_add_func("/labels/hold/callee", test_callee_hold);
    g_test_add_func("/labels/hold/retransmission", test_retransmission_not_relabelled);
    g_test_add_func("/dedupe/ring-wraps", test_retransmission_after_ring_wraps);
    g_test_add_func("/labels/transfer/blind-succeeded", test_blind_transfer_succeeded);
    g_test_add_func("/labels/transfer/blind-failed", test_blind_transfer_failed);
    g_test_add_func("/labels/transfer/refer-rejected", test_refer_rejected_after_challenge);
    g_test_add_func("/labels/transfer/attended", test_attended_transfer);
    g_test_add_func("/labels/transfer/notify-without-content-type", test_notify_without_content_type);
    g_test_add_func("/labels/transfer/replaces-without-refer", test_replaces_without_refer);
    return g_test_run();
}
