#include <config.h>
#include "dialog/dialog_event.h"

#include <string.h>

/* Stable snake_case names: they are part of the output contract (JSON
 * values, text report, --label), so never rename one, only add. */

const char *
ss_label_name(SsLabel l)
{
    switch (l) {
    case SS_LABEL_HOLD: return "hold";
    case SS_LABEL_RESUME: return "resume";
    case SS_LABEL_REFER_TRANSFER: return "refer_transfer";
    case SS_LABEL_REPLACES_TRANSFER: return "replaces_transfer";
    }
    return "unknown";
}

unsigned
ss_label_from_name(const char *name)
{
    if (!name)
        return 0;
    for (unsigned i = 0; i < SS_LABEL_COUNT; i++) {
        SsLabel l = (SsLabel)(1u << i);
        if (strcmp(name, ss_label_name(l)) == 0)
            return l;
    }
    return 0;
}

const char *
flow_kind_name(FlowKind k)
{
    switch (k) {
    case FLOW_HOLD: return "hold";
    case FLOW_RESUME: return "resume";
    case FLOW_REFER_TRANSFER: return "refer_transfer";
    case FLOW_REPLACES_TRANSFER: return "replaces_transfer";
    }
    return "unknown";
}

const char *
hold_mode_name(HoldMode m)
{
    switch (m) {
    case HOLD_MODE_SENDONLY: return "sendonly";
    case HOLD_MODE_INACTIVE: return "inactive";
    case HOLD_MODE_NULL_ADDRESS: return "null_address";
    }
    return "unknown";
}

const char *
offer_result_name(OfferResult r)
{
    switch (r) {
    case OFFER_RESULT_PENDING: return "pending";
    case OFFER_RESULT_ACCEPTED: return "accepted";
    case OFFER_RESULT_REJECTED: return "rejected";
    case OFFER_RESULT_ANSWER_MISMATCH: return "answer_mismatch";
    }
    return "unknown";
}

const char *
transfer_kind_name(TransferKind k)
{
    switch (k) {
    case TRANSFER_BLIND: return "blind";
    case TRANSFER_ATTENDED: return "attended";
    case TRANSFER_REPLACES: return "replaces";
    }
    return "unknown";
}

const char *
transfer_result_name(TransferResult r)
{
    switch (r) {
    case TRANSFER_RESULT_UNKNOWN: return "unknown";
    case TRANSFER_RESULT_SUCCEEDED: return "succeeded";
    case TRANSFER_RESULT_FAILED: return "failed";
    case TRANSFER_RESULT_REJECTED: return "rejected";
    case TRANSFER_RESULT_PENDING: return "pending";
    }
    return "unknown";
}

const char *
dialog_state_name(DialogState s)
{
    switch (s) {
    case DIALOG_STATE_TRYING: return "trying";
    case DIALOG_STATE_EARLY: return "early";
    case DIALOG_STATE_CONFIRMED: return "confirmed";
    case DIALOG_STATE_TERMINATED: return "terminated";
    }
    return "unknown";
}

const char *
dialog_end_reason_name(DialogEndReason r)
{
    switch (r) {
    case DIALOG_END_NONE: return "none";
    case DIALOG_END_BYE: return "bye";
    case DIALOG_END_CANCEL: return "cancel";
    case DIALOG_END_REJECTED: return "rejected";
    case DIALOG_END_REPLACED: return "replaced";
    case DIALOG_END_FORK_LOST: return "fork_lost";
    case DIALOG_END_TIMEOUT: return "timeout";
    case DIALOG_END_EVICTED: return "evicted";
    case DIALOG_END_END_OF_INPUT: return "end_of_input";
    }
    return "unknown";
}
