#include <config.h>
#include "sip/sip_method.h"

#include <string.h>

static const char *const method_names[SIP_METHOD__COUNT] = {
    [SIP_METHOD_UNKNOWN] = "UNKNOWN",
    [SIP_METHOD_INVITE] = "INVITE",
    [SIP_METHOD_ACK] = "ACK",
    [SIP_METHOD_BYE] = "BYE",
    [SIP_METHOD_CANCEL] = "CANCEL",
    [SIP_METHOD_OPTIONS] = "OPTIONS",
    [SIP_METHOD_REGISTER] = "REGISTER",
    [SIP_METHOD_PRACK] = "PRACK",
    [SIP_METHOD_SUBSCRIBE] = "SUBSCRIBE",
    [SIP_METHOD_NOTIFY] = "NOTIFY",
    [SIP_METHOD_PUBLISH] = "PUBLISH",
    [SIP_METHOD_INFO] = "INFO",
    [SIP_METHOD_REFER] = "REFER",
    [SIP_METHOD_MESSAGE] = "MESSAGE",
    [SIP_METHOD_UPDATE] = "UPDATE",
};

#define METHOD_IS(lit, id) \
    do { \
        if (memcmp(s, lit, sizeof(lit) - 1) == 0) \
            return id; \
    } while (0)

/* RFC 3261 §7.1: the method name is case-sensitive, so a plain memcmp.
 * Dispatch on length first: one or two comparisons per call. */
SipMethod
sip_method_from_token(const char *s, size_t len)
{
    if (s == NULL)
        return SIP_METHOD_UNKNOWN;
    switch (len) {
    case 3:
        METHOD_IS("ACK", SIP_METHOD_ACK);
        METHOD_IS("BYE", SIP_METHOD_BYE);
        break;
    case 4:
        METHOD_IS("INFO", SIP_METHOD_INFO);
        break;
    case 5:
        METHOD_IS("PRACK", SIP_METHOD_PRACK);
        METHOD_IS("REFER", SIP_METHOD_REFER);
        break;
    case 6:
        METHOD_IS("INVITE", SIP_METHOD_INVITE);
        METHOD_IS("CANCEL", SIP_METHOD_CANCEL);
        METHOD_IS("NOTIFY", SIP_METHOD_NOTIFY);
        METHOD_IS("UPDATE", SIP_METHOD_UPDATE);
        break;
    case 7:
        METHOD_IS("OPTIONS", SIP_METHOD_OPTIONS);
        METHOD_IS("PUBLISH", SIP_METHOD_PUBLISH);
        METHOD_IS("MESSAGE", SIP_METHOD_MESSAGE);
        break;
    case 8:
        METHOD_IS("REGISTER", SIP_METHOD_REGISTER);
        break;
    case 9:
        METHOD_IS("SUBSCRIBE", SIP_METHOD_SUBSCRIBE);
        break;
    default:
        break;
    }
    return SIP_METHOD_UNKNOWN;
}

const char *
sip_method_name(SipMethod m)
{
    if ((unsigned)m >= SIP_METHOD__COUNT)
        return "UNKNOWN";
    return method_names[m];
}
