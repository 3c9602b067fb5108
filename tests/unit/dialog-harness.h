/* dialog-harness.h - drive the dialog engine with SIP text and record what
 * it reports, one line per event, for exact assertions. */
#ifndef SIPSLEUTH_TEST_DIALOG_HARNESS_H
#define SIPSLEUTH_TEST_DIALOG_HARNESS_H

#include <glib.h>
#include <stdbool.h>
#include "dialog/dialog.h"

typedef struct {
    DialogEngine *e;
    GString *log;       /* flows and dialog records */
    GString *anomalies; /* anomaly codes, space separated */
    SsTime t;           /* capture time of the next message */
    SipMessage *msg;
    GPtrArray *bufs;
    bool parties;       /* also log each dialog record's URIs and user agents */
} Harness;

typedef struct {
    const char *call_id;
    const char *caller;     /* user@host of the caller */
    const char *caller_tag;
    const char *callee;
    const char *callee_tag; /* NULL: requests carry no to-tag (initial) */
    const char *caller_ip;  /* "10.0.0.1"; IPv6 allowed */
    const char *callee_ip;
} Dlg;

void h_init(Harness *h);
/* The usual dialog: c1@test, alice (a1, 10.0.0.1) calls bob (b1, 10.0.0.2). */
Dlg h_std_dlg(void);
void h_free(Harness *h);
/* Feed one message; \n becomes CRLF, Content-Length is added. t advances 10 ms
 * unless h->t is set by the caller before. */
void h_feed(Harness *h, const char *src_ip, int sport, const char *dst_ip, int dport,
            bool tcp, const char *text);
/* An in-dialog (or initial) request of dialog d, sent by the caller or the callee. */
void h_req(Harness *h, const Dlg *d, bool by_caller, const char *method, unsigned cseq,
           const char *extra_headers, const char *body);
/* The response of the other party to a request sent by_caller. */
void h_resp(Harness *h, const Dlg *d, bool req_by_caller, unsigned status, const char *method,
            unsigned cseq, const char *extra_headers, const char *body);
/* An audio SDP with a direction ("" = no attribute) and connection address. */
const char *h_sdp(Harness *h, const char *dir, const char *addr);
void h_finish(Harness *h);
/* Set up the usual confirmed call: INVITE(sdp sendrecv)/180/200/ACK. */
void h_call(Harness *h, Dlg *d);
/* The same with the given offer and answer (the callee tag from the 180). */
void h_call_with(Harness *h, Dlg *d, const char *offer, const char *answer);
/* BYE and its 200; a re-INVITE with its 200 and ACK. */
void h_bye(Harness *h, const Dlg *d, bool by_caller, unsigned cseq);
void h_reinvite(Harness *h, const Dlg *d, bool by_caller, unsigned cseq, const char *offer,
                const char *answer);
/* An audio SDP with a chosen o= sess-version, direction ("" = none) and
 * address, and extra lines appended verbatim (or NULL). */
const char *h_sdpv(Harness *h, unsigned version, const char *dir, const char *addr, const char *extra);
/* A raw message between two hosts (port 5060, UDP); printf-style. */
void h_raw(Harness *h, const char *src, const char *dst, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/* Checks that go on after a failure (g_test_fail), printing the log and the
 * anomalies; EDGE_PRINT=1 prints them every time. */
void h_check(Harness *h, const char *expected);
void h_expect_in(Harness *h, const char *needle);
void h_expect_not_in(Harness *h, const char *needle);
void h_expect_anomalies(Harness *h, const char *expected);

/* NOTIFY bodies of a refer subscription (RFC 3515): 100 Trying (active),
 * 200 OK (terminated). */
extern const char *const H_NOTIFY_TRYING;
extern const char *const H_NOTIFY_OK;

#endif
