#include <config.h>
#include "output/output.h"

/* Dispatch to the writer's vtable. Once a write failed, nothing more is
 * written: the caller sees output_failed() and stops (exit status 1). */

void
output_message(OutputWriter *w, const MsgEvent *ev)
{
    g_return_if_fail(w != NULL && ev != NULL);
    if (!w->failed && w->ops->message)
        w->ops->message(w, ev);
}

void
output_flow(OutputWriter *w, const FlowEvent *ev)
{
    g_return_if_fail(w != NULL && ev != NULL);
    if (!w->failed && w->ops->flow)
        w->ops->flow(w, ev);
}

void
output_dialog(OutputWriter *w, const DialogRecord *rec)
{
    g_return_if_fail(w != NULL && rec != NULL);
    if (!w->failed && w->ops->dialog)
        w->ops->dialog(w, rec);
}

void
output_call_end(OutputWriter *w, const CallEnd *ev)
{
    g_return_if_fail(w != NULL && ev != NULL);
    if (!w->failed && w->ops->call_end)
        w->ops->call_end(w, ev);
}

void
output_anomaly(OutputWriter *w, SsAnomaly a, SsTime ts, uint64_t frame, const char *detail)
{
    g_return_if_fail(w != NULL);
    if (!w->failed && w->ops->anomaly)
        w->ops->anomaly(w, a, ts, frame, detail);
}

void
output_finish(OutputWriter *w, const RunStats *st)
{
    g_return_if_fail(w != NULL && st != NULL);
    if (!w->failed && w->ops->finish)
        w->ops->finish(w, st);
}

bool
output_failed(const OutputWriter *w)
{
    return w != NULL && w->failed;
}

/* The writer's destroy frees its own state and the OutputWriter it embeds. */
void
output_free(OutputWriter *w)
{
    if (!w)
        return;
    w->ops->destroy(w);
}
