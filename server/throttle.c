/*
 * throttle.c — the token bucket shared by a backup's uploads and downloads (see throttle.h).
 */
#include "throttle.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

uint64_t hc_bucket_burst(uint64_t rate)
{
    uint64_t burst = rate / 10;
    return burst < HC_THROTTLE_MIN_BURST ? HC_THROTTLE_MIN_BURST : burst;
}

void hc_bucket_init(struct hc_bucket *b, uint64_t rate, int64_t now_us)
{
    b->rate = rate;
    b->tokens = rate ? (double)hc_bucket_burst(rate) : 0;
    b->updated_us = now_us;
}

static void refill(struct hc_bucket *b, int64_t now_us)
{
    if (b->rate == 0) {
        b->tokens = 0;
    } else if (now_us > b->updated_us) {
        double burst = (double)hc_bucket_burst(b->rate);
        b->tokens += (double)(now_us - b->updated_us) * (double)b->rate / 1e6;
        if (b->tokens > burst) b->tokens = burst;
    }
    if (now_us > b->updated_us) b->updated_us = now_us;
}

void hc_bucket_set_rate(struct hc_bucket *b, uint64_t rate, int64_t now_us)
{
    refill(b, now_us);
    b->rate = rate;
    if (rate == 0) {
        b->tokens = 0;
    } else {
        double burst = (double)hc_bucket_burst(rate);
        if (b->tokens > burst) b->tokens = burst;
        if (b->tokens < -(double)rate) b->tokens = -(double)rate; /* at most 1 s of debt */
    }
}

int64_t hc_bucket_take(struct hc_bucket *b, uint64_t n, int64_t now_us)
{
    refill(b, now_us);
    if (b->rate == 0) return 0;
    b->tokens -= (double)n;
    if (b->tokens >= 0) return 0;
    return (int64_t)(-b->tokens * 1e6 / (double)b->rate) + 1;
}

struct hc_throttle {
    atomic_int refs;
    pthread_mutex_t lock; /* guards bucket */
    struct hc_bucket bucket;
};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct hc_throttle *hc_throttle_new(uint64_t rate)
{
    struct hc_throttle *t = calloc(1, sizeof *t);
    if (t == NULL) return NULL;
    atomic_init(&t->refs, 1);
    pthread_mutex_init(&t->lock, NULL);
    hc_bucket_init(&t->bucket, rate, mono_us());
    return t;
}

void hc_throttle_ref(struct hc_throttle *t)
{
    atomic_fetch_add(&t->refs, 1);
}

void hc_throttle_unref(struct hc_throttle *t)
{
    if (t == NULL || atomic_fetch_sub(&t->refs, 1) != 1) return;
    pthread_mutex_destroy(&t->lock);
    free(t);
}

void hc_throttle_set_rate(struct hc_throttle *t, uint64_t rate)
{
    pthread_mutex_lock(&t->lock);
    hc_bucket_set_rate(&t->bucket, rate, mono_us());
    pthread_mutex_unlock(&t->lock);
}

uint64_t hc_throttle_rate(struct hc_throttle *t)
{
    pthread_mutex_lock(&t->lock);
    uint64_t rate = t->bucket.rate;
    pthread_mutex_unlock(&t->lock);
    return rate;
}

void hc_throttle_take(struct hc_throttle *t, uint64_t n)
{
    if (t == NULL) return;
    pthread_mutex_lock(&t->lock);
    int64_t wait = hc_bucket_take(&t->bucket, n, mono_us());
    pthread_mutex_unlock(&t->lock);
    /* Sleep in slices: after each, ask again for nothing (0 bytes), so a rate change (or 0 =
     * unlimited) shortens the wait. */
    while (wait > 0) {
        int64_t slice = wait < HC_THROTTLE_MAX_SLEEP_US ? wait : HC_THROTTLE_MAX_SLEEP_US;
        struct timespec ts = {.tv_sec = slice / 1000000, .tv_nsec = (slice % 1000000) * 1000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&t->lock);
        wait = hc_bucket_take(&t->bucket, 0, mono_us());
        pthread_mutex_unlock(&t->lock);
    }
}
