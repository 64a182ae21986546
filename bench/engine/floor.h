/*
 * floor.h — the disk's floor for durable commits, measured in the same run as the engines: one
 * thread appends small blocks (BENCH_FLOOR_BLOCK bytes, about one commit's log record) inside an
 * already written and synced file and fdatasyncs after each, as a log writer with preallocated
 * generations does. No engine can commit one transaction at a time faster than this.
 */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#include "workload.h"

#define BENCH_FLOOR_BLOCK 512

/* Runs for p->seconds in directory dir (created when missing; its file removed at the end).
 * out->ops counts fdatasyncs. Returns 0, or -1 after printing the failed call. */
int floor_fsync(const char *dir, const struct workload_params *p, struct workload_result *out);

#endif
