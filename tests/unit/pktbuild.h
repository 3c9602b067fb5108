/* pktbuild.h - a tiny packet builder for the net/link unit tests.
 *
 * Layers are built inside out: each wrapper takes the inner bytes
 * (transfer full: the GByteArray is consumed) and returns a new array with
 * its header in front. Checksums are computed for IPv4 headers only (the
 * decoder does not verify UDP/TCP checksums).
 */
#ifndef SIPSLEUTH_PKTBUILD_H
#define SIPSLEUTH_PKTBUILD_H

#include <glib.h>
#include <stdint.h>

GByteArray *pb_data(const void *data, size_t len);
GByteArray *pb_str(const char *s);
void pb_put_u8(GByteArray *b, uint8_t v);
void pb_put_u16(GByteArray *b, uint16_t v);
void pb_put_u32(GByteArray *b, uint32_t v);
/* Put bytes in front of b. */
void pb_prepend(GByteArray *b, const void *data, size_t len);

GByteArray *pb_udp(uint16_t sport, uint16_t dport, GByteArray *payload);
GByteArray *pb_tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                   unsigned opt_words, GByteArray *payload);
/* frag: the raw flags + fragment offset field (e.g. 0x2000 | off/8). */
GByteArray *pb_ipv4(const char *src, const char *dst, uint8_t proto, uint16_t id, uint16_t frag,
                    GByteArray *payload);
/* payload includes any extension headers; next is the first of them. */
GByteArray *pb_ipv6(const char *src, const char *dst, uint8_t next, GByteArray *payload);
/* A generic IPv6 extension header (hop-by-hop, routing, destination
 * options...) of 8*(len8+1) bytes, zero-filled. */
GByteArray *pb_ipv6_ext(uint8_t next, uint8_t len8, GByteArray *payload);
GByteArray *pb_ipv6_frag(uint8_t next, uint32_t offset, gboolean more, uint32_t id,
                         GByteArray *payload);
GByteArray *pb_eth(uint16_t ethertype, GByteArray *payload);
/* Insert an 802.1Q-style tag after the MAC addresses of an Ethernet frame. */
void pb_eth_add_tag(GByteArray *frame, uint16_t tpid, uint16_t tci);

/* Split an upper-layer payload into IPv4 fragments of at most frag_len
 * bytes each (a multiple of 8). Returns a GPtrArray of GByteArray (free
 * with g_ptr_array_unref). */
GPtrArray *pb_ipv4_fragments(const char *src, const char *dst, uint8_t proto, uint16_t id,
                             const uint8_t *payload, size_t len, size_t frag_len);
GPtrArray *pb_ipv6_fragments(const char *src, const char *dst, uint8_t next, uint32_t id,
                             const uint8_t *payload, size_t len, size_t frag_len);

/* A SIP INVITE with an SDP body of about `body` bytes (exact text). */
char *pb_sip_invite(size_t body);

#endif
