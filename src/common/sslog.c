#include <config.h>
#include "common/sslog.h"

#include <stdarg.h>
#include <stdio.h>

static gboolean quiet;

void
ss_set_quiet(gboolean q)
{
    quiet = q;
}

static void vmsg(const char *prefix, const char *fmt, va_list ap) G_GNUC_PRINTF(2, 0);

static void
vmsg(const char *prefix, const char *fmt, va_list ap)
{
    fflush(stdout);
    fprintf(stderr, "sipsleuth: %s", prefix);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void
ss_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("", fmt, ap);
    va_end(ap);
}

void
ss_warn(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vmsg("warning: ", fmt, ap);
    va_end(ap);
}
