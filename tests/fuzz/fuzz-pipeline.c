/* libFuzzer target: a whole capture file (pcap or pcapng bytes) through the
 * complete pipeline, JSON output with every record kind, to /dev/null. */
#define _GNU_SOURCE
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        /* only stdout: stderr keeps libFuzzer's progress and sanitizer reports */
        if (!freopen("/dev/null", "w", stdout))
            return 0;
        init = true;
    }
    int fd = memfd_create("fuzz-capture", 0);
    if (fd < 0)
        return 0;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    const char *files[] = { path, NULL };
    PipelineOptions o;
    memset(&o, 0, sizeof o);
    o.capture.files = files;
    o.format = (size & 1) ? FORMAT_JSON : FORMAT_TEXT;
    o.output.emit = EMIT_FLOW | EMIT_DIALOG | EMIT_MESSAGE | EMIT_STATS | EMIT_ANOMALY;
    o.output.verbose = 2;
    o.output.flow = !(size & 1);
    pipeline_run(&o);
    close(fd);
    return 0;
}
