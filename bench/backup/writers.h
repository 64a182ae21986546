/*
 * writers.h — the foreground write load of the backup benchmark: threads, each with its own
 * session, committing one-row durable transactions into the `load` table as fast as they can,
 * counting their commits. Keys are unique per run (the run's start time, the thread, a counter),
 * so runs against the same database never collide.
 */
#ifndef BENCH_WRITERS_H
#define BENCH_WRITERS_H

#include <stdint.h>

#include "jetenv.h"

struct writers;

/* Starts n threads (n may be 0: then nothing runs and the count stays 0). NULL on failure. */
struct writers *writers_start(struct jetenv *env, unsigned n);
/* Commits made so far by all threads. */
uint64_t writers_commits(struct writers *w);
/* Stops and joins the threads; returns -1 when one of them failed. */
int writers_stop(struct writers *w);

#endif
