/* byte_reader.h - the one bounds-checked reader every layer uses.
 *
 * Every read of packet bytes in sipsleuth goes through a ByteReader: a read
 * past the end fails (returns false) and leaves the reader unchanged, so a
 * truncated or hostile packet can never make us read outside its buffer.
 * Ownership: the reader borrows the bytes (transfer none); it never frees.
 */
#ifndef SIPSLEUTH_BYTE_READER_H
#define SIPSLEUTH_BYTE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *data;
    size_t len;
    size_t off;
} ByteReader;

static inline void
br_init(ByteReader *r, const uint8_t *data, size_t len)
{
    r->data = data;
    r->len = data ? len : 0;
    r->off = 0;
}

static inline size_t
br_remaining(const ByteReader *r)
{
    return r->len - r->off;
}

static inline const uint8_t *
br_cur(const ByteReader *r)
{
    return r->data + r->off;
}

static inline bool
br_skip(ByteReader *r, size_t n)
{
    if (n > br_remaining(r))
        return false;
    r->off += n;
    return true;
}

static inline bool
br_u8(ByteReader *r, uint8_t *v)
{
    if (br_remaining(r) < 1)
        return false;
    *v = r->data[r->off++];
    return true;
}

static inline bool
br_u16be(ByteReader *r, uint16_t *v)
{
    if (br_remaining(r) < 2)
        return false;
    *v = (uint16_t)((r->data[r->off] << 8) | r->data[r->off + 1]);
    r->off += 2;
    return true;
}

static inline bool
br_u16le(ByteReader *r, uint16_t *v)
{
    if (br_remaining(r) < 2)
        return false;
    *v = (uint16_t)(r->data[r->off] | (r->data[r->off + 1] << 8));
    r->off += 2;
    return true;
}

static inline bool
br_u32be(ByteReader *r, uint32_t *v)
{
    if (br_remaining(r) < 4)
        return false;
    const uint8_t *p = r->data + r->off;
    *v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    r->off += 4;
    return true;
}

static inline bool
br_u32le(ByteReader *r, uint32_t *v)
{
    if (br_remaining(r) < 4)
        return false;
    const uint8_t *p = r->data + r->off;
    *v = ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
    r->off += 4;
    return true;
}

/* Borrow n bytes: *out points into the reader's buffer. */
static inline bool
br_bytes(ByteReader *r, size_t n, const uint8_t **out)
{
    if (n > br_remaining(r))
        return false;
    *out = r->data + r->off;
    r->off += n;
    return true;
}

/* Peek without consuming. */
static inline bool
br_peek_u8(const ByteReader *r, size_t at, uint8_t *v)
{
    if (at >= br_remaining(r))
        return false;
    *v = r->data[r->off + at];
    return true;
}

#endif
