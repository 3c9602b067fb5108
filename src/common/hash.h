/* hash.h - a fast 64-bit hash of short byte strings, inline.
 *
 * Eight bytes a step (multiply and xor-shift), the last 0-7 bytes in at
 * most two loads, the length mixed in at the end so "ab"+"c" chained
 * differs from "a"+"bc". For the in-memory tables (the calls, the dedupe
 * fingerprints): seed it per run where input chooses the
 * keys. Not a cryptographic hash.
 */
#ifndef SIPSLEUTH_HASH_H
#define SIPSLEUTH_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t
ss_hash64(uint64_t h, const void *data, size_t len)
{
    const uint8_t *p = data;
    const uint64_t m = UINT64_C(0x9E3779B97F4A7C15);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * m;
        h ^= h >> 29;
        p += 8;
        len -= 8;
    }
    /* a byte-wise copy into a word on the stack would stall the load that
     * reads it back */
    uint64_t w = 0;
    if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + len - 4, 4);
        w = a | ((uint64_t)b << ((len - 4) * 8));
    } else if (len) {
        w = p[0] | ((uint64_t)p[len / 2] << 8) | ((uint64_t)p[len - 1] << 16);
    }
    h = (h ^ w ^ ((uint64_t)len << 56)) * m;
    h ^= h >> 32;
    return h;
}

/* ss_hash64 of eight more bytes, given as a word (the same value as
 * hashing the word's little-endian bytes, length aside) */
static inline uint64_t
ss_hash64_word(uint64_t h, uint64_t w)
{
    h = (h ^ w) * UINT64_C(0x9E3779B97F4A7C15);
    h ^= h >> 29;
    return h;
}

#endif
