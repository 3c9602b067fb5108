#include <config.h>
#include "common/sstime.h"

#include <inttypes.h>
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

/* "YYYY-MM-DDTHH:MM:SS" of a second, remembered: consecutive records fall in
 * the same second, and gmtime_r + snprintf per record dominated the JSON
 * writer's profile. */
static bool
utc_prefix(time_t sec, char out[20])
{
    static time_t cached_sec = -1;
    static char cached[20];
    if (sec != cached_sec) {
        struct tm tm;
        if (!gmtime_r(&sec, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
            return false;
        int y = tm.tm_year + 1900;
        put2(cached, y / 100);
        put2(cached + 2, y % 100);
        cached[4] = '-';
        put2(cached + 5, tm.tm_mon + 1);
        cached[7] = '-';
        put2(cached + 8, tm.tm_mday);
        cached[10] = 'T';
        put2(cached + 11, tm.tm_hour);
        cached[13] = ':';
        put2(cached + 14, tm.tm_min);
        cached[16] = ':';
        put2(cached + 17, tm.tm_sec);
        cached[19] = '\0';
        cached_sec = sec;
    }
    memcpy(out, cached, 20);
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
    int64_t us = ns / SS_NSEC_PER_USEC;
    buf[19] = '.';
    for (int i = 25; i >= 20; i--) {
        buf[i] = (char)('0' + us % 10);
        us /= 10;
    }
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
