/* scan.h - finding one byte in a short span, inline.
 *
 * The parsers look for line ends and delimiters ('\n', '<', '>', ',') in
 * spans of 10 to 100 bytes, some 30 times a message. libc's memchr is fast
 * on long spans but each call costs its setup; here the search is inlined,
 * 16 bytes a step with SSE2 (part of every x86-64 CPU; the last step
 * overlaps, and spans under 16 bytes take one or two 8- or 4-byte loads),
 * 8 bytes a step elsewhere. Same contract as memchr: the first c in p[0, n), or NULL;
 * never reads outside p[0, n).
 */
#ifndef SIPSLEUTH_SCAN_H
#define SIPSLEUTH_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The portable version: 8 bytes a step (the search of the SSE2 one below
 * on other CPUs; tested on all). */
static inline const void *
ss_find_byte_swar(const void *p, int c, size_t n)
{
    const unsigned char *s = p, *end = s + n;
    unsigned char b = (unsigned char)c;
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t pattern = ones * b;
    while ((size_t)(end - s) >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        w ^= pattern;
        if ((w - ones) & ~w & highs)
            break; /* the byte is in these 8: found below */
        s += 8;
    }
    for (; s < end; s++)
        if (*s == b)
            return s;
    return NULL;
}

#if defined(__SSE2__)
/* The first c in p[0, n) for n < 16, in at most two overlapping loads of
 * 8 (or 4) bytes: the lowest byte flagged by the zero-byte test is always
 * a real match (a borrow can only flag bytes above one), and x86 is
 * little-endian, so it is the first. */
static inline const void *
ss_find_byte_short(const unsigned char *s, unsigned char b, size_t n)
{
    if (n >= 8) {
        const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
        const uint64_t pattern = ones * b;
        uint64_t w;
        memcpy(&w, s, 8);
        w ^= pattern;
        uint64_t z = (w - ones) & ~w & highs;
        if (z)
            return s + (__builtin_ctzll(z) >> 3);
        memcpy(&w, s + n - 8, 8);
        w ^= pattern;
        z = (w - ones) & ~w & highs;
        return z ? s + n - 8 + (__builtin_ctzll(z) >> 3) : NULL;
    }
    if (n >= 4) {
        const uint32_t ones = 0x01010101u, highs = 0x80808080u;
        const uint32_t pattern = ones * b;
        uint32_t w;
        memcpy(&w, s, 4);
        w ^= pattern;
        uint32_t z = (w - ones) & ~w & highs;
        if (z)
            return s + (__builtin_ctz(z) >> 3);
        memcpy(&w, s + n - 4, 4);
        w ^= pattern;
        z = (w - ones) & ~w & highs;
        return z ? s + n - 4 + (__builtin_ctz(z) >> 3) : NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (s[i] == b)
            return s + i;
    return NULL;
}
#endif

static inline __attribute__((always_inline)) const void *
ss_find_byte(const void *p, int c, size_t n)
{
#if defined(__SSE2__)
    const unsigned char *s = p;
    unsigned char b = (unsigned char)c;
    if (n < 16)
        return ss_find_byte_short(s, b, n);
    const unsigned char *end = s + n;
    const __m128i needle = _mm_set1_epi8((char)b);
    for (;;) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle));
        if (mask)
            return s + __builtin_ctz(mask);
        s += 16;
        if ((size_t)(end - s) < 16)
            break;
    }
    if (s == end)
        return NULL;
    /* the last 16 bytes, overlapping bytes already seen not to match */
    s = end - 16;
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle));
    return mask ? s + __builtin_ctz(mask) : NULL;
#else
    return ss_find_byte_swar(p, c, n);
#endif
}

#endif
