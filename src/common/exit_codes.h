/* exit_codes.h - documented exit statuses (man page: EXIT STATUS). */
#ifndef SIPSLEUTH_EXIT_CODES_H
#define SIPSLEUTH_EXIT_CODES_H

enum {
    SS_EXIT_OK = 0,          /* every input read to its end */
    SS_EXIT_ERROR = 1,       /* runtime failure: output write error, out of memory */
    SS_EXIT_USAGE = 2,       /* bad or conflicting options, bad filter expression */
    SS_EXIT_INPUT = 3,       /* input cannot be opened: missing file, not a capture, unknown interface */
    SS_EXIT_PERMISSION = 4,  /* not allowed to capture on the interface (or -Z failed) */
    SS_EXIT_TRUNCATED = 5,   /* a capture file was cut short; what was read was analysed */
};

#endif
