/*
 * test_loadgen.c — the load generator's record format (server/loadrec.c): CRC32C, and a record
 * that verifies only under its own sequence number and with every byte intact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../server/loadgen.h"

static void crc32c_matches_the_standard_check_value(void **state)
{
    assert_int_equal(hc_crc32c("123456789", 9), 0xE3069283u);
    assert_int_equal(hc_crc32c("", 0), 0);
}

static void a_record_verifies_under_its_own_sequence_only(void **state)
{
    unsigned char rec[HC_LOAD_RECORD_SIZE];
    hc_load_record(42, 1700000000000000, rec);
    assert_true(hc_load_record_ok(42, rec, sizeof rec));
    assert_false(hc_load_record_ok(43, rec, sizeof rec));
    assert_false(hc_load_record_ok(42, rec, sizeof rec - 1));
}

static void any_flipped_byte_is_detected(void **state)
{
    unsigned char rec[HC_LOAD_RECORD_SIZE];
    hc_load_record(7, 123, rec);
    for (size_t i = 0; i < sizeof rec; i++) {
        rec[i] ^= 0x10;
        assert_false(hc_load_record_ok(7, rec, sizeof rec));
        rec[i] ^= 0x10;
    }
    assert_true(hc_load_record_ok(7, rec, sizeof rec));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc32c_matches_the_standard_check_value),
        cmocka_unit_test(a_record_verifies_under_its_own_sequence_only),
        cmocka_unit_test(any_flipped_byte_is_detected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
