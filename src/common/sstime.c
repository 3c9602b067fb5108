#include <config.h>
#include "common/sstime.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
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

static void
put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

/* "YYYY-MM-DDTHH:MM:SS" of a second. The date is remembered per UTC day
 * (records of one capture fall on a few days) and the time of day is plain
 * arithmetic: gmtime_r + snprintf per record dominated the JSON writer's
 * profile. UTC has no leap seconds in time_t, so a day is 86400 s. */
static bool
utc_prefix(time_t sec, char out[20])
{
    static int64_t cached_day = INT64_MIN;
    static char cached[11];
    int64_t day = sec / 86400, tod = sec % 86400;
    if (tod < 0) {
        tod += 86400;
        day--;
    }
    if (day != cached_day) {
        struct tm tm;
        time_t midnight = (time_t)(day * 86400);
        if (!gmtime_r(&midnight, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
            return false;
        int y = tm.tm_year + 1900;
        put2(cached, y / 100);
        put2(cached + 2, y % 100);
        cached[4] = '-';
        put2(cached + 5, tm.tm_mon + 1);
        cached[7] = '-';
        put2(cached + 8, tm.tm_mday);
        cached[10] = 'T';
        cached_day = day;
    }
    memcpy(out, cached, 11);
    int t = (int)tod;
    put2(out + 11, t / 3600);
    out[13] = ':';
    put2(out + 14, t / 60 % 60);
    out[16] = ':';
    put2(out + 17, t % 60);
    out[19] = '\0';
    return true;
}

char *
ss_time_rfc3339(SsTime t, char *buf)
{
    time_t sec;
    int64_t ns;
    split(t, &sec, &ns);
    if (!utc_prefix(sec, buf)) {
        snprintf(buf, SS_TIME_RFC3339_LEN, "1970-01-01T00:00:00.000000Z");
        return buf;
    }
    unsigned us = (unsigned)(ns / SS_NSEC_PER_USEC);
    buf[19] = '.';
    put2(buf + 20, (int)(us / 10000));
    put2(buf + 22, (int)(us / 100 % 100));
    put2(buf + 24, (int)(us % 100));
    buf[26] = 'Z';
    buf[27] = '\0';
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
