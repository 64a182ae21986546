/*
 * codec.h — explicit little-endian encoding of on-disk fields (STYLE: never write a C struct).
 * Every on-disk structure of libjet is written and read through these helpers, byte by byte, so
 * the formats are independent of the compiler's layout and the host's byte order.
 */
#ifndef JET_CODEC_H
#define JET_CODEC_H

#include <stdint.h>
#include <string.h>

static inline void put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}
static inline uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | ((uint64_t)get_u32(p + 4) << 32);
}

/* Big-endian, for keys: byte order must match numeric order under memcmp. */
static inline void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}
static inline uint64_t get_be64(const uint8_t *p)
{
    return ((uint64_t)p[0] << 56) | ((uint64_t)p[1] << 48) | ((uint64_t)p[2] << 40) |
           ((uint64_t)p[3] << 32) | ((uint64_t)p[4] << 24) | ((uint64_t)p[5] << 16) |
           ((uint64_t)p[6] << 8) | (uint64_t)p[7];
}

/* A cursor over a byte buffer for encoding/decoding variable records; `ok` turns false (and
 * stays false) when a read or write would pass the end, so callers check once at the end. */
struct bytebuf {
    uint8_t *p;
    size_t len;
    size_t pos;
    int ok;
};
static inline void bb_init(struct bytebuf *b, void *p, size_t len)
{
    b->p = p;
    b->len = len;
    b->pos = 0;
    b->ok = 1;
}
static inline uint8_t *bb_take(struct bytebuf *b, size_t n)
{
    if (!b->ok || b->len - b->pos < n) {
        b->ok = 0;
        return NULL;
    }
    uint8_t *r = b->p + b->pos;
    b->pos += n;
    return r;
}
static inline void bb_put8(struct bytebuf *b, uint8_t v) { uint8_t *p = bb_take(b, 1); if (p) *p = v; }
static inline void bb_put16(struct bytebuf *b, uint16_t v) { uint8_t *p = bb_take(b, 2); if (p) put_u16(p, v); }
static inline void bb_put32(struct bytebuf *b, uint32_t v) { uint8_t *p = bb_take(b, 4); if (p) put_u32(p, v); }
static inline void bb_put64(struct bytebuf *b, uint64_t v) { uint8_t *p = bb_take(b, 8); if (p) put_u64(p, v); }
static inline void bb_putn(struct bytebuf *b, const void *v, size_t n)
{
    uint8_t *p = bb_take(b, n);
    if (p && n) memcpy(p, v, n);
}
static inline uint8_t bb_get8(struct bytebuf *b) { uint8_t *p = bb_take(b, 1); return p ? *p : 0; }
static inline uint16_t bb_get16(struct bytebuf *b) { uint8_t *p = bb_take(b, 2); return p ? get_u16(p) : 0; }
static inline uint32_t bb_get32(struct bytebuf *b) { uint8_t *p = bb_take(b, 4); return p ? get_u32(p) : 0; }
static inline uint64_t bb_get64(struct bytebuf *b) { uint8_t *p = bb_take(b, 8); return p ? get_u64(p) : 0; }
static inline void bb_getn(struct bytebuf *b, void *v, size_t n)
{
    uint8_t *p = bb_take(b, n);
    if (p && n) memcpy(v, p, n);
}

#endif
