#include <config.h>
#include "common/sstime.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

static void
split(SsTime t, time_t *sec, int64_t *nsec)
{
    int64_t s = t / SS_NSEC_PER_SEC;
    int64_t ns = t % SS_NSEC_PER_SEC;
    if (ns < 0) {
        ns += SS_NSEC_PER_SEC;
        s -= 1;
    }
    *sec = (time_t)s;
    *nsec = ns;
}

char *
ss_time_rfc3339(SsTime t, char *buf)
{
    time_t sec;
    int64_t ns;
    struct tm tm;
    split(t, &sec, &ns);
    if (!gmtime_r(&sec, &tm)) {
        snprintf(buf, SS_TIME_RFC3339_LEN, "1970-01-01T00:00:00.000000Z");
        return buf;
    }
    snprintf(buf, SS_TIME_RFC3339_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%06" PRId64 "Z",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             ns / SS_NSEC_PER_USEC);
    return buf;
}

char *
ss_time_text(SsTime t, bool local, char *buf)
{
    time_t sec;
    int64_t ns;
    struct tm tm;
    split(t, &sec, &ns);
    if (!(local ? localtime_r(&sec, &tm) : gmtime_r(&sec, &tm))) {
        snprintf(buf, SS_TIME_TEXT_LEN, "(invalid time)");
        return buf;
    }
    snprintf(buf, SS_TIME_TEXT_LEN, "%04d-%02d-%02d %02d:%02d:%02d.%06" PRId64,
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             ns / SS_NSEC_PER_USEC);
    return buf;
}

char *
ss_duration_text(SsTime d, char *buf)
{
    const char *sign = "";
    if (d < 0) {
        sign = "-";
        d = -d;
    }
    int64_t ms = d / SS_NSEC_PER_MSEC;
    snprintf(buf, SS_DURATION_LEN, "%s%" PRId64 ".%03" PRId64, sign, ms / 1000, ms % 1000);
    return buf;
}
