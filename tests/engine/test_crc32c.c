/*
 * test_crc32c.c — CRC32C (engine/src/crc32c.c): the checksum of every page, log record, log header
 * and checkpoint.
 *
 * Proves: the published check values (RFC 3720 appendix B.4 and the "123456789" check value
 * 0xE3069283); extension over pieces equals one pass; the dispatching crc32c() (the SSE4.2 path
 * with its three interleaved streams when the CPU has the instruction) and the portable table path
 * both equal a bit-at-a-time reference on random buffers of every length class and alignment,
 * including lengths that cross the interleaving block boundaries; three buffers checksummed at
 * once (crc32c_x3) give each one's own checksum.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/src/crc32c.h"
#include "../common/testfx.h"

/* The definition, one bit at a time (reflected polynomial 0x82F63B78). */
static uint32_t reference(uint32_t crc, const uint8_t *p, size_t len)
{
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    return ~crc;
}

static void test_known_vectors(void **state)
{
    (void)state;
    uint8_t buf[32];
    assert_int_equal(crc32c(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(crc32c_portable(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(crc32c(0, "", 0), 0);
    /* RFC 3720 B.4 */
    memset(buf, 0, sizeof buf);
    assert_int_equal(crc32c(0, buf, 32), 0x8A9136AAu);
    memset(buf, 0xff, sizeof buf);
    assert_int_equal(crc32c(0, buf, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++) buf[i] = (uint8_t)i;
    assert_int_equal(crc32c(0, buf, 32), 0x46DD794Eu);
    assert_int_equal(crc32c_portable(0, buf, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++) buf[i] = (uint8_t)(31 - i);
    assert_int_equal(crc32c(0, buf, 32), 0x113FDB5Cu);
    /* iSCSI SCSI Read (10) command PDU */
    static const uint8_t pdu[48] = {0x01, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                    0x14, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x18,
                                    0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(crc32c(0, pdu, sizeof pdu), 0xD9963A56u);
}

static void test_paths_agree_with_the_reference(void **state)
{
    (void)state;
    const size_t max = 3 * 4096 * 3 + 100;
    uint8_t *buf = malloc(max + 16);
    assert_non_null(buf);
    tfx_fill(buf, max + 16, 0xC5C, 1);
    uint64_t rnd = 12345;
    print_message("hardware CRC32C: %s\n", crc32c_hw() ? "yes" : "no (both paths are the table)");
    /* Every length up to 300, then random lengths up to several interleaving blocks, and the
     * lengths around each block boundary, at every alignment 0..7. */
    size_t lens[600];
    size_t n = 0;
    for (size_t l = 0; l <= 300; l++) lens[n++] = l;
    for (int b = 1; b <= 3; b++)
        for (int d = -9; d <= 9; d++) lens[n++] = (size_t)(3 * 4096 * b + d);
    while (n < 600) lens[n++] = (size_t)tfx_rand_below(&rnd, max);
    for (size_t i = 0; i < n; i++) {
        size_t off = i % 8;
        uint32_t seed = (uint32_t)tfx_rand(&rnd);
        uint32_t want = reference(seed, buf + off, lens[i]);
        uint32_t hw = crc32c(seed, buf + off, lens[i]);
        uint32_t sw = crc32c_portable(seed, buf + off, lens[i]);
        if (hw != want || sw != want)
            fail_msg("length %zu offset %zu seed %08x: reference %08x, crc32c %08x, portable %08x", lens[i], off, seed,
                     want, hw, sw);
    }
    free(buf);
}

static void test_extending_over_pieces_equals_one_pass(void **state)
{
    (void)state;
    uint8_t buf[20000];
    uint64_t rnd = 99;
    tfx_fill(buf, sizeof buf, 7, 7);
    uint32_t whole = crc32c(0, buf, sizeof buf);
    for (int round = 0; round < 200; round++) {
        size_t a = (size_t)tfx_rand_below(&rnd, sizeof buf), b = (size_t)tfx_rand_below(&rnd, sizeof buf);
        if (a > b) {
            size_t t = a;
            a = b;
            b = t;
        }
        uint32_t c = crc32c(0, buf, a);
        c = crc32c(c, buf + a, b - a);
        c = crc32c_portable(c, buf + b, sizeof buf - b);
        assert_int_equal(c, whole);
    }
    /* A flipped bit always changes it. */
    for (size_t i = 0; i < sizeof buf; i += 97) {
        buf[i] ^= 0x10;
        assert_true(crc32c(0, buf, sizeof buf) != whole);
        buf[i] ^= 0x10;
    }
}

/* crc32c_x3: three buffers at once (the backup read path's page checks) equal three passes, at
 * any length (pages of 4 to 32 KiB less their checksum field, and short ones) and alignment. */
static void test_three_at_once_equals_three_passes(void **state)
{
    (void)state;
    const size_t lens[] = {0, 1, 7, 8, 9, 100, 4092, 8188, 16380, 32764};
    const size_t max = 32768;
    uint8_t *buf = malloc(3 * max + 8);
    assert_non_null(buf);
    tfx_fill(buf, 3 * max + 8, 0x3A3, 5);
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
        for (size_t off = 0; off < 8; off += 3) {
            const uint8_t *a = buf + off, *b = buf + max + 1, *c = buf + 2 * max + 4 - off;
            uint32_t out[3];
            crc32c_x3(a, b, c, lens[i], out);
            assert_int_equal(out[0], reference(0, a, lens[i]));
            assert_int_equal(out[1], reference(0, b, lens[i]));
            assert_int_equal(out[2], reference(0, c, lens[i]));
        }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vectors),
        cmocka_unit_test(test_paths_agree_with_the_reference),
        cmocka_unit_test(test_extending_over_pieces_equals_one_pass),
        cmocka_unit_test(test_three_at_once_equals_three_passes),
    };
    return cmocka_run_group_tests_name("crc32c", tests, NULL, NULL);
}
