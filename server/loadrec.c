/*
 * loadrec.c — the load generator's record format (see loadgen.h): encoding, checking, CRC32C.
 * Pure functions, shared by the generator, its verification endpoint and the unit tests.
 */
#include "loadgen.h"

#include <string.h>

uint32_t hc_crc32c(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

void hc_load_record(uint64_t seq, int64_t time_us, unsigned char out[HC_LOAD_RECORD_SIZE])
{
    put_le64(out, seq);
    put_le64(out + 8, (uint64_t)time_us);
    uint64_t x = seq * 0x9e3779b97f4a7c15ull + 1;
    for (int i = 16; i < 64; i++) { /* xorshift bytes: a payload that depends on seq */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = (unsigned char)x;
    }
    uint32_t crc = hc_crc32c(out, 64);
    for (int i = 0; i < 4; i++) out[64 + i] = (unsigned char)(crc >> (8 * i));
}

bool hc_load_record_ok(uint64_t seq, const void *value, size_t len)
{
    const unsigned char *v = value;
    if (len != HC_LOAD_RECORD_SIZE || get_le64(v) != seq) return false;
    uint32_t crc = hc_crc32c(v, 64);
    for (int i = 0; i < 4; i++)
        if (v[64 + i] != (unsigned char)(crc >> (8 * i))) return false;
    unsigned char expect[HC_LOAD_RECORD_SIZE];
    hc_load_record(seq, (int64_t)get_le64(v + 8), expect);
    return memcmp(expect, v, HC_LOAD_RECORD_SIZE) == 0;
}

