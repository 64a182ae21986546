/*
 * test_range.c — the Range / If-Range parser and the multipart layout (server/range.c).
 * The expected answers are nginx's for the same headers (see range.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../server/range.h"

static enum hc_range_outcome parse(const char *h, uint64_t size, struct hc_byte_range *r, size_t *n)
{
    return hc_range_parse(h, size, r, n);
}

static void single_range_is_clamped_to_the_file(void **state)
{
    struct hc_byte_range r[HC_RANGES_MAX];
    size_t n;
    assert_int_equal(parse("bytes=0-99", 1000, r, &n), HC_RANGE_PARTIAL);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].start, 0);
    assert_int_equal(r[0].end, 100);
    assert_int_equal(parse("bytes=900-5000", 1000, r, &n), HC_RANGE_PARTIAL);
    assert_int_equal(r[0].start, 900);
    assert_int_equal(r[0].end, 1000);
}

static void open_and_suffix_ranges(void **state)
{
    struct hc_byte_range r[HC_RANGES_MAX];
    size_t n;
    assert_int_equal(parse("bytes=500-", 1000, r, &n), HC_RANGE_PARTIAL);
    assert_int_equal(r[0].start, 500);
    assert_int_equal(r[0].end, 1000);
    assert_int_equal(parse("bytes=-100", 1000, r, &n), HC_RANGE_PARTIAL);
    assert_int_equal(r[0].start, 900);
    assert_int_equal(r[0].end, 1000);
    assert_int_equal(parse("bytes=-5000", 1000, r, &n), HC_RANGE_PARTIAL); /* whole file */
    assert_int_equal(r[0].start, 0);
    assert_int_equal(r[0].end, 1000);
}

static void several_ranges_keep_their_order(void **state)
{
    struct hc_byte_range r[HC_RANGES_MAX];
    size_t n;
    assert_int_equal(parse("bytes=500-599, 0-9 ,-10", 1000, r, &n), HC_RANGE_PARTIAL);
    assert_int_equal(n, 3);
    assert_int_equal(r[0].start, 500);
    assert_int_equal(r[1].end, 10);
    assert_int_equal(r[2].start, 990);
}

static void unsatisfiable_and_malformed_give_416(void **state)
{
    struct hc_byte_range r[HC_RANGES_MAX];
    size_t n;
    assert_int_equal(parse("bytes=1000-", 1000, r, &n), HC_RANGE_UNSATISFIABLE);
    assert_int_equal(parse("bytes=2000-3000", 1000, r, &n), HC_RANGE_UNSATISFIABLE);
    assert_int_equal(parse("bytes=5-3", 1000, r, &n), HC_RANGE_UNSATISFIABLE);
    assert_int_equal(parse("bytes=abc", 1000, r, &n), HC_RANGE_UNSATISFIABLE);
    assert_int_equal(parse("bytes=0-1,", 1000, r, &n), HC_RANGE_UNSATISFIABLE);
    assert_int_equal(parse("bytes=-0", 1000, r, &n), HC_RANGE_UNSATISFIABLE);
    assert_int_equal(parse("bytes=99999999999999999999-", 1000, r, &n), HC_RANGE_UNSATISFIABLE);
    assert_int_equal(parse("bytes=0-1x", 1000, r, &n), HC_RANGE_UNSATISFIABLE);
}

static void other_units_and_empty_files_are_ignored(void **state)
{
    struct hc_byte_range r[HC_RANGES_MAX];
    size_t n;
    assert_int_equal(parse(NULL, 1000, r, &n), HC_RANGE_WHOLE);
    assert_int_equal(parse("items=0-1", 1000, r, &n), HC_RANGE_WHOLE);
    assert_int_equal(parse("bytes=", 1000, r, &n), HC_RANGE_WHOLE);
    assert_int_equal(parse("BYTES=0-0", 1000, r, &n), HC_RANGE_PARTIAL);
    assert_int_equal(parse("bytes=0-", 0, r, &n), HC_RANGE_WHOLE);
    assert_int_equal(parse("bytes=-5", 0, r, &n), HC_RANGE_WHOLE);
}

static void too_many_or_overlapping_ranges_fall_back_to_200(void **state)
{
    struct hc_byte_range r[HC_RANGES_MAX];
    size_t n;
    char h[512] = "bytes=";
    for (int i = 0; i < HC_RANGES_MAX; i++) sprintf(h + strlen(h), "%s%d-%d", i ? "," : "", i * 10, i * 10 + 1);
    assert_int_equal(parse(h, 1000, r, &n), HC_RANGE_PARTIAL);
    assert_int_equal(n, HC_RANGES_MAX);
    strcat(h, ",900-901");
    assert_int_equal(parse(h, 1000, r, &n), HC_RANGE_WHOLE);
    assert_int_equal(parse("bytes=0-999,0-999", 1000, r, &n), HC_RANGE_WHOLE);
}

/* Found by fuzz/fuzz_range.c: near INT64_MAX the sum of two ranges overflowed (signed). */
static void ranges_of_a_huge_file_add_up_without_overflow(void **state)
{
    struct hc_byte_range r[HC_RANGES_MAX];
    size_t n;
    const uint64_t huge = (uint64_t)INT64_MAX - 3;
    assert_int_equal(parse("bytes=3-,10-", huge, r, &n), HC_RANGE_WHOLE);
    assert_int_equal(parse("bytes=0-9,-10", huge, r, &n), HC_RANGE_PARTIAL);
    assert_int_equal(n, 2);
    assert_true(r[1].end == huge && r[1].start == huge - 10);
}

/* The Content-Range of an upload: strict digits, END < TOTAL, no overflow (it was read with
 * sscanf, which took "-1" as 2^64 - 1 and spaces or '+' inside the numbers). */
static void content_range_of_uploads(void **state)
{
    uint64_t s, e, t;
    assert_true(hc_content_range_parse("bytes 0-99/100", &s, &e, &t));
    assert_true(s == 0 && e == 99 && t == 100);
    assert_true(hc_content_range_parse("Bytes 100-199/*", &s, &e, &t));
    assert_true(s == 100 && e == 199 && t == 0);
    assert_true(hc_content_range_parse("bytes 9223372036854775806-9223372036854775806/9223372036854775807", &s, &e, &t));
    const char *refused[] = {"bytes 0--1/*", "bytes -1-5/10", "bytes +0-5/10", "bytes 0- 5/10", "bytes 5-4/10",
                             "bytes 0-10/10", "bytes 0-5/0", "bytes 0-5/10 ", "bytes 0-5", "bytes */10",
                             "items 0-5/10", "bytes 0-18446744073709551616/*", "bytes 0-9223372036854775808/*",
                             "bytes 0-5/10x", ""};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (hc_content_range_parse(refused[i], &s, &e, &t)) fail_msg("accepted \"%s\"", refused[i]);
    assert_false(hc_content_range_parse(NULL, &s, &e, &t));
}

static void if_range_matches_etag_or_exact_date(void **state)
{
    time_t lm = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
    assert_true(hc_if_range_matches(NULL, "\"a\"", lm));
    assert_true(hc_if_range_matches("\"a\"", "\"a\"", lm));
    assert_false(hc_if_range_matches("\"b\"", "\"a\"", lm));
    assert_false(hc_if_range_matches("W/\"a\"", "\"a\"", lm));
    assert_true(hc_if_range_matches("Sun, 06 Nov 1994 08:49:37 GMT", "\"a\"", lm));
    assert_true(hc_if_range_matches("Sunday, 06-Nov-94 08:49:37 GMT", "\"a\"", lm));
    assert_true(hc_if_range_matches("Sun Nov  6 08:49:37 1994", "\"a\"", lm));
    assert_false(hc_if_range_matches("Sun, 06 Nov 1994 08:49:38 GMT", "\"a\"", lm));
    assert_false(hc_if_range_matches("yesterday", "\"a\"", lm));
}

static void http_date_round_trips(void **state)
{
    char buf[HC_HTTP_DATE_LEN + 1];
    hc_http_date_format(784111777, buf);
    assert_string_equal(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_int_equal(hc_http_date_parse(buf), 784111777);
}

static void multipart_length_counts_every_byte(void **state)
{
    struct hc_multipart mp = {.boundary = "00000000000000000042",
                              .part_type = "application/octet-stream",
                              .size = 1000};
    struct hc_byte_range r[2] = {{0, 10}, {990, 1000}};
    char h0[256], h1[256], tr[64];
    size_t l0 = hc_multipart_part_header(&mp, &r[0], h0, sizeof h0);
    size_t l1 = hc_multipart_part_header(&mp, &r[1], h1, sizeof h1);
    size_t lt = hc_multipart_trailer(&mp, tr, sizeof tr);
    assert_string_equal(h0, "\r\n--00000000000000000042\r\nContent-Type: application/octet-stream"
                            "\r\nContent-Range: bytes 0-9/1000\r\n\r\n");
    assert_string_equal(tr, "\r\n--00000000000000000042--\r\n");
    assert_int_equal(hc_multipart_length(&mp, r, 2), l0 + l1 + lt + 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_range_is_clamped_to_the_file),
        cmocka_unit_test(open_and_suffix_ranges),
        cmocka_unit_test(several_ranges_keep_their_order),
        cmocka_unit_test(unsatisfiable_and_malformed_give_416),
        cmocka_unit_test(other_units_and_empty_files_are_ignored),
        cmocka_unit_test(too_many_or_overlapping_ranges_fall_back_to_200),
        cmocka_unit_test(ranges_of_a_huge_file_add_up_without_overflow),
        cmocka_unit_test(content_range_of_uploads),
        cmocka_unit_test(if_range_matches_etag_or_exact_date),
        cmocka_unit_test(http_date_round_trips),
        cmocka_unit_test(multipart_length_counts_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
