/* output.h - the one writer interface (text report, NDJSON).
 *
 * The pipeline feeds a writer the dialog engine's events in capture-time
 * order, then the run's statistics at the end. Writers must not reorder
 * records in JSON mode: the NDJSON stream never goes back in time.
 *
 * Ownership: output_*_new() (transfer full) pairs with output_free(); the
 * FILE is borrowed. Events are (transfer none).
 */
#ifndef SIPSLEUTH_OUTPUT_H
#define SIPSLEUTH_OUTPUT_H

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include "common/anomaly.h"
#include "dialog/dialog_event.h"

#define SS_JSON_SCHEMA_VERSION "1.0"

typedef enum {
    EMIT_FLOW = 1u << 0,
    EMIT_DIALOG = 1u << 1,
    EMIT_MESSAGE = 1u << 2,
    EMIT_STATS = 1u << 3,
    EMIT_ANOMALY = 1u << 4,
} EmitKinds;

typedef enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } ColorMode;

typedef struct {
    unsigned emit;        /* EmitKinds for JSON; default EMIT_FLOW|EMIT_DIALOG */
    int verbose;          /* -v */
    bool flow;            /* --flow ladder diagrams */
    bool localtime;       /* --localtime */
    bool color;           /* resolved colour decision */
    bool live;            /* live capture: write calls as they end, flush often */
    const char *observer_hostname; /* observer.hostname, NULL = omit */
    const char *observer_interface; /* observer.ingress.interface.name */
} OutputOptions;

/* Counters of the whole run, for the summary and the stats record. */
typedef struct {
    SsTime first_ts, last_ts;
    uint64_t packets;
    uint64_t bytes;
    uint64_t ip_packets;
    uint64_t non_ip;
    uint64_t udp_datagrams;
    uint64_t tcp_segments;
    uint64_t ip_fragments;
    uint64_t ip_reassembled;
    uint64_t frag_timeouts;
    uint64_t frag_evictions;
    uint64_t tcp_gaps;
    uint64_t tcp_gap_bytes;
    uint64_t tcp_retransmissions;
    uint64_t tcp_stream_evictions;
    uint64_t sip_messages;
    uint64_t sip_requests;
    uint64_t sip_responses;
    uint64_t sip_retransmissions;
    uint64_t sip_incomplete;
    uint64_t non_sip_payloads;   /* UDP/TCP payloads that were not SIP */
    uint64_t calls;
    bool filtered;              /* --call-id, --user or --label given */
    uint64_t calls_selected;    /* if filtered: the calls shown (with linked ones) */
    uint64_t dialogs;
    uint64_t dialog_evictions;
    uint64_t labels[SS_LABEL_COUNT];
    uint64_t kernel_received;
    uint64_t kernel_dropped;
    bool live;
    uint64_t anomalies_total;
    uint64_t anomalies[SS_ANOMALY__COUNT];
} RunStats;

typedef struct OutputWriter OutputWriter;

OutputWriter *output_text_new(FILE *out, const OutputOptions *opts);
OutputWriter *output_json_new(FILE *out, const OutputOptions *opts);

void output_message(OutputWriter *w, const MsgEvent *ev);
void output_flow(OutputWriter *w, const FlowEvent *ev);
void output_dialog(OutputWriter *w, const DialogRecord *rec);
void output_call_end(OutputWriter *w, const CallEnd *ev);
/* An anomaly tied to a packet (not to a SIP message). */
void output_anomaly(OutputWriter *w, SsAnomaly a, SsTime ts, uint64_t frame, const char *detail);
/* End of input: flush everything, write the summary / stats record. */
void output_finish(OutputWriter *w, const RunStats *st);
/* Write error seen (EPIPE, ENOSPC...): the caller stops and exits. */
bool output_failed(const OutputWriter *w);
void output_free(OutputWriter *w);

/* Writer implementations fill this vtable (output.c dispatches). */
typedef struct {
    void (*message)(OutputWriter *w, const MsgEvent *ev);
    void (*flow)(OutputWriter *w, const FlowEvent *ev);
    void (*dialog)(OutputWriter *w, const DialogRecord *rec);
    void (*call_end)(OutputWriter *w, const CallEnd *ev);
    void (*anomaly)(OutputWriter *w, SsAnomaly a, SsTime ts, uint64_t frame, const char *detail);
    void (*finish)(OutputWriter *w, const RunStats *st);
    void (*destroy)(OutputWriter *w);
} OutputWriterOps;

struct OutputWriter {
    const OutputWriterOps *ops;
    FILE *out;
    OutputOptions opts;
    bool failed;
    int err_no;   /* errno of the failed write (EPIPE: the reader went away) */
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC(OutputWriter, output_free)

#endif
