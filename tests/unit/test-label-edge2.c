/* Edge cases of the labeller, round 2 (DESIGN.md §2): how PBXes, B2BUAs and
 * phones really behave -- music on hold sent by the PBX on the other leg,
 * where the hold is written in the SDP, UPDATE holds by the callee,
 * offerless re-INVITEs, forking with several 2xx, CANCEL/200 races, 3PCC,
 * REFER outcomes and encodings, Replaces of unknown dialogs, transfer
 * chains -- plus the faults the real captures of /work/shared/corpus
 * showed (turned into minimal message sequences).
 *
 * Each test states what the labels SHOULD be, with the RFC that says so; a
 * failure prints what sipsleuth produced. Run alone with
 * `tests/unit/label-edge2.test -k`; EDGE_PRINT=1 prints every log. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog-harness.h"
#include "dialog/dialog_event.h"

#define SEC (SS_NSEC_PER_SEC)
#define MS (SS_NSEC_PER_MSEC)

static Dlg
carol_call(void)
{
    Dlg n = { "c2@test", "bob@b.example", "b2", "carol@c.example", NULL, "10.0.0.2", "10.0.0.3" };
    return n;
}

/* the transferee's new call, answered */
static void
new_call(Harness *h, Dlg *n, const char *extra)
{
    n->callee_tag = NULL;
    h_req(h, n, true, "INVITE", 1, extra, h_sdpv(h, 1, "sendrecv", n->caller_ip, NULL));
    n->callee_tag = "k1";
    h_resp(h, n, true, 200, "INVITE", 1, NULL, h_sdpv(h, 1, "sendrecv", n->callee_ip, NULL));
    h_req(h, n, true, "ACK", 1, NULL, NULL);
}

/* ================================================================== */
/* PBX / B2BUA music on hold                                            */

/* Asterisk/FreeSWITCH as a B2BUA (two Call-IDs). Alice holds on her leg;
 * the PBX then re-INVITEs the other leg itself with a=sendonly (it streams
 * MOH from its own address) and Bob answers recvonly. RFC 3264 §8.4 / DESIGN
 * §2: each leg is its own dialog; on leg 2 the offerer is the PBX, which
 * is that dialog's caller. Resume the same way. */
static void
test_pbx_moh_other_leg(void)
{
    Harness h;
    h_init(&h);
    Dlg l1 = { "l1@test", "alice@a.example", "a1", "bob@pbx.example", "p1", "10.0.0.1", "10.0.0.9" };
    Dlg l2 = { "l2@test", "alice@pbx.example", "p2", "bob@b.example", "b2", "10.0.0.9", "10.0.0.2" };
    h_call_with(&h, &l1, h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL), h_sdpv(&h, 1, "sendrecv", "10.0.0.9", NULL));
    h_call_with(&h, &l2, h_sdpv(&h, 1, "sendrecv", "10.0.0.9", NULL), h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_reinvite(&h, &l1, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.9", NULL));
    h_reinvite(&h, &l2, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.9", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_reinvite(&h, &l1, true, 3, h_sdpv(&h, 3, "sendrecv", "10.0.0.1", NULL), h_sdpv(&h, 3, "sendrecv", "10.0.0.9", NULL));
    h_reinvite(&h, &l2, true, 3, h_sdpv(&h, 3, "sendrecv", "10.0.0.9", NULL), h_sdpv(&h, 3, "sendrecv", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [l1@test a1/p1]\n"
              "hold caller INVITE sendonly accepted 200 [l2@test p2/b2]\n"
              "resume caller INVITE accepted 200 after=60ms [l1@test a1/p1]\n"
              "resume caller INVITE accepted 200 after=60ms [l2@test p2/b2]\n"
              "dialog l1@test a1/p1 confirmed end_of_input 200 labels=hold,resume holds=1 held=60ms\n"
              "dialog l2@test p2/b2 confirmed end_of_input 200 labels=hold,resume holds=1 held=60ms\n");
    h_free(&h);
}

/* The held party called in: the PBX is the CALLEE of leg 1 and sends the
 * MOH re-INVITE there (FreeSWITCH with bypass off). Holder = callee. And
 * Asterisk's direct-media re-anchoring (re-INVITE sendrecv with the PBX's
 * own address) on the other leg is no hold at all. */
static void
test_pbx_moh_towards_caller(void)
{
    Harness h;
    h_init(&h);
    Dlg l1 = { "l1@test", "bob@b.example", "b1", "alice@pbx.example", "p1", "10.0.0.2", "10.0.0.9" };
    Dlg l2 = { "l2@test", "bob@pbx.example", "p2", "alice@a.example", "a2", "10.0.0.9", "10.0.0.1" };
    h_call_with(&h, &l1, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL), h_sdpv(&h, 1, "sendrecv", "10.0.0.9", NULL));
    h_call_with(&h, &l2, h_sdpv(&h, 1, "sendrecv", "10.0.0.9", NULL), h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    /* alice (callee of leg 2) holds */
    h_reinvite(&h, &l2, false, 1, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.9", NULL));
    /* the PBX plays MOH to bob: it re-INVITEs leg 1, where it is the callee */
    h_reinvite(&h, &l1, false, 1, h_sdpv(&h, 2, "sendonly", "10.0.0.9", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    /* and re-anchors leg 2's media on itself, sendrecv: not a hold */
    h_reinvite(&h, &l2, true, 2, h_sdpv(&h, 3, "sendrecv", "10.0.0.9", NULL), h_sdpv(&h, 3, "sendonly", "10.0.0.1", NULL));
    h_finish(&h);
    h_check(&h, "hold callee INVITE sendonly accepted 200 [l2@test p2/a2]\n"
              "hold callee INVITE sendonly accepted 200 [l1@test b1/p1]\n"
              "dialog l1@test b1/p1 confirmed end_of_input 200 labels=hold holds=1 held=60ms\n"
              "dialog l2@test p2/a2 confirmed end_of_input 200 labels=hold holds=1 held=90ms\n");
    h_free(&h);
}

/* ================================================================== */
/* where the hold is written                                            */

/* RFC 4566 §5.7: a media-level c= overrides the session-level one. Hold by
 * c=0.0.0.0 written only at media level (session c= real): a null-address
 * hold (RFC 3264 §8.4 / RFC 2543); resumed with a real media-level c=. */
static void
test_media_level_null_c(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    const char *held = "v=0\no=- 1 2 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\n"
                       "m=audio 40000 RTP/AVP 0\nc=IN IP4 0.0.0.0\n";
    const char *back = "v=0\no=- 1 3 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\n"
                       "m=audio 40000 RTP/AVP 0\nc=IN IP4 10.0.0.1\n";
    h_reinvite(&h, &d, true, 2, held, h_sdpv(&h, 2, "", "10.0.0.2", NULL));
    h_reinvite(&h, &d, true, 3, back, h_sdpv(&h, 3, "", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "hold caller INVITE null_address accepted 200 [c1@test a1/b1]\n"
              "resume caller INVITE accepted 200 after=30ms [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold,resume holds=1 held=30ms\n");
    h_free(&h);
}

/* ... and the other way round: session-level c=0.0.0.0, media-level c=
 * real. The stream's address is the media-level one: no hold. */
static void
test_session_level_null_c_media_real(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    const char *o = "v=0\no=- 1 2 IN IP4 10.0.0.1\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\n"
                    "m=audio 40000 RTP/AVP 0\nc=IN IP4 10.0.0.1\n";
    h_reinvite(&h, &d, true, 2, o, h_sdpv(&h, 2, "", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 confirmed end_of_input 200 labels=- holds=0\n");
    h_free(&h);
}

/* RFC 3264 §5.1 / RFC 4566 §6: a media-level direction overrides the
 * session-level one, per stream. Session a=sendonly, audio a=sendrecv, a
 * video stream with no attribute (inherits sendonly): the audio still
 * receives, so no hold. Then session a=sendrecv with audio a=sendonly and
 * video a=inactive: a hold. */
static void
test_session_sendonly_media_sendrecv(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    const char *o1 = "v=0\no=- 1 2 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\na=sendonly\n"
                     "m=audio 40000 RTP/AVP 0\na=sendrecv\nm=video 40002 RTP/AVP 96\n";
    const char *a1 = "v=0\no=- 1 2 IN IP4 10.0.0.2\ns=-\nc=IN IP4 10.0.0.2\nt=0 0\n"
                     "m=audio 50000 RTP/AVP 0\na=sendrecv\nm=video 50002 RTP/AVP 96\na=recvonly\n";
    h_reinvite(&h, &d, true, 2, o1, a1);
    const char *o2 = "v=0\no=- 1 3 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\na=sendrecv\n"
                     "m=audio 40000 RTP/AVP 0\na=sendonly\nm=video 40002 RTP/AVP 96\na=inactive\n";
    const char *a2 = "v=0\no=- 1 3 IN IP4 10.0.0.2\ns=-\nc=IN IP4 10.0.0.2\nt=0 0\n"
                     "m=audio 50000 RTP/AVP 0\na=recvonly\nm=video 50002 RTP/AVP 96\na=inactive\n";
    h_reinvite(&h, &d, true, 3, o2, a2);
    h_finish(&h);
    /* mode: one stream inactive -> "inactive" wins (oa_hold_mode) */
    h_check(&h, "hold caller INVITE inactive accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=30ms\n");
    h_expect_anomalies(&h, "");
    h_free(&h);
}

/* ================================================================== */
/* UPDATE, offerless re-INVITE                                          */

/* RFC 3311 §5.2: the callee may send UPDATE in a confirmed dialog; hold
 * and resume both by the callee's UPDATE after the 200. */
static void
test_callee_update_hold_resume(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, false, "UPDATE", 1, NULL, h_sdpv(&h, 2, "sendonly", "10.0.0.2", NULL));
    h_resp(&h, &d, false, 200, "UPDATE", 1, NULL, h_sdpv(&h, 2, "recvonly", "10.0.0.1", NULL));
    h_req(&h, &d, false, "UPDATE", 2, NULL, h_sdpv(&h, 3, "sendrecv", "10.0.0.2", NULL));
    h_resp(&h, &d, false, 200, "UPDATE", 2, NULL, h_sdpv(&h, 3, "sendrecv", "10.0.0.1", NULL));
    h_bye(&h, &d, true, 2);
    h_finish(&h);
    h_check(&h, "hold callee UPDATE sendonly accepted 200 [c1@test a1/b1]\n"
              "resume callee UPDATE accepted 200 after=20ms [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=hold,resume holds=1 held=20ms by=caller\n");
    h_free(&h);
}

/* RFC 3261 §14.1 / RFC 6337 §5.1: an offerless re-INVITE (audit, session
 * refresh, PBX re-sync); the 200 offers the very same SDP (same o=
 * version), the ACK answers sendrecv. Nothing changed: no label, no
 * anomaly. */
static void
test_offerless_reinvite_same_sdp(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    const char *ca = h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL);
    const char *cb = h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL);
    h_call_with(&h, &d, ca, cb);
    h_req(&h, &d, true, "INVITE", 2, NULL, NULL);
    h_resp(&h, &d, true, 200, "INVITE", 2, NULL, cb);
    h_req(&h, &d, true, "ACK", 2, NULL, ca);
    /* and by the callee, ACK answering with the same SDP too */
    h_req(&h, &d, false, "INVITE", 1, NULL, NULL);
    h_resp(&h, &d, false, 200, "INVITE", 1, NULL, ca);
    h_req(&h, &d, false, "ACK", 1, NULL, cb);
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 confirmed end_of_input 200 labels=- holds=0\n");
    h_expect_anomalies(&h, "");
    h_free(&h);
}

/* ================================================================== */
/* forking, CANCEL races, 3PCC                                          */

/* RFC 3261 §13.2.2.4: "multiple 2xx responses may arrive at the UAC for a
 * single INVITE request due to a forking proxy. Each response is
 * distinguished by the tag parameter in the To header field, and each
 * represents a distinct dialog". The UAC ACKs both and BYEs the one it
 * does not want (§13.2.2.4 again). f1 and f2 both ring, both answer; the
 * caller BYEs f2 at once and later holds f1. Two confirmed dialogs; f2
 * ends by BYE, not "fork_lost". */
static void
test_fork_two_200(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    Dlg f1 = d, f2 = d;
    f1.callee_tag = "f1";
    f2.callee_tag = "f2";
    h_resp(&h, &f1, true, 180, "INVITE", 1, NULL, NULL);
    h_resp(&h, &f2, true, 180, "INVITE", 1, NULL, NULL);
    h_resp(&h, &f1, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &f1, true, "ACK", 1, NULL, NULL);
    h_resp(&h, &f2, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &f2, true, "ACK", 1, NULL, NULL);
    h_bye(&h, &f2, true, 2);
    h.t += 2 * SEC;
    h_reinvite(&h, &f1, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/f2 terminated bye 200 labels=- holds=0 by=caller\n"
              "hold caller INVITE sendonly accepted 200 [c1@test a1/f1]\n"
              "dialog c1@test a1/f1 confirmed end_of_input 200 labels=hold holds=1 held=30ms\n");
    h_free(&h);
}

/* The same when f2's 200 is its first response (no 180 from it). */
static void
test_fork_second_200_without_18x(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    Dlg f1 = d, f2 = d;
    f1.callee_tag = "f1";
    f2.callee_tag = "f2";
    h_resp(&h, &f1, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &f1, true, "ACK", 1, NULL, NULL);
    h_resp(&h, &f2, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &f2, true, "ACK", 1, NULL, NULL);
    h_bye(&h, &f2, true, 2);
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/f2 terminated bye 200 labels=- holds=0 by=caller\n"
              "dialog c1@test a1/f1 confirmed end_of_input 200 labels=- holds=0\n");
    /* a second 2xx of a forked INVITE is no orphan */
    h_expect_anomalies(&h, "");
    h_free(&h);
}

/* A dialog reuses the memory of one that ended (the engine keeps them in
 * a pool). Its offer slots keep nothing of the old dialog's offers: here
 * the old call's initial INVITE offer (CSeq 1) sat in slot 0, and the new
 * call, whose INVITE and 2xx carry no SDP at all, forks after the first
 * 2xx. The late branch must not find the old call's offer and wait for
 * an answer to it. */
static void
test_fork_reused_dialog_memory(void)
{
    Harness h;
    h_init(&h);
    Dlg old = h_std_dlg();
    old.call_id = "old@test";
    h_call_with(&h, &old, h_sdpv(&h, 1, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 1, "recvonly", "10.0.0.2", NULL));
    h_bye(&h, &old, true, 2);
    /* long after: the old call is gone, its dialog back in the pool */
    h.t += 60 * SEC;
    dialog_engine_expire(h.e, h.t);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, NULL, NULL);
    Dlg f1 = d, f2 = d;
    f1.callee_tag = "f1";
    f2.callee_tag = "f2";
    h_resp(&h, &f1, true, 200, "INVITE", 1, NULL, NULL);
    h_req(&h, &f1, true, "ACK", 1, NULL, NULL);
    h_resp(&h, &f2, true, 200, "INVITE", 1, NULL, NULL);
    h_req(&h, &f2, true, "ACK", 1, NULL, NULL);
    h_bye(&h, &f2, true, 2);
    h_bye(&h, &f1, true, 3);
    h_finish(&h);
    h_check(&h, "dialog old@test a1/b1 terminated bye 200 labels=- holds=0 by=caller\n"
              "dialog c1@test a1/f2 terminated bye 200 labels=- holds=0 by=caller\n"
              "dialog c1@test a1/f1 terminated bye 200 labels=- holds=0 by=caller\n");
    h_expect_anomalies(&h, "");
    h_free(&h);
}

/* The first early dialog (f1) is not the one answered first: f2's 200
 * ends it as fork_lost, then f3 answers too. f3 is a fork like f2, not an
 * orphan seen mid-call. */
static void
test_fork_third_branch_after_other_answer(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    Dlg f1 = d, f2 = d, f3 = d;
    f1.callee_tag = "f1";
    f2.callee_tag = "f2";
    f3.callee_tag = "f3";
    h_resp(&h, &f1, true, 180, "INVITE", 1, NULL, NULL);
    h_resp(&h, &f2, true, 180, "INVITE", 1, NULL, NULL);
    h_resp(&h, &f2, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &f2, true, "ACK", 1, NULL, NULL);
    h_resp(&h, &f3, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &f3, true, "ACK", 1, NULL, NULL);
    h_bye(&h, &f3, true, 2);
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/f3 terminated bye 200 labels=- holds=0 by=caller\n"
              "dialog c1@test a1/f1 terminated fork_lost labels=- holds=0\n"
              "dialog c1@test a1/f2 confirmed end_of_input 200 labels=- holds=0\n");
    h_expect_anomalies(&h, "");
    h_free(&h);
}

/* The same as /edge/hold/early-update-then-refresh, on the second branch
 * of a fork: f1 answered the INVITE's offer in a reliable 183 first, so
 * f2's dialog is forked with a copy of that answered offer. f2's own early
 * UPDATE hold must still count as newer than the INVITE's exchange when its
 * 200 finalizes it (the copied answer keeps its number, and so must the
 * counters it is compared with): the later refresh is no hold. */
static void
test_fork_early_update_then_refresh(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, "Supported: 100rel\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    Dlg f1 = d, f2 = d;
    f1.callee_tag = "f1";
    f2.callee_tag = "f2";
    h_resp(&h, &f1, true, 183, "INVITE", 1, "Require: 100rel\nRSeq: 1\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &f1, true, "PRACK", 2, "RAck: 1 1 INVITE\n", NULL);
    h_resp(&h, &f1, true, 200, "PRACK", 2, NULL, NULL);
    h_resp(&h, &f2, true, 183, "INVITE", 1, "Require: 100rel\nRSeq: 1\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.3", NULL));
    h_req(&h, &f2, true, "PRACK", 3, "RAck: 1 1 INVITE\n", NULL);
    h_resp(&h, &f2, true, 200, "PRACK", 3, NULL, NULL);
    const char *held = h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL);
    h_req(&h, &f2, true, "UPDATE", 4, NULL, held);
    h_resp(&h, &f2, true, 200, "UPDATE", 4, NULL, h_sdpv(&h, 2, "recvonly", "10.0.0.3", NULL));
    h_resp(&h, &f2, true, 200, "INVITE", 1, NULL, NULL);
    h_req(&h, &f2, true, "ACK", 1, NULL, NULL);
    h_reinvite(&h, &f2, true, 5, held, h_sdpv(&h, 2, "recvonly", "10.0.0.3", NULL));
    h_finish(&h);
    h_expect_not_in(&h, "hold caller");
    h_free(&h);
}

/* The BYE itself was not captured, only its 200: the dialog still ends by
 * BYE there (it used to stay confirmed, and with a REFER pending its
 * record waited for the hour-long idle timeout). */
static void
test_bye_response_without_bye(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_resp(&h, &d, true, 200, "BYE", 3, NULL, NULL); /* its BYE was lost */
    dialog_engine_expire(h.e, h.t + 40 * SEC);
    /* both due in the same expiry pass: the dialogs come first there */
    h_check(&h, "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 by=caller\n"
                "refer_transfer caller blind unknown status=202 notify=0 to=sip:carol@c.example [c1@test a1/b1]\n");
    h_finish(&h);
    h_free(&h);
}

/* RFC 3261 §9.1 / §15: the CANCEL crosses the 200; the INVITE is
 * answered, the CANCEL gets 200 but no 487 follows, the caller ACKs and
 * BYEs. The dialog was confirmed and ended by BYE, not cancelled. */
static void
test_cancel_races_200(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 180, "INVITE", 1, NULL, NULL);
    d.callee_tag = NULL;
    h_req(&h, &d, true, "CANCEL", 1, NULL, NULL);
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_resp(&h, &d, true, 200, "CANCEL", 1, NULL, NULL);
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    h_bye(&h, &d, true, 2);
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 terminated bye 200 labels=- holds=0 by=caller\n");
    h_free(&h);
}

/* RFC 3725 §4.1 flow I: the controller sends an offerless INVITE to A, A's
 * 200 carries offer1, the controller INVITEs B with offer1, B answers, the
 * controller ACKs B and sends the answer in the ACK to A. No label for the
 * setup. Then A holds (re-INVITE sendonly on its dialog, where A is the
 * callee), the controller relays the hold to B (it is the caller there). */
static void
test_3pcc_flow1_then_hold(void)
{
    Harness h;
    h_init(&h);
    Dlg ca = { "ca@test", "ctl@3pcc.example", "k1", "alice@a.example", NULL, "10.0.0.9", "10.0.0.1" };
    Dlg cb = { "cb@test", "ctl@3pcc.example", "k2", "bob@b.example", NULL, "10.0.0.9", "10.0.0.2" };
    h_req(&h, &ca, true, "INVITE", 1, NULL, NULL);
    ca.callee_tag = "a1";
    const char *offer1 = h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL);
    h_resp(&h, &ca, true, 200, "INVITE", 1, NULL, offer1);
    h_req(&h, &cb, true, "INVITE", 1, NULL, offer1);
    cb.callee_tag = "b2";
    const char *answer1 = h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL);
    h_resp(&h, &cb, true, 200, "INVITE", 1, NULL, answer1);
    h_req(&h, &cb, true, "ACK", 1, NULL, NULL);
    h_req(&h, &ca, true, "ACK", 1, NULL, answer1);
    /* alice holds */
    h_req(&h, &ca, false, "INVITE", 1, NULL, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL));
    h_req(&h, &cb, true, "INVITE", 2, NULL, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL));
    h_resp(&h, &cb, true, 200, "INVITE", 2, NULL, h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_req(&h, &cb, true, "ACK", 2, NULL, NULL);
    h_resp(&h, &ca, false, 200, "INVITE", 1, NULL, h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_req(&h, &ca, false, "ACK", 1, NULL, NULL);
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [cb@test k2/b2]\n"
              "hold callee INVITE sendonly accepted 200 [ca@test k1/a1]\n"
              "dialog ca@test k1/a1 confirmed end_of_input 200 labels=hold holds=1 held=60ms\n"
              "dialog cb@test k2/b2 confirmed end_of_input 200 labels=hold holds=1 held=50ms\n");
    h_expect_anomalies(&h, "");
    h_free(&h);
}

/* ================================================================== */
/* REFER                                                                */

/* Alice's phone REFERs the PBX (a B2BUA, the other end of her dialog) to
 * carol's extension at the PBX itself. The PBX sets the new call up from
 * its own address to carol's contact, without Referred-By (RFC 3892 makes
 * copying it optional). DESIGN §2: linked by "from the REFER's
 * destination" + target user. */
static void
test_refer_to_pbx_b2bua(void)
{
    Harness h;
    h_init(&h);
    Dlg d = { "c1@test", "alice@pbx.example", "a1", "bob@pbx.example", "p1", "10.0.0.1", "10.0.0.9" };
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@pbx.example>\nReferred-By: <sip:alice@pbx.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_TRYING, NULL);
    h_raw(&h, "10.0.0.9", "10.0.0.3",
        "INVITE sip:carol@10.0.0.3:5062;ob SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKpbx1\n"
        "From: \"Bob\" <sip:bob@pbx.example>;tag=p2\nTo: <sip:carol@pbx.example>\nCall-ID: c2@test\n"
        "CSeq: 101 INVITE\nContact: <sip:pbx@10.0.0.9>");
    h_raw(&h, "10.0.0.3", "10.0.0.9",
        "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKpbx1\n"
        "From: \"Bob\" <sip:bob@pbx.example>;tag=p2\nTo: <sip:carol@pbx.example>;tag=k2\nCall-ID: c2@test\n"
        "CSeq: 101 INVITE\nContact: <sip:carol@10.0.0.3:5062>");
    h_req(&h, &d, false, "NOTIFY", 2, H_NOTIFY_OK, NULL);
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    h_expect_in(&h, "refer_transfer caller blind succeeded status=202 notify=200 to=sip:carol@pbx.example new=c2@test [c1@test a1/p1]\n");
    h_expect_in(&h, "dialog c2@test p2/k2 confirmed end_of_input 200 labels=- holds=0 related=c1@test\n");
    h_free(&h);
}

/* Refer-To the PBX's own address, no user part (a "transfer to the
 * switchboard" feature the PBX executes internally: nothing of it is on
 * the wire). A call the PBX happens to set up 2 s later to another user
 * is not evidence of the transfer: DESIGN §2 "labels come only from what
 * was observed ... ambiguous is reported as such, never guessed". */
static void
test_refer_to_pbx_host_only(void)
{
    Harness h;
    h_init(&h);
    Dlg d = { "c1@test", "alice@10.0.0.9", "a1", "bob@10.0.0.9", "p1", "10.0.0.1", "10.0.0.9" };
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:10.0.0.9>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h.t += 2 * SEC;
    Dlg other = { "c7@test", "mallory@10.0.0.9", "m7", "dave@10.0.0.9", NULL, "10.0.0.9", "10.0.0.4" };
    new_call(&h, &other, NULL);
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_OK, NULL);
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    h_expect_in(&h, "refer_transfer caller blind succeeded status=202 notify=200 to=sip:10.0.0.9 [c1@test a1/p1]\n");
    h_expect_not_in(&h, "new=c7@test");
    h_free(&h);
}

/* RFC 3515 §2.4.2: the REFER itself refused (403 policy, 405 REFER not
 * allowed, 501 not implemented). Outcome "rejected", no new call linked
 * even when the transferee later calls the target on its own. */
static void
refer_rejected(unsigned status)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, status, "REFER", 2, NULL, NULL);
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    char *want = g_strdup_printf("refer_transfer caller blind rejected status=%u notify=0 to=sip:carol@c.example [c1@test a1/b1]\n"
                                 "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 by=caller\n"
                                 "dialog c2@test b2/k1 confirmed end_of_input 200 labels=- holds=0\n",
                                 status);
    h_check(&h, want);
    g_free(want);
    h_free(&h);
}

static void test_refer_rejected_403(void) { refer_rejected(403); }
static void test_refer_rejected_405(void) { refer_rejected(405); }
static void test_refer_rejected_501(void) { refer_rejected(501); }

/* RFC 3515 §2.4.5: 202, then the last sipfrag says why the new call
 * failed: 486 (target busy), 487 (the transferee cancelled it), 503. The
 * new call is linked (it was made) and the transfer failed. */
static void
refer_notify_fails(unsigned status, const char *reason)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_TRYING, NULL);
    Dlg n = carol_call();
    h_req(&h, &n, true, "INVITE", 1, "Referred-By: <sip:alice@a.example>\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    n.callee_tag = "k1";
    if (status == 487) {
        h_resp(&h, &n, true, 180, "INVITE", 1, NULL, NULL);
        n.callee_tag = NULL;
        h_req(&h, &n, true, "CANCEL", 1, NULL, NULL);
        n.callee_tag = "k1";
        h_resp(&h, &n, true, 200, "CANCEL", 1, NULL, NULL);
    }
    h_resp(&h, &n, true, status, "INVITE", 1, NULL, NULL);
    h_req(&h, &n, true, "ACK", 1, NULL, NULL);
    char *nt = g_strdup_printf("Event: refer\nSubscription-State: terminated;reason=noresource\n"
                               "Content-Type: message/sipfrag\n\nSIP/2.0 %u %s\n", status, reason);
    h_req(&h, &d, false, "NOTIFY", 2, nt, NULL);
    g_free(nt);
    h_resp(&h, &d, false, 200, "NOTIFY", 2, NULL, NULL);
    /* the transferor takes the call back */
    h_reinvite(&h, &d, true, 3, h_sdpv(&h, 5, "sendrecv", "10.0.0.1", NULL), h_sdpv(&h, 5, "sendrecv", "10.0.0.2", NULL));
    h_bye(&h, &d, true, 4);
    h_finish(&h);
    char *want = g_strdup_printf("refer_transfer caller blind failed status=202 notify=%u to=sip:carol@c.example new=c2@test [c1@test a1/b1]\n",
                                 status);
    h_expect_in(&h, want);
    g_free(want);
    h_expect_in(&h, "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 related=c2@test by=caller\n");
    h_free(&h);
}

static void test_refer_notify_486(void) { refer_notify_fails(486, "Busy Here"); }
static void test_refer_notify_487(void) { refer_notify_fails(487, "Request Terminated"); }
static void test_refer_notify_503(void) { refer_notify_fails(503, "Service Unavailable"); }

/* RFC 3515 §2.4.6: "for the second and subsequent REFER requests a UA
 * receives in a given dialog, it MUST include an id parameter in the
 * Event header field of each NOTIFY". So a NOTIFY WITHOUT id belongs to
 * the FIRST REFER. Here the first REFER is still running when the user
 * tries another target; the first one's final NOTIFY (no id, 487) comes
 * after the second REFER; the second's NOTIFYs carry id=3. */
static void
test_two_refers_overlapping(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:dave@d.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_TRYING, NULL);
    h_resp(&h, &d, false, 200, "NOTIFY", 1, NULL, NULL);
    h_req(&h, &d, true, "REFER", 3, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 3, NULL, NULL);
    h_req(&h, &d, false, "NOTIFY", 2,
          "Event: refer;id=3\nSubscription-State: active;expires=60\nContent-Type: message/sipfrag\n\nSIP/2.0 100 Trying\n", NULL);
    h_req(&h, &d, false, "NOTIFY", 3,
          "Event: refer\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag\n\nSIP/2.0 487 Request Terminated\n",
          NULL);
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_req(&h, &d, false, "NOTIFY", 4,
          "Event: refer;id=3\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag\n\nSIP/2.0 200 OK\n", NULL);
    h_bye(&h, &d, true, 4);
    h_finish(&h);
    h_expect_in(&h, "refer_transfer caller blind failed status=202 notify=487 to=sip:dave@d.example [c1@test a1/b1]\n");
    h_expect_in(&h, "refer_transfer caller blind succeeded status=202 notify=200 to=sip:carol@c.example new=c2@test [c1@test a1/b1]\n");
    h_free(&h);
}

/* RFC 3515 §2.1: the Refer-To URI may carry a method parameter
 * (;method=INVITE, the default); the transferee's INVITE goes to the same
 * user. */
static void
test_refer_to_method_invite(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example;method=INVITE>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_OK, NULL);
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    h_expect_in(&h, "refer_transfer caller blind succeeded status=202 notify=200 to=sip:carol@c.example;method=INVITE new=c2@test [c1@test a1/b1]\n");
    h_free(&h);
}

/* Two REFERs in one dialog, one after the other: the first refused 403,
 * the second accepted, its NOTIFYs with id=<CSeq> (RFC 3515 §2.4.6). */
static void
test_two_refers_first_rejected(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:dave@d.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, 403, "REFER", 2, NULL, NULL);
    h_req(&h, &d, true, "REFER", 3, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 3, NULL, NULL);
    h_req(&h, &d, false, "NOTIFY", 1,
          "Event: refer;id=3\nSubscription-State: active;expires=60\nContent-Type: message/sipfrag\n\nSIP/2.0 100 Trying\n", NULL);
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_req(&h, &d, false, "NOTIFY", 2,
          "Event: refer;id=3\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag\n\nSIP/2.0 200 OK\n", NULL);
    h_bye(&h, &d, true, 4);
    h_finish(&h);
    h_check(&h, "refer_transfer caller blind rejected status=403 notify=0 to=sip:dave@d.example [c1@test a1/b1]\n"
              "refer_transfer caller blind succeeded status=202 notify=200 to=sip:carol@c.example new=c2@test [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 related=c2@test by=caller\n"
              "dialog c2@test b2/k1 confirmed end_of_input 200 labels=- holds=0 related=c1@test\n");
    h_free(&h);
}

/* RFC 3515 §2.1 allows any URI in Refer-To; a tel: URI (RFC 3966) is what
 * PSTN-facing phones send. The transferee (or its proxy) turns it into
 * sip:+15551234567@gw;user=phone (RFC 3261 §19.1.6); with the same
 * Referred-By and from the transferee, it is the new call. Visual
 * separators do not count (RFC 3966 §3, §5.6). */
static void
refer_to_tel(const char *refer_to)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    char *hdr = g_strdup_printf("Refer-To: <%s>\nReferred-By: <sip:alice@a.example>\n", refer_to);
    h_req(&h, &d, true, "REFER", 2, hdr, NULL);
    g_free(hdr);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_raw(&h, "10.0.0.2", "10.0.0.7",
        "INVITE sip:+15551234567@gw.example;user=phone SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKt1\n"
        "From: <sip:bob@b.example>;tag=b2\nTo: <tel:+15551234567>\nCall-ID: c2@test\nCSeq: 1 INVITE\n"
        "Referred-By: <sip:alice@a.example>\nContact: <sip:bob@10.0.0.2>");
    h_raw(&h, "10.0.0.7", "10.0.0.2",
        "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKt1\n"
        "From: <sip:bob@b.example>;tag=b2\nTo: <tel:+15551234567>;tag=g2\nCall-ID: c2@test\nCSeq: 1 INVITE\n"
        "Contact: <sip:gw@10.0.0.7>");
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_OK, NULL);
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    char *want = g_strdup_printf("refer_transfer caller blind succeeded status=202 notify=200 to=%s new=c2@test [c1@test a1/b1]\n",
                                 refer_to);
    h_expect_in(&h, want);
    g_free(want);
    h_free(&h);
}

static void test_refer_to_tel(void) { refer_to_tel("tel:+15551234567"); }
static void test_refer_to_tel_separators(void) { refer_to_tel("tel:+1-555-123-4567"); }

/* ================================================================== */
/* Replaces                                                             */

/* The consultation call is not in the capture (other interface, other
 * SBC): the Refer-To's Replaces and the INVITE's Replaces name an unseen
 * dialog. Attended transfer all the same; the replaces flow says
 * "unseen"; anomaly replaces_unknown_dialog; no crash. */
static void
test_attended_consultation_not_captured(void)
{
    Harness h;
    h_init(&h);
    Dlg ab = h_std_dlg();
    h_call(&h, &ab);
    h_req(&h, &ab, true, "REFER", 2,
          "Refer-To: <sip:carol@c.example?Replaces=c9%40test%3Bto-tag%3Dk9%3Bfrom-tag%3Da9>\nReferred-By: <sip:alice@a.example>\n",
          NULL);
    h_resp(&h, &ab, true, 202, "REFER", 2, NULL, NULL);
    Dlg bc = { "c4@test", "bob@b.example", "b4", "carol@c.example", NULL, "10.0.0.2", "10.0.0.3" };
    h_req(&h, &bc, true, "INVITE", 1, "Replaces: c9@test;to-tag=k9;from-tag=a9\nReferred-By: <sip:alice@a.example>\n",
          h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    bc.callee_tag = "k4";
    h_resp(&h, &bc, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.3", NULL));
    h_req(&h, &bc, true, "ACK", 1, NULL, NULL);
    h_req(&h, &ab, false, "NOTIFY", 1, H_NOTIFY_OK, NULL);
    h_bye(&h, &ab, true, 3);
    h_finish(&h);
    h_expect_in(&h, "replaces_transfer caller replaces succeeded status=200 notify=0 to=sip:carol@c.example replaces=c9@test/a9/k9/unseen refer=c1@test [c4@test b4/k4]\n");
    h_expect_in(&h, "refer_transfer caller attended succeeded status=202 notify=200 to=sip:carol@c.example?Replaces=c9%40test%3Bto-tag%3Dk9%3Bfrom-tag%3Da9 replaces=c9@test/a9/k9/unseen new=c4@test [c1@test a1/b1]\n");
    h_expect_in(&h, "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 related=c4@test by=caller\n");
    g_assert_cmpstr(h.anomalies->str, ==, "replaces_unknown_dialog");
    h_free(&h);
}

/* RFC 3891 §3: the target no longer has the dialog (carol hung up the
 * consultation call before bob's INVITE arrived): 481. The replaces flow
 * failed; the consultation dialog ended by BYE, not "replaced"; the REFER
 * failed with the 481 in its sipfrag. */
static void
test_replaces_481(void)
{
    Harness h;
    h_init(&h);
    Dlg ab = h_std_dlg();
    h_call(&h, &ab);
    h_reinvite(&h, &ab, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    Dlg ac = { "c3@test", "alice@a.example", "a3", "carol@c.example", "k3", "10.0.0.1", "10.0.0.3" };
    h_call(&h, &ac);
    h_req(&h, &ab, true, "REFER", 3,
          "Refer-To: <sip:carol@c.example?Replaces=c3%40test%3Bto-tag%3Dk3%3Bfrom-tag%3Da3>\nReferred-By: <sip:alice@a.example>\n",
          NULL);
    h_resp(&h, &ab, true, 202, "REFER", 3, NULL, NULL);
    h_bye(&h, &ac, false, 1);
    Dlg bc = { "c4@test", "bob@b.example", "b4", "carol@c.example", NULL, "10.0.0.2", "10.0.0.3" };
    h_req(&h, &bc, true, "INVITE", 1, "Replaces: c3@test;to-tag=k3;from-tag=a3\nReferred-By: <sip:alice@a.example>\n",
          h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    bc.callee_tag = "k4";
    h_resp(&h, &bc, true, 481, "INVITE", 1, NULL, NULL);
    h_req(&h, &bc, true, "ACK", 1, NULL, NULL);
    h_req(&h, &ab, false, "NOTIFY", 1,
          "Event: refer\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag\n\nSIP/2.0 481 Call/Transaction Does Not Exist\n",
          NULL);
    h_resp(&h, &ab, false, 200, "NOTIFY", 1, NULL, NULL);
    h_reinvite(&h, &ab, true, 4, h_sdpv(&h, 3, "sendrecv", "10.0.0.1", NULL), h_sdpv(&h, 3, "sendrecv", "10.0.0.2", NULL));
    h_bye(&h, &ab, true, 5);
    h_finish(&h);
    h_expect_in(&h, "replaces_transfer caller replaces failed status=481 notify=0 to=sip:carol@c.example replaces=c3@test/a3/k3 refer=c1@test [c4@test b4/k4]\n");
    /* c3's record is out at its BYE, before c4 exists */
    h_expect_in(&h, "dialog c3@test a3/k3 terminated bye 200 labels=- holds=0 related=c1@test by=callee\n");
    h_expect_in(&h, "refer_transfer caller attended failed status=202 notify=481 to=sip:carol@c.example?Replaces=c3%40test%3Bto-tag%3Dk3%3Bfrom-tag%3Da3 replaces=c3@test/a3/k3 new=c4@test [c1@test a1/b1]\n");
    h_expect_in(&h, "dialog c4@test b4/k4 terminated rejected 481 labels=replaces_transfer holds=0");
    h_expect_in(&h, "labels=hold,resume,refer_transfer holds=1");
    h_expect_not_in(&h, "replaced_by");
    h_free(&h);
}

/* ================================================================== */
/* transfer + hold, chains                                              */

/* Polycom/Yealink transferees put the transferor on hold while they call
 * the target (RFC 5589 §6 leaves media alone, phones do it anyway): a
 * hold by the callee in the REFER's dialog while the transfer is pending.
 * Both labels; the transfer still links and succeeds. */
static void
test_hold_while_transfer_pending(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_TRYING, NULL);
    h_reinvite(&h, &d, false, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.2", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.1", NULL));
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_req(&h, &d, false, "NOTIFY", 3, H_NOTIFY_OK, NULL);
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    h_check(&h, "hold callee INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "refer_transfer caller blind succeeded status=202 notify=200 to=sip:carol@c.example new=c2@test [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=hold,refer_transfer holds=1 held=70ms related=c2@test by=caller\n"
              "dialog c2@test b2/k1 confirmed end_of_input 200 labels=- holds=0 related=c1@test\n");
    h_free(&h);
}

/* A calls B; B transfers A to C; C transfers A to D. Each REFER comes
 * from the callee of its dialog; each new call is made by A with
 * Referred-By the transferor. The links must chain: c1 <-> c2 <-> c3. */
static void
test_transfer_chain(void)
{
    Harness h;
    h_init(&h);
    Dlg c1 = h_std_dlg();
    h_call(&h, &c1);
    h_req(&h, &c1, false, "REFER", 1, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:bob@b.example>\n", NULL);
    h_resp(&h, &c1, false, 202, "REFER", 1, NULL, NULL);
    Dlg c2 = { "c2@test", "alice@a.example", "a2", "carol@c.example", "k2", "10.0.0.1", "10.0.0.3" };
    c2.callee_tag = NULL;
    h_req(&h, &c2, true, "INVITE", 1, "Referred-By: <sip:bob@b.example>\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    c2.callee_tag = "k2";
    h_resp(&h, &c2, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.3", NULL));
    h_req(&h, &c2, true, "ACK", 1, NULL, NULL);
    h_req(&h, &c1, true, "NOTIFY", 2, H_NOTIFY_OK, NULL);
    h_resp(&h, &c1, true, 200, "NOTIFY", 2, NULL, NULL);
    h_bye(&h, &c1, false, 2);
    h.t += 5 * SEC;
    h_req(&h, &c2, false, "REFER", 1, "Refer-To: <sip:dave@d.example>\nReferred-By: <sip:carol@c.example>\n", NULL);
    h_resp(&h, &c2, false, 202, "REFER", 1, NULL, NULL);
    Dlg c3 = { "c3@test", "alice@a.example", "a3", "dave@d.example", NULL, "10.0.0.1", "10.0.0.4" };
    h_req(&h, &c3, true, "INVITE", 1, "Referred-By: <sip:carol@c.example>\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    c3.callee_tag = "d3";
    h_resp(&h, &c3, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.4", NULL));
    h_req(&h, &c3, true, "ACK", 1, NULL, NULL);
    h_req(&h, &c2, true, "NOTIFY", 2, H_NOTIFY_OK, NULL);
    h_resp(&h, &c2, true, 200, "NOTIFY", 2, NULL, NULL);
    h_bye(&h, &c2, false, 2);
    h_finish(&h);
    h_check(&h, "refer_transfer callee blind succeeded status=202 notify=200 to=sip:carol@c.example new=c2@test [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 related=c2@test by=callee\n"
              "refer_transfer callee blind succeeded status=202 notify=200 to=sip:dave@d.example new=c3@test [c2@test a2/k2]\n"
              "dialog c2@test a2/k2 terminated bye 200 labels=refer_transfer holds=0 related=c1@test,c3@test by=callee\n"
              "dialog c3@test a3/d3 confirmed end_of_input 200 labels=- holds=0 related=c2@test\n");
    h_free(&h);
}

/* ================================================================== */
/* faults found in the real captures (Part A), reduced                  */

/* sngrep/ipv6frag.pcap and miarec SIPREC: the capture misses the INVITE
 * (or it is fragmented and lost); a 100 Trying without To-tag comes first,
 * then the 200 that creates the dialog. The call must stay open for as
 * long as its dialog does: here 40 s of silence (RTP only, which makes the
 * pipeline call the expiry pass) then a hold and a BYE. One dialog record,
 * ended by BYE, with the hold. */
static void
test_orphan_100_then_long_call(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_resp(&h, &d, true, 100, "INVITE", 1, NULL, NULL);
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &d, true, "ACK", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    for (int i = 1; i <= 40; i++)
        dialog_engine_expire(h.e, h.t + i * SEC); /* RTP packets meanwhile */
    h.t += 41 * SEC;
    h_reinvite(&h, &d, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=hold holds=1 held=30ms midcall by=caller\n");
    h_free(&h);
}

/* The capture starts after the INVITE: the first message is the 200 whose
 * SDP is the ANSWER to an offer we never saw (an announcement server or
 * a SIPREC recorder answers sendonly/recvonly), the ACK has no body. No
 * party moved from not-holding to holding in what was observed (DESIGN
 * §2): no hold label, and no "2xx without an SDP answer" anomaly either
 * (the ACK owes no answer to a 2xx that answered). */
static void
test_orphan_200_sendonly_not_hold(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_resp(&h, &d, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendonly", "10.0.0.2", NULL));
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    h_bye(&h, &d, true, 2);
    h_finish(&h);
    h_expect_not_in(&h, "hold callee");
    h_expect_in(&h, "labels=- holds=0");
    h_expect_not_in(&h, "answer_mismatch");
    if (strstr(h.anomalies->str, "answer_mismatch")) {
        g_printerr("--- unexpected anomaly answer_mismatch: %s\n", h.anomalies->str);
        g_test_fail();
    }
    h_free(&h);
}

/* sngrep/aaa.pcap vs zeek/wireshark.pcap (the same 81 SIP messages, the
 * first with RTP/other packets in between): an INVITE challenged 407 and
 * re-sent with credentials 32.5 s later. The records must not depend on
 * whether unrelated packets made the pipeline run the expiry pass between
 * the 407 and the re-sent INVITE. (RFC 3261 §22.2 sets no limit on when
 * the retry comes; sipsleuth waits 64*T1, as for any transaction.) */
static void
challenge_retry_run(Harness *h, bool expire_between)
{
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(h, &d, true, "INVITE", 1, NULL, h_sdpv(h, 1, "sendrecv", "10.0.0.1", NULL));
    d.callee_tag = "px";
    h_resp(h, &d, true, 407, "INVITE", 1, NULL, NULL);
    h_req(h, &d, true, "ACK", 1, NULL, NULL);
    SsTime resend = h->t + 32 * SEC + 500 * MS;
    if (expire_between)
        dialog_engine_expire(h->e, resend - 100 * MS); /* an RTP packet of another call */
    h->t = resend;
    d.callee_tag = NULL;
    h_req(h, &d, true, "INVITE", 2, "Proxy-Authorization: Digest x\n", h_sdpv(h, 1, "sendrecv", "10.0.0.1", NULL));
    d.callee_tag = "b1";
    h_resp(h, &d, true, 403, "INVITE", 2, NULL, NULL);
    h_req(h, &d, true, "ACK", 2, NULL, NULL);
    h_finish(h);
}

static void
test_challenge_retry_deterministic(void)
{
    Harness a, b;
    h_init(&a);
    h_init(&b);
    challenge_retry_run(&a, false);
    challenge_retry_run(&b, true);
    if (getenv("EDGE_PRINT") || strcmp(a.log->str, b.log->str) != 0)
        g_printerr("--- without an expiry pass between\n%s--- with one\n%s", a.log->str, b.log->str);
    if (strcmp(a.log->str, b.log->str) != 0)
        g_test_fail();
    /* 32.5 s is past the 64*T1 sipsleuth waits for a re-sent INVITE
     * (SS_TRANSACTION_LINGER, the same as for any transaction): the first
     * attempt failed with its 407, the retry is a new one. What matters is
     * that the answer is the same either way. */
    h_check(&b, "dialog c1@test a1/px terminated rejected 407 labels=- holds=0\n"
              "dialog c1@test a1/b1 terminated rejected 403 labels=- holds=0\n");
    h_free(&a);
    h_free(&b);
}

/* The capture starts during a hold: the first message is a session-timer
 * refresh re-INVITE (RFC 4028) repeating the holder's sendonly SDP. The
 * prior state is unknown: it may be a refresh, or the hold itself. The
 * choice made: the first holding offer seen in a dialog seen mid-call is
 * labelled a hold (a real hold is the likelier reason for a re-INVITE that
 * holds), and the uncertainty is in the record (seen_midcall, "midcall")
 * and in the dialog_seen_midcall anomaly. This test pins that choice. */
static void
test_midcall_refresh_of_hold(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_reinvite(&h, &d, true, 20, h_sdpv(&h, 7, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 7, "recvonly", "10.0.0.2", NULL));
    h_bye(&h, &d, true, 21);
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye labels=hold holds=1 held=30ms midcall by=caller\n");
    h_expect_anomalies(&h, "dialog_seen_midcall");
    h_free(&h);
}

/* A resume's record names no hold mode (the JSON writer prints sip.hold.mode
 * for resumes too): at least it must be the mode of the hold it ends, not
 * always "sendonly". Checked on the FlowEvent itself. */
static GString *modes;

static void
mode_flow(void *user, const FlowEvent *f)
{
    (void)user;
    g_string_append_printf(modes, "%s:%s ", flow_kind_name(f->kind), hold_mode_name(f->hold_mode));
}

static void
test_resume_mode_after_inactive_hold(void)
{
    Harness h;
    h_init(&h);
    dialog_engine_free(h.e);
    modes = g_string_new(NULL);
    DialogSink sink = { NULL, mode_flow, NULL, NULL, &h };
    h.e = dialog_engine_new(&sink, NULL, NULL);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_reinvite(&h, &d, true, 2, h_sdpv(&h, 2, "inactive", "10.0.0.1", NULL), h_sdpv(&h, 2, "inactive", "10.0.0.2", NULL));
    h_reinvite(&h, &d, true, 3, h_sdpv(&h, 3, "sendrecv", "10.0.0.1", NULL), h_sdpv(&h, 3, "sendrecv", "10.0.0.2", NULL));
    h_finish(&h);
    if (strcmp(modes->str, "hold:inactive resume:inactive ") != 0) {
        g_printerr("--- expected 'hold:inactive resume:inactive '\n--- got '%s'\n", modes->str);
        g_test_fail();
    }
    g_string_free(modes, TRUE);
    h_free(&h);
}

/* A lone 100 Trying (the INVITE not captured, no To-tag) makes no dialog,
 * so no record: it must not count as a call either (corpus:
 * ndpi/gre.pcapng said 1 call, with no record of it). */
static void
test_orphan_100_alone_no_call(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_resp(&h, &d, true, 100, "INVITE", 1, NULL, NULL);
    h_finish(&h);
    DialogStats st;
    dialog_engine_get_stats(h.e, &st);
    g_assert_cmpuint(st.calls, ==, 0);
    g_assert_cmpuint(st.dialogs, ==, 0);
    h_check(&h, "");
    h_free(&h);
}

static GString *msg_ids;

static void
id_message(void *user, const MsgEvent *ev)
{
    (void)user;
    g_string_append_printf(msg_ids, "%s|", ev->call_id ? ev->call_id : "(none)");
}

/* A message with no call (OPTIONS outside any dialog, a response to it)
 * still names its Call-ID in its record (man page: sip.call_id, message
 * records); a NUL in it shows as '?', as for calls. */
static void
test_message_without_call_names_call_id(void)
{
    Harness h;
    h_init(&h);
    dialog_engine_free(h.e);
    msg_ids = g_string_new(NULL);
    DialogSink sink = { id_message, NULL, NULL, NULL, &h };
    h.e = dialog_engine_new(&sink, NULL, NULL);
    Dlg o = { "opt-1@test", "alice@a.example", "a1", "bob@b.example", NULL, "10.0.0.1", "10.0.0.2" };
    h_req(&h, &o, true, "OPTIONS", 1, NULL, NULL);
    o.callee_tag = "b1";
    h_resp(&h, &o, true, 200, "OPTIONS", 1, NULL, NULL);
    h_finish(&h);
    g_assert_cmpstr(msg_ids->str, ==, "opt-1@test|opt-1@test|");
    g_string_free(msg_ids, TRUE);
    h_free(&h);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/edge2/output/message-without-call", test_message_without_call_names_call_id);
    g_test_add_func("/edge2/corpus/orphan-100-alone-no-call", test_orphan_100_alone_no_call);
    g_test_add_func("/edge2/moh/pbx-other-leg", test_pbx_moh_other_leg);
    g_test_add_func("/edge2/moh/pbx-towards-caller", test_pbx_moh_towards_caller);
    g_test_add_func("/edge2/sdp/media-level-null-c", test_media_level_null_c);
    g_test_add_func("/edge2/sdp/session-null-c-media-real", test_session_level_null_c_media_real);
    g_test_add_func("/edge2/sdp/session-sendonly-media-sendrecv", test_session_sendonly_media_sendrecv);
    g_test_add_func("/edge2/update/callee-hold-resume", test_callee_update_hold_resume);
    g_test_add_func("/edge2/reinvite/offerless-same-sdp", test_offerless_reinvite_same_sdp);
    g_test_add_func("/edge2/fork/two-200", test_fork_two_200);
    g_test_add_func("/edge2/fork/second-200-without-18x", test_fork_second_200_without_18x);
    g_test_add_func("/edge2/fork/third-branch-after-other-answer", test_fork_third_branch_after_other_answer);
    g_test_add_func("/edge2/fork/reused-dialog-memory", test_fork_reused_dialog_memory);
    g_test_add_func("/edge2/bye/response-without-bye", test_bye_response_without_bye);
    g_test_add_func("/edge2/fork/early-update-then-refresh", test_fork_early_update_then_refresh);
    g_test_add_func("/edge2/cancel/races-200", test_cancel_races_200);
    g_test_add_func("/edge2/3pcc/flow1-then-hold", test_3pcc_flow1_then_hold);
    g_test_add_func("/edge2/refer/to-pbx-b2bua", test_refer_to_pbx_b2bua);
    g_test_add_func("/edge2/refer/to-pbx-host-only", test_refer_to_pbx_host_only);
    g_test_add_func("/edge2/refer/rejected-403", test_refer_rejected_403);
    g_test_add_func("/edge2/refer/rejected-405", test_refer_rejected_405);
    g_test_add_func("/edge2/refer/rejected-501", test_refer_rejected_501);
    g_test_add_func("/edge2/refer/notify-486", test_refer_notify_486);
    g_test_add_func("/edge2/refer/notify-487", test_refer_notify_487);
    g_test_add_func("/edge2/refer/notify-503", test_refer_notify_503);
    g_test_add_func("/edge2/refer/two-refers-overlapping", test_two_refers_overlapping);
    g_test_add_func("/edge2/refer/two-refers-first-rejected", test_two_refers_first_rejected);
    g_test_add_func("/edge2/refer/method-invite", test_refer_to_method_invite);
    g_test_add_func("/edge2/refer/tel-uri", test_refer_to_tel);
    g_test_add_func("/edge2/refer/tel-uri-separators", test_refer_to_tel_separators);
    g_test_add_func("/edge2/replaces/consultation-not-captured", test_attended_consultation_not_captured);
    g_test_add_func("/edge2/replaces/481", test_replaces_481);
    g_test_add_func("/edge2/transfer/hold-while-pending", test_hold_while_transfer_pending);
    g_test_add_func("/edge2/transfer/chain", test_transfer_chain);
    g_test_add_func("/edge2/corpus/orphan-100-long-call", test_orphan_100_then_long_call);
    g_test_add_func("/edge2/corpus/orphan-200-sendonly", test_orphan_200_sendonly_not_hold);
    g_test_add_func("/edge2/corpus/challenge-retry-deterministic", test_challenge_retry_deterministic);
    g_test_add_func("/edge2/corpus/midcall-refresh-of-hold", test_midcall_refresh_of_hold);
    g_test_add_func("/edge2/output/resume-mode", test_resume_mode_after_inactive_hold);
    return g_test_run();
}
