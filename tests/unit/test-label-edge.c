/* Edge cases of the labeller (DESIGN.md §2) taken from what real phones and
 * PBXes send: session refreshes during hold, answers that RFC 3264 §6.1
 * allows but that are less common, REFER/NOTIFY races and header forms,
 * Replaces in both orientations, message orders around replacement.
 *
 * Each test states what the labels SHOULD be (with the RFC that says so);
 * a failure prints what sipsleuth produced. Run alone with
 * `tests/unit/label-edge.test -k` (every failure, not just the first);
 * EDGE_PRINT=1 prints every log. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialog-harness.h"

#define SEC (SS_NSEC_PER_SEC)
#define MS (SS_NSEC_PER_MSEC)

/* ================================================================== */
/* hold / resume                                                        */

/* RFC 4028 §7/§8 + RFC 6337 §5.3: a session-timer refresh re-INVITE (and
 * then UPDATE) while holding repeats the holding SDP (same o= version, then
 * incremented): no second hold. */
static void
test_refresh_during_hold(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    const char *hold = h_sdpv(&h, 10, "sendonly", "10.0.0.1", NULL);
    h_reinvite(&h, &d, true, 2, hold, h_sdpv(&h, 20, "recvonly", "10.0.0.2", NULL));
    /* refresh re-INVITE: same SDP, same version */
    h_reinvite(&h, &d, true, 3, hold, h_sdpv(&h, 20, "recvonly", "10.0.0.2", NULL));
    /* refresh UPDATE: incremented version, still sendonly */
    h_req(&h, &d, true, "UPDATE", 4, "Session-Expires: 1800;refresher=uac\n",
          h_sdpv(&h, 11, "sendonly", "10.0.0.1", NULL));
    h_resp(&h, &d, true, 200, "UPDATE", 4, NULL, h_sdpv(&h, 21, "recvonly", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=80ms\n");
    h_free(&h);
}

/* A refresh with unchanged sendrecv SDP is not a resume. */
static void
test_refresh_sendrecv_no_resume(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    const char *o = h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL);
    h_reinvite(&h, &d, true, 2, o, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &d, false, "UPDATE", 1, NULL, h_sdpv(&h, 1, "", "10.0.0.2", NULL));
    h_resp(&h, &d, false, 200, "UPDATE", 1, NULL, o);
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 confirmed end_of_input 200 labels=- holds=0\n");
    h_free(&h);
}

/* The held party (not holding) refreshes while held: it offers sendrecv
 * (RFC 6337 §5.3: an offer says what the offerer wants), the holder answers
 * sendonly. Nothing changes: no hold, no resume. Then the holder resumes. */
static void
test_held_party_refresh(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_reinvite(&h, &d, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_reinvite(&h, &d, false, 1, h_sdpv(&h, 3, "sendrecv", "10.0.0.2", NULL), h_sdpv(&h, 3, "sendonly", "10.0.0.1", NULL));
    h_reinvite(&h, &d, false, 2, h_sdpv(&h, 4, "recvonly", "10.0.0.2", NULL), h_sdpv(&h, 4, "sendonly", "10.0.0.1", NULL));
    h_reinvite(&h, &d, true, 3, h_sdpv(&h, 5, "sendrecv", "10.0.0.1", NULL), h_sdpv(&h, 5, "sendrecv", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "resume caller INVITE accepted 200 after=90ms [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold,resume holds=1 held=90ms\n");
    h_free(&h);
}

/* CUCM-style offerless re-INVITE from the held party while held: the holder
 * offers sendonly in the 200, the ACK answers recvonly: nothing new. */
static void
test_delayed_offer_refresh_during_hold(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_reinvite(&h, &d, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_req(&h, &d, false, "INVITE", 1, NULL, NULL);
    h_resp(&h, &d, false, 200, "INVITE", 1, NULL, h_sdpv(&h, 3, "sendonly", "10.0.0.1", NULL));
    h_req(&h, &d, false, "ACK", 1, NULL, h_sdpv(&h, 3, "recvonly", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=60ms\n");
    h_free(&h);
}

/* RFC 3264 §6.1: "If a stream is offered as sendonly, the corresponding
 * stream MUST be marked as recvonly or inactive in the answer." An inactive
 * answer accepts the hold; the answerer offered nothing, so it is not a
 * hold of its own (DESIGN §2: hold is an offerer's move), and the resume
 * that follows is the caller's only. */
static void
test_hold_answered_inactive(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_reinvite(&h, &d, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 2, "inactive", "10.0.0.2", NULL));
    h_reinvite(&h, &d, true, 3, h_sdpv(&h, 3, "sendrecv", "10.0.0.1", NULL), h_sdpv(&h, 3, "sendrecv", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "resume caller INVITE accepted 200 after=30ms [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold,resume holds=1 held=30ms\n");
    h_free(&h);
}

/* Same, via UPDATE (Yealink/Grandstream can hold with UPDATE) */
static void
test_hold_update_answered_inactive(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, false, "UPDATE", 1, NULL, h_sdpv(&h, 2, "sendonly", "10.0.0.2", NULL));
    h_resp(&h, &d, false, 200, "UPDATE", 1, NULL, h_sdpv(&h, 2, "inactive", "10.0.0.1", NULL));
    h_finish(&h);
    h_check(&h, "hold callee UPDATE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=20ms\n");
    h_free(&h);
}

/* audio sendonly + a second m-line disabled (port 0): a hold */
static void
test_hold_second_mline_port0(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    const char *v0 = "m=video 0 RTP/AVP 96\n";
    h_reinvite(&h, &d, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.1", v0), h_sdpv(&h, 2, "recvonly", "10.0.0.2", v0));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=30ms\n");
    h_free(&h);
}

/* audio sendonly + video sendrecv: the video still flows both ways: no hold */
static void
test_no_hold_video_sendrecv(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    const char *v = "m=video 40002 RTP/AVP 96\na=rtpmap:96 H264/90000\na=sendrecv\n";
    h_reinvite(&h, &d, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.1", v), h_sdpv(&h, 2, "recvonly", "10.0.0.2", v));
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 confirmed end_of_input 200 labels=- holds=0\n");
    h_free(&h);
}

/* Snom/Grandstream best-effort SRTP: two audio m-lines (SAVP, AVP), both
 * sendonly; the answer takes one and rejects the other with port 0. */
static void
test_hold_dual_audio_one_rejected(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    const char *off = "v=0\no=- 1 2 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\n"
                      "m=audio 40000 RTP/SAVP 0\na=sendonly\nm=audio 40002 RTP/AVP 0\na=sendonly\n";
    const char *ans = "v=0\no=- 1 2 IN IP4 10.0.0.2\ns=-\nc=IN IP4 10.0.0.2\nt=0 0\n"
                      "m=audio 0 RTP/SAVP 0\nm=audio 50000 RTP/AVP 0\na=recvonly\n";
    h_reinvite(&h, &d, true, 2, off, ans);
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=30ms\n");
    g_assert_cmpstr(h.anomalies->str, ==, "");
    h_free(&h);
}

/* resume with an offer without any direction attribute (RFC 3264 §5.1:
 * sendrecv by default) */
static void
test_resume_no_direction(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_reinvite(&h, &d, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_reinvite(&h, &d, true, 3, h_sdpv(&h, 3, "", "10.0.0.1", NULL), h_sdpv(&h, 3, "", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "resume caller INVITE accepted 200 after=30ms [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold,resume holds=1 held=30ms\n");
    h_free(&h);
}

/* Double hold, second holder offers sendonly (Polycom/Yealink do), answered
 * inactive (RFC 6337 §5.3); the first holder resumes with recvonly while the
 * peer still holds, then the peer resumes. */
static void
test_double_hold_sendonly_inactive(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_reinvite(&h, &d, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_reinvite(&h, &d, false, 1, h_sdpv(&h, 3, "sendonly", "10.0.0.2", NULL), h_sdpv(&h, 3, "inactive", "10.0.0.1", NULL));
    h_reinvite(&h, &d, true, 3, h_sdpv(&h, 4, "recvonly", "10.0.0.1", NULL), h_sdpv(&h, 4, "sendonly", "10.0.0.2", NULL));
    h_reinvite(&h, &d, false, 2, h_sdpv(&h, 5, "sendrecv", "10.0.0.2", NULL), h_sdpv(&h, 5, "sendrecv", "10.0.0.1", NULL));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "hold callee INVITE sendonly accepted 200 double [c1@test a1/b1]\n"
              "resume caller INVITE accepted 200 double after=60ms [c1@test a1/b1]\n"
              "resume callee INVITE accepted 200 after=60ms [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold,resume holds=2 held=120ms\n");
    h_free(&h);
}

/* RFC 3311 §5.1 UPDATE in an early dialog (after a reliable 183 answered
 * the INVITE's offer): DESIGN §2 counts a hold only in a confirmed dialog.
 * Neither a hold nor (after the 200) a resume, and no time on hold. */
static void
test_early_update_hold_not_labelled(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, "Supported: 100rel\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 183, "INVITE", 1, "Require: 100rel\nRSeq: 1\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &d, true, "PRACK", 2, "RAck: 1 1 INVITE\n", NULL);
    h_resp(&h, &d, true, 200, "PRACK", 2, NULL, NULL);
    h_req(&h, &d, true, "UPDATE", 3, NULL, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL));
    h_resp(&h, &d, true, 200, "UPDATE", 3, NULL, h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_resp(&h, &d, true, 200, "INVITE", 1, NULL, NULL);
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    h_reinvite(&h, &d, true, 4, h_sdpv(&h, 3, "sendrecv", "10.0.0.1", NULL), h_sdpv(&h, 3, "sendrecv", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 confirmed end_of_input 200 labels=- holds=0\n");
    h_free(&h);
}

/* Same early UPDATE hold, but the 200 of the INVITE repeats nothing and the
 * UPDATE's hold is still in force when the call ends: no label, and no
 * time on hold either (holds=0 must not come with held=). */
static void
test_early_update_hold_no_held_time(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    /* offer answered in the reliable 183; the INVITE is answered before the UPDATE's 200 comes */
    h_req(&h, &d, true, "INVITE", 1, "Supported: 100rel\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 183, "INVITE", 1, "Require: 100rel\nRSeq: 1\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &d, true, "PRACK", 2, "RAck: 1 1 INVITE\n", NULL);
    h_resp(&h, &d, true, 200, "PRACK", 2, NULL, NULL);
    h_resp(&h, &d, true, 200, "INVITE", 1, NULL, NULL);
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    /* the early UPDATE crossed the 200: sent in the early dialog, its 200
     * after the dialog was confirmed -- labelled (confirmed at the answer) */
    h_req(&h, &d, true, "UPDATE", 3, NULL, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL));
    h_resp(&h, &d, true, 200, "UPDATE", 3, NULL, h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_bye(&h, &d, true, 4);
    h_finish(&h);
    /* the UPDATE was sent in the confirmed dialog here: a hold */
    h_check(&h, "hold caller UPDATE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=hold holds=1 held=20ms by=caller\n");
    h_free(&h);
}

/* Early UPDATE hold, never resumed: holds=0 so held time must be 0 too. */
static void
test_early_update_hold_held_time(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, "Supported: 100rel\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 183, "INVITE", 1, "Require: 100rel\nRSeq: 1\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &d, true, "PRACK", 2, "RAck: 1 1 INVITE\n", NULL);
    h_resp(&h, &d, true, 200, "PRACK", 2, NULL, NULL);
    h_req(&h, &d, true, "UPDATE", 3, NULL, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL));
    h_resp(&h, &d, true, 200, "UPDATE", 3, NULL, h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    /* the PRACK'd INVITE transaction ends with 200 only later */
    h_resp(&h, &d, true, 200, "INVITE", 1, NULL, NULL);
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    h.t += 5 * SEC;
    h_bye(&h, &d, true, 4);
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 terminated bye 200 labels=- holds=0 by=caller\n");
    h_free(&h);
}

/* RFC 3725 §5 flow IV / PBX originate: the first INVITE offers "held" SDP
 * (inactive), the real media comes in a re-INVITE. Nobody put anybody on
 * hold in this dialog: no resume label (DESIGN §2: resume is the holder's
 * later offer; labels only from what was observed). */
static void
test_initial_inactive_then_sendrecv(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, NULL, h_sdpv(&h, 1, "inactive", "10.0.0.1", NULL));
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "inactive", "10.0.0.2", NULL));
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    h_reinvite(&h, &d, true, 2, h_sdpv(&h, 2, "sendrecv", "10.0.0.1", NULL), h_sdpv(&h, 2, "sendrecv", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 confirmed end_of_input 200 labels=- holds=0\n");
    h_free(&h);
}

/* RFC 3261 §14.1 / RFC 3264 §4: glare. Both re-INVITE at once, both get
 * 491; the hold is retried and accepted. One hold (the 491 attempt is a
 * rejected hold flow, not counted). */
static void
test_glare_491_retry(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "INVITE", 2, NULL, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL));
    h_req(&h, &d, false, "INVITE", 1, "Session-Expires: 1800;refresher=uas\n", h_sdpv(&h, 2, "sendrecv", "10.0.0.2", NULL));
    h_resp(&h, &d, true, 491, "INVITE", 2, NULL, NULL);
    h_resp(&h, &d, false, 491, "INVITE", 1, NULL, NULL);
    h_req(&h, &d, true, "ACK", 2, NULL, NULL);
    h_req(&h, &d, false, "ACK", 1, NULL, NULL);
    h.t += 3 * SEC;
    h_reinvite(&h, &d, true, 3, h_sdpv(&h, 3, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 3, "recvonly", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly rejected 491 [c1@test a1/b1]\n"
              "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold holds=1 held=30ms\n");
    g_assert_cmpstr(h.anomalies->str, ==, "offer_glare");
    h_free(&h);
}

/* RFC 3261 §13.3.1.4: the 200 is retransmitted until the ACK; the ACK may be
 * retransmitted too; and the same for the resume. */
static void
test_200_retransmissions(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    const char *o = h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL), *a = h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL);
    h_req(&h, &d, true, "INVITE", 2, NULL, o);
    h_resp(&h, &d, true, 200, "INVITE", 2, NULL, a);
    h_resp(&h, &d, true, 200, "INVITE", 2, NULL, a);
    h_req(&h, &d, true, "ACK", 2, NULL, NULL);
    h_resp(&h, &d, true, 200, "INVITE", 2, NULL, a);
    h_req(&h, &d, true, "ACK", 2, NULL, NULL);
    const char *o2 = h_sdpv(&h, 3, "sendrecv", "10.0.0.1", NULL), *a2 = h_sdpv(&h, 3, "sendrecv", "10.0.0.2", NULL);
    h_req(&h, &d, true, "INVITE", 3, NULL, o2);
    h_resp(&h, &d, true, 200, "INVITE", 3, NULL, a2);
    h_req(&h, &d, true, "ACK", 3, NULL, NULL);
    h_resp(&h, &d, true, 200, "INVITE", 3, NULL, a2);
    h_req(&h, &d, true, "ACK", 3, NULL, NULL);
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "resume caller INVITE accepted 200 after=60ms [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold,resume holds=1 held=60ms\n");
    h_free(&h);
}

/* ================================================================== */
/* REFER                                                                */

static Dlg
carol_call(void)
{
    Dlg n = { "c2@test", "bob@b.example", "b2", "carol@c.example", NULL, "10.0.0.2", "10.0.0.3" };
    return n;
}

/* the transferee's new call to carol, answered */
static void
new_call(Harness *h, Dlg *n, const char *extra)
{
    n->callee_tag = NULL;
    h_req(h, n, true, "INVITE", 1, extra, h_sdpv(h, 1, "sendrecv", n->caller_ip, NULL));
    n->callee_tag = "k1";
    h_resp(h, n, true, 200, "INVITE", 1, NULL, h_sdpv(h, 1, "sendrecv", n->callee_ip, NULL));
    h_req(h, n, true, "ACK", 1, NULL, NULL);
}

static const char *BLIND_OK =
    "refer_transfer caller blind succeeded status=202 notify=200 to=sip:carol@c.example new=c2@test [c1@test a1/b1]\n"
    "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 related=c2@test by=caller\n"
    "dialog c2@test b2/k1 confirmed end_of_input 200 labels=- holds=0 related=c1@test\n";

/* RFC 3515 §2.4.4: the NOTIFY may arrive before the 202 (UDP reordering,
 * or sent first). */
static void
test_notify_before_202(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_TRYING, NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_resp(&h, &d, false, 200, "NOTIFY", 1, NULL, NULL);
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_req(&h, &d, false, "NOTIFY", 2, H_NOTIFY_OK, NULL);
    h_resp(&h, &d, false, 200, "NOTIFY", 2, NULL, NULL);
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    h_check(&h, BLIND_OK);
    h_free(&h);
}

/* Asterisk/FreeSWITCH: Event: refer;id=<REFER CSeq> (RFC 3515 §2.4.6),
 * Content-Type message/sipfrag;version=2.0, 100 Trying then 200 OK */
static void
test_notify_id_and_version_param(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_req(&h, &d, false, "NOTIFY", 1,
          "Event: refer;id=2\nSubscription-State: active;expires=60\nContent-Type: message/sipfrag;version=2.0\n\nSIP/2.0 100 Trying\n",
          NULL);
    h_resp(&h, &d, false, 200, "NOTIFY", 1, NULL, NULL);
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_req(&h, &d, false, "NOTIFY", 2,
          "Event: refer;id=2\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag;version=2.0\n\nSIP/2.0 200 OK\r\nContent-Length: 0\n",
          NULL);
    h_resp(&h, &d, false, 200, "NOTIFY", 2, NULL, NULL);
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    h_check(&h, BLIND_OK);
    h_free(&h);
}

/* RFC 3515 §2.1, RFC 3892 §3 compact forms r: b: o: (and i f t c l v) */
static void
test_compact_forms(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_raw(&h, "10.0.0.1", "10.0.0.2",
        "REFER sip:bob@b.example SIP/2.0\nv: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKr2\n"
        "f: <sip:alice@a.example>;tag=a1\nt: <sip:bob@b.example>;tag=b1\ni: c1@test\nCSeq: 2 REFER\n"
        "m: <sip:alice@10.0.0.1>\nr: <sip:carol@c.example>\nb: <sip:alice@a.example>");
    h_raw(&h, "10.0.0.2", "10.0.0.1",
        "SIP/2.0 202 Accepted\nv: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKr2\n"
        "f: <sip:alice@a.example>;tag=a1\nt: <sip:bob@b.example>;tag=b1\ni: c1@test\nCSeq: 2 REFER");
    Dlg n = carol_call();
    new_call(&h, &n, "b: <sip:alice@a.example>\n");
    h_raw(&h, "10.0.0.2", "10.0.0.1",
        "NOTIFY sip:alice@10.0.0.1 SIP/2.0\nv: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKn2\n"
        "f: <sip:bob@b.example>;tag=b1\nt: <sip:alice@a.example>;tag=a1\ni: c1@test\nCSeq: 2 NOTIFY\n"
        "o: refer\nSubscription-State: terminated;reason=noresource\nc: message/sipfrag\n\nSIP/2.0 200 OK\n");
    h_resp(&h, &d, false, 200, "NOTIFY", 2, NULL, NULL);
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    h_check(&h, BLIND_OK);
    h_free(&h);
}

/* Refer-To as a name-addr with display name and URI parameters; the
 * transferee's INVITE (no Referred-By: RFC 3892 makes copying it optional
 * for the referee) goes to the same user with ;user=phone and a port. */
static void
test_refer_to_params_no_referred_by(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: \"Carol C\" <sip:carol@C.Example;transport=udp>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_raw(&h, "10.0.0.2", "10.0.0.3",
        "INVITE sip:carol@c.example:5060;user=phone SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKx1\n"
        "From: <sip:bob@b.example>;tag=b2\nTo: <sip:carol@c.example;user=phone>\nCall-ID: c2@test\nCSeq: 1 INVITE\n"
        "Contact: <sip:bob@10.0.0.2>");
    Dlg n = carol_call();
    n.callee_tag = "k1";
    h_resp(&h, &n, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.3", NULL));
    h_req(&h, &n, true, "ACK", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_OK, NULL);
    h_resp(&h, &d, false, 200, "NOTIFY", 1, NULL, NULL);
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    h_check(&h, "refer_transfer caller blind succeeded status=202 notify=200 to=sip:carol@C.Example;transport=udp new=c2@test [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 related=c2@test by=caller\n"
              "dialog c2@test b2/k1 confirmed end_of_input 200 labels=- holds=0 related=c1@test\n");
    h_free(&h);
}

/* The transferor hangs up right after the 202 (Yealink/Polycom "blind
 * transfer": BYE on 202, RFC 5589 §6.1 allows it; the refer subscription
 * outlives the INVITE usage, RFC 5057 §5.3). The original dialog's record
 * must still name the call the transfer caused (DESIGN §2: link both). */
static void
test_blind_bye_after_202(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_bye(&h, &d, true, 3);
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_OK, NULL);
    h_resp(&h, &d, false, 200, "NOTIFY", 1, NULL, NULL);
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 related=c2@test by=caller\n"
              "refer_transfer caller blind succeeded status=202 notify=200 to=sip:carol@c.example new=c2@test [c1@test a1/b1]\n"
              "dialog c2@test b2/k1 confirmed end_of_input 200 labels=- holds=0 related=c1@test\n");
    h_free(&h);
}

/* The same, but nothing follows the BYE: no NOTIFY, no new call. The
 * dialog's record waits for the transfer, then comes out when the transfer
 * gives up (SS_TRANSFER_WINDOW after the REFER), right after its flow, in
 * the expiry pass: not only at the end of the input. */
static void
test_blind_bye_after_202_nothing_follows(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    SsTime refer = h.t;
    h.t += 10 * SEC;
    h_bye(&h, &d, true, 3);
    dialog_engine_expire(h.e, h.t + 1 * SEC);
    h_check(&h, "");
    /* the transfer's deadline has passed, the BYE's linger has not */
    dialog_engine_expire(h.e, refer + 33 * SEC);
    h_check(&h, "refer_transfer caller blind unknown status=202 notify=0 to=sip:carol@c.example [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 by=caller\n");
    h_finish(&h);
    h_free(&h);
}

/* RFC 3515 §2.4.? out-of-dialog REFER (no To tag): the 202 makes the
 * dialog the NOTIFYs use */
static void
test_out_of_dialog_refer(void)
{
    Harness h;
    h_init(&h);
    Dlg r = { "r1@test", "alice@a.example", "a9", "bob@b.example", NULL, "10.0.0.1", "10.0.0.2" };
    h_req(&h, &r, true, "REFER", 1, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    r.callee_tag = "b9";
    h_resp(&h, &r, true, 202, "REFER", 1, NULL, NULL);
    h_req(&h, &r, false, "NOTIFY", 1, H_NOTIFY_TRYING, NULL);
    h_resp(&h, &r, false, 200, "NOTIFY", 1, NULL, NULL);
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_req(&h, &r, false, "NOTIFY", 2, H_NOTIFY_OK, NULL);
    h_resp(&h, &r, false, 200, "NOTIFY", 2, NULL, NULL);
    h_finish(&h);
    h_check(&h, "refer_transfer caller blind succeeded status=202 notify=200 to=sip:carol@c.example new=c2@test [r1@test a9/b9]\n"
              "dialog r1@test a9/b9 confirmed end_of_input 202 labels=refer_transfer holds=0 related=c2@test\n"
              "dialog c2@test b2/k1 confirmed end_of_input 200 labels=- holds=0 related=r1@test\n");
    h_free(&h);
}

/* out-of-dialog REFER whose first NOTIFY overtakes the 202 (RFC 3515
 * §2.4.4; like SUBSCRIBE, RFC 6665 §4.1.2.4, the NOTIFY may come first):
 * its 100 still counts */
static void
test_out_of_dialog_refer_notify_first(void)
{
    Harness h;
    h_init(&h);
    Dlg r = { "r1@test", "alice@a.example", "a9", "bob@b.example", NULL, "10.0.0.1", "10.0.0.2" };
    h_req(&h, &r, true, "REFER", 1, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    r.callee_tag = "b9";
    h_req(&h, &r, false, "NOTIFY", 1,
          "Event: refer\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag\n\nSIP/2.0 603 Declined\n",
          NULL);
    h_resp(&h, &r, true, 202, "REFER", 1, NULL, NULL);
    h_resp(&h, &r, false, 200, "NOTIFY", 1, NULL, NULL);
    h_finish(&h);
    h_check(&h, "refer_transfer caller blind failed status=202 notify=603 to=sip:carol@c.example [r1@test a9/b9]\n"
              "dialog r1@test a9/b9 confirmed end_of_input 202 labels=refer_transfer holds=0\n");
    h_free(&h);
}

/* RFC 4488: Refer-Sub: false, no NOTIFY; the new call tells the outcome */
static void
test_refer_sub_false(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\nRefer-Sub: false\nSupported: norefersub\n", NULL);
    h_resp(&h, &d, true, 200, "REFER", 2, "Refer-Sub: false\n", NULL);
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 related=c2@test by=caller\n"
              "refer_transfer caller blind succeeded status=200 notify=0 to=sip:carol@c.example new=c2@test [c1@test a1/b1]\n"
              "dialog c2@test b2/k1 confirmed end_of_input 200 labels=- holds=0 related=c1@test\n");
    h_free(&h);
}

/* ---- attended ---- */

/* c1: alice-bob (held); c3: alice-carol consultation */
static void
attended_setup(Harness *h, Dlg *ab, Dlg *ac)
{
    *ab = h_std_dlg();
    h_call(h, ab);
    h_reinvite(h, ab, true, 2, h_sdpv(h, 2, "sendonly", "10.0.0.1", NULL), h_sdpv(h, 2, "recvonly", "10.0.0.2", NULL));
    Dlg c = { "c3@test", "alice@a.example", "a3", "carol@c.example", "k3", "10.0.0.1", "10.0.0.3" };
    *ac = c;
    h_call(h, ac);
}

/* bob's INVITE with Replaces to carol, answered; carol's BYE on c3 */
static void
attended_finish(Harness *h, Dlg *ab, Dlg *ac, const char *replaces_hdr)
{
    Dlg bc = { "c4@test", "bob@b.example", "b4", "carol@c.example", NULL, "10.0.0.2", "10.0.0.3" };
    h_req(h, &bc, true, "INVITE", 1, replaces_hdr, h_sdpv(h, 1, "sendrecv", "10.0.0.2", NULL));
    bc.callee_tag = "k4";
    h_resp(h, &bc, true, 200, "INVITE", 1, NULL, h_sdpv(h, 1, "sendrecv", "10.0.0.3", NULL));
    h_req(h, &bc, true, "ACK", 1, NULL, NULL);
    h_bye(h, ac, false, 1);
    h_req(h, ab, false, "NOTIFY", 1, H_NOTIFY_OK, NULL);
    h_resp(h, ab, false, 200, "NOTIFY", 1, NULL, NULL);
    h_bye(h, ab, true, 4);
    h_finish(h);
}

#define ATT_TAIL(REFERTO)                                                                              \
    "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"                                       \
    "replaces_transfer caller replaces succeeded status=200 notify=0 to=sip:carol@c.example "          \
    "replaces=c3@test/a3/k3 refer=c1@test [c4@test b4/k4]\n"                                           \
    "dialog c3@test a3/k3 terminated replaced 200 labels=- holds=0 related=c1@test,c4@test replaced_by=c4@test\n" \
    "refer_transfer caller attended succeeded status=202 notify=200 to=" REFERTO                       \
    " replaces=c3@test/a3/k3 new=c4@test [c1@test a1/b1]\n"                                            \
    "dialog c1@test a1/b1 terminated bye 200 labels=hold,refer_transfer holds=1 held=160ms related=c3@test,c4@test by=caller\n" \
    "dialog c4@test b4/k4 confirmed end_of_input 200 labels=replaces_transfer holds=0 related=c3@test,c1@test\n"

/* lower-case hex, from-tag before to-tag, extra URI header and params */
static void
test_attended_lowercase_hex_order(void)
{
    Harness h;
    h_init(&h);
    Dlg ab, ac;
    attended_setup(&h, &ab, &ac);
    h_req(&h, &ab, true, "REFER", 3,
          "Refer-To: <sip:carol@c.example;transport=udp?Require=replaces&Replaces=c3%40test%3bfrom-tag%3da3%3bto-tag%3dk3>\n"
          "Referred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &ab, true, 202, "REFER", 3, NULL, NULL);
    attended_finish(&h, &ab, &ac, "Replaces: c3@test;from-tag=a3;to-tag=k3\nReferred-By: <sip:alice@a.example>\n");
    /* the replaces flow names the tags as the INVITE gave them */
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "replaces_transfer caller replaces succeeded status=200 notify=0 to=sip:carol@c.example replaces=c3@test/a3/k3 refer=c1@test [c4@test b4/k4]\n"
              "dialog c3@test a3/k3 terminated replaced 200 labels=- holds=0 related=c1@test,c4@test replaced_by=c4@test\n"
              "refer_transfer caller attended succeeded status=202 notify=200 to=sip:carol@c.example;transport=udp?Require=replaces&Replaces=c3%40test%3bfrom-tag%3da3%3bto-tag%3dk3 replaces=c3@test/a3/k3 new=c4@test [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=hold,refer_transfer holds=1 held=160ms related=c3@test,c4@test by=caller\n"
              "dialog c4@test b4/k4 confirmed end_of_input 200 labels=replaces_transfer holds=0 related=c3@test,c1@test\n");
    h_free(&h);
}

/* '@' left unescaped in the embedded Call-ID (seen from several phones) */
static void
test_attended_unescaped_at(void)
{
    Harness h;
    h_init(&h);
    Dlg ab, ac;
    attended_setup(&h, &ab, &ac);
    h_req(&h, &ab, true, "REFER", 3,
          "Refer-To: <sip:carol@c.example?Replaces=c3@test%3Bto-tag%3Dk3%3Bfrom-tag%3Da3>\nReferred-By: <sip:alice@a.example>\n",
          NULL);
    h_resp(&h, &ab, true, 202, "REFER", 3, NULL, NULL);
    attended_finish(&h, &ab, &ac, "Replaces: c3@test;to-tag=k3;from-tag=a3\nReferred-By: <sip:alice@a.example>\n");
    h_check(&h, ATT_TAIL("sip:carol@c.example?Replaces=c3@test%3Bto-tag%3Dk3%3Bfrom-tag%3Da3"));
    h_free(&h);
}

/* RFC 3891 §3: the UAS matches to-tag against its local tag and from-tag
 * against the remote; a transferee that copies the tags as the REFER gave
 * them from the transferor's side, or a target that builds them from its
 * own side, names them swapped relative to the dialog's From/To. Bob's
 * INVITE here names carol's tag as from-tag (her point of view as the UAS
 * receiving it is to-tag=k3... the other way round). Must still match. */
static void
test_attended_swapped_tags(void)
{
    Harness h;
    h_init(&h);
    Dlg ab, ac;
    attended_setup(&h, &ab, &ac);
    h_req(&h, &ab, true, "REFER", 3,
          "Refer-To: <sip:carol@c.example?Replaces=c3%40test%3Bto-tag%3Da3%3Bfrom-tag%3Dk3>\nReferred-By: <sip:alice@a.example>\n",
          NULL);
    h_resp(&h, &ab, true, 202, "REFER", 3, NULL, NULL);
    attended_finish(&h, &ab, &ac, "Replaces: c3@test;to-tag=k3;from-tag=a3\nReferred-By: <sip:alice@a.example>\n");
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "replaces_transfer caller replaces succeeded status=200 notify=0 to=sip:carol@c.example replaces=c3@test/a3/k3 refer=c1@test [c4@test b4/k4]\n"
              "dialog c3@test a3/k3 terminated replaced 200 labels=- holds=0 related=c1@test,c4@test replaced_by=c4@test\n"
              "refer_transfer caller attended succeeded status=202 notify=200 to=sip:carol@c.example?Replaces=c3%40test%3Bto-tag%3Da3%3Bfrom-tag%3Dk3 replaces=c3@test/k3/a3 new=c4@test [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=hold,refer_transfer holds=1 held=160ms related=c3@test,c4@test by=caller\n"
              "dialog c4@test b4/k4 confirmed end_of_input 200 labels=replaces_transfer holds=0 related=c3@test,c1@test\n");
    h_free(&h);
}

/* RFC 5589 §7 (and §7.3 / RFC 5359 §2.5 variants): the transferor may send
 * the REFER on the consultation dialog, to the target, naming the ORIGINAL
 * dialog in Replaces; carol then calls bob with Replaces: c1. */
static void
test_attended_refer_to_target(void)
{
    Harness h;
    h_init(&h);
    Dlg ab, ac;
    attended_setup(&h, &ab, &ac);
    h_req(&h, &ac, true, "REFER", 2,
          "Refer-To: <sip:bob@b.example?Replaces=c1%40test%3Bto-tag%3Db1%3Bfrom-tag%3Da1>\nReferred-By: <sip:alice@a.example>\n",
          NULL);
    h_resp(&h, &ac, true, 202, "REFER", 2, NULL, NULL);
    Dlg cb = { "c4@test", "carol@c.example", "k4", "bob@b.example", NULL, "10.0.0.3", "10.0.0.2" };
    h_req(&h, &cb, true, "INVITE", 1, "Replaces: c1@test;to-tag=b1;from-tag=a1\nReferred-By: <sip:alice@a.example>\n",
          h_sdpv(&h, 1, "sendrecv", "10.0.0.3", NULL));
    cb.callee_tag = "b4";
    h_resp(&h, &cb, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &cb, true, "ACK", 1, NULL, NULL);
    h_bye(&h, &ab, false, 1); /* bob ends the replaced dialog */
    h_req(&h, &ac, false, "NOTIFY", 1, H_NOTIFY_OK, NULL);
    h_resp(&h, &ac, false, 200, "NOTIFY", 1, NULL, NULL);
    h_bye(&h, &ac, true, 3);
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "replaces_transfer caller replaces succeeded status=200 notify=0 to=sip:bob@b.example replaces=c1@test/a1/b1 refer=c3@test [c4@test k4/b4]\n"
              "dialog c1@test a1/b1 terminated replaced 200 labels=hold holds=1 held=120ms related=c3@test,c4@test replaced_by=c4@test\n"
              "refer_transfer caller attended succeeded status=202 notify=200 to=sip:bob@b.example?Replaces=c1%40test%3Bto-tag%3Db1%3Bfrom-tag%3Da1 replaces=c1@test/a1/b1 new=c4@test [c3@test a3/k3]\n"
              "dialog c3@test a3/k3 terminated bye 200 labels=refer_transfer holds=0 related=c1@test,c4@test by=caller\n"
              "dialog c4@test k4/b4 confirmed end_of_input 200 labels=replaces_transfer holds=0 related=c1@test,c3@test\n");
    h_free(&h);
}

/* RFC 3891 §3: the UA that accepted the Replaces INVITE ends the old dialog
 * with BYE; it may send that BYE (and get its 200) before its own 200 to
 * the INVITE is seen (both leave it at once; captures reorder them). The
 * old dialog still ended by replacement. */
static void
test_replaced_bye_before_200(void)
{
    Harness h;
    h_init(&h);
    Dlg ab, ac;
    attended_setup(&h, &ab, &ac);
    h_req(&h, &ab, true, "REFER", 3,
          "Refer-To: <sip:carol@c.example?Replaces=c3%40test%3Bto-tag%3Dk3%3Bfrom-tag%3Da3>\nReferred-By: <sip:alice@a.example>\n",
          NULL);
    h_resp(&h, &ab, true, 202, "REFER", 3, NULL, NULL);
    Dlg bc = { "c4@test", "bob@b.example", "b4", "carol@c.example", NULL, "10.0.0.2", "10.0.0.3" };
    h_req(&h, &bc, true, "INVITE", 1, "Replaces: c3@test;to-tag=k3;from-tag=a3\nReferred-By: <sip:alice@a.example>\n",
          h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_bye(&h, &ac, false, 1); /* carol's BYE on c3 first */
    bc.callee_tag = "k4";
    h_resp(&h, &bc, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.3", NULL));
    h_req(&h, &bc, true, "ACK", 1, NULL, NULL);
    h_req(&h, &ab, false, "NOTIFY", 1, H_NOTIFY_OK, NULL);
    h_resp(&h, &ab, false, 200, "NOTIFY", 1, NULL, NULL);
    h_bye(&h, &ab, true, 4);
    h_finish(&h);
    h_expect_in(&h, "dialog c3@test a3/k3 terminated replaced 200");
    h_free(&h);
}

/* RFC 3891 §3 pickup of an early dialog: the caller CANCELs its INVITE
 * (487) when it accepts the Replaces INVITE; the 487 may be seen before the
 * 200 to the Replaces INVITE. End reason: replaced. */
static void
test_pickup_cancel_before_200(void)
{
    Harness h;
    h_init(&h);
    Dlg ab = h_std_dlg();
    ab.callee_tag = NULL;
    h_req(&h, &ab, true, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    ab.callee_tag = "b1";
    h_resp(&h, &ab, true, 180, "INVITE", 1, NULL, NULL);
    Dlg ca = { "c5@test", "carol@c.example", "k5", "alice@a.example", NULL, "10.0.0.3", "10.0.0.1" };
    h_req(&h, &ca, true, "INVITE", 1, "Replaces: c1@test;to-tag=a1;from-tag=b1;early-only\n",
          h_sdpv(&h, 1, "sendrecv", "10.0.0.3", NULL));
    ab.callee_tag = NULL;
    h_req(&h, &ab, true, "CANCEL", 1, NULL, NULL);
    ab.callee_tag = "b1";
    h_resp(&h, &ab, true, 200, "CANCEL", 1, NULL, NULL);
    h_resp(&h, &ab, true, 487, "INVITE", 1, NULL, NULL);
    h_req(&h, &ab, true, "ACK", 1, NULL, NULL);
    ca.callee_tag = "a5";
    h_resp(&h, &ca, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    h_req(&h, &ca, true, "ACK", 1, NULL, NULL);
    h_finish(&h);
    h_expect_in(&h, "dialog c1@test a1/b1 terminated replaced 487");
    h_free(&h);
}

/* Replaces INVITE challenged by a proxy (407) and re-sent: one replaces
 * flow, succeeded */
static void
test_replaces_challenged(void)
{
    Harness h;
    h_init(&h);
    Dlg ab, ac;
    attended_setup(&h, &ab, &ac);
    h_req(&h, &ab, true, "REFER", 3,
          "Refer-To: <sip:carol@c.example?Replaces=c3%40test%3Bto-tag%3Dk3%3Bfrom-tag%3Da3>\nReferred-By: <sip:alice@a.example>\n",
          NULL);
    h_resp(&h, &ab, true, 202, "REFER", 3, NULL, NULL);
    Dlg bc = { "c4@test", "bob@b.example", "b4", "carol@c.example", NULL, "10.0.0.2", "10.0.0.3" };
    h_req(&h, &bc, true, "INVITE", 1, "Replaces: c3@test;to-tag=k3;from-tag=a3\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    bc.callee_tag = "px";
    h_resp(&h, &bc, true, 407, "INVITE", 1, NULL, NULL);
    h_req(&h, &bc, true, "ACK", 1, NULL, NULL);
    bc.callee_tag = NULL;
    h_req(&h, &bc, true, "INVITE", 2, "Replaces: c3@test;to-tag=k3;from-tag=a3\nProxy-Authorization: Digest x\n",
          h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    bc.callee_tag = "k4";
    h_resp(&h, &bc, true, 200, "INVITE", 2, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.3", NULL));
    h_req(&h, &bc, true, "ACK", 2, NULL, NULL);
    h_bye(&h, &ac, false, 1);
    h_req(&h, &ab, false, "NOTIFY", 1, H_NOTIFY_OK, NULL);
    h_resp(&h, &ab, false, 200, "NOTIFY", 1, NULL, NULL);
    h_bye(&h, &ab, true, 4);
    h_finish(&h);
    h_expect_in(&h, "replaces_transfer caller replaces succeeded status=200");
    h_expect_in(&h, "dialog c3@test a3/k3 terminated replaced 200");
    h_expect_in(&h, "refer_transfer caller attended succeeded status=202 notify=200");
    h_free(&h);
}

/* A second REFER after the first failed (NOTIFY 486), NOTIFYs without id:
 * each NOTIFY belongs to the REFER it follows */
static void
test_second_refer_after_failure(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:dave@d.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_req(&h, &d, false, "NOTIFY", 1,
          "Event: refer\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag\n\nSIP/2.0 486 Busy Here\n", NULL);
    h_resp(&h, &d, false, 200, "NOTIFY", 1, NULL, NULL);
    h_req(&h, &d, true, "REFER", 3, "Refer-To: <sip:carol@c.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 3, NULL, NULL);
    Dlg n = carol_call();
    new_call(&h, &n, NULL);
    h_req(&h, &d, false, "NOTIFY", 2, H_NOTIFY_OK, NULL);
    h_resp(&h, &d, false, 200, "NOTIFY", 2, NULL, NULL);
    h_bye(&h, &d, true, 4);
    h_finish(&h);
    h_check(&h, "refer_transfer caller blind failed status=202 notify=486 to=sip:dave@d.example [c1@test a1/b1]\n"
              "refer_transfer caller blind succeeded status=202 notify=200 to=sip:carol@c.example new=c2@test [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 related=c2@test by=caller\n"
              "dialog c2@test b2/k1 confirmed end_of_input 200 labels=- holds=0 related=c1@test\n");
    h_free(&h);
}

/* REFER through a proxy (capture on the transferor's side: the REFER goes
 * to the proxy), the transferee's INVITE carries no Referred-By. DESIGN §2
 * asks for Referred-By; the code also accepts "from the REFER's
 * destination". Neither holds here: not linked (documented behaviour). */
static void
test_blind_via_proxy_no_referred_by(void)
{
    Harness h;
    h_init(&h);
    Dlg d = { "c1@test", "alice@a.example", "a1", "bob@b.example", "b1", "10.0.0.1", "10.0.0.9" };
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    Dlg n = { "c2@test", "bob@b.example", "b2", "carol@c.example", NULL, "10.0.0.2", "10.0.0.9" };
    new_call(&h, &n, NULL);
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_OK, NULL);
    h_resp(&h, &d, false, 200, "NOTIFY", 1, NULL, NULL);
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    h_check(&h, "refer_transfer caller blind succeeded status=202 notify=200 to=sip:carol@c.example [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=refer_transfer holds=0 by=caller\n"
              "dialog c2@test b2/k1 confirmed end_of_input 200 labels=- holds=0\n");
    h_free(&h);
}

/* Early-dialog UPDATE hold (not labelled, DESIGN §2), then the INVITE's 200
 * and a session-timer refresh re-INVITE that repeats the same sendonly SDP:
 * the offerer did not move from not-holding to holding, so no hold. */
static void
test_early_update_hold_then_refresh(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    h_req(&h, &d, true, "INVITE", 1, "Supported: 100rel\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.1", NULL));
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 183, "INVITE", 1, "Require: 100rel\nRSeq: 1\n", h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &d, true, "PRACK", 2, "RAck: 1 1 INVITE\n", NULL);
    h_resp(&h, &d, true, 200, "PRACK", 2, NULL, NULL);
    const char *held = h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL);
    h_req(&h, &d, true, "UPDATE", 3, NULL, held);
    h_resp(&h, &d, true, 200, "UPDATE", 3, NULL, h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_resp(&h, &d, true, 200, "INVITE", 1, NULL, NULL);
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    h_reinvite(&h, &d, true, 4, held, h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 confirmed end_of_input 200 labels=- holds=0\n");
    h_free(&h);
}

/* Trickle ICE (RFC 8840 §4.? / RFC 8838: no candidates yet, c=IN IP4
 * 0.0.0.0 port 9 placeholder with a=sendrecv): not a hold; a later
 * re-INVITE with the real address is not a resume. */
static void
test_trickle_ice_placeholder_not_hold(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    d.callee_tag = NULL;
    const char *o = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\n"
                    "m=audio 9 UDP/TLS/RTP/SAVPF 0\na=sendrecv\na=ice-options:trickle\n";
    h_req(&h, &d, true, "INVITE", 1, "Supported: trickle-ice\n", o);
    d.callee_tag = "b1";
    h_resp(&h, &d, true, 200, "INVITE", 1, NULL, h_sdpv(&h, 1, "sendrecv", "10.0.0.2", NULL));
    h_req(&h, &d, true, "ACK", 1, NULL, NULL);
    h_reinvite(&h, &d, true, 2, h_sdpv(&h, 2, "sendrecv", "10.0.0.1", NULL), h_sdpv(&h, 2, "sendrecv", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "dialog c1@test a1/b1 confirmed end_of_input 200 labels=- holds=0\n");
    h_free(&h);
}

/* hold by re-INVITE, resume by UPDATE (RFC 3311) */
static void
test_resume_by_update(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_reinvite(&h, &d, true, 2, h_sdpv(&h, 2, "sendonly", "10.0.0.1", NULL), h_sdpv(&h, 2, "recvonly", "10.0.0.2", NULL));
    h_req(&h, &d, true, "UPDATE", 3, NULL, h_sdpv(&h, 3, "sendrecv", "10.0.0.1", NULL));
    h_resp(&h, &d, true, 200, "UPDATE", 3, NULL, h_sdpv(&h, 3, "sendrecv", "10.0.0.2", NULL));
    h_finish(&h);
    h_check(&h, "hold caller INVITE sendonly accepted 200 [c1@test a1/b1]\n"
              "resume caller UPDATE accepted 200 after=30ms [c1@test a1/b1]\n"
              "dialog c1@test a1/b1 confirmed end_of_input 200 labels=hold,resume holds=1 held=30ms\n");
    h_free(&h);
}

/* REFER challenged (407) and re-sent; NOTIFYs carry Event: refer;id=<new CSeq> */
static void
test_refer_challenged_notify_id(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    h_resp(&h, &d, true, 407, "REFER", 2, NULL, NULL);
    h_req(&h, &d, true, "REFER", 3, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\nProxy-Authorization: Digest x\n", NULL);
    h_resp(&h, &d, true, 202, "REFER", 3, NULL, NULL);
    h_req(&h, &d, false, "NOTIFY", 1,
          "Event: refer;id=3\nSubscription-State: active;expires=60\nContent-Type: message/sipfrag\n\nSIP/2.0 100 Trying\n", NULL);
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_req(&h, &d, false, "NOTIFY", 2,
          "Event: refer;id=3\nSubscription-State: terminated;reason=noresource\nContent-Type: message/sipfrag\n\nSIP/2.0 200 OK\n", NULL);
    h_bye(&h, &d, true, 4);
    h_finish(&h);
    h_check(&h, BLIND_OK);
    h_free(&h);
}

/* the 202 was lost before the capture point; the REFER is retransmitted
 * and answered after the final NOTIFY (RFC 3261 §17.1.2 timer E) */
static void
test_final_notify_before_202(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    const char *hdr = "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n";
    h_req(&h, &d, true, "REFER", 2, hdr, NULL);
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_TRYING, NULL);
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_req(&h, &d, false, "NOTIFY", 2, H_NOTIFY_OK, NULL);
    h_req(&h, &d, true, "REFER", 2, hdr, NULL); /* retransmission */
    h_resp(&h, &d, true, 202, "REFER", 2, NULL, NULL);
    h_bye(&h, &d, true, 3);
    h_finish(&h);
    h_check(&h, BLIND_OK);
    h_free(&h);
}

/* The same, but the 202 is never captured: the flow waits for it, then
 * comes out when the transfer gives up, with the NOTIFY's outcome and no
 * status. */
static void
test_final_notify_202_never_seen(void)
{
    Harness h;
    h_init(&h);
    Dlg d = h_std_dlg();
    h_call(&h, &d);
    h_req(&h, &d, true, "REFER", 2, "Refer-To: <sip:carol@c.example>\nReferred-By: <sip:alice@a.example>\n", NULL);
    SsTime refer = h.t;
    Dlg n = carol_call();
    new_call(&h, &n, "Referred-By: <sip:alice@a.example>\n");
    h_req(&h, &d, false, "NOTIFY", 1, H_NOTIFY_OK, NULL);
    dialog_engine_expire(h.e, refer + 20 * SEC);
    h_check(&h, "");
    dialog_engine_expire(h.e, refer + 33 * SEC);
    h_check(&h, "refer_transfer caller blind succeeded status=0 notify=200 to=sip:carol@c.example new=c2@test [c1@test a1/b1]\n");
    h_finish(&h);
    h_free(&h);
}

/* RFC 3891 §3: early-only naming a confirmed dialog gets 486; nothing is
 * replaced */
static void
test_replaces_early_only_confirmed(void)
{
    Harness h;
    h_init(&h);
    Dlg ab = h_std_dlg();
    h_call(&h, &ab);
    Dlg ca = { "c5@test", "carol@c.example", "k5", "alice@a.example", NULL, "10.0.0.3", "10.0.0.1" };
    h_req(&h, &ca, true, "INVITE", 1, "Replaces: c1@test;to-tag=a1;from-tag=b1;early-only\n",
          h_sdpv(&h, 1, "sendrecv", "10.0.0.3", NULL));
    ca.callee_tag = "a5";
    h_resp(&h, &ca, true, 486, "INVITE", 1, NULL, NULL);
    h_req(&h, &ca, true, "ACK", 1, NULL, NULL);
    h_bye(&h, &ab, true, 2);
    h_finish(&h);
    h_check(&h, "replaces_transfer caller replaces failed status=486 notify=0 to=sip:alice@a.example replaces=c1@test/b1/a1/early-only [c5@test k5/a5]\n"
              "dialog c5@test k5/a5 terminated rejected 486 labels=replaces_transfer holds=0 related=c1@test\n"
              "dialog c1@test a1/b1 terminated bye 200 labels=- holds=0 related=c5@test by=caller\n");
    h_free(&h);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/edge/hold/refresh-during-hold", test_refresh_during_hold);
    g_test_add_func("/edge/hold/refresh-sendrecv-no-resume", test_refresh_sendrecv_no_resume);
    g_test_add_func("/edge/hold/held-party-refresh", test_held_party_refresh);
    g_test_add_func("/edge/hold/delayed-offer-refresh-during-hold", test_delayed_offer_refresh_during_hold);
    g_test_add_func("/edge/hold/answered-inactive", test_hold_answered_inactive);
    g_test_add_func("/edge/hold/update-answered-inactive", test_hold_update_answered_inactive);
    g_test_add_func("/edge/hold/second-mline-port0", test_hold_second_mline_port0);
    g_test_add_func("/edge/hold/video-sendrecv-not-hold", test_no_hold_video_sendrecv);
    g_test_add_func("/edge/hold/dual-audio-one-rejected", test_hold_dual_audio_one_rejected);
    g_test_add_func("/edge/hold/resume-no-direction", test_resume_no_direction);
    g_test_add_func("/edge/hold/double-hold-sendonly-inactive", test_double_hold_sendonly_inactive);
    g_test_add_func("/edge/hold/early-update-not-labelled", test_early_update_hold_not_labelled);
    g_test_add_func("/edge/hold/update-after-answer", test_early_update_hold_no_held_time);
    g_test_add_func("/edge/hold/early-update-held-time", test_early_update_hold_held_time);
    g_test_add_func("/edge/hold/initial-inactive-then-sendrecv", test_initial_inactive_then_sendrecv);
    g_test_add_func("/edge/hold/glare-491-retry", test_glare_491_retry);
    g_test_add_func("/edge/hold/200-retransmissions", test_200_retransmissions);
    g_test_add_func("/edge/refer/notify-before-202", test_notify_before_202);
    g_test_add_func("/edge/refer/notify-id-version-param", test_notify_id_and_version_param);
    g_test_add_func("/edge/refer/compact-forms", test_compact_forms);
    g_test_add_func("/edge/refer/refer-to-params-no-referred-by", test_refer_to_params_no_referred_by);
    g_test_add_func("/edge/refer/bye-after-202", test_blind_bye_after_202);
    g_test_add_func("/edge/refer/bye-after-202-nothing-follows", test_blind_bye_after_202_nothing_follows);
    g_test_add_func("/edge/refer/out-of-dialog", test_out_of_dialog_refer);
    g_test_add_func("/edge/refer/out-of-dialog-notify-first", test_out_of_dialog_refer_notify_first);
    g_test_add_func("/edge/refer/refer-sub-false", test_refer_sub_false);
    g_test_add_func("/edge/refer/second-refer-after-failure", test_second_refer_after_failure);
    g_test_add_func("/edge/refer/blind-via-proxy-no-referred-by", test_blind_via_proxy_no_referred_by);
    g_test_add_func("/edge/attended/lowercase-hex-order", test_attended_lowercase_hex_order);
    g_test_add_func("/edge/attended/unescaped-at", test_attended_unescaped_at);
    g_test_add_func("/edge/attended/swapped-tags", test_attended_swapped_tags);
    g_test_add_func("/edge/attended/refer-to-target", test_attended_refer_to_target);
    g_test_add_func("/edge/replaces/bye-before-200", test_replaced_bye_before_200);
    g_test_add_func("/edge/replaces/pickup-cancel-before-200", test_pickup_cancel_before_200);
    g_test_add_func("/edge/replaces/challenged", test_replaces_challenged);
    g_test_add_func("/edge/hold/early-update-then-refresh", test_early_update_hold_then_refresh);
    g_test_add_func("/edge/hold/trickle-ice-placeholder", test_trickle_ice_placeholder_not_hold);
    g_test_add_func("/edge/hold/resume-by-update", test_resume_by_update);
    g_test_add_func("/edge/refer/challenged-notify-id", test_refer_challenged_notify_id);
    g_test_add_func("/edge/refer/final-notify-before-202", test_final_notify_before_202);
    g_test_add_func("/edge/refer/final-notify-202-never-seen", test_final_notify_202_never_seen);
    g_test_add_func("/edge/replaces/early-only-confirmed", test_replaces_early_only_confirmed);
    return g_test_run();
}
