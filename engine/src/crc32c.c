/*
 * crc32c.c — CRC32C with the SSE4.2 instruction (three interleaved streams for long buffers,
 * combined by a carry-less shift table) or a portable slicing-by-8 table. The tables are computed
 * at compile-time-like first use under pthread_once: immutable afterwards.
 */
#include "crc32c.h"

#include <pthread.h>
#include <string.h>

#define POLY 0x82f63b78u /* CRC32C, reflected */

static uint32_t table8[8][256];
/* shift_block[k][b]: the effect of appending BLOCK zero bytes to a CRC whose byte k is b. */
#define BLOCK 4096
static uint32_t shift_block[4][256];
static int have_hw;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static uint32_t crc_sw(uint32_t crc, const uint8_t *p, size_t len)
{
    crc = ~crc;
    while (len >= 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                             (uint32_t)p[3] << 24);
        crc = table8[7][lo & 0xff] ^ table8[6][(lo >> 8) & 0xff] ^ table8[5][(lo >> 16) & 0xff] ^
              table8[4][lo >> 24] ^ table8[3][p[4]] ^ table8[2][p[5]] ^ table8[1][p[6]] ^
              table8[0][p[7]];
        p += 8;
        len -= 8;
    }
    while (len--) crc = table8[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* Raw (non-inverted) CRC register advanced over n zero bytes, a byte per step through table8[0]
 * (built first): only for table setup. */
static uint32_t zeros_raw(uint32_t reg, size_t n)
{
    while (n--) reg = (reg >> 8) ^ table8[0][reg & 0xff];
    return reg;
}

static void init_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
        table8[0][i] = c;
    }
    for (int t = 1; t < 8; t++)
        for (int i = 0; i < 256; i++)
            table8[t][i] = (table8[t - 1][i] >> 8) ^ table8[0][table8[t - 1][i] & 0xff];
    /* Advancing over zeros is linear in the register: the image of each of its 32 bits, then
     * every byte value as the XOR of its bits' images (a few thousand steps instead of 1024
     * registers advanced over BLOCK bytes each, which cost ~60 ms at every process start). */
    uint32_t bit_image[32];
    for (int j = 0; j < 32; j++) bit_image[j] = zeros_raw(1u << j, BLOCK);
    for (int k = 0; k < 4; k++) {
        shift_block[k][0] = 0;
        for (uint32_t b = 1; b < 256; b++)
            shift_block[k][b] = shift_block[k][b & (b - 1)] ^ bit_image[8 * k + __builtin_ctz(b)];
    }
#if defined(__x86_64__)
    __builtin_cpu_init();
    have_hw = __builtin_cpu_supports("sse4.2");
#endif
}

#if defined(__x86_64__)
static inline uint32_t shift_reg(uint32_t reg)
{
    return shift_block[0][reg & 0xff] ^ shift_block[1][(reg >> 8) & 0xff] ^
           shift_block[2][(reg >> 16) & 0xff] ^ shift_block[3][reg >> 24];
}

__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const uint8_t *p, size_t len)
{
    uint64_t c0 = ~crc;
    while (len && ((uintptr_t)p & 7)) {
        c0 = __builtin_ia32_crc32qi((uint32_t)c0, *p++);
        len--;
    }
    /* Three streams of BLOCK bytes each, combined: the instruction's latency is 3 cycles and its
     * throughput 1 per cycle, so interleaving triples the speed on long buffers. */
    while (len >= 3 * BLOCK) {
        uint64_t c1 = 0, c2 = 0;
        const uint8_t *p1 = p + BLOCK, *p2 = p + 2 * BLOCK;
        for (size_t i = 0; i < BLOCK; i += 8) {
            uint64_t a, b, d;
            memcpy(&a, p + i, 8);
            memcpy(&b, p1 + i, 8);
            memcpy(&d, p2 + i, 8);
            c0 = __builtin_ia32_crc32di(c0, a);
            c1 = __builtin_ia32_crc32di(c1, b);
            c2 = __builtin_ia32_crc32di(c2, d);
        }
        c0 = shift_reg((uint32_t)c0) ^ c1;
        c0 = shift_reg((uint32_t)c0) ^ c2;
        p += 3 * BLOCK;
        len -= 3 * BLOCK;
    }
    while (len >= 8) {
        uint64_t a;
        memcpy(&a, p, 8);
        c0 = __builtin_ia32_crc32di(c0, a);
        p += 8;
        len -= 8;
    }
    while (len--) c0 = __builtin_ia32_crc32qi((uint32_t)c0, *p++);
    return ~(uint32_t)c0;
}
#endif

#if defined(__x86_64__)
/* Three independent buffers at once: as fast per byte as the interleaved path above, for buffers
 * too short to split (a page each). */
__attribute__((target("sse4.2"))) static void crc3_hw(const uint8_t *a, const uint8_t *b,
                                                      const uint8_t *c, size_t len, uint32_t out[3])
{
    uint64_t ca = 0xffffffffu, cb = 0xffffffffu, cc = 0xffffffffu;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x, y, z;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        memcpy(&z, c + i, 8);
        ca = __builtin_ia32_crc32di(ca, x);
        cb = __builtin_ia32_crc32di(cb, y);
        cc = __builtin_ia32_crc32di(cc, z);
    }
    for (; i < len; i++) {
        ca = __builtin_ia32_crc32qi((uint32_t)ca, a[i]);
        cb = __builtin_ia32_crc32qi((uint32_t)cb, b[i]);
        cc = __builtin_ia32_crc32qi((uint32_t)cc, c[i]);
    }
    out[0] = ~(uint32_t)ca;
    out[1] = ~(uint32_t)cb;
    out[2] = ~(uint32_t)cc;
}
#endif

void crc32c_x3(const void *a, const void *b, const void *c, size_t len, uint32_t out[3])
{
    pthread_once(&init_once, init_tables);
#if defined(__x86_64__)
    if (have_hw) {
        crc3_hw(a, b, c, len, out);
        return;
    }
#endif
    out[0] = crc_sw(0, a, len);
    out[1] = crc_sw(0, b, len);
    out[2] = crc_sw(0, c, len);
}

uint32_t crc32c(uint32_t crc, const void *buf, size_t len)
{
    pthread_once(&init_once, init_tables);
#if defined(__x86_64__)
    if (have_hw) return crc_hw(crc, buf, len);
#endif
    return crc_sw(crc, buf, len);
}

int crc32c_hw(void)
{
    pthread_once(&init_once, init_tables);
    return have_hw;
}

uint32_t crc32c_portable(uint32_t crc, const void *buf, size_t len)
{
    pthread_once(&init_once, init_tables);
    return crc_sw(crc, buf, len);
}
