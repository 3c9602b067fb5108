/* call_select.h - which calls the user asked for (--call-id, --user,
 * --label), with the calls a transfer links to them.
 *
 * Two ways to use it:
 * - offline files: a first pass notes every event, call_select_freeze()
 *   closes the selection over transfer links, the second pass asks
 *   call_select_is_selected() (exact: a call selected by a label seen late
 *   still has all its records, and its linked calls come along);
 * - stdin and live capture (one pass): notes and questions interleave; a call
 *   is selected from the event that matches it on, and a link to a selected
 *   call selects the linked one from then on.
 *
 * Ownership: call_select_new() (transfer full) / call_select_free(); the
 * string vectors are copied.
 */
#ifndef SIPSLEUTH_CALL_SELECT_H
#define SIPSLEUTH_CALL_SELECT_H

#include <stdbool.h>
#include "dialog/dialog_event.h"

typedef struct CallSelect CallSelect;

/* call_ids, users: NULL-terminated (or NULL); labels: SsLabel bits (0 = any). */
CallSelect *call_select_new(const char *const *call_ids, const char *const *users, unsigned labels);
/* false when no filter was given: every call is selected. */
bool call_select_active(const CallSelect *s);
void call_select_note_message(CallSelect *s, const MsgEvent *ev);
void call_select_note_flow(CallSelect *s, const FlowEvent *ev);
void call_select_note_dialog(CallSelect *s, const DialogRecord *rec);
void call_select_freeze(CallSelect *s);
bool call_select_is_selected(const CallSelect *s, const char *call_id);
unsigned call_select_count(const CallSelect *s);
void call_select_free(CallSelect *s);

#endif
