/*
 * log.c — the log writer (contract in log.h).
 *
 * State (guarded by log->mu):
 *   buf holds the current generation's bytes [buf_off, append_off); [durable_off, append_off) is
 *   appended but not yet durable. One flush runs at a time (`flushing`); while it runs, appenders
 *   may add bytes after append_off but nobody moves or frees buf. Compaction (dropping durable
 *   bytes from the front) and growth happen only when no flush runs.
 *   spare_state: SPARE_NONE -> (spare thread) SPARE_MAKING -> SPARE_READY -> (switch) SPARE_NONE;
 *   SPARE_FAILED when making it failed (the switch then tries once itself).
 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"
#include "event.h"

enum { SPARE_NONE, SPARE_MAKING, SPARE_READY, SPARE_FAILED };

struct log {
    struct inst *inst;
    pthread_mutex_t mu;
    pthread_cond_t cv;       /* flush completion (waiters for durability, buffer room) */
    pthread_cond_t spare_cv; /* spare state changes (the spare thread and the switch) */
    char dir[OS_PATH_MAX];
    char base[LOG_BASE_MAX + 1];
    uint32_t file_size, pgsz;

    uint32_t gen;
    os_file *file;
    int64_t create_time;
    uint32_t salt;

    uint8_t *buf;
    size_t cap;
    uint32_t buf_off, append_off, durable_off;
    lgpos_t durable_lsn;
    int flushing;
    JET_ERR dead;

    pthread_t spare_thread;
    int spare_thread_started;
    int spare_state;
    int stopping;

    uint32_t pin;
    uint64_t volume, flushes;
    uint64_t wait_at;        /* log_wait_volume: signal wait_cv (under mu) when volume reaches it */
    int wake;                /* log_volume_wake: the next or current log_wait_volume returns */
    pthread_cond_t wait_cv;  /* CLOCK_MONOTONIC */
};

static JET_ERR dead_code(JET_ERR cause)
{
    return cause == JET_errDiskFull || cause == JET_errLogDiskFull ? JET_errLogDiskFull
                                                                   : JET_errLogWriteFail;
}

/* Makes the log dead (mu held). */
static JET_ERR die(struct log *log, JET_ERR cause, const char *what)
{
    if (!log->dead) {
        log->dead = dead_code(cause);
        inst_set_fatal(log->inst, log->dead, what);
    }
    pthread_cond_broadcast(&log->cv);
    pthread_cond_broadcast(&log->spare_cv);
    return log->dead;
}

static JET_ERR path_cur(struct log *log, char *out) { return log_path_current(out, OS_PATH_MAX, log->dir, log->base); }
static JET_ERR path_spare(struct log *log, char *out) { return log_path_spare(out, OS_PATH_MAX, log->dir, log->base); }

/* Writes a fully allocated, zeroed spare generation file and syncs it (no locks held). */
static JET_ERR make_spare_file(const char *dir, const char *path, uint32_t size)
{
    os_file *f;
    JET_ERR err = os_open(path, OS_RDWR | OS_CREATE | OS_TRUNC, &f);
    if (err < 0) return err;
    /* Written from one static block of zeros: no allocation (and no page faults) per spare. */
    static const uint8_t zeros[64 * 1024];
    const uint32_t chunk = sizeof zeros;
    for (uint32_t off = 0; err >= 0 && off < size; off += chunk) {
        uint32_t n = size - off < chunk ? size - off : chunk;
        err = os_pwrite(f, zeros, n, off);
    }
    if (err >= 0) err = os_fdatasync(f);
    os_close(f);
    if (err >= 0) err = os_fsync_dir(dir);
    if (err < 0) os_unlink(path);
    return err;
}

static void *spare_main(void *arg)
{
    struct log *log = arg;
    char path[OS_PATH_MAX];
    path_spare(log, path);
    pthread_mutex_lock(&log->mu);
    while (!log->stopping) {
        if (log->spare_state != SPARE_NONE || log->dead) {
            pthread_cond_wait(&log->spare_cv, &log->mu);
            continue;
        }
        log->spare_state = SPARE_MAKING;
        pthread_mutex_unlock(&log->mu);
        JET_ERR err = make_spare_file(log->dir, path, log->file_size);
        pthread_mutex_lock(&log->mu);
        log->spare_state = err < 0 ? SPARE_FAILED : SPARE_READY;
        pthread_cond_broadcast(&log->spare_cv);
    }
    pthread_mutex_unlock(&log->mu);
    return NULL;
}

/* The header of a new generation: attached databases from the instance (tree lock held). */
static void fill_header(struct log *log, struct loghdr *h, uint32_t gen, int64_t prev_create)
{
    memset(h, 0, sizeof *h);
    h->gen = gen;
    h->sig = log->inst->log_sig;
    h->create_time = os_now_us();
    if (h->create_time <= prev_create) h->create_time = prev_create + 1;
    h->prev_create_time = prev_create;
    h->file_size = log->file_size;
    h->page_size = log->pgsz;
    memcpy(h->base, log->base, LOG_BASE_MAX);
    for (uint32_t id = 1; id <= DB_MAX; id++) {
        struct db *db = log->inst->dbs[id];
        if (!db) continue;
        struct loghdr_db *e = &h->db[h->ndb++];
        e->dbid = id;
        e->sig = db->hdr.sig_db;
        snprintf(e->path, sizeof e->path, "%s", db->path);
    }
}

/* Turns the spare into edb.log of generation gen (mu held; I/O under it is intended: appenders
 * must wait for the new generation anyway). */
static JET_ERR start_generation(struct log *log, uint32_t gen, int64_t prev_create)
{
    char spare[OS_PATH_MAX], cur[OS_PATH_MAX];
    JET_ERR err;
    path_spare(log, spare);
    path_cur(log, cur);
    while (log->spare_state == SPARE_MAKING) pthread_cond_wait(&log->spare_cv, &log->mu);
    if (log->spare_state != SPARE_READY) {
        if ((err = make_spare_file(log->dir, spare, log->file_size)) < 0) return err;
        log->spare_state = SPARE_READY;
    }
    struct loghdr h;
    fill_header(log, &h, gen, prev_create);
    uint8_t *hb = malloc(LOG_HDR_SIZE);
    if (!hb) return JET_errOutOfMemory;
    loghdr_encode(&h, hb);
    os_file *f;
    err = os_open(spare, OS_RDWR, &f);
    if (err >= 0) {
        err = os_pwrite(f, hb, LOG_HDR_SIZE, 0);
        if (err >= 0) err = os_fdatasync(f);
        os_close(f);
    }
    free(hb);
    if (err < 0) return err;
    if ((err = os_rename(spare, cur)) < 0) return err;
    log->spare_state = SPARE_NONE;
    pthread_cond_broadcast(&log->spare_cv);
    if ((err = os_fsync_dir(log->dir)) < 0) return err;
    if ((err = os_open(cur, OS_RDWR, &log->file)) < 0) return err;
    log->gen = gen;
    log->create_time = h.create_time;
    log->salt = log_salt(&h.sig, gen);
    log->buf_off = log->append_off = log->durable_off = LOG_HDR_SIZE;
    log->durable_lsn = LGPOS(gen, LOG_HDR_SIZE);
    return JET_errSuccess;
}

/* Writes [durable_off, append_off) and syncs, with mu dropped during the I/O (mu held on entry
 * and exit; the caller has set nothing). Waits for a running flush first. */
static JET_ERR flush_locked(struct log *log)
{
    while (log->flushing) pthread_cond_wait(&log->cv, &log->mu);
    if (log->dead) return log->dead;
    if (log->durable_off == log->append_off) return JET_errSuccess;
    log->flushing = 1;
    uint32_t start = log->durable_off, end = log->append_off, gen = log->gen;
    const uint8_t *p = log->buf + (start - log->buf_off);
    os_file *f = log->file;
    pthread_mutex_unlock(&log->mu);
    JET_ERR err = os_pwrite(f, p, end - start, start);
    if (err >= 0) err = os_fdatasync(f);
    pthread_mutex_lock(&log->mu);
    log->flushing = 0;
    if (err < 0) return die(log, err, "the log could not be written");
    log->durable_off = end;
    log->durable_lsn = LGPOS(gen, end);
    log->flushes++;
    pthread_cond_broadcast(&log->cv);
    return JET_errSuccess;
}

/* Places one record of len bytes at the append position (room checked by the caller). */
static void place(struct log *log, const uint8_t *rec, uint32_t len)
{
    uint8_t *dst = log->buf + (log->append_off - log->buf_off);
    memcpy(dst, rec, len);
    lr_seal(dst, log->salt);
    log->append_off += len;
    log->volume += len;
    if (log->volume >= log->wait_at) {
        log->wait_at = UINT64_MAX;
        pthread_cond_signal(&log->wait_cv);
    }
}

/* Makes room for len more bytes in buf (mu held). */
static JET_ERR ensure_room(struct log *log, uint32_t len)
{
    if (log->append_off - log->buf_off + len <= log->cap) return JET_errSuccess;
    while (log->flushing) pthread_cond_wait(&log->cv, &log->mu);
    if (log->dead) return log->dead;
    uint32_t drop = log->durable_off & ~4095u;
    if (drop > log->buf_off) {
        memmove(log->buf, log->buf + (drop - log->buf_off), log->append_off - drop);
        log->buf_off = drop;
    }
    size_t need = log->append_off - log->buf_off + len;
    if (need <= log->cap) return JET_errSuccess;
    size_t cap = log->cap * 2;
    while (cap < need) cap *= 2;
    uint8_t *p = realloc(log->buf, cap);
    if (!p) return JET_errOutOfMemory;
    log->buf = p;
    log->cap = cap;
    return JET_errSuccess;
}

/* Closes the current generation and starts the next (mu held). */
static JET_ERR switch_generation(struct log *log)
{
    JET_ERR err;
    uint8_t end[LR_HDR];
    char cur[OS_PATH_MAX], arch[OS_PATH_MAX];
    put_u32(end, 0);
    put_u32(end + 4, LR_HDR);
    end[8] = LR_GEN_END;
    end[9] = 0;
    put_u16(end + 10, 0);
    while (log->flushing) pthread_cond_wait(&log->cv, &log->mu);
    if (log->dead) return log->dead;
    if ((err = ensure_room(log, LR_HDR)) < 0) return die(log, err, "log buffer");
    place(log, end, LR_HDR);
    if ((err = flush_locked(log)) < 0) return err;
    os_close(log->file);
    log->file = NULL;
    path_cur(log, cur);
    log_path_gen(arch, sizeof arch, log->dir, log->base, log->gen);
    if ((err = os_rename(cur, arch)) < 0) return die(log, err, "the log generation could not be archived");
    if ((err = os_fsync_dir(log->dir)) < 0) return die(log, err, "log directory sync");
    if ((err = start_generation(log, log->gen + 1, log->create_time)) < 0)
        return die(log, err, "a new log generation could not be started");
    return JET_errSuccess;
}

JET_ERR log_open(struct inst *inst, uint32_t gen, uint32_t append_off, int64_t prev_create_time,
                 struct log **out)
{
    JET_ERR err;
    char cur[OS_PATH_MAX], spare[OS_PATH_MAX];
    struct log *log = calloc(1, sizeof *log);
    if (!log) return JET_errOutOfMemory;
    log->wait_at = UINT64_MAX;
    log->inst = inst;
    snprintf(log->dir, sizeof log->dir, "%s", inst->params.log_path);
    snprintf(log->base, sizeof log->base, "%s", inst->params.base_name);
    log->file_size = inst->params.log_file_size_kb * 1024u;
    log->pgsz = inst->params.page_size;
    log->cap = 1u << 20;
    log->buf = malloc(log->cap);
    pthread_mutex_init(&log->mu, NULL);
    pthread_cond_init(&log->cv, NULL);
    pthread_cond_init(&log->spare_cv, NULL);
    pthread_condattr_t mono;
    pthread_condattr_init(&mono);
    pthread_condattr_setclock(&mono, CLOCK_MONOTONIC);
    pthread_cond_init(&log->wait_cv, &mono);
    pthread_condattr_destroy(&mono);
    if (!log->buf) {
        err = JET_errOutOfMemory;
        goto HandleError;
    }
    Call(os_mkdirs(log->dir));
    Call(path_cur(log, cur));
    Call(path_spare(log, spare));
    uint64_t spare_size;
    if (os_file_size(spare, &spare_size) >= 0 && spare_size == log->file_size)
        log->spare_state = SPARE_READY;

    struct loghdr h;
    uint64_t cur_size;
    if (append_off && os_exists(cur) && loghdr_read_path(cur, &h) >= 0 && h.gen == gen) {
        /* Continue the current generation after its last valid record. Generations are written
         * whole before use: a file of another size than its header says is damaged, and appending
         * up to the header's size would grow it. */
        Call(os_file_size(cur, &cur_size));
        if (cur_size != h.file_size || append_off > h.file_size) Error(JET_errLogFileCorrupt);
        Call(os_open(cur, OS_RDWR, &log->file));
        log->gen = gen;
        log->create_time = h.create_time;
        log->file_size = h.file_size;
        log->salt = log_salt(&h.sig, gen);
        log->buf_off = log->append_off = log->durable_off = append_off;
        log->durable_lsn = LGPOS(gen, append_off);
    } else {
        pthread_mutex_lock(&log->mu);
        err = start_generation(log, gen, prev_create_time);
        pthread_mutex_unlock(&log->mu);
        Call(err);
    }
    if (pthread_create(&log->spare_thread, NULL, spare_main, log) != 0) Error(JET_errOutOfMemory);
    log->spare_thread_started = 1;
    *out = log;
    return JET_errSuccess;
HandleError:
    log_close(log);
    return err;
}

static void close_common(struct log *log, int flush)
{
    if (!log) return;
    pthread_mutex_lock(&log->mu);
    if (flush && log->file && !log->dead) flush_locked(log);
    while (log->flushing) pthread_cond_wait(&log->cv, &log->mu);
    log->stopping = 1;
    pthread_cond_broadcast(&log->spare_cv);
    pthread_mutex_unlock(&log->mu);
    if (log->spare_thread_started) pthread_join(log->spare_thread, NULL);
    os_close(log->file);
    pthread_mutex_destroy(&log->mu);
    pthread_cond_destroy(&log->cv);
    pthread_cond_destroy(&log->spare_cv);
    pthread_cond_destroy(&log->wait_cv);
    free(log->buf);
    free(log);
}

void log_close(struct log *log) { close_common(log, 1); }
void log_close_abandon(struct log *log) { close_common(log, 0); }

JET_ERR log_append(struct log *log, struct lrbuf *b, lgpos_t *end)
{
    JET_ERR err = JET_errSuccess;
    if (b->oom) return JET_errOutOfMemory;
    pthread_mutex_lock(&log->mu);
    if (log->dead) {
        err = log->dead;
        goto out;
    }
    for (size_t off = 0; off < b->len;) {
        const uint8_t *rec = b->p + off;
        uint32_t len = get_u32(rec + 4);
        if (len + LR_HDR > log->file_size - LOG_HDR_SIZE) {
            err = JET_errInvalidParameter; /* a record larger than a generation: cannot happen */
            goto out;
        }
        if (log->append_off + len + LR_HDR > log->file_size)
            if ((err = switch_generation(log)) < 0) goto out;
        if ((err = ensure_room(log, len)) < 0) goto out;
        place(log, rec, len);
        off += len;
    }
    *end = LGPOS(log->gen, log->append_off);
out:
    pthread_mutex_unlock(&log->mu);
    return err;
}

JET_ERR log_flush_to(struct log *log, lgpos_t lsn)
{
    JET_ERR err = JET_errSuccess;
    pthread_mutex_lock(&log->mu);
    while (!log->dead && log->durable_lsn < lsn) {
        if (log->flushing) {
            pthread_cond_wait(&log->cv, &log->mu);
            continue;
        }
        if ((err = flush_locked(log)) < 0) break;
    }
    if (log->dead && log->durable_lsn < lsn) err = log->dead;
    pthread_mutex_unlock(&log->mu);
    return err;
}

JET_ERR log_append_sync(struct log *log, struct lrbuf *b, lgpos_t *end)
{
    JET_ERR err = log_append(log, b, end);
    if (err >= 0) err = log_flush_to(log, *end);
    return err;
}

JET_ERR log_roll(struct log *log, uint32_t *closed)
{
    tree_rdlock(log->inst);
    pthread_mutex_lock(&log->mu);
    uint32_t gen = log->gen;
    JET_ERR err = log->dead ? log->dead : switch_generation(log);
    pthread_mutex_unlock(&log->mu);
    tree_unlock(log->inst);
    if (err >= 0 && closed) *closed = gen;
    return err;
}

uint32_t log_current_gen(struct log *log)
{
    pthread_mutex_lock(&log->mu);
    uint32_t g = log->gen;
    pthread_mutex_unlock(&log->mu);
    return g;
}

lgpos_t log_append_pos(struct log *log)
{
    pthread_mutex_lock(&log->mu);
    lgpos_t l = LGPOS(log->gen, log->append_off);
    pthread_mutex_unlock(&log->mu);
    return l;
}

lgpos_t log_durable_pos(struct log *log)
{
    pthread_mutex_lock(&log->mu);
    lgpos_t l = log->durable_lsn;
    pthread_mutex_unlock(&log->mu);
    return l;
}

JET_ERR log_dead(struct log *log)
{
    pthread_mutex_lock(&log->mu);
    JET_ERR e = log->dead;
    pthread_mutex_unlock(&log->mu);
    return e;
}

void log_stats(struct log *log, uint64_t *bytes, uint64_t *flushes)
{
    pthread_mutex_lock(&log->mu);
    *bytes = log->volume;
    *flushes = log->flushes;
    pthread_mutex_unlock(&log->mu);
}

uint64_t log_volume(struct log *log)
{
    pthread_mutex_lock(&log->mu);
    uint64_t v = log->volume;
    pthread_mutex_unlock(&log->mu);
    return v;
}

int log_wait_volume(struct log *log, uint64_t at, int64_t timeout_us)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_us / 1000000;
    until.tv_nsec += (timeout_us % 1000000) * 1000;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&log->mu);
    int timed_out = 0;
    while (log->volume < at && !log->wake && !timed_out) {
        log->wait_at = at;
        timed_out = pthread_cond_timedwait(&log->wait_cv, &log->mu, &until) == ETIMEDOUT;
    }
    int reached = log->volume >= at;
    log->wait_at = UINT64_MAX;
    log->wake = 0;
    pthread_mutex_unlock(&log->mu);
    return reached;
}

void log_volume_wake(struct log *log)
{
    pthread_mutex_lock(&log->mu);
    log->wake = 1;
    pthread_cond_broadcast(&log->wait_cv);
    pthread_mutex_unlock(&log->mu);
}

void log_set_pin(struct log *log, uint32_t gen)
{
    pthread_mutex_lock(&log->mu);
    log->pin = gen;
    pthread_mutex_unlock(&log->mu);
}

uint32_t log_pin(struct log *log)
{
    pthread_mutex_lock(&log->mu);
    uint32_t p = log->pin;
    pthread_mutex_unlock(&log->mu);
    return p;
}

void log_recycle_below(struct log *log, uint32_t below)
{
    uint32_t *gens;
    size_t n;
    char path[OS_PATH_MAX], spare[OS_PATH_MAX];
    if (log_list_archived(log->dir, log->base, &gens, &n) < 0) return;
    path_spare(log, spare);
    pthread_mutex_lock(&log->mu);
    uint32_t limit = below;
    if (log->pin && log->pin < limit) limit = log->pin;
    for (size_t i = 0; i < n && gens[i] < limit; i++) {
        if (log_path_gen(path, sizeof path, log->dir, log->base, gens[i]) < 0) continue;
        uint64_t size;
        if (log->spare_state == SPARE_NONE && os_file_size(path, &size) >= 0 &&
            size == log->file_size && os_rename(path, spare) >= 0) {
            log->spare_state = SPARE_READY; /* stale records never verify under a new salt */
            continue;
        }
        os_unlink(path);
    }
    pthread_mutex_unlock(&log->mu);
    os_fsync_dir(log->dir);
    free(gens);
}
