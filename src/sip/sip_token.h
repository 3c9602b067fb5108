/* sip_token.h - RFC 3261 §25.1 token characters, by table (defined in
 * sip_parse.c): alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" /
 * "'" / "~". */
#ifndef SIPSLEUTH_SIP_TOKEN_H
#define SIPSLEUTH_SIP_TOKEN_H

#include <stdbool.h>

extern const unsigned char sip_token_char[256];

static inline bool
sip_is_token_char(unsigned char c)
{
    return sip_token_char[c];
}

#endif
