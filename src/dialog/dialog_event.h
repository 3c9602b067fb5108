/* dialog_event.h - what the dialog engine tells the writers.
 *
 * The labeller emits everything through DialogSink; text and JSON writers
 * render the same events, so they cannot disagree (STYLE.md #10).
 * Every string and pointer in an event lives only during the callback
 * (transfer none); copy what you keep.
 *
 * Times are capture times. Semantics: DESIGN.md §2 and docs in the man page.
 */
#ifndef SIPSLEUTH_DIALOG_EVENT_H
#define SIPSLEUTH_DIALOG_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include "common/endpoint.h"
#include "common/sstime.h"
#include "sdp/sdp_parse.h"
#include "sip/sip_parse.h"

/* ---- labels ---- */
typedef enum {
    SS_LABEL_HOLD = 1u << 0,
    SS_LABEL_RESUME = 1u << 1,
    SS_LABEL_REFER_TRANSFER = 1u << 2,
    SS_LABEL_REPLACES_TRANSFER = 1u << 3,
} SsLabel;
#define SS_LABEL_COUNT 4
const char *ss_label_name(SsLabel l); /* "hold", "resume", "refer_transfer", "replaces_transfer" */
/* Parse a label name; 0 if unknown. */
unsigned ss_label_from_name(const char *name);

/* ---- one SIP message, after dialog matching ---- */
typedef enum {
    SDP_ROLE_NONE = 0,
    SDP_ROLE_OFFER,
    SDP_ROLE_ANSWER,
    SDP_ROLE_UNEXPECTED, /* SDP where RFC 3264 allows neither (anomaly) */
} SdpRole;

typedef struct {
    SsTime ts;
    uint64_t frame;           /* frame of the first byte (TCP: first segment) */
    uint64_t last_frame;      /* frame that completed it */
    Endpoint src, dst;
    SsTransport transport;
    const SipMessage *msg;    /* parsed message; msg->buf is the raw text */
    const char *call_id;      /* NULL when the message has no Call-ID */
    bool in_call;             /* it belongs to a call (one with dialogs to report);
                               * false: OPTIONS, REGISTER, orphan responses */
    /* dialog the message was assigned to (tags as the dialog's initial
     * request set them: from = caller); NULL when none (REGISTER, OPTIONS
     * outside a dialog, an INVITE before any response...) */
    const char *dialog_from_tag;
    const char *dialog_to_tag;
    bool from_caller;         /* sent by the dialog's caller (when dialog_* set) */
    bool retransmission;      /* same transaction, same message, seen before */
    bool incomplete;          /* stream framing lost bytes */
    /* SDP summary (has_sdp false when no SDP body) */
    bool has_sdp;
    SdpRole sdp_role;
    SdpDirection sdp_dir;     /* effective direction of the first active stream (NONE if none) */
    bool sdp_null_addr;       /* that stream's connection address is 0.0.0.0 / :: */
    uint8_t sdp_family;       /* that stream's address family: 4, 6, 0 unknown */
    bool sdp_holds;           /* DESIGN §2: every active stream sendonly/inactive/null */
} MsgEvent;

/* ---- flows: hold, resume, transfers ---- */
typedef enum {
    FLOW_HOLD,
    FLOW_RESUME,
    FLOW_REFER_TRANSFER,
    FLOW_REPLACES_TRANSFER,
} FlowKind;
const char *flow_kind_name(FlowKind k); /* "hold", "resume", "refer_transfer", "replaces_transfer" */

typedef enum {
    HOLD_MODE_SENDONLY,
    HOLD_MODE_INACTIVE,
    HOLD_MODE_NULL_ADDRESS,
} HoldMode;
const char *hold_mode_name(HoldMode m); /* "sendonly", "inactive", "null_address" */

typedef enum {
    OFFER_RESULT_PENDING,         /* no final response seen (timeout / end of input) */
    OFFER_RESULT_ACCEPTED,        /* 2xx with a fitting answer */
    OFFER_RESULT_REJECTED,        /* non-2xx final (488, 491 glare, ...) */
    OFFER_RESULT_ANSWER_MISMATCH, /* 2xx whose answer breaks RFC 3264 §6.1 */
} OfferResult;
const char *offer_result_name(OfferResult r); /* "pending", "accepted", "rejected", "answer_mismatch" */

typedef enum {
    TRANSFER_BLIND,
    TRANSFER_ATTENDED,
    TRANSFER_REPLACES,
} TransferKind;
const char *transfer_kind_name(TransferKind k); /* "blind", "attended", "replaces" */

typedef enum {
    TRANSFER_RESULT_UNKNOWN,   /* accepted but no final NOTIFY / new call seen */
    TRANSFER_RESULT_SUCCEEDED, /* sipfrag 2xx, or (replaces) the new dialog was answered */
    TRANSFER_RESULT_FAILED,    /* sipfrag >= 300, or (replaces) the INVITE failed */
    TRANSFER_RESULT_REJECTED,  /* the REFER itself got a final response >= 300 */
    TRANSFER_RESULT_PENDING,   /* REFER without any final response */
} TransferResult;
const char *transfer_result_name(TransferResult r); /* "unknown", "succeeded", "failed", "rejected", "pending" */

typedef struct {
    FlowKind kind;
    SsTime start;             /* time of the request that began it */
    SsTime ts;                /* time it is written (outcome known) */
    uint64_t frame;           /* frame of that request */
    const char *call_id;
    const char *from_tag;     /* the dialog's tags (from = caller) */
    const char *to_tag;
    bool initiator_is_caller; /* which party of the dialog sent the request */
    Endpoint src, dst;        /* of the request */
    SsTransport transport;
    SipMethod method;
    uint32_t cseq;
    const char *from_uri;     /* the dialog's caller and callee URIs */
    const char *to_uri;

    /* hold / resume */
    HoldMode hold_mode;
    OfferResult offer_result;
    unsigned status_code;     /* final response to the request (0 if none) */
    bool double_hold;         /* the other party holds too */
    SsTime hold_duration;     /* resume: how long the hold lasted */

    /* transfers */
    TransferKind transfer_kind;
    TransferResult transfer_result;
    const char *refer_to;     /* Refer-To URI (REFER), or the INVITE's Request-URI (replaces) */
    const char *referred_by;  /* Referred-By URI, NULL if absent */
    unsigned notify_status;   /* last sipfrag status seen (0 if none) */
    unsigned notify_count;
    int refer_sub;            /* Refer-Sub: 1 true, 0 false, -1 absent */
    const char *replaces_call_id; /* dialog named by Replaces (embedded or header) */
    const char *replaces_from_tag;
    const char *replaces_to_tag;
    bool replaces_early_only;
    bool replaces_dialog_seen; /* that dialog is in the capture */
    const char *new_call_id;  /* call the REFER caused (NULL if not seen) */
    const char *refer_call_id; /* replaces: the REFER's call that led here (NULL if none) */
} FlowEvent;

/* ---- a dialog, once it has ended (or at end of input) ---- */
typedef enum {
    DIALOG_STATE_TRYING,     /* INVITE sent, no dialog-creating response */
    DIALOG_STATE_EARLY,      /* 1xx with to-tag */
    DIALOG_STATE_CONFIRMED,  /* 2xx */
    DIALOG_STATE_TERMINATED,
} DialogState;
const char *dialog_state_name(DialogState s); /* "trying", "early", "confirmed", "terminated" */

typedef enum {
    DIALOG_END_NONE,         /* still open at the end of input */
    DIALOG_END_BYE,
    DIALOG_END_CANCEL,       /* CANCEL / 487 */
    DIALOG_END_REJECTED,     /* INVITE failed with a final status >= 300 */
    DIALOG_END_REPLACED,     /* RFC 3891: replaced by another dialog */
    DIALOG_END_FORK_LOST,    /* an early dialog of a forked INVITE another fork answered */
    DIALOG_END_TIMEOUT,      /* idle timeout (capture time) */
    DIALOG_END_EVICTED,      /* dropped by a cap */
    DIALOG_END_END_OF_INPUT, /* capture ended with the dialog open */
} DialogEndReason;
const char *dialog_end_reason_name(DialogEndReason r); /* "none", "bye", "cancel", "rejected", "replaced", "fork_lost", "timeout", "evicted", "end_of_input" */

typedef struct {
    SsTime ts;                /* time it is written */
    const char *call_id;
    const char *from_tag;     /* caller's tag */
    const char *to_tag;       /* callee's tag (NULL if none: trying/rejected without tag) */
    const char *from_uri;
    const char *to_uri;
    const char *from_display; /* NULL if none */
    const char *to_display;
    const char *caller_user_agent; /* NULL if unknown */
    const char *callee_user_agent;
    Endpoint caller, callee;  /* signalling endpoints of the initial request */
    SsTransport transport;
    SipMethod method;         /* the dialog-creating method (INVITE, SUBSCRIBE, REFER...) */
    DialogState state;
    DialogEndReason end_reason;
    bool ended_by_caller;     /* BYE/CANCEL sender (valid for bye/cancel) */
    unsigned final_status;    /* final response to the initial request (0 if none) */
    SsTime start;             /* first message */
    SsTime answer;            /* 2xx to the initial request, 0 if none */
    SsTime end;               /* last message, or the end time */
    bool seen_midcall;        /* capture started inside the dialog */
    unsigned labels;          /* SsLabel bits */
    unsigned hold_count;
    SsTime hold_time;         /* total time on hold (open hold counted to end) */
    unsigned transfer_count;
    unsigned messages;
    unsigned retransmissions;
    const char *replaced_by_call_id; /* end_reason replaced: the new dialog */
    unsigned n_related;
    const char *const *related_call_ids; /* calls linked by transfers */
} DialogRecord;

/* ---- call end: all dialogs of a Call-ID were reported ---- */
typedef struct {
    SsTime ts;
    const char *call_id;
    unsigned n_dialogs;
    unsigned messages;
    unsigned labels;
} CallEnd;

typedef struct {
    void (*message)(void *user, const MsgEvent *ev);
    void (*flow)(void *user, const FlowEvent *ev);
    void (*dialog)(void *user, const DialogRecord *rec);
    void (*call_end)(void *user, const CallEnd *ev);
    void *user;
} DialogSink;

#endif
