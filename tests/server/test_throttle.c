/*
 * test_throttle.c — the token bucket (server/throttle.c): the pure arithmetic with an explicit
 * clock, and the blocking take measured against the wall clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>

#include "../../server/throttle.h"

#define MIB (1024 * 1024)
#define SEC 1000000

static void an_unlimited_bucket_never_waits(void **state)
{
    struct hc_bucket b;
    hc_bucket_init(&b, 0, 0);
    for (int i = 0; i < 100; i++) assert_int_equal(hc_bucket_take(&b, 100 * MIB, 0), 0);
}

static void the_burst_is_free_then_the_rate_paces(void **state)
{
    struct hc_bucket b;
    hc_bucket_init(&b, 10 * MIB, 0);          /* burst: 1 MiB */
    assert_int_equal(hc_bucket_burst(10 * MIB), MIB);
    assert_int_equal(hc_bucket_take(&b, MIB, 0), 0); /* the burst */
    int64_t wait = hc_bucket_take(&b, 10 * MIB, 0);  /* 10 MiB of debt at 10 MiB/s: 1 s */
    assert_in_range(wait, SEC - 10, SEC + 10);
    /* after the wait the debt is repaid: the next take of 0 waits no more */
    assert_int_equal(hc_bucket_take(&b, 0, wait), 0);
}

static void idle_time_refills_only_up_to_the_burst(void **state)
{
    struct hc_bucket b;
    hc_bucket_init(&b, 10 * MIB, 0);
    hc_bucket_take(&b, MIB, 0);
    /* an hour idle: still only one burst (1 MiB) may pass without waiting */
    assert_int_equal(hc_bucket_take(&b, MIB, 3600LL * SEC), 0);
    assert_true(hc_bucket_take(&b, MIB, 3600LL * SEC) > 0);
}

static void the_long_run_rate_is_the_configured_rate(void **state)
{
    struct hc_bucket b;
    int64_t now = 0;
    hc_bucket_init(&b, 4 * MIB, 0);
    uint64_t sent = 0;
    while (sent < 40ull * MIB) { /* 8 MiB parts, as the uploader sends them */
        now += hc_bucket_take(&b, 8 * MIB, now);
        sent += 8 * MIB;
    }
    /* 40 MiB at 4 MiB/s is 10 s, less the initial burst */
    assert_in_range(now, 9 * SEC, 10 * SEC + 1000);
}

static void lifting_the_limit_ends_the_wait(void **state)
{
    struct hc_bucket b;
    hc_bucket_init(&b, MIB, 0);
    assert_true(hc_bucket_take(&b, 50 * MIB, 0) > 10 * SEC);
    hc_bucket_set_rate(&b, 0, 1000);
    assert_int_equal(hc_bucket_take(&b, 0, 1000), 0);
}

static void raising_the_rate_caps_the_debt_at_one_second(void **state)
{
    struct hc_bucket b;
    hc_bucket_init(&b, MIB, 0);
    assert_true(hc_bucket_take(&b, 100 * MIB, 0) > 90 * SEC);
    hc_bucket_set_rate(&b, 10 * MIB, 0);
    int64_t wait = hc_bucket_take(&b, 0, 0);
    assert_in_range(wait, 1, SEC + 10);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void a_blocking_take_sleeps_for_the_debt(void **state)
{
    struct hc_throttle *t = hc_throttle_new(2 * MIB); /* burst 256 KiB... min 64 KiB */
    assert_non_null(t);
    double t0 = now_s();
    hc_throttle_take(t, MIB / 4 + MIB / 2); /* burst + 0.25 s worth of debt */
    double took = now_s() - t0;
    assert_true(took >= 0.2 && took < 2.0); /* the upper bound allows a busy machine's stalls */
    assert_int_equal(hc_throttle_rate(t), 2 * MIB);
    hc_throttle_set_rate(t, 0);
    t0 = now_s();
    hc_throttle_take(t, 1000ull * MIB);
    assert_true(now_s() - t0 < 0.5);
    hc_throttle_unref(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_unlimited_bucket_never_waits),
        cmocka_unit_test(the_burst_is_free_then_the_rate_paces),
        cmocka_unit_test(idle_time_refills_only_up_to_the_burst),
        cmocka_unit_test(the_long_run_rate_is_the_configured_rate),
        cmocka_unit_test(lifting_the_limit_ends_the_wait),
        cmocka_unit_test(raising_the_rate_caps_the_debt_at_one_second),
        cmocka_unit_test(a_blocking_take_sleeps_for_the_debt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
