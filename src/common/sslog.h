/* sslog.h - messages for the user on stderr: "sipsleuth: ...". */
#ifndef SIPSLEUTH_SSLOG_H
#define SIPSLEUTH_SSLOG_H

#include <glib.h>

void ss_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void ss_warn(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void ss_set_quiet(gboolean quiet); /* -q: no warnings, errors still shown */

#endif
