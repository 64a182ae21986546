/*
 * workload.c — the timed loops of the engine benchmark (contract in workload.h).
 *
 * Threads connect (and warm up) first and report ready; the clock starts when the last one is
 * ready and the main thread releases them all (`go`); the main thread then sleeps for the duration
 * and raises `stop`. Work still in flight when stop is raised completes and is counted (one
 * transaction per thread: negligible over seconds). A failing thread raises `failed` and `stop`, so
 * the others end too.
 */
#include "workload.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "row.h"

#define THREAD_KEY_SHIFT 40 /* thread t writes keys t << 40 | i */
#define READ_BUF 4096

struct run {
    const struct store_ops *ops;
    struct store *st;
    const struct workload_params *p;
    pthread_mutex_t mu; /* guards ready and go */
    pthread_cond_t cv;
    unsigned ready;
    int go;
    atomic_int stop;
    atomic_int failed;
};

struct worker {
    struct run *run;
    unsigned index;
    pthread_t thread;
    unsigned long long ops, rows;
    struct hist latency;
};

static uint64_t elapsed_ns(double t0, double t1)
{
    return (uint64_t)((t1 - t0) * 1e9);
}

/* Worker side of the start line: counts itself ready and waits for the main thread's go. */
static void start_line(struct run *r)
{
    pthread_mutex_lock(&r->mu);
    r->ready++;
    pthread_cond_broadcast(&r->cv);
    while (!r->go)
        pthread_cond_wait(&r->cv, &r->mu);
    pthread_mutex_unlock(&r->mu);
}

/* Main side: waits for n workers to be ready (or none, when n is 0), then releases them. */
static void release(struct run *r, unsigned n)
{
    pthread_mutex_lock(&r->mu);
    while (r->ready < n)
        pthread_cond_wait(&r->cv, &r->mu);
    r->go = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void sleep_seconds(double s)
{
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void *tx_main(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->run;
    struct store_conn *c = NULL;
    unsigned long n = r->p->rows_per_tx;
    uint64_t next = (uint64_t)w->index << THREAD_KEY_SHIFT;
    uint64_t *keys = malloc(n * sizeof *keys);
    if (!keys || r->ops->connect(r->st, &c)) atomic_store(&r->failed, 1);
    start_line(r);
    while (!atomic_load(&r->failed) && !atomic_load(&r->stop)) {
        for (unsigned long i = 0; i < n; i++)
            keys[i] = next++;
        double t0 = measure_now();
        if (r->ops->insert(c, keys, n)) {
            atomic_store(&r->failed, 1);
            break;
        }
        hist_add(&w->latency, elapsed_ns(t0, measure_now()));
        w->ops++;
        w->rows += n;
    }
    if (c) r->ops->disconnect(c);
    free(keys);
    return NULL;
}

static void *read_main(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->run;
    struct store_conn *c = NULL;
    uint8_t buf[READ_BUF];
    uint64_t rng = r->p->seed + w->index;
    if (r->ops->connect(r->st, &c)) atomic_store(&r->failed, 1);
    /* Warm-up, untimed: fills the cache as the timed phase will find it. */
    for (unsigned long long i = 0; i < r->p->warmup && !atomic_load(&r->failed); i++) {
        size_t len = 0;
        uint64_t key = rng_below(&rng, r->p->rows);
        if (r->ops->read(c, key, buf, sizeof buf, &len) != 0 || !row_check(key, buf, len)) {
            fprintf(stderr, "%s: warm-up read of key %llu failed or returned wrong bytes\n",
                    r->ops->name, (unsigned long long)key);
            atomic_store(&r->failed, 1);
        }
    }
    start_line(r);
    while (!atomic_load(&r->failed) && !atomic_load(&r->stop)) {
        size_t len = 0;
        uint64_t key = rng_below(&rng, r->p->rows);
        double t0 = measure_now();
        int rc = r->ops->read(c, key, buf, sizeof buf, &len);
        hist_add(&w->latency, elapsed_ns(t0, measure_now()));
        if (rc != 0 || !row_check(key, buf, len)) {
            fprintf(stderr, "%s: read of key %llu %s\n", r->ops->name, (unsigned long long)key,
                    rc > 0   ? "found nothing"
                    : rc < 0 ? "failed"
                             : "returned wrong bytes");
            atomic_store(&r->failed, 1);
            break;
        }
        w->ops++;
    }
    if (c) r->ops->disconnect(c);
    return NULL;
}

/* Runs fn on p->threads workers for p->seconds and sums their counts into out. */
static int run_timed(const struct store_ops *ops, struct store *st, const struct workload_params *p,
                     void *(*fn)(void *), struct workload_result *out)
{
    struct run r = {.ops = ops, .st = st, .p = p};
    unsigned started = 0;
    struct worker *w = calloc(p->threads, sizeof *w);
    memset(out, 0, sizeof *out);
    if (!w) return -1;
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv, NULL);
    for (; started < p->threads; started++) {
        w[started].run = &r;
        w[started].index = started;
        if (pthread_create(&w[started].thread, NULL, fn, &w[started]) != 0) {
            fprintf(stderr, "pthread_create failed after %u threads\n", started);
            atomic_store(&r.failed, 1);
            break;
        }
    }
    release(&r, started);
    double t0 = measure_now(), c0 = measure_cpu_seconds();
    for (double left = p->seconds; left > 0 && !atomic_load(&r.failed); left -= 0.1)
        sleep_seconds(left < 0.1 ? left : 0.1);
    atomic_store(&r.stop, 1);
    for (unsigned i = 0; i < started; i++)
        pthread_join(w[i].thread, NULL);
    out->seconds = measure_now() - t0;
    out->cpu_seconds = measure_cpu_seconds() - c0;
    for (unsigned i = 0; i < started; i++) {
        out->ops += w[i].ops;
        out->rows += w[i].rows;
        hist_merge(&out->latency, &w[i].latency);
    }
    pthread_cond_destroy(&r.cv);
    pthread_mutex_destroy(&r.mu);
    free(w);
    return atomic_load(&r.failed) ? -1 : 0;
}

int workload_tx(const struct store_ops *ops, struct store *st, const struct workload_params *p,
                struct workload_result *out)
{
    return run_timed(ops, st, p, tx_main, out);
}

int workload_read(const struct store_ops *ops, struct store *st, const struct workload_params *p,
                  struct workload_result *out)
{
    return run_timed(ops, st, p, read_main, out);
}

int workload_load(const struct store_ops *ops, struct store *st, const struct workload_params *p,
                  struct workload_result *out)
{
    struct store_conn *c;
    int rc = 0;
    uint64_t *keys = malloc(p->rows_per_tx * sizeof *keys);
    memset(out, 0, sizeof *out);
    if (!keys || ops->connect(st, &c)) {
        free(keys);
        return -1;
    }
    double t0 = measure_now(), last_report = t0, c0 = measure_cpu_seconds();
    for (unsigned long long next = 0; next < p->rows && rc == 0;) {
        unsigned long n = 0;
        while (n < p->rows_per_tx && next < p->rows)
            keys[n++] = next++;
        double t1 = measure_now();
        rc = ops->insert(c, keys, n);
        double t2 = measure_now();
        hist_add(&out->latency, elapsed_ns(t1, t2));
        out->ops++;
        out->rows += n;
        if (t2 - last_report >= 10.0) {
            fprintf(stderr, "%s: loaded %llu of %llu rows (%.0f rows/s)\n", ops->name, out->rows,
                    p->rows, (double)out->rows / (t2 - t0));
            last_report = t2;
        }
    }
    out->seconds = measure_now() - t0;
    out->cpu_seconds = measure_cpu_seconds() - c0;
    ops->disconnect(c);
    free(keys);
    return rc;
}
