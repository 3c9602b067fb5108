#include <config.h>
#include "common/anomaly.h"

static const char *const codes[] = {
#define SS_ANOMALY_CODE(e, code, desc) code,
    SS_ANOMALY_LIST(SS_ANOMALY_CODE)
#undef SS_ANOMALY_CODE
};

static const char *const descs[] = {
#define SS_ANOMALY_DESC(e, code, desc) desc,
    SS_ANOMALY_LIST(SS_ANOMALY_DESC)
#undef SS_ANOMALY_DESC
};

const char *
ss_anomaly_code(SsAnomaly a)
{
    return (unsigned)a < SS_ANOMALY__COUNT ? codes[a] : "unknown";
}

const char *
ss_anomaly_description(SsAnomaly a)
{
    return (unsigned)a < SS_ANOMALY__COUNT ? descs[a] : "unknown anomaly";
}
