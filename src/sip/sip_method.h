/* sip_method.h - SIP methods (RFC 3261 and extensions). */
#ifndef SIPSLEUTH_SIP_METHOD_H
#define SIPSLEUTH_SIP_METHOD_H

#include <stddef.h>

typedef enum {
    SIP_METHOD_UNKNOWN = 0, /* an extension method: keep its text */
    SIP_METHOD_INVITE,
    SIP_METHOD_ACK,
    SIP_METHOD_BYE,
    SIP_METHOD_CANCEL,
    SIP_METHOD_OPTIONS,
    SIP_METHOD_REGISTER,
    SIP_METHOD_PRACK,     /* RFC 3262 */
    SIP_METHOD_SUBSCRIBE, /* RFC 6665 */
    SIP_METHOD_NOTIFY,    /* RFC 6665 */
    SIP_METHOD_PUBLISH,   /* RFC 3903 */
    SIP_METHOD_INFO,      /* RFC 6086 */
    SIP_METHOD_REFER,     /* RFC 3515 */
    SIP_METHOD_MESSAGE,   /* RFC 3428 */
    SIP_METHOD_UPDATE,    /* RFC 3311 */
    SIP_METHOD__COUNT
} SipMethod;

/* Methods are case-sensitive (RFC 3261 §7.1): "invite" is an unknown method. */
SipMethod sip_method_from_token(const char *s, size_t len);
const char *sip_method_name(SipMethod m); /* "INVITE"; "UNKNOWN" for 0 */

#endif
