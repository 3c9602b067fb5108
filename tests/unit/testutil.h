/* testutil.h - small helpers shared by the unit tests. */
#ifndef SIPSLEUTH_TESTUTIL_H
#define SIPSLEUTH_TESTUTIL_H

/* Remove a flat temporary directory made with g_dir_make_tmp() and the
 * files in it. */
void tu_rm_tmpdir(const char *dir);

#endif
