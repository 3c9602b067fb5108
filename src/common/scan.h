/* scan.h - finding one byte in a short span, inline.
 *
 * The parsers look for line ends and delimiters ('\n', '<', '>', ',') in
 * spans of 10 to 100 bytes, some 30 times a message. libc's memchr is fast
 * on long spans but each call costs its setup; here the search is inlined,
 * 16 bytes a step with SSE2 (part of every x86-64 CPU), 8 bytes a step
 * elsewhere. Same contract as memchr: the first c in p[0, n), or NULL;
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

static inline const void *
ss_find_byte(const void *p, int c, size_t n)
{
#if defined(__SSE2__)
    const unsigned char *s = p, *end = s + n;
    unsigned char b = (unsigned char)c;
    const __m128i needle = _mm_set1_epi8((char)b);
    while ((size_t)(end - s) >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle));
        if (mask)
            return s + __builtin_ctz(mask);
        s += 16;
    }
    for (; s < end; s++)
        if (*s == b)
            return s;
    return NULL;
#else
    return ss_find_byte_swar(p, c, n);
#endif
}

#endif
