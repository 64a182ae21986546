/*
 * throttle.h — a token bucket limiting the bytes per second of one backup's transfers: its offsite
 * upload workers and its HTTP downloads take from the same bucket, so PATCH
 * /api/v1/backups/{id} {"maxBytesPerSecond"} changes both at once, without restarting anything.
 *
 * Two layers:
 *   - struct hc_bucket and its functions are pure (the caller passes the time): the arithmetic,
 *     unit-tested on its own.
 *   - struct hc_throttle wraps a bucket with a mutex, a reference count and a blocking take.
 *
 * Bucket rule: tokens refill at `rate` bytes/s up to a burst of max(rate / 10, 64 KiB) (a tenth
 * of a second of traffic), so a long-idle transfer cannot exceed the rate by more than that.
 * A take of n bytes always succeeds at once and may drive the balance negative (a debt); the
 * caller then sleeps until the debt is repaid. Rate 0 means unlimited: takes never wait and the
 * balance is reset. Changing the rate keeps the debt but clamps it to one second at the new rate,
 * so a slowdown turned off (or raised) takes effect within a fraction of a second.
 */
#ifndef HOTCOPY_SERVER_THROTTLE_H
#define HOTCOPY_SERVER_THROTTLE_H

#include <stdint.h>

#define HC_THROTTLE_MIN_BURST (64 * 1024)
#define HC_THROTTLE_MAX_SLEEP_US 100000 /* a waiter re-reads the rate at least this often */

struct hc_bucket {
    uint64_t rate;      /* bytes per second; 0 = unlimited */
    double tokens;      /* may be negative (debt) */
    int64_t updated_us; /* time of the last refill */
};

/* A bucket with `rate`, full (one burst of tokens) at now_us. */
void hc_bucket_init(struct hc_bucket *b, uint64_t rate, int64_t now_us);
/* Changes the rate at now_us (see the rule above). */
void hc_bucket_set_rate(struct hc_bucket *b, uint64_t rate, int64_t now_us);
/* Takes n bytes at now_us; returns the microseconds the caller should wait (0: go on). */
int64_t hc_bucket_take(struct hc_bucket *b, uint64_t n, int64_t now_us);
/* The burst for a rate (bytes). */
uint64_t hc_bucket_burst(uint64_t rate);

/* A thread-safe, reference-counted bucket. */
struct hc_throttle;

/* NULL when out of memory. One reference for the caller. */
struct hc_throttle *hc_throttle_new(uint64_t rate);
void hc_throttle_ref(struct hc_throttle *t);
void hc_throttle_unref(struct hc_throttle *t); /* NULL is a no-op */
void hc_throttle_set_rate(struct hc_throttle *t, uint64_t rate);
uint64_t hc_throttle_rate(struct hc_throttle *t);
/* Takes n bytes, sleeping (in slices of at most HC_THROTTLE_MAX_SLEEP_US, re-reading the rate)
 * until the bucket allows them. t NULL: returns at once. Any thread. */
void hc_throttle_take(struct hc_throttle *t, uint64_t n);

#endif
