/*
 * checkpoint.c — the checkpoint file and the checkpointer thread (rules in checkpoint.h).
 * State: struct ckpt; `mu` guards stopping/last/seq; `run_mu` serialises checkpoint runs.
 */
#include "checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "codec.h"
#include "crc32c.h"
#include "event.h"
#include "log.h"
#include "logfmt.h"

#define CKPT_MAGIC 0x4b434a48u /* "HJCK" */
#define CKPT_VERSION 1

struct ckpt {
    struct inst *inst;
    pthread_mutex_t mu;
    pthread_mutex_t run_mu;
    pthread_t thread;
    int started, stopping;
    uint64_t seq;
    lgpos_t last;
    uint64_t last_volume;
    int64_t last_time;
};

static void encode(const struct ckpt_data *d, uint8_t *b)
{
    memset(b, 0, CKPT_SLOT);
    put_u32(b + 4, CKPT_MAGIC);
    put_u32(b + 8, CKPT_VERSION);
    put_u64(b + 12, d->seq);
    put_u32(b + 20, LGPOS_GEN(d->pos));
    put_u32(b + 24, LGPOS_OFF(d->pos));
    put_u32(b + 28, d->log_sig.random);
    put_u64(b + 32, d->log_sig.time_us);
    put_u64(b + 40, (uint64_t)d->time);
    put_u32(b + 48, d->flags);
    put_u32(b + 52, d->ndb);
    size_t off = 56;
    for (uint32_t i = 0; i < d->ndb && i < DB_MAX; i++) {
        size_t pl = strlen(d->db[i].path);
        put_u32(b + off, d->db[i].dbid);
        put_u64(b + off + 4, d->db[i].dbtime);
        put_u32(b + off + 12, d->db[i].sig.random);
        put_u64(b + off + 16, d->db[i].sig.time_us);
        put_u16(b + off + 24, (uint16_t)pl);
        memcpy(b + off + 26, d->db[i].path, pl);
        off += 26 + pl;
    }
    put_u32(b, crc32c(0, b + 4, CKPT_SLOT - 4));
}

static int decode(const uint8_t *b, struct ckpt_data *d)
{
    if (get_u32(b + 4) != CKPT_MAGIC || get_u32(b + 8) != CKPT_VERSION) return 0;
    if (get_u32(b) != crc32c(0, b + 4, CKPT_SLOT - 4)) return 0;
    memset(d, 0, sizeof *d);
    d->seq = get_u64(b + 12);
    d->pos = LGPOS(get_u32(b + 20), get_u32(b + 24));
    d->log_sig.random = get_u32(b + 28);
    d->log_sig.time_us = get_u64(b + 32);
    d->time = (int64_t)get_u64(b + 40);
    d->flags = get_u32(b + 48);
    d->ndb = get_u32(b + 52);
    if (d->ndb > DB_MAX) return 0;
    size_t off = 56;
    for (uint32_t i = 0; i < d->ndb; i++) {
        if (off + 26 > CKPT_SLOT) return 0;
        d->db[i].dbid = get_u32(b + off);
        d->db[i].dbtime = get_u64(b + off + 4);
        d->db[i].sig.random = get_u32(b + off + 12);
        d->db[i].sig.time_us = get_u64(b + off + 16);
        size_t pl = get_u16(b + off + 24);
        if (pl >= OS_PATH_MAX || off + 26 + pl > CKPT_SLOT) return 0;
        memcpy(d->db[i].path, b + off + 26, pl);
        d->db[i].path[pl] = 0;
        off += 26 + pl;
    }
    return 1;
}

JET_ERR ckpt_read(const char *path, struct ckpt_data *d)
{
    os_file *f;
    JET_ERR err = os_open(path, OS_READ, &f);
    if (err < 0) return err;
    uint8_t *b = malloc(2 * CKPT_SLOT);
    if (!b) {
        os_close(f);
        return JET_errOutOfMemory;
    }
    size_t got;
    err = os_pread(f, b, 2 * CKPT_SLOT, 0, &got);
    os_close(f);
    if (err >= 0) {
        struct ckpt_data a, c;
        int va = got >= CKPT_SLOT && decode(b, &a);
        int vc = got >= 2 * CKPT_SLOT && decode(b + CKPT_SLOT, &c);
        if (!va && !vc)
            err = JET_errCheckpointCorrupt;
        else
            *d = (va && (!vc || a.seq > c.seq)) ? a : c;
    }
    free(b);
    return err;
}

JET_ERR ckpt_write(const char *path, const struct ckpt_data *d)
{
    os_file *f;
    int existed = os_exists(path);
    JET_ERR err = os_open(path, OS_RDWR | OS_CREATE, &f);
    if (err < 0) return err;
    uint8_t *b = malloc(CKPT_SLOT);
    if (!b) {
        os_close(f);
        return JET_errOutOfMemory;
    }
    encode(d, b);
    err = os_pwrite(f, b, CKPT_SLOT, (d->seq % 2) * CKPT_SLOT);
    if (err >= 0) err = os_fdatasync(f);
    os_close(f);
    free(b);
    if (err >= 0 && !existed) {
        char dir[OS_PATH_MAX];
        os_dirname(path, dir, sizeof dir);
        err = os_fsync_dir(dir);
    }
    return err;
}

JET_ERR ckpt_file_path(struct inst *inst, char *out)
{
    return ckpt_path(out, OS_PATH_MAX, inst->params.system_path, inst->params.base_name);
}

JET_ERR ckpt_path_file(const char *dir_or_file, const char *base, char *out)
{
    size_t n = strlen(dir_or_file);
    if (n > 4 && strcmp(dir_or_file + n - 4, ".chk") == 0) {
        if (n >= OS_PATH_MAX) return JET_errInvalidPath;
        memcpy(out, dir_or_file, n + 1);
        return JET_errSuccess;
    }
    return ckpt_path(out, OS_PATH_MAX, dir_or_file, base);
}

/* Fills the attached databases (tree lock held). */
static void snapshot_dbs(struct inst *inst, struct ckpt_data *d)
{
    d->ndb = 0;
    for (uint32_t id = 1; id <= DB_MAX; id++) {
        struct db *db = inst->dbs[id];
        if (!db) continue;
        struct ckpt_db *e = &d->db[d->ndb++];
        e->dbid = id;
        e->dbtime = db->dbtime;
        e->sig = db->hdr.sig_db;
        snprintf(e->path, sizeof e->path, "%s", db->path);
    }
}

JET_ERR ckpt_write_now(struct inst *inst, lgpos_t pos, uint32_t flags)
{
    char path[OS_PATH_MAX];
    struct ckpt_data d;
    struct ckpt *c = inst->ckpt;
    JET_ERR err = ckpt_file_path(inst, path);
    if (err < 0) return err;
    memset(&d, 0, sizeof d);
    if (c) {
        pthread_mutex_lock(&c->mu);
        d.seq = ++c->seq;
        pthread_mutex_unlock(&c->mu);
    } else {
        struct ckpt_data old;
        d.seq = ckpt_read(path, &old) >= 0 ? old.seq + 1 : 1;
    }
    d.pos = pos;
    d.log_sig = inst->log_sig;
    d.time = os_now_us();
    d.flags = flags;
    snapshot_dbs(inst, &d);
    err = ckpt_write(path, &d);
    if (err >= 0 && c) {
        pthread_mutex_lock(&c->mu);
        c->last = pos;
        pthread_mutex_unlock(&c->mu);
    }
    return err;
}

JET_ERR ckpt_run(struct inst *inst, uint32_t flags)
{
    struct ckpt *c = inst->ckpt;
    struct ckpt_data d;
    char path[OS_PATH_MAX];
    JET_ERR err;
    if (!c || !inst->log) return JET_errSuccess;
    pthread_mutex_lock(&c->run_mu);
    memset(&d, 0, sizeof d);
    Call(ckpt_file_path(inst, path));
    uint64_t volume = log_volume(inst->log);
    tree_wrlock(inst);
    d.pos = log_append_pos(inst->log);
    inst->fpi_epoch++;
    snapshot_dbs(inst, &d);
    tree_unlock(inst);

    /* A frame's rec_lsn is the end of the batch that first dirtied it, so the last batch before
     * d.pos has rec_lsn == d.pos: "before" is exclusive, hence d.pos + 1. And the checkpoint must
     * never point past the durable log (a lazy commit's records may still be in the buffer). */
    Call(cache_flush(inst->cache, 0, d.pos + 1, 1));
    Call(log_flush_to(inst->log, d.pos));
    tree_rdlock(inst);
    for (uint32_t id = 1; id <= DB_MAX && err >= 0; id++)
        if (inst->dbs[id] && inst->dbs[id]->file) err = os_fsync(inst->dbs[id]->file);
    tree_unlock(inst);
    if (err < 0) {
        /* The pages were handed to the kernel and are clean in the cache. After a failed fsync
         * Linux may drop the pages it could not write and report the next fsync as a success, so
         * a retry could advance the checkpoint over changes that never reached the disk. The log
         * still holds every one of them: stop the instance; recovery at its restart rewrites
         * them from the log. */
        inst_set_fatal(inst, err, "a database file could not be flushed to disk");
        Error(JET_errInstanceUnavailable);
    }
    pthread_mutex_lock(&c->mu);
    d.seq = ++c->seq;
    pthread_mutex_unlock(&c->mu);
    d.log_sig = inst->log_sig;
    d.time = os_now_us();
    d.flags = flags;
    Call(ckpt_write(path, &d));
    pthread_mutex_lock(&c->mu);
    c->last = d.pos;
    c->last_volume = volume;
    c->last_time = os_mono_us();
    pthread_mutex_unlock(&c->mu);
    if (inst->params.circular_log) log_recycle_below(inst->log, LGPOS_GEN(d.pos));
HandleError:
    pthread_mutex_unlock(&c->run_mu);
    return err;
}

lgpos_t ckpt_last(struct inst *inst)
{
    struct ckpt *c = inst->ckpt;
    if (!c) return 0;
    pthread_mutex_lock(&c->mu);
    lgpos_t l = c->last;
    pthread_mutex_unlock(&c->mu);
    return l;
}

/* 1 once the instance is unavailable (inst->fatal_err): no more checkpoints. */
static int inst_unavailable(struct inst *inst)
{
    pthread_mutex_lock(&inst->mu);
    int fatal = inst->fatal_err != 0;
    pthread_mutex_unlock(&inst->mu);
    return fatal;
}

static void *ckpt_main(void *arg)
{
    struct ckpt *c = arg;
    struct inst *inst = c->inst;
    int failed = 0;
    pthread_mutex_lock(&c->mu);
    while (!c->stopping) {
        /* Woken by the log as soon as the depth is due, else every 200 ms (time, cache pressure);
         * after a failed checkpoint only by the clock, so a failing one is not retried in a loop. */
        uint64_t depth_due = failed ? UINT64_MAX : c->last_volume + inst->params.checkpoint_depth_max / 2;
        pthread_mutex_unlock(&c->mu);
        log_wait_volume(inst->log, depth_due, 200 * 1000);
        pthread_mutex_lock(&c->mu);
        if (c->stopping) break;
        uint64_t since = c->last_volume;
        int64_t last_time = c->last_time;
        pthread_mutex_unlock(&c->mu);
        uint64_t vol = log_volume(inst->log);
        int due = vol - since >= inst->params.checkpoint_depth_max / 2 ||
                  (vol > since && inst->params.checkpoint_period_s &&
                   os_mono_us() - last_time >= (int64_t)inst->params.checkpoint_period_s * 1000000);
        /* Also write dirty pages out early when the cache fills up, so commits do not stall. */
        int pressure = cache_dirty_count(inst->cache) > cache_frames(inst->cache) / 2;
        failed = (due || pressure) && (log_dead(inst->log) || inst_unavailable(inst));
        if ((due || pressure) && !failed) {
            event_hold();
            JET_ERR err = ckpt_run(inst, 0);
            failed = err < 0;
            if (err < 0 && err != JET_errInstanceUnavailable) /* that one has its own event */
                event_log(inst, EV_INSTANCE_FATAL, JET_XEVENT_WARNING, 0, err,
                          "A checkpoint failed with %s; it will be retried.", JetXErrorName(err));
            event_release();
        }
        pthread_mutex_lock(&c->mu);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

JET_ERR ckpt_start(struct inst *inst, uint64_t seq)
{
    struct ckpt *c = calloc(1, sizeof *c);
    if (!c) return JET_errOutOfMemory;
    c->inst = inst;
    c->seq = seq;
    c->last_time = os_mono_us();
    c->last_volume = inst->log ? log_volume(inst->log) : 0;
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->run_mu, NULL);
    /* The last checkpoint is the one recovery (or a fresh start) wrote: backups start there. */
    char path[OS_PATH_MAX];
    struct ckpt_data d;
    if (inst->log && ckpt_file_path(inst, path) >= 0 && ckpt_read(path, &d) >= 0) {
        c->last = d.pos;
        if (d.seq > c->seq) c->seq = d.seq;
    }
    inst->ckpt = c;
    if (inst->log) {
        if (pthread_create(&c->thread, NULL, ckpt_main, c) != 0) {
            inst->ckpt = NULL;
            free(c);
            return JET_errOutOfMemory;
        }
        c->started = 1;
    }
    return JET_errSuccess;
}

void ckpt_stop(struct inst *inst)
{
    struct ckpt *c = inst->ckpt;
    if (!c) return;
    pthread_mutex_lock(&c->mu);
    c->stopping = 1;
    pthread_mutex_unlock(&c->mu);
    if (c->started) {
        log_volume_wake(inst->log);
        pthread_join(c->thread, NULL);
    }
    inst->ckpt = NULL;
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->run_mu);
    free(c);
}
