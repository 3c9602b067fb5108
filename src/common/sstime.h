/* sstime.h - capture timestamps.
 *
 * SsTime is nanoseconds since the Unix epoch, UTC, as read from the capture
 * (never the wall clock: every timeout in sipsleuth runs on capture time).
 */
#ifndef SIPSLEUTH_SSTIME_H
#define SIPSLEUTH_SSTIME_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef int64_t SsTime;

#define SS_NSEC_PER_USEC INT64_C(1000)
#define SS_NSEC_PER_MSEC INT64_C(1000000)
#define SS_NSEC_PER_SEC INT64_C(1000000000)

/* RFC 3339 UTC with microseconds and 'Z': 2026-11-29T01:02:03.123456Z.
 * buf must hold SS_TIME_RFC3339_LEN bytes; returns buf. */
#define SS_TIME_RFC3339_LEN 96
char *ss_time_rfc3339(SsTime t, char *buf);

/* The same text without its NUL: exactly SS_TIME_RFC3339_CHARS bytes
 * written to out (a time past year 9999 or before year 0 is written as
 * 1970-01-01T00:00:00.000000Z, as by ss_time_rfc3339). */
#define SS_TIME_RFC3339_CHARS 27
void ss_time_rfc3339_put(SsTime t, char *out);

/* "2026-11-29 01:02:03.123456" in UTC, or local time when local is true. */
#define SS_TIME_TEXT_LEN 96
char *ss_time_text(SsTime t, bool local, char *buf);

/* A duration as seconds with millisecond precision, "12.345" (integer math). */
#define SS_DURATION_LEN 32
char *ss_duration_text(SsTime d, char *buf);

#endif
