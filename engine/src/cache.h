/*
 * cache.h — the buffer cache: a fixed number of page frames (JET_paramCacheSizeMax) shared by all
 * databases of an instance, keyed by (dbid, pgno), with clock eviction.
 *
 * Rules:
 *  - Callers hold inst->tree_lock (any mode) around cache_get/cache_put and while they read or
 *    change frame data; page content changes only under the exclusive tree lock. That is what lets
 *    eviction and flushing copy a dirty frame consistently.
 *  - A pinned frame is never evicted. The pages a commit is changing stay pinned until the commit
 *    is logged, so uncommitted changes never reach the file.
 *  - WAL: a dirty frame is written only after log_flush_to(frame->lsn) succeeded.
 *  - Every page read from a file is verified (checksum and number); a failed page is never cached
 *    (JET_errReadVerifyFailure, event 474) unless CG_ALLOW_TORN asks for it (recovery).
 */
#ifndef JET_CACHE_H
#define JET_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "inst.h"

struct frame {
    uint8_t *data;
    uint32_t dbid, pgno;
    uint32_t pins;
    uint8_t state;      /* FR_EMPTY, FR_LOADING, FR_VALID */
    uint8_t dirty;      /* changed since last written */
    uint8_t writing;    /* a write of it is in flight */
    uint8_t ref;        /* clock bit */
    uint8_t torn;       /* recovery: the file copy failed verification, content is garbage */
    uint32_t fpi_epoch; /* checkpoint epoch of its last full page image in the log */
    uint64_t lsn;       /* log position that must be durable before it is written */
    uint64_t rec_lsn;   /* log position at which it first became dirty */
    struct frame *hnext;
};

enum { CG_READ = 0, CG_NEW = 1, CG_ALLOW_TORN = 2 };

/* nframes >= 16. */
JET_ERR cache_new(struct inst *inst, uint32_t pgsz, size_t nframes, struct cache **out);
void cache_free(struct cache *c);
size_t cache_frames(const struct cache *c);

/* Pins the page, reading and verifying it when not cached. CG_NEW: the page is being created:
 * no read, the frame is zeroed (the caller formats it). CG_ALLOW_TORN: a page failing verification
 * is returned with frame->torn set instead of failing. Errors: JET_errReadVerifyFailure,
 * JET_errDiskIO, JET_errOutOfBuffers (every frame pinned). */
JET_ERR cache_get(struct cache *c, struct db *db, uint32_t pgno, int flags, struct frame **out);
void cache_put(struct cache *c, struct frame *fr);
/* Marks a pinned frame changed by a commit whose records end at lsn. */
void cache_set_dirty(struct cache *c, struct frame *fr, uint64_t lsn);
/* Copies the cached page into dst when it is cached and valid: 1, else 0 (backup reads). */
int cache_copy_if_cached(struct cache *c, uint32_t dbid, uint32_t pgno, uint8_t *dst);
/* Writes dirty frames of dbid (0: all) whose rec_lsn < before (UINT64_MAX: all), honouring WAL.
 * hold_shared: take the tree lock shared while copying frames (when the caller holds none; such
 * calls are serialised and share preallocated buffers).
 * Returns the first write error; frames that failed stay dirty. */
JET_ERR cache_flush(struct cache *c, uint32_t dbid, uint64_t before, int hold_shared);
/* Drops every frame of dbid (after a clean detach; frames must be clean and unpinned). */
void cache_drop_db(struct cache *c, uint32_t dbid);
/* The smallest rec_lsn among dirty frames (UINT64_MAX when none). */
uint64_t cache_min_rec_lsn(struct cache *c);
size_t cache_dirty_count(struct cache *c);

#endif
