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

/* "00".."99": two digits with one load. */
#define D10(t) t "0", t "1", t "2", t "3", t "4", t "5", t "6", t "7", t "8", t "9"
static const char digit_pairs[100][2] = { D10("0"), D10("1"), D10("2"), D10("3"), D10("4"),
                                           D10("5"), D10("6"), D10("7"), D10("8"), D10("9") };
#undef D10

/* The last two decimal digits of v (v >= 0). */
static inline void
put2(char *p, int v)
{
    memcpy(p, digit_pairs[v % 100], 2);
}

/* "YYYY-MM-DDTHH:MM:SS" of a second. The date is remembered per UTC day
 * (records of one capture fall on a few days) and the time of day is plain
 * arithmetic: gmtime_r + snprintf per record dominated the JSON writer's
 * profile. UTC has no leap seconds in time_t, so a day is 86400 s. */
static bool
utc_prefix(time_t sec, char *out)
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
    unsigned t = (unsigned)tod, m = t / 60;
    memcpy(out + 11, digit_pairs[m / 60], 2);
    out[13] = ':';
    memcpy(out + 14, digit_pairs[m % 60], 2);
    out[16] = ':';
    memcpy(out + 17, digit_pairs[t % 60], 2);
    return true;
}

/* The text of the last second: the records of one capture come a few to
 * the second. */
static int64_t cached_sec = INT64_MIN;
static char cached_sec_text[19];

/* Makes sec the cached second; false when its year is out of range (the
 * cache is then unchanged). Out of line: the common case, the same second,
 * needs no registers saved. */
static __attribute__((noinline)) bool
cache_second(time_t sec)
{
    if (!utc_prefix(sec, cached_sec_text))
        return false;
    cached_sec = (int64_t)sec;
    return true;
}

void
ss_time_rfc3339_put(SsTime t, char *out)
{
    time_t sec;
    int64_t ns;
    split(t, &sec, &ns);
    if ((int64_t)sec != cached_sec && !cache_second(sec)) {
        memcpy(out, "1970-01-01T00:00:00.000000Z", SS_TIME_RFC3339_CHARS);
        return;
    }
    memcpy(out, cached_sec_text, 19);
    unsigned us = (unsigned)(ns / SS_NSEC_PER_USEC), h = us / 100, hh = h / 100;
    out[19] = '.';
    memcpy(out + 20, digit_pairs[hh], 2);
    memcpy(out + 22, digit_pairs[h - hh * 100], 2);
    memcpy(out + 24, digit_pairs[us - h * 100], 2);
    out[26] = 'Z';
}

char *
ss_time_rfc3339(SsTime t, char *buf)
{
    ss_time_rfc3339_put(t, buf);
    buf[SS_TIME_RFC3339_CHARS] = '\0';
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
