/*
 * workload.h — the engine benchmark's workloads, written once against store.h so libjet and
 * SQLite run exactly the same loop:
 *   workload_tx    T threads, each with its own connection, insert rows in transactions of R rows
 *                  for a fixed time (thread t writes ascending keys t<<40 | i, so writers never
 *                  conflict); counts transactions and records each commit's latency.
 *   workload_load  one thread inserts keys 0..N-1 in ascending order in transactions of B rows.
 *   workload_read  T threads run random point reads (uniform keys in [0, N), fixed seed per
 *                  thread) for a fixed time after an untimed warm-up; every payload is checked.
 */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include <stdint.h>

#include "measure.h"
#include "store.h"

struct workload_params {
    unsigned threads;
    unsigned long rows_per_tx; /* tx and load */
    unsigned long long rows;   /* load: rows to insert; read: rows in the table */
    double seconds;            /* tx and read: timed duration */
    unsigned long long warmup; /* read: untimed reads per thread before timing */
    uint64_t seed;             /* read: base seed (thread t uses seed + t) */
};

struct workload_result {
    unsigned long long ops;  /* transactions (tx, load) or reads (read) */
    unsigned long long rows; /* rows written (tx, load) */
    double seconds;          /* measured time */
    double cpu_seconds;      /* CPU time of the whole process (all its threads) in that time */
    struct hist latency;     /* per transaction or per read */
};

/* Each returns 0, or -1 when the engine failed (the failing call is printed). */
int workload_tx(const struct store_ops *ops, struct store *st, const struct workload_params *p,
                struct workload_result *out);
int workload_load(const struct store_ops *ops, struct store *st, const struct workload_params *p,
                  struct workload_result *out);
int workload_read(const struct store_ops *ops, struct store *st, const struct workload_params *p,
                  struct workload_result *out);

#endif
