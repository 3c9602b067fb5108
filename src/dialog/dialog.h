/* dialog.h - the dialog engine: transactions (RFC 3261 §17), dialogs (§12),
 * calls (one Call-ID), SDP offer/answer (RFC 3264) and the labeller (hold,
 * resume, REFER and Replaces transfers; DESIGN.md §2).
 *
 * Fed parsed SIP messages in capture order; reports through a DialogSink.
 * Memory grows with open calls only: ended calls are reported and freed
 * after SS_ENDED_LINGER; caps in common/limits.h.
 *
 * Ownership: dialog_engine_new() (transfer full) / dialog_engine_free().
 * The message and meta passed to feed are (transfer none).
 */
#ifndef SIPSLEUTH_DIALOG_H
#define SIPSLEUTH_DIALOG_H

#include <glib.h>
#include "common/anomaly.h"
#include "common/endpoint.h"
#include "dialog/dialog_event.h"
#include "sip/sip_parse.h"

typedef struct {
    SsTime idle_timeout;  /* 0: SS_DIALOG_IDLE_TIMEOUT */
    bool want_messages;   /* build MsgEvents (costs a little per message) */
} DialogConfig;

typedef struct {
    SsTime ts;
    uint64_t frame;       /* first frame of the message */
    uint64_t last_frame;  /* frame that completed it */
    Endpoint src, dst;
    SsTransport transport;
    bool incomplete;      /* stream framing lost bytes */
} SipMeta;

typedef struct {
    uint64_t messages;
    uint64_t retransmissions;
    uint64_t calls;
    uint64_t dialogs;
    uint64_t calls_open;
    uint64_t evictions;
    uint64_t labels[SS_LABEL_COUNT];
} DialogStats;

typedef struct DialogEngine DialogEngine;

DialogEngine *dialog_engine_new(const DialogSink *sink, const AnomalySink *anomalies,
                                const DialogConfig *cfg);
void dialog_engine_feed(DialogEngine *e, const SipMessage *msg, const SipMeta *meta);
/* Optional, before dialog_engine_feed() of the same message and as early as
 * its Call-ID is known (after sip_message_scan()): asks the memory for the
 * message's call, so that the work done meanwhile hides the wait. */
void dialog_engine_prefetch(DialogEngine *e, const SipMessage *msg);
/* Timeouts relative to now (capture time): pending flows, idle dialogs. */
void dialog_engine_expire(DialogEngine *e, SsTime now);
/* End of input: report every open flow, dialog and call. */
void dialog_engine_finish(DialogEngine *e, SsTime now);
void dialog_engine_get_stats(const DialogEngine *e, DialogStats *st);
void dialog_engine_free(DialogEngine *e);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(DialogEngine, dialog_engine_free)

#endif
