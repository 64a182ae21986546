/*
 * measure.h — what the benchmark measures besides counting: a monotonic clock, the process's
 * CPU time and peak resident memory, and a latency histogram (log-scale buckets, ~9% wide) that
 * threads fill privately and merge at the end.
 */
#ifndef BENCH_MEASURE_H
#define BENCH_MEASURE_H

#include <stdint.h>

/* Seconds on CLOCK_MONOTONIC. */
double measure_now(void);

/* CPU time (user + system) this process has used so far, in seconds, every thread included. */
double measure_cpu_seconds(void);

/* VmHWM of this process in KiB (peak resident set), or -1 when /proc cannot be read. */
long measure_vmhwm_kib(void);

#define HIST_BUCKETS 256

struct hist {
    uint64_t count[HIST_BUCKETS];
    uint64_t total;
};

/* Records one latency in nanoseconds. */
void hist_add(struct hist *h, uint64_t ns);
/* Adds every sample of src to dst. */
void hist_merge(struct hist *dst, const struct hist *src);
/* The q-quantile (0..1) in microseconds (upper edge of its bucket); 0 when empty. */
double hist_quantile_us(const struct hist *h, double q);

#endif
