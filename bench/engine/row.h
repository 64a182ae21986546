/*
 * row.h — the benchmark's rows: deterministic payloads derived from the key (so a read can be
 * checked byte for byte without storing anything) and the fixed-seed generator that picks keys.
 * Same bytes on every run and for both engines.
 */
#ifndef BENCH_ROW_H
#define BENCH_ROW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define BENCH_PAYLOAD 100 /* payload bytes per row; with the 8-byte key ~108 bytes of data */

/* splitmix64: the whole generator state is one word, so a seed fixes the sequence. */
static inline uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A uniform key in [0, n) (n > 0; the modulo bias is negligible for n << 2^64). */
static inline uint64_t rng_below(uint64_t *state, uint64_t n)
{
    return rng_next(state) % n;
}

/* Fills out[BENCH_PAYLOAD] with the payload of key. */
static inline void row_payload(uint64_t key, uint8_t *out)
{
    uint64_t s = key ^ 0x5DEECE66Dull;
    for (size_t off = 0; off < BENCH_PAYLOAD; off += 8) {
        uint64_t w = rng_next(&s);
        size_t n = BENCH_PAYLOAD - off < 8 ? BENCH_PAYLOAD - off : 8;
        memcpy(out + off, &w, n);
    }
}

/* 1 when buf[len] is key's payload. */
static inline int row_check(uint64_t key, const uint8_t *buf, size_t len)
{
    uint8_t want[BENCH_PAYLOAD];
    if (len != BENCH_PAYLOAD) return 0;
    row_payload(key, want);
    return memcmp(want, buf, BENCH_PAYLOAD) == 0;
}

#endif
