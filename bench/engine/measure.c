/*
 * measure.c — clock, peak memory and latency histogram (contract in measure.h).
 * Bucket b covers latencies below 2^(b/8) ns, so 256 buckets reach 2^32 ns (~4.3 s); longer
 * ones land in the last bucket.
 */
#include "measure.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

double measure_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double measure_cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0.0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long measure_vmhwm_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) {
            if (sscanf(line + 6, "%ld", &kib) != 1) kib = -1;
            break;
        }
    fclose(f);
    return kib;
}

static unsigned bucket_of(uint64_t ns)
{
    if (ns < 2) return 0;
    double b = ceil(log2((double)ns) * 8.0);
    return b >= HIST_BUCKETS ? HIST_BUCKETS - 1 : (unsigned)b;
}

void hist_add(struct hist *h, uint64_t ns)
{
    h->count[bucket_of(ns)]++;
    h->total++;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
    for (unsigned b = 0; b < HIST_BUCKETS; b++)
        dst->count[b] += src->count[b];
    dst->total += src->total;
}

double hist_quantile_us(const struct hist *h, double q)
{
    if (h->total == 0) return 0.0;
    uint64_t want = (uint64_t)ceil(q * (double)h->total), seen = 0;
    if (want == 0) want = 1;
    for (unsigned b = 0; b < HIST_BUCKETS; b++) {
        seen += h->count[b];
        if (seen >= want) return exp2((double)b / 8.0) / 1000.0;
    }
    return exp2((double)(HIST_BUCKETS - 1) / 8.0) / 1000.0;
}
