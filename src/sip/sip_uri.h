/* sip_uri.h - SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966).
 *
 * Zero copy: every part is a view into the URI text. Escapes are kept as
 * sent; sip_str_unescape() decodes %HH into a caller buffer when a value
 * must be compared (RFC 3261 §19.1.4: user and parameters compare decoded).
 */
#ifndef SIPSLEUTH_SIP_URI_H
#define SIPSLEUTH_SIP_URI_H

#include <stdbool.h>
#include <stddef.h>
#include "sip/sip_parse.h"

typedef enum {
    SIP_URI_OTHER = 0, /* an absoluteURI with another scheme (http:, mailto:, urn:...) */
    SIP_URI_SIP,
    SIP_URI_SIPS,
    SIP_URI_TEL,
} SipUriScheme;

typedef struct {
    SipUriScheme scheme;
    SipStr scheme_text;
    SipStr user;      /* sip/sips: before '@' (without ":password"); tel: the number */
    SipStr password;
    SipStr host;      /* IPv6 references keep their brackets */
    int port;         /* -1 when absent */
    SipStr params;    /* after the first ';' of the hostport (or tel number), without it */
    SipStr headers;   /* after '?', without it */
} SipUri;

/* false (and a best-effort *uri) when the text is not a valid URI. */
bool sip_uri_parse(SipStr text, SipUri *uri);
/* Find ";name" or ";name=value" in a ';'-separated parameter list; value
 * empty when the parameter has no '='. Names compare case-insensitively. */
bool sip_param_get(SipStr params, const char *name, SipStr *value);
/* Iterate a ';'-separated parameter list: start with *pos = 0; each call
 * gives the next item's name and value (LWS trimmed; value empty and
 * *has_value false without '='). A ';' inside a quoted value does not split.
 * Returns false after the last item. Empty items ("a;;b") are returned
 * with an empty name. */
bool sip_param_next(SipStr params, size_t *pos, SipStr *name, SipStr *value, bool *has_value);
/* Find "name=value" in a '&'-separated URI header list (RFC 3261 §19.1.1);
 * the name compares case-insensitively; value is still %-escaped. */
bool sip_uri_header_get(SipStr headers, const char *name, SipStr *value);
/* Decode %HH escapes into out (at most out_size bytes; returns the decoded
 * length, or (size_t)-1 when it does not fit). Invalid escapes (RFC 4475
 * §3.1.1.5 "%" not followed by two hex digits) are copied verbatim. */
size_t sip_str_unescape(SipStr in, char *out, size_t out_size);

/* Leading/trailing LWS (SP, HT and the CR/LF of obsolete line folding,
 * RFC 3261 §7.3.1) removed. */
SipStr sip_str_trim(SipStr s);
/* true when s is a non-empty RFC 3261 §25.1 token. */
bool sip_str_is_token(SipStr s);

bool sip_str_eq(SipStr a, const char *lit);      /* exact */
bool sip_str_ieq(SipStr a, const char *lit);     /* ASCII case-insensitive */
bool sip_str_equal(SipStr a, SipStr b);

#endif
