/*
 * cache.c — the buffer pool (contract in cache.h).
 *
 * Frames live in one array; a chained hash maps (dbid, pgno) to frames; a clock hand picks
 * victims among unpinned frames, preferring clean ones. Loading a page marks its frame LOADING so
 * concurrent readers of the same page wait on `cv` instead of reading it twice.
 * Locking: c->mu guards every frame's bookkeeping fields and the hash; frame data is guarded by
 * the instance's tree lock, which every caller holds (see cache.h), so a dirty frame can be copied
 * for writing under c->mu without tearing. Writes happen outside c->mu with `writing` set, which
 * keeps the frame from being evicted or written twice at once.
 */
#include "cache.h"

#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "log.h"
#include "page.h"

enum { FR_EMPTY = 0, FR_LOADING = 1, FR_VALID = 2 };

#define FLUSH_BATCH 64 /* pages copied and written per round of cache_flush */

struct cache {
    struct inst *inst;
    uint32_t pgsz;
    size_t n;
    struct frame *frames;
    uint8_t *mem;
    struct frame **buckets;
    size_t nbuckets;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t hand;
    size_t ndirty;
    /* cache_flush's work space, allocated once; flush_mu serialises flushes (the checkpointer,
     * detach, term) so they can share it. */
    pthread_mutex_t flush_mu;
    struct frame **flush_list;
    uint8_t *flush_buf;
};

static size_t bucket_of(const struct cache *c, uint32_t dbid, uint32_t pgno)
{
    uint64_t k = ((uint64_t)dbid << 32 | pgno) * 0x9E3779B97F4A7C15ull;
    return (size_t)(k >> 17) % c->nbuckets;
}

static struct frame *lookup(struct cache *c, uint32_t dbid, uint32_t pgno)
{
    for (struct frame *f = c->buckets[bucket_of(c, dbid, pgno)]; f; f = f->hnext)
        if (f->dbid == dbid && f->pgno == pgno && f->state != FR_EMPTY) return f;
    return NULL;
}

static void hash_insert(struct cache *c, struct frame *f)
{
    size_t b = bucket_of(c, f->dbid, f->pgno);
    f->hnext = c->buckets[b];
    c->buckets[b] = f;
}

static void hash_remove(struct cache *c, struct frame *f)
{
    struct frame **pp = &c->buckets[bucket_of(c, f->dbid, f->pgno)];
    while (*pp && *pp != f) pp = &(*pp)->hnext;
    if (*pp) *pp = f->hnext;
    f->hnext = NULL;
}

JET_ERR cache_new(struct inst *inst, uint32_t pgsz, size_t nframes, struct cache **out)
{
    if (nframes < 16) nframes = 16;
    struct cache *c = calloc(1, sizeof *c);
    if (!c) return JET_errOutOfMemory;
    c->inst = inst;
    c->pgsz = pgsz;
    c->n = nframes;
    c->nbuckets = nframes * 2 + 1;
    c->frames = calloc(nframes, sizeof *c->frames);
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (posix_memalign((void **)&c->mem, 4096, nframes * pgsz) != 0) c->mem = NULL;
    if (!c->frames || !c->buckets || !c->mem) {
        free(c->frames);
        free(c->buckets);
        free(c->mem);
        free(c);
        return JET_errOutOfMemory;
    }
    for (size_t i = 0; i < nframes; i++) c->frames[i].data = c->mem + i * pgsz;
    c->flush_list = malloc(nframes * sizeof *c->flush_list);
    if (posix_memalign((void **)&c->flush_buf, 4096, (size_t)FLUSH_BATCH * pgsz) != 0) c->flush_buf = NULL;
    if (!c->flush_list || !c->flush_buf) {
        free(c->flush_list);
        free(c->flush_buf);
        free(c->frames);
        free(c->buckets);
        free(c->mem);
        free(c);
        return JET_errOutOfMemory;
    }
    pthread_mutex_init(&c->flush_mu, NULL);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    *out = c;
    return JET_errSuccess;
}

void cache_free(struct cache *c)
{
    if (!c) return;
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->flush_mu);
    pthread_cond_destroy(&c->cv);
    free(c->flush_list);
    free(c->flush_buf);
    free(c->frames);
    free(c->buckets);
    free(c->mem);
    free(c);
}

size_t cache_frames(const struct cache *c) { return c->n; }

/* A write of f failed: it is dirty again since its oldest unwritten change, rec_lsn (a change made
 * while the write ran may have set a later one). c->mu held. */
static void redirty(struct cache *c, struct frame *f, uint64_t rec_lsn)
{
    if (!f->dirty) {
        f->dirty = 1;
        c->ndirty++;
        f->rec_lsn = rec_lsn;
    } else if (rec_lsn < f->rec_lsn) {
        f->rec_lsn = rec_lsn;
    }
}

/* Writes one frame (c->mu held on entry and exit; dropped during I/O). */
static JET_ERR write_frame(struct cache *c, struct frame *f)
{
    uint8_t buf[PAGE_SIZE_MAX];
    struct db *db = c->inst->dbs[f->dbid];
    JET_ERR err = JET_errSuccess;
    if (!db || !db->file) return JET_errDatabaseNotFound;
    f->writing = 1;
    f->dirty = 0;
    c->ndirty--;
    memcpy(buf, f->data, c->pgsz);
    uint64_t lsn = f->lsn, rec_lsn = f->rec_lsn;
    uint32_t pgno = f->pgno;
    pthread_mutex_unlock(&c->mu);
    if (c->inst->log) err = log_flush_to(c->inst->log, lsn);
    if (err >= 0) {
        page_seal(buf, c->pgsz);
        err = os_pwrite(db->file, buf, c->pgsz, (uint64_t)pgno * c->pgsz);
    }
    pthread_mutex_lock(&c->mu);
    f->writing = 0;
    if (err < 0) redirty(c, f, rec_lsn);
    pthread_cond_broadcast(&c->cv);
    return err;
}

/* Finds a frame to reuse; may write a dirty victim (dropping c->mu). Returns NULL with *err set
 * when every frame is pinned or busy, or the write of a victim failed. */
static struct frame *find_victim(struct cache *c, JET_ERR *err)
{
    for (int round = 0; round < 4; round++) {
        struct frame *dirty = NULL;
        for (size_t step = 0; step < 2 * c->n; step++) {
            struct frame *f = &c->frames[c->hand];
            c->hand = (c->hand + 1) % c->n;
            if (f->state == FR_EMPTY) return f;
            if (f->pins || f->state == FR_LOADING || f->writing) continue;
            if (f->ref) {
                f->ref = 0;
                continue;
            }
            if (!f->dirty) return f;
            if (!dirty) dirty = f;
        }
        if (!dirty) break;
        *err = write_frame(c, dirty);
        if (*err < 0) return NULL;
        if (!dirty->pins && !dirty->dirty && !dirty->writing && dirty->state == FR_VALID) return dirty;
    }
    *err = JET_errOutOfBuffers;
    return NULL;
}

JET_ERR cache_get(struct cache *c, struct db *db, uint32_t pgno, int flags, struct frame **out)
{
    JET_ERR err = JET_errSuccess;
    struct frame *f;
    *out = NULL;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        f = lookup(c, db->dbid, pgno);
        if (f) {
            if (f->state == FR_LOADING) {
                pthread_cond_wait(&c->cv, &c->mu);
                continue;
            }
            f->pins++;
            f->ref = 1;
            if (flags & CG_NEW) {
                memset(f->data, 0, c->pgsz);
                f->torn = 0;
            }
            pthread_mutex_unlock(&c->mu);
            *out = f;
            return JET_errSuccess;
        }
        f = find_victim(c, &err);
        if (!f) {
            pthread_mutex_unlock(&c->mu);
            return err;
        }
        /* The victim search may have dropped the mutex: someone may have loaded the page. */
        if (lookup(c, db->dbid, pgno)) continue;
        break;
    }
    if (f->state != FR_EMPTY) hash_remove(c, f);
    f->dbid = db->dbid;
    f->pgno = pgno;
    f->pins = 1;
    f->ref = 1;
    f->dirty = 0;
    f->torn = 0;
    f->lsn = f->rec_lsn = 0;
    f->fpi_epoch = 0; /* unknown: the next change logs a full image */
    hash_insert(c, f);
    if (flags & CG_NEW) {
        memset(f->data, 0, c->pgsz);
        f->state = FR_VALID;
        pthread_mutex_unlock(&c->mu);
        *out = f;
        return JET_errSuccess;
    }
    f->state = FR_LOADING;
    pthread_mutex_unlock(&c->mu);

    size_t got = 0;
    err = os_pread(db->file, f->data, c->pgsz, (uint64_t)pgno * c->pgsz, &got);
    if (err >= 0 && got < c->pgsz) memset(f->data + got, 0, c->pgsz - got);
    if (err >= 0 && page_verify(f->data, c->pgsz, pgno) < 0) {
        if (flags & CG_ALLOW_TORN)
            f->torn = 1;
        else
            err = JET_errReadVerifyFailure;
    } else if (err >= 0 && page_check(f->data, c->pgsz) < 0) {
        err = (flags & CG_ALLOW_TORN) ? JET_errSuccess : JET_errDatabaseCorrupted;
        f->torn = (flags & CG_ALLOW_TORN) != 0;
    }

    pthread_mutex_lock(&c->mu);
    if (err < 0) {
        hash_remove(c, f);
        f->state = FR_EMPTY;
        f->pins = 0;
    } else {
        f->state = FR_VALID;
    }
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (err == JET_errDatabaseCorrupted)
        event_log(c->inst, EV_PAGE_CHECKSUM, JET_XEVENT_ERROR, 0, err,
                  "Database %s: page %u has a valid checksum but a damaged structure and was not used.",
                  db->path, pgno);
    if (err == JET_errReadVerifyFailure)
        event_log(c->inst, EV_PAGE_CHECKSUM, JET_XEVENT_ERROR, 0, err,
                  "Database %s: page %u failed verification (checksum or page number mismatch) "
                  "and was not used.",
                  db->path, pgno);
    if (err < 0) return err;
    *out = f;
    return JET_errSuccess;
}

void cache_put(struct cache *c, struct frame *f)
{
    pthread_mutex_lock(&c->mu);
    f->pins--;
    pthread_mutex_unlock(&c->mu);
}

void cache_set_dirty(struct cache *c, struct frame *f, uint64_t lsn)
{
    pthread_mutex_lock(&c->mu);
    if (!f->dirty) {
        f->dirty = 1;
        f->rec_lsn = lsn;
        c->ndirty++;
    }
    f->lsn = lsn;
    pthread_mutex_unlock(&c->mu);
}

int cache_copy_if_cached(struct cache *c, uint32_t dbid, uint32_t pgno, uint8_t *dst)
{
    int hit = 0;
    pthread_mutex_lock(&c->mu);
    struct frame *f = lookup(c, dbid, pgno);
    if (f && f->state == FR_VALID && !f->torn) {
        memcpy(dst, f->data, c->pgsz);
        hit = 1;
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

static int cmp_frame_pgno(const void *a, const void *b)
{
    const struct frame *fa = *(struct frame *const *)a, *fb = *(struct frame *const *)b;
    if (fa->dbid != fb->dbid) return fa->dbid < fb->dbid ? -1 : 1;
    return fa->pgno < fb->pgno ? -1 : fa->pgno > fb->pgno;
}


JET_ERR cache_flush(struct cache *c, uint32_t dbid, uint64_t before, int hold_shared)
{
    /* The shared work space is for callers that hold no tree lock (the checkpointer: flush_mu is
     * taken before the tree lock); a caller holding the tree lock (detach, term, recovery) gets
     * its own, so the two lock orders never meet. */
    struct frame **list;
    uint8_t *buf;
    JET_ERR first_err = JET_errSuccess;
    if (hold_shared) {
        pthread_mutex_lock(&c->flush_mu);
        list = c->flush_list;
        buf = c->flush_buf;
    } else {
        list = malloc(c->n * sizeof *list);
        buf = malloc((size_t)FLUSH_BATCH * c->pgsz);
        if (!list || !buf) {
            free(list);
            free(buf);
            return JET_errOutOfMemory;
        }
    }
    size_t nlist = 0;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++) {
        struct frame *f = &c->frames[i];
        /* A frame being written by an eviction counts too: the flush must wait for that write,
         * else the checkpoint could be recorded before the write reached the file. */
        if (f->state == FR_VALID && (f->dirty || f->writing) && (!dbid || f->dbid == dbid) &&
            f->rec_lsn < before)
            list[nlist++] = f;
    }
    pthread_mutex_unlock(&c->mu);
    qsort(list, nlist, sizeof *list, cmp_frame_pgno);

    for (size_t start = 0; start < nlist; start += FLUSH_BATCH) {
        size_t cnt = nlist - start < FLUSH_BATCH ? nlist - start : FLUSH_BATCH;
        struct frame *batch[FLUSH_BATCH];
        uint32_t pg[FLUSH_BATCH], db[FLUSH_BATCH];
        uint64_t rl[FLUSH_BATCH];
        size_t nb = 0;
        uint64_t max_lsn = 0;
        if (hold_shared) tree_rdlock(c->inst);
        pthread_mutex_lock(&c->mu);
        for (size_t i = 0; i < cnt; i++) {
            struct frame *f = list[start + i];
            /* Re-check: it may have been written, evicted or reused meanwhile. */
            while (f->writing) pthread_cond_wait(&c->cv, &c->mu);
            if (f->state != FR_VALID || !f->dirty || f->torn) continue;
            f->writing = 1;
            f->dirty = 0;
            c->ndirty--;
            memcpy(buf + nb * c->pgsz, f->data, c->pgsz);
            if (f->lsn > max_lsn) max_lsn = f->lsn;
            pg[nb] = f->pgno;
            db[nb] = f->dbid;
            rl[nb] = f->rec_lsn;
            batch[nb++] = f;
        }
        pthread_mutex_unlock(&c->mu);
        if (hold_shared) tree_unlock(c->inst);

        JET_ERR err = JET_errSuccess;
        if (nb && c->inst->log) err = log_flush_to(c->inst->log, max_lsn);
        size_t i = 0;
        while (i < nb) {
            /* Coalesce runs of consecutive pages of one database into one write. */
            size_t j = i + 1;
            while (j < nb && db[j] == db[i] && pg[j] == pg[j - 1] + 1) j++;
            JET_ERR werr = err;
            struct db *d = c->inst->dbs[db[i]];
            for (size_t k = i; k < j; k++) page_seal(buf + k * c->pgsz, c->pgsz);
            if (werr >= 0)
                werr = d && d->file ? os_pwrite(d->file, buf + i * c->pgsz, (j - i) * c->pgsz,
                                                (uint64_t)pg[i] * c->pgsz)
                                    : JET_errDatabaseNotFound;
            pthread_mutex_lock(&c->mu);
            for (size_t k = i; k < j; k++) {
                batch[k]->writing = 0;
                if (werr < 0) redirty(c, batch[k], rl[k]);
            }
            pthread_cond_broadcast(&c->cv);
            pthread_mutex_unlock(&c->mu);
            if (werr < 0 && first_err >= 0) first_err = werr;
            i = j;
        }
    }
    if (hold_shared) {
        pthread_mutex_unlock(&c->flush_mu);
    } else {
        free(list);
        free(buf);
    }
    return first_err;
}

void cache_drop_db(struct cache *c, uint32_t dbid)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++) {
        struct frame *f = &c->frames[i];
        if (f->state == FR_EMPTY || f->dbid != dbid) continue;
        while (f->writing || f->state == FR_LOADING) pthread_cond_wait(&c->cv, &c->mu);
        if (f->state == FR_EMPTY || f->dbid != dbid) continue;
        hash_remove(c, f);
        if (f->dirty) c->ndirty--;
        f->state = FR_EMPTY;
        f->dirty = 0;
        f->pins = 0;
    }
    pthread_mutex_unlock(&c->mu);
}

uint64_t cache_min_rec_lsn(struct cache *c)
{
    uint64_t m = UINT64_MAX;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++)
        if (c->frames[i].dirty && c->frames[i].rec_lsn < m) m = c->frames[i].rec_lsn;
    pthread_mutex_unlock(&c->mu);
    return m;
}

size_t cache_dirty_count(struct cache *c)
{
    pthread_mutex_lock(&c->mu);
    size_t n = c->ndirty;
    pthread_mutex_unlock(&c->mu);
    return n;
}
