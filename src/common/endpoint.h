/* endpoint.h - an IP address and port, as seen on the wire. */
#ifndef SIPSLEUTH_ENDPOINT_H
#define SIPSLEUTH_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t family; /* 4, 6, or 0 when unknown */
    uint8_t pad;
    uint16_t port;  /* host byte order; 0 when not applicable */
    uint8_t addr[16]; /* IPv4 in the first 4 bytes */
} Endpoint;

typedef enum {
    SS_TRANSPORT_UNKNOWN = 0,
    SS_TRANSPORT_UDP,
    SS_TRANSPORT_TCP,
} SsTransport;

/* Longest text form: "[ffff:...:ffff]:65535". */
#define ENDPOINT_STR_LEN 80
#define ENDPOINT_ADDR_LEN 64

/* "192.0.2.1" or "2001:db8::1"; buf holds ENDPOINT_ADDR_LEN */
char *endpoint_addr_str(const Endpoint *e, char *buf);
/* "192.0.2.1:5060" or "[2001:db8::1]:5060" */
char *endpoint_str(const Endpoint *e, char *buf);
bool endpoint_equal(const Endpoint *a, const Endpoint *b);
bool endpoint_addr_equal(const Endpoint *a, const Endpoint *b);
/* Total order (family, address, port); used to key both directions of a flow. */
int endpoint_cmp(const Endpoint *a, const Endpoint *b);
uint32_t endpoint_hash(const Endpoint *e);
const char *ss_transport_name(SsTransport t); /* "udp", "tcp", "unknown" */

#endif
