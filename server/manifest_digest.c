/*
 * manifest_digest.c — the digests a manifest records, computed from the bytes sent: SHA-256
 * (GnuTLS, which uses the CPU's SHA extensions) and CRC32C (the SSE4.2 instruction when present,
 * else a table), both streaming (see manifest.h).
 */
#include "manifest.h"

#include <stdio.h>
#include <string.h>

#define CRC32C_POLY 0x82f63b78u /* reflected Castagnoli */

static uint32_t crc32c_table_update(uint32_t crc, const unsigned char *p, size_t len)
{
    static uint32_t table[256];
    static int ready; /* benign race: every thread computes the same table */
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int b = 0; b < 8; b++) c = (c >> 1) ^ (CRC32C_POLY & (0u - (c & 1u)));
            table[i] = c;
        }
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    for (size_t i = 0; i < len; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw_update(uint32_t crc,
                                                                   const unsigned char *p,
                                                                   size_t len)
{
    uint64_t c = crc;
    while (len >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        len -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (len--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}
#endif

uint32_t hc_crc32c_update(uint32_t crc, const void *data, size_t len)
{
    uint32_t c = ~crc;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2")) return ~crc32c_hw_update(c, data, len);
#endif
    return ~crc32c_table_update(c, data, len);
}

int hc_digest_init(struct hc_digest *d)
{
    memset(d, 0, sizeof *d);
    if (gnutls_hash_init(&d->sha, GNUTLS_DIG_SHA256) != 0) return -1;
    d->live = true;
    return 0;
}

void hc_digest_update(struct hc_digest *d, const void *data, size_t len)
{
    gnutls_hash(d->sha, data, len);
    d->crc = hc_crc32c_update(d->crc, data, len);
    d->bytes += len;
}

void hc_digest_final(struct hc_digest *d, char sha_hex[HC_SHA256_HEX], uint32_t *crc32c)
{
    unsigned char digest[32];
    gnutls_hash_deinit(d->sha, digest);
    d->live = false;
    for (int i = 0; i < 32; i++) snprintf(sha_hex + 2 * i, 3, "%02x", digest[i]);
    *crc32c = d->crc;
}

void hc_digest_discard(struct hc_digest *d)
{
    if (d->live) gnutls_hash_deinit(d->sha, NULL);
    d->live = false;
}
