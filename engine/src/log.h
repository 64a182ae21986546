/*
 * log.h — the log writer: appends records to the current generation, makes them durable with
 * group commit, and switches generations.
 *
 * Durability: log_append returns the position just past the appended records; log_flush_to(lsn)
 * returns once every byte before lsn is on disk. Concurrent callers share one write + fdatasync
 * (the first waiter becomes the leader and flushes everything appended so far).
 * Generations: when the next record does not fit, the generation is closed (LR_GEN_END, flushed,
 * edb.log renamed to edbXXXXXXXX.log, directory fsynced) and the prepared spare, with its header
 * already written, is renamed to edb.log. A background thread prepares the next spare (a fully
 * written file, or a recycled old generation under circular logging).
 * A write or fsync failure is sticky: the log is dead, the instance becomes unavailable
 * (inst_set_fatal), and every later append or flush fails (JET_errLogWriteFail, or
 * JET_errLogDiskFull for ENOSPC).
 * Callers of log_append hold the instance's tree lock (any mode): a generation switch reads the
 * attached databases for the new header.
 */
#ifndef JET_LOG_H
#define JET_LOG_H

#include <stdint.h>

#include "dbheader.h"
#include "inst.h"
#include "logfmt.h"

struct log;

/* Opens the log for writing at generation gen: if edb.log exists with that generation, appending
 * continues at append_off (the end of the valid records); otherwise a fresh edb.log of generation
 * gen is created (prev_create_time chains it to the previous one). */
JET_ERR log_open(struct inst *inst, uint32_t gen, uint32_t append_off, int64_t prev_create_time,
                 struct log **out);
/* Flushes and closes; stops the spare thread. */
void log_close(struct log *log);
/* Closes without flushing what was appended but is not yet durable, as a crash would
 * (JetTerm2 with JET_bitTermDirty). */
void log_close_abandon(struct log *log);

/* Appends the records of b (sealing each) and returns the end position. */
JET_ERR log_append(struct log *log, struct lrbuf *b, lgpos_t *end);
JET_ERR log_flush_to(struct log *log, lgpos_t lsn);
/* Appends and flushes. */
JET_ERR log_append_sync(struct log *log, struct lrbuf *b, lgpos_t *end);
/* Closes the current generation and starts the next (JetGetLogInfo's roll, recovery's end).
 * *closed is the generation just closed. The caller holds no tree lock. */
JET_ERR log_roll(struct log *log, uint32_t *closed);

uint32_t log_current_gen(struct log *log);
lgpos_t log_append_pos(struct log *log);
lgpos_t log_durable_pos(struct log *log);
JET_ERR log_dead(struct log *log);
/* Bytes appended since open, and flushes done. */
void log_stats(struct log *log, uint64_t *bytes, uint64_t *flushes);
/* Lowest generation that must not be recycled (a running backup's); 0 = none. */
void log_set_pin(struct log *log, uint32_t gen);
uint32_t log_pin(struct log *log);
/* Circular logging: recycle generations below `below` (the checkpoint's) that are not pinned. */
void log_recycle_below(struct log *log, uint32_t below);
/* Bytes appended since open (the checkpointer's measure of checkpoint depth). */
uint64_t log_volume(struct log *log);
/* The checkpointer's wait for checkpoint depth: blocks until the appended volume reaches `at`,
 * timeout_us passes, or log_volume_wake is called (now, or before this call since the last wait
 * returned). The appender signals under the log's mutex, so no wake-up is lost. Returns 1 when
 * the volume has reached `at`, else 0. One waiter at a time. */
int log_wait_volume(struct log *log, uint64_t at, int64_t timeout_us);
/* Makes the current or next log_wait_volume return at once (the checkpointer's stop). */
void log_volume_wake(struct log *log);
#endif
