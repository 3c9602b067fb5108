#include <config.h>
#include "common/endpoint.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

char *
endpoint_addr_str(const Endpoint *e, char *buf)
{
    if (e->family == 4) {
        /* by hand: inet_ntop goes through sprintf, hot in the JSON writer */
        char *p = buf;
        for (int i = 0; i < 4; i++) {
            unsigned v = e->addr[i];
            if (v >= 100)
                *p++ = (char)('0' + v / 100);
            if (v >= 10)
                *p++ = (char)('0' + v / 10 % 10);
            *p++ = (char)('0' + v % 10);
            *p++ = i < 3 ? '.' : '\0';
        }
    } else if (e->family == 6) {
        inet_ntop(AF_INET6, e->addr, buf, ENDPOINT_ADDR_LEN);
    } else {
        snprintf(buf, ENDPOINT_ADDR_LEN, "?");
    }
    return buf;
}

char *
endpoint_str(const Endpoint *e, char *buf)
{
    char a[ENDPOINT_ADDR_LEN];
    endpoint_addr_str(e, a);
    if (e->family == 6)
        snprintf(buf, ENDPOINT_STR_LEN, "[%s]:%u", a, e->port);
    else
        snprintf(buf, ENDPOINT_STR_LEN, "%s:%u", a, e->port);
    return buf;
}

bool
endpoint_addr_equal(const Endpoint *a, const Endpoint *b)
{
    if (a->family != b->family)
        return false;
    return memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

bool
endpoint_equal(const Endpoint *a, const Endpoint *b)
{
    return a->port == b->port && endpoint_addr_equal(a, b);
}

int
endpoint_cmp(const Endpoint *a, const Endpoint *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    int c = memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
    if (c)
        return c < 0 ? -1 : 1;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    return 0;
}

uint32_t
endpoint_hash(const Endpoint *e)
{
    /* FNV-1a over the significant bytes. */
    uint32_t h = 2166136261u;
    size_t n = e->family == 4 ? 4 : 16;
    for (size_t i = 0; i < n; i++) {
        h ^= e->addr[i];
        h *= 16777619u;
    }
    h ^= e->port;
    h *= 16777619u;
    h ^= e->family;
    h *= 16777619u;
    return h;
}

const char *
ss_transport_name(SsTransport t)
{
    switch (t) {
    case SS_TRANSPORT_UDP: return "udp";
    case SS_TRANSPORT_TCP: return "tcp";
    default: return "unknown";
    }
}
