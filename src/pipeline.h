/* pipeline.h - the only module that knows every stage and wires them:
 * capture -> net decode -> (UDP datagram | TCP reassembly -> SIP framing)
 * -> SIP parse -> dialog engine -> output writer.
 */
#ifndef SIPSLEUTH_PIPELINE_H
#define SIPSLEUTH_PIPELINE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "capture/capture.h"
#include "output/output.h"

typedef enum { FORMAT_TEXT, FORMAT_JSON } OutputFormat;

typedef struct {
    CaptureOptions capture;
    OutputFormat format;
    OutputOptions output;
    uint64_t count;              /* -c: stop after this many packets (0 = all) */
    const char *write_file;      /* -w */
    const char *const *call_ids; /* --call-id filters (NULL-terminated) */
    const char *const *users;    /* --user patterns */
    unsigned labels;             /* --label filter (SsLabel bits, 0 = any) */
    SsTime idle_timeout;         /* dialog idle timeout, 0 = default */
    const char *drop_user;       /* -Z */
    bool progress;               /* progress line on stderr */
} PipelineOptions;

/* Runs to the end of input (or a stop request); returns an exit status
 * (common/exit_codes.h) and prints errors itself. */
int pipeline_run(const PipelineOptions *opts);
/* Async-signal-safe: end the capture and flush everything. */
void pipeline_request_stop(void);

#endif
