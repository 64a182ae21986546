/*
 * backup.c — the external backup state machine (contract: spec/backup-api.md; streamed files:
 * bkfile.h). One backup per instance.
 *
 * States and transitions (bk->mu guards every field):
 *   none --JetBeginExternalBackup--> database phase (logs pinned from genLow)
 *   database --JetGetLogInfo (rolls the log)--> logs --JetTruncateLog--> truncated
 *   any --JetStopBackup--> stop flag set: every call but JetCloseFile and the end call then fails
 *                          with JET_errBackupAbortByServer
 *   any --a fatal backup error (a database opened after the log call or in an incremental backup,
 *         a log missing or failing verification)--> none, with event 214 (ESE tears the backup
 *         down the same way: later calls, the end call too, return JET_errNoBackup)
 *   any --JetEndExternalBackup(Instance2)--> none (outcome rules in end_outcome)
 * Readers of file bytes (JetReadFile, JetXReadFileAt) work outside bk->mu; `readers` counts them
 * and the end call waits for them before freeing the files.
 * Events raised under bk->mu are queued and delivered after it (and api_mu) are released, so the
 * host's callback may call JetXGetBackupInfo (jet.h).
 * Lock order: inst->api_mu (begin, end) -> bk->mu -> inst->tree_lock -> log->mu.
 */
#include "backup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bkfile.h"
#include "checkpoint.h"
#include "codec.h"
#include "dbfile.h"
#include "event.h"
#include "log.h"
#include "logfmt.h"
#include "mtr.h"
#include "page.h"

#define HANDLE_BASE 0x4a420000u
#define PENDING_EVENTS_MAX 16 /* events one call can raise: a few */

struct pending_event {
    unsigned id;
    int level;
    JET_ERR err;
    uint64_t backup_id;
    char msg[1024];
};

struct backup {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int active;
    int stop_flag;
    int incremental;
    int log_called;
    int truncated;
    uint64_t id;
    uint32_t gen_low, gen_high;
    lgpos_t redo_from; /* full backup: the checkpoint at begin (every page read holds all before it) */
    lgpos_t mark;
    int64_t mark_time;
    struct bkfile *files[JET_XBACKUP_FILES_MAX];
    int nfiles;
    int handle_open;
    struct bkfile *hfile;
    uint64_t hpos;
    int hfirst;
    uint32_t hseq;
    int readers;
    uint64_t serial;
    struct pending_event pending[PENDING_EVENTS_MAX]; /* raised under mu, not yet delivered */
    int npending;
};

JET_ERR bk_init(struct inst *inst)
{
    struct backup *b = calloc(1, sizeof *b);
    if (!b) return JET_errOutOfMemory;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    inst->backup = b;
    return JET_errSuccess;
}

static void clear_files(struct backup *b)
{
    for (int i = 0; i < b->nfiles; i++) bkfile_free(b->files[i]);
    b->nfiles = 0;
    b->handle_open = 0;
    b->hfile = NULL;
}

void bk_free(struct inst *inst)
{
    struct backup *b = inst->backup;
    if (!b) return;
    clear_files(b);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    free(b);
    inst->backup = NULL;
}

int bk_active(struct inst *inst)
{
    struct backup *b = inst->backup;
    pthread_mutex_lock(&b->mu);
    int a = b->active;
    pthread_mutex_unlock(&b->mu);
    return a;
}

/* ---- helpers --------------------------------------------------------------------------------------- */
static void ev(struct inst *inst, struct backup *b, unsigned id, int level, JET_ERR err, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#include <stdarg.h>
/* Queues an event (bk->mu held); bk_unlock or deliver_events hands it to the host later. */
static void ev(struct inst *inst, struct backup *b, unsigned id, int level, JET_ERR err, const char *fmt, ...)
{
    (void)inst;
    if (b->npending == PENDING_EVENTS_MAX) return; /* cannot happen: a call raises a few */
    struct pending_event *e = &b->pending[b->npending++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->id = id;
    e->level = level;
    e->err = err;
    e->backup_id = b->id;
}

/* Moves the queued events out (bk->mu held); returns how many. */
static int take_events(struct backup *b, struct pending_event *out)
{
    int n = b->npending;
    memcpy(out, b->pending, (size_t)n * sizeof *out);
    b->npending = 0;
    return n;
}

/* Delivers events taken under bk->mu, with no backup lock held. */
static void deliver_events(struct inst *inst, const struct pending_event *e, int n)
{
    for (int i = 0; i < n; i++) event_log(inst, e[i].id, e[i].level, e[i].backup_id, e[i].err, "%s", e[i].msg);
}

/* Releases bk->mu, then delivers what was raised under it. */
static void bk_unlock(struct inst *inst, struct backup *b)
{
    if (!b->npending) {
        pthread_mutex_unlock(&b->mu);
        return;
    }
    struct pending_event *e = malloc(PENDING_EVENTS_MAX * sizeof *e);
    int n = e ? take_events(b, e) : 0;
    pthread_mutex_unlock(&b->mu);
    deliver_events(inst, e, n);
    free(e);
}

/* Appends one control record as its own unit and waits for it. */
static JET_ERR log_marker(struct inst *inst, unsigned type, uint64_t id, int incremental, lgpos_t *pos)
{
    struct mtr m;
    lgpos_t lsn = 0;
    if (!inst->log) return JET_errLoggingDisabled;
    tree_wrlock(inst);
    mtr_begin(&m, inst);
    uint8_t *p = mtr_control(&m, type, 9);
    JET_ERR err = JET_errOutOfMemory;
    if (p) {
        put_u64(p, id);
        p[8] = (uint8_t)incremental;
        err = mtr_commit(&m, 1, &lsn);
    } else {
        mtr_abort(&m);
    }
    tree_unlock(inst);
    if (err >= 0) err = log_flush_to(inst->log, lsn);
    if (pos) *pos = lsn;
    return err;
}

/* Checks common to the calls of a running backup (bk->mu held). close_or_end: JetCloseFile and the
 * end call are not stopped by JetStopBackup. */
static JET_ERR check_running(struct backup *b, int allow_stopped)
{
    if (!b->active) return JET_errNoBackup;
    if (b->stop_flag && !allow_stopped) return JET_errBackupAbortByServer;
    return JET_errSuccess;
}

/* Enters the instance for a backup call: the entry gate, legacy mode rules. */
static JET_ERR enter(JET_INSTANCE h, int legacy, struct inst **out)
{
    return legacy ? inst_enter_legacy(out) : inst_enter(h, out);
}

static struct bkfile *find_file(struct backup *b, const char *name)
{
    for (int i = 0; i < b->nfiles; i++)
        if (strcmp(b->files[i]->path, name) == 0) return b->files[i];
    const char *base = os_basename(name);
    if (strchr(name, '/')) return NULL; /* a path that is not ours */
    for (int i = 0; i < b->nfiles; i++)
        if (strcmp(os_basename(b->files[i]->path), base) == 0) return b->files[i];
    return NULL;
}

static JET_ERR add_file(struct backup *b, const char *path, int is_log, uint32_t gen, struct db *db)
{
    if (b->nfiles >= JET_XBACKUP_FILES_MAX) return JET_errOutOfFileHandles;
    struct bkfile *f = calloc(1, sizeof *f);
    if (!f) return JET_errOutOfMemory;
    snprintf(f->path, sizeof f->path, "%s", path);
    f->is_log = is_log;
    f->gen = gen;
    f->db = db;
    /* A generation's size is known before it is verified (at its first read): list it. */
    if (is_log && os_file_size(path, &f->size) < 0) f->size = 0;
    b->files[b->nfiles++] = f;
    return JET_errSuccess;
}

/* Copies a double-NUL-terminated list of the selected files' paths. */
static void copy_szz(struct backup *b, int logs, void *pv, unsigned long cbMax, unsigned long *pcbActual)
{
    size_t need = 1;
    for (int i = 0; i < b->nfiles; i++)
        if (b->files[i]->is_log == logs) need += strlen(b->files[i]->path) + 1;
    char *tmp = calloc(1, need);
    if (tmp) {
        size_t off = 0;
        for (int i = 0; i < b->nfiles; i++)
            if (b->files[i]->is_log == logs) {
                size_t l = strlen(b->files[i]->path) + 1;
                memcpy(tmp + off, b->files[i]->path, l);
                off += l;
            }
        if (pv && cbMax) memcpy(pv, tmp, need < cbMax ? need : cbMax);
        free(tmp);
    }
    if (pcbActual) *pcbActual = (unsigned long)need;
}

static uint32_t oldest_generation(struct inst *inst)
{
    uint32_t *gens;
    size_t n;
    uint32_t oldest = log_current_gen(inst->log);
    if (log_list_archived(inst->params.log_path, inst->params.base_name, &gens, &n) >= 0) {
        if (n && gens[0] < oldest) oldest = gens[0];
        free(gens);
    }
    return oldest;
}

/* ---- begin ------------------------------------------------------------------------------------------ */
static JET_ERR begin(JET_INSTANCE h, int legacy, JET_GRBIT grbit, uint64_t tag)
{
    struct inst *inst;
    JET_ERR err = enter(h, legacy, &inst);
    if (err == JET_errNotInitialized) {
        struct inst *i = legacy ? NULL : inst_from_handle(h);
        if (legacy) inst_legacy(&i);
        if (i && i->initializing) return JET_errBackupNotAllowedYet;
    }
    if (err < 0) return err;
    struct backup *b = inst->backup;
    if (grbit & ~(JET_GRBIT)JET_bitBackupIncremental) {
        inst_leave(inst);
        return JET_errInvalidGrbit;
    }
    int incremental = (grbit & JET_bitBackupIncremental) != 0;
    pthread_mutex_lock(&inst->api_mu);
    pthread_mutex_lock(&b->mu);
    if (!inst->log) Error(JET_errLoggingDisabled);
    if (incremental && inst->params.circular_log) Error(JET_errInvalidBackup);
    if (b->active) Error(JET_errBackupInProgress);
    b->stop_flag = 0;
    b->id = tag ? tag : ++b->serial;
    if (incremental) {
        tree_rdlock(inst);
        for (uint32_t id = 1; id <= DB_MAX && err >= 0; id++) {
            struct db *db = inst->dbs[id];
            if (db && db->hdr.bk[BK_FULL_PREV].gen_high == 0) {
                ev(inst, b, EV_MISSING_FULL_BACKUP, JET_XEVENT_ERROR, JET_errMissingFullBackup,
                   "Database %s cannot be incrementally backed up: a full backup of it must be taken first.",
                   db->path);
                err = JET_errMissingFullBackup;
            }
        }
        tree_unlock(inst);
        Call(err);
    }
    Call(log_marker(inst, LR_BACKUP_BEGIN, b->id, incremental, &b->mark));
    b->mark_time = os_now_us();
    /* Pin everything while the first generation is chosen: a checkpoint finishing in between
     * could otherwise recycle (circular logging) the generation about to be chosen. */
    log_set_pin(inst->log, 1);
    if (incremental) {
        b->gen_low = oldest_generation(inst);
        b->redo_from = 0;
    } else {
        lgpos_t ck = ckpt_last(inst);
        b->gen_low = ck ? LGPOS_GEN(ck) : log_current_gen(inst->log);
        b->redo_from = ck ? ck : LGPOS(b->gen_low, 0);
    }
    log_set_pin(inst->log, b->gen_low);
    clear_files(b);
    if (!incremental) {
        tree_rdlock(inst);
        for (uint32_t id = 1; id <= DB_MAX && err >= 0; id++)
            if (inst->dbs[id]) err = add_file(b, inst->dbs[id]->path, 0, 0, inst->dbs[id]);
        tree_unlock(inst);
        if (err < 0) {
            clear_files(b);
            log_set_pin(inst->log, 0);
            goto HandleError;
        }
    }
    b->active = 1;
    b->incremental = incremental;
    b->log_called = b->truncated = 0;
    b->gen_high = 0;
    if (incremental)
        ev(inst, b, EV_BACKUP_INC_BEGIN, JET_XEVENT_INFO, 0,
           "An incremental backup is starting (log generations from %u on are kept).", b->gen_low);
    else
        ev(inst, b, EV_BACKUP_FULL_BEGIN, JET_XEVENT_INFO, 0,
           "A full backup is starting (%d database(s); log generations from %u on are kept).", b->nfiles,
           b->gen_low);
HandleError:
    {
        struct pending_event *pend = malloc(PENDING_EVENTS_MAX * sizeof *pend);
        int n = pend ? take_events(b, pend) : 0;
        pthread_mutex_unlock(&b->mu);
        pthread_mutex_unlock(&inst->api_mu);
        deliver_events(inst, pend, n);
        free(pend);
    }
    inst_leave(inst);
    return err;
}

JET_ERR JET_API JetBeginExternalBackupInstance(JET_INSTANCE instance, JET_GRBIT grbit)
{
    return begin(instance, 0, grbit, 0);
}
JET_ERR JET_API JetBeginExternalBackup(JET_GRBIT grbit) { return begin(0, 1, grbit, 0); }
JET_ERR JetXBeginExternalBackupInstance(JET_INSTANCE instance, JET_GRBIT grbit, unsigned long long ullBackupId)
{
    return begin(instance, 0, grbit, ullBackupId);
}

/* ---- attach info -------------------------------------------------------------------------------------- */
static JET_ERR attach_info(JET_INSTANCE h, int legacy, void *pv, unsigned long cbMax, unsigned long *pcbActual)
{
    struct inst *inst;
    JET_ERR err = enter(h, legacy, &inst);
    if (err < 0) return err;
    struct backup *b = inst->backup;
    pthread_mutex_lock(&b->mu);
    err = check_running(b, 0);
    if (err >= 0 && b->incremental) err = JET_errInvalidBackupSequence;
    if (err >= 0 && !pv && cbMax) err = JET_errInvalidParameter;
    if (err >= 0) copy_szz(b, 0, pv, cbMax, pcbActual);
    bk_unlock(inst, b);
    inst_leave(inst);
    return err;
}

JET_ERR JET_API JetGetAttachInfoInstance(JET_INSTANCE instance, void *szzDatabases, unsigned long cbMax,
                                         unsigned long *pcbActual)
{
    return attach_info(instance, 0, szzDatabases, cbMax, pcbActual);
}
JET_ERR JET_API JetGetAttachInfo(void *szzDatabases, unsigned long cbMax, unsigned long *pcbActual)
{
    return attach_info(0, 1, szzDatabases, cbMax, pcbActual);
}

/* ---- open / read / close -------------------------------------------------------------------------------- */
static void teardown(struct inst *inst, struct backup *b);

/* A fatal backup error ends the backup, as ESE does: event 214, an abort record, the backup torn
 * down (later calls, the end call included, return JET_errNoBackup). bk->mu held. */
static JET_ERR fail_backup(struct inst *inst, struct backup *b, JET_ERR err)
{
    ev(inst, b, EV_BACKUP_ERROR, JET_XEVENT_ERROR, err, "The backup has stopped because of error %ld (%s): %s.", err,
       JetXErrorName(err), JetXErrorMessage(err));
    log_marker(inst, LR_BACKUP_ABORT, b->id, b->incremental, NULL);
    teardown(inst, b);
    return err;
}

/* 1 when name (full path, or base name alone) is a database attached to the instance. */
static int is_attached_database(struct inst *inst, const char *name)
{
    int found = 0;
    int base_only = strchr(name, '/') == NULL;
    tree_rdlock(inst);
    for (uint32_t id = 1; id <= DB_MAX && !found; id++) {
        struct db *db = inst->dbs[id];
        if (!db) continue;
        found = strcmp(db->path, name) == 0 || (base_only && strcmp(os_basename(db->path), name) == 0);
    }
    tree_unlock(inst);
    return found;
}

/* Resolves name to a file of the backup with the phase rules (bk->mu held). sticky: a database
 * asked for in the wrong phase ends the backup (JetOpenFile); offset reads only refuse. */
static JET_ERR resolve(struct inst *inst, struct backup *b, const char *name, int sticky, struct bkfile **out)
{
    if (!name || !name[0]) return JET_errInvalidParameter;
    struct bkfile *f = find_file(b, name);
    if (!f && b->incremental && is_attached_database(inst, name)) {
        /* An incremental backup lists no database, but asking for one is a sequence error. */
        if (sticky) return fail_backup(inst, b, JET_errInvalidBackupSequence);
        return JET_errInvalidBackupSequence;
    }
    if (!f) return JET_errDatabaseNotFound;
    if (!f->is_log && (b->log_called || b->incremental)) {
        if (sticky) return fail_backup(inst, b, JET_errInvalidBackupSequence);
        return JET_errInvalidBackupSequence;
    }
    if (f->failed) return JET_errReadVerifyFailure;
    if (!f->ready) {
        JET_ERR err = bkfile_prepare(inst, f, b->gen_low, b->redo_from, b->mark, b->mark_time);
        if (err == JET_errMissingFileToBackup) {
            ev(inst, b, EV_MISSING_FILE_TO_BACKUP, JET_XEVENT_ERROR, err,
               "Log file %s, needed by the backup, is missing.", f->path);
            return fail_backup(inst, b, err);
        }
        if (err == JET_errLogReadVerifyFailure) {
            ev(inst, b, EV_BACKUP_LOG_FAILED, JET_XEVENT_ERROR, err, "Log file %s failed verification during the backup.",
               f->path);
            return fail_backup(inst, b, err);
        }
        if (err < 0) return err;
    }
    if (!f->is_log && !f->announced) {
        /* Once per file, at its first open or read (JetXGetBackupInfo may have sized it earlier). */
        f->announced = 1;
        ev(inst, b, EV_BACKUP_FILE_OPEN, JET_XEVENT_INFO, 0, "Starting the backup of file %s (size %llu bytes).",
           f->path, (unsigned long long)f->size);
    }
    *out = f;
    return JET_errSuccess;
}

static JET_ERR open_file(JET_INSTANCE h, int legacy, JET_PCSTR name, JET_HANDLE *phf, unsigned long *lo,
                         unsigned long *hi)
{
    struct inst *inst;
    JET_ERR err = enter(h, legacy, &inst);
    if (err < 0) return err;
    struct backup *b = inst->backup;
    struct bkfile *f;
    pthread_mutex_lock(&b->mu);
    Call(check_running(b, 0));
    if (!name || !name[0] || !phf) Error(JET_errInvalidParameter);
    if (b->handle_open) Error(JET_errOutOfMemory);
    Call(resolve(inst, b, name, 1, &f));
    b->handle_open = 1;
    b->hfile = f;
    b->hpos = 0;
    b->hfirst = 1;
    *phf = (JET_HANDLE)(HANDLE_BASE | (++b->hseq & 0xffff));
    if (lo) *lo = (unsigned long)(f->size & 0xffffffffu);
    if (hi) *hi = (unsigned long)(f->size >> 32);
HandleError:
    bk_unlock(inst, b);
    inst_leave(inst);
    return err;
}

JET_ERR JET_API JetOpenFileInstance(JET_INSTANCE instance, JET_PCSTR szFileName, JET_HANDLE *phfFile,
                                    unsigned long *pulFileSizeLow, unsigned long *pulFileSizeHigh)
{
    return open_file(instance, 0, szFileName, phfFile, pulFileSizeLow, pulFileSizeHigh);
}
JET_ERR JET_API JetOpenFile(JET_PCSTR szFileName, JET_HANDLE *phfFile, unsigned long *pulFileSizeLow,
                            unsigned long *pulFileSizeHigh)
{
    return open_file(0, 1, szFileName, phfFile, pulFileSizeLow, pulFileSizeHigh);
}

static int handle_ok(const struct backup *b, JET_HANDLE hf)
{
    return b->handle_open && hf == (JET_HANDLE)(HANDLE_BASE | (b->hseq & 0xffff));
}

/* Reads a file's bytes outside bk->mu and records them (bk->mu held on entry and exit). */
static JET_ERR read_bytes(struct inst *inst, struct backup *b, struct bkfile *f, uint64_t off, void *pv,
                          size_t len, size_t *got)
{
    b->readers++;
    pthread_mutex_unlock(&b->mu);
    JET_ERR err = bkfile_read(inst, f, off, pv, len, got);
    pthread_mutex_lock(&b->mu);
    if (--b->readers == 0) pthread_cond_broadcast(&b->cv);
    if (err == JET_errReadVerifyFailure) {
        if (!f->failed || !f->ready) f->failed = 1;
        if (f->failed == 1) {
            f->failed = 2; /* report once */
            ev(inst, b, EV_BACKUP_DB_FAILED, JET_XEVENT_ERROR, err,
               "Error %ld (%s) during the backup of database %s: a page failed verification; this database "
               "is not backed up, the backup goes on.",
               err, JetXErrorName(err), f->path);
        }
        return err;
    }
    if (err == JET_errLogReadVerifyFailure) {
        ev(inst, b, EV_BACKUP_LOG_FAILED, JET_XEVENT_ERROR, err, "Log file %s failed verification during the backup.",
           f->path);
        return fail_backup(inst, b, err);
    }
    if (err < 0) {
        /* an I/O error: nothing was delivered, the backup goes on and the read may be retried */
        ev(inst, b, EV_READ_FAILURE, JET_XEVENT_ERROR, err,
           "Reading %s at offset %llu (%zu bytes) for the backup failed with error %ld (%s); the read "
           "can be retried.",
           f->path, (unsigned long long)off, len, err, JetXErrorName(err));
        return err;
    }
    int was = bkfile_complete(f);
    if (bkfile_mark(f, off, *got) && !was && !b->handle_open && !f->is_log)
        ev(inst, b, EV_BACKUP_FILE_DONE, JET_XEVENT_INFO, 0, "Ending the backup of file %s.", f->path);
    return JET_errSuccess;
}

static JET_ERR read_file(JET_INSTANCE h, int legacy, JET_HANDLE hf, void *pv, unsigned long cb, unsigned long *pcb)
{
    struct inst *inst;
    JET_ERR err = enter(h, legacy, &inst);
    if (err < 0) return err;
    struct backup *b = inst->backup;
    uint32_t pgsz = inst->params.page_size;
    pthread_mutex_lock(&b->mu);
    Call(check_running(b, 0));
    if (!handle_ok(b, hf) || !pv || cb == 0 || cb % pgsz) Error(JET_errInvalidParameter);
    struct bkfile *f = b->hfile;
    if (b->hfirst && cb < (f->is_log ? 2u : 3u) * pgsz) Error(JET_errInvalidParameter);
    size_t got = 0;
    err = read_bytes(inst, b, f, b->hpos, pv, cb, &got);
    if (err == JET_errReadVerifyFailure) {
        /* That database is failed and its handle closed; the backup goes on. */
        ev(inst, b, EV_BACKUP_FILE_PARTIAL, JET_XEVENT_INFO, 0,
           "Ending the backup of file %s: not all of it was read (%llu of %llu bytes).", f->path,
           (unsigned long long)f->delivered, (unsigned long long)f->size);
        b->handle_open = 0;
        b->hfile = NULL;
        goto HandleError;
    }
    Call(err);
    b->hpos += got;
    b->hfirst = 0;
    if (pcb) *pcb = (unsigned long)got;
HandleError:
    bk_unlock(inst, b);
    inst_leave(inst);
    return err;
}

JET_ERR JET_API JetReadFileInstance(JET_INSTANCE instance, JET_HANDLE hfFile, void *pv, unsigned long cb,
                                    unsigned long *pcbActual)
{
    return read_file(instance, 0, hfFile, pv, cb, pcbActual);
}
JET_ERR JET_API JetReadFile(JET_HANDLE hfFile, void *pv, unsigned long cb, unsigned long *pcbActual)
{
    return read_file(0, 1, hfFile, pv, cb, pcbActual);
}

static JET_ERR close_file(JET_INSTANCE h, int legacy, JET_HANDLE hf)
{
    struct inst *inst;
    JET_ERR err = enter(h, legacy, &inst);
    if (err < 0) return err;
    struct backup *b = inst->backup;
    pthread_mutex_lock(&b->mu);
    Call(check_running(b, 1));
    if (!handle_ok(b, hf)) Error(JET_errInvalidParameter);
    struct bkfile *f = b->hfile;
    if (f->is_log)
        ;
    else if (bkfile_complete(f))
        ev(inst, b, EV_BACKUP_FILE_DONE, JET_XEVENT_INFO, 0, "Ending the backup of file %s.", f->path);
    else
        ev(inst, b, EV_BACKUP_FILE_PARTIAL, JET_XEVENT_INFO, 0,
           "Ending the backup of file %s: not all of it was read (%llu of %llu bytes).", f->path,
           (unsigned long long)f->delivered, (unsigned long long)f->size);
    b->handle_open = 0;
    b->hfile = NULL;
HandleError:
    bk_unlock(inst, b);
    inst_leave(inst);
    return err;
}

JET_ERR JET_API JetCloseFileInstance(JET_INSTANCE instance, JET_HANDLE hfFile) { return close_file(instance, 0, hfFile); }
JET_ERR JET_API JetCloseFile(JET_HANDLE hfFile) { return close_file(0, 1, hfFile); }

JET_ERR JetXReadFileAt(JET_INSTANCE instance, const char *szFileName, unsigned long long ibOffset, void *pv,
                       unsigned long cb, unsigned long *pcbActual)
{
    struct inst *inst;
    JET_ERR err = inst_enter(instance, &inst);
    if (err < 0) return err;
    struct backup *b = inst->backup;
    struct bkfile *f;
    size_t got = 0;
    pthread_mutex_lock(&b->mu);
    Call(check_running(b, 0));
    if (!pv && cb) Error(JET_errInvalidParameter);
    Call(resolve(inst, b, szFileName, 0, &f));
    Call(read_bytes(inst, b, f, ibOffset, pv, cb, &got));
    if (pcbActual) *pcbActual = (unsigned long)got;
HandleError:
    bk_unlock(inst, b);
    inst_leave(inst);
    return err;
}

/* ---- logs ----------------------------------------------------------------------------------------------- */
static uint32_t last_backup_high(struct inst *inst)
{
    uint32_t high = 0;
    tree_rdlock(inst);
    for (uint32_t id = 1; id <= DB_MAX; id++) {
        struct db *db = inst->dbs[id];
        if (!db) continue;
        uint32_t h = db->hdr.bk[BK_FULL_PREV].gen_high;
        if (db->hdr.bk[BK_INC_PREV].gen_high > h) h = db->hdr.bk[BK_INC_PREV].gen_high;
        if (!high || h < high) high = h;
    }
    tree_unlock(inst);
    return high;
}

static JET_ERR log_info(JET_INSTANCE h, int legacy, void *pv, unsigned long cbMax, unsigned long *pcbActual,
                        JET_LOGINFO *li)
{
    struct inst *inst;
    JET_ERR err = enter(h, legacy, &inst);
    if (err < 0) return err;
    struct backup *b = inst->backup;
    char path[OS_PATH_MAX];
    pthread_mutex_lock(&b->mu);
    Call(check_running(b, 0));
    if (b->handle_open) Error(JET_errInvalidBackupSequence);
    if (li && li->cbSize && li->cbSize < sizeof(JET_LOGINFO)) Error(JET_errInvalidParameter);
    if (!pv && cbMax) Error(JET_errInvalidParameter);
    if (!b->log_called) {
        uint32_t closed;
        Call(log_roll(inst->log, &closed));
        uint32_t low = b->gen_low;
        if (b->incremental) {
            uint32_t prev = last_backup_high(inst);
            if (prev && low > prev + 1) {
                ev(inst, b, EV_MISSING_FILE_TO_BACKUP, JET_XEVENT_ERROR, JET_errMissingFileToBackup,
                   "Log generations %u to %u, needed by the incremental backup after the previous one, are "
                   "missing.",
                   prev + 1, low - 1);
                Error(JET_errMissingFileToBackup);
            }
        }
        for (uint32_t g = low; g <= closed; g++) {
            Call(log_path_gen(path, sizeof path, inst->params.log_path, inst->params.base_name, g));
            if (!os_exists(path)) {
                ev(inst, b, EV_MISSING_FILE_TO_BACKUP, JET_XEVENT_ERROR, JET_errMissingFileToBackup,
                   "Log file %s, needed by the backup, is missing.", path);
                Error(JET_errMissingFileToBackup);
            }
        }
        for (uint32_t g = low; g <= closed; g++) {
            log_path_gen(path, sizeof path, inst->params.log_path, inst->params.base_name, g);
            Call(add_file(b, path, 1, g, NULL));
        }
        b->gen_high = closed;
        b->log_called = 1;
        ev(inst, b, EV_BACKUP_LOGS, JET_XEVENT_INFO, 0, "Starting the backup of log files (generations %u to %u).",
           low, closed);
    }
    copy_szz(b, 1, pv, cbMax, pcbActual);
    if (li) {
        li->cbSize = sizeof *li;
        li->ulGenLow = b->gen_low;
        li->ulGenHigh = b->gen_high;
        snprintf(li->szBaseName, sizeof li->szBaseName, "%s", inst->params.base_name);
    }
HandleError:
    bk_unlock(inst, b);
    inst_leave(inst);
    return err;
}

JET_ERR JET_API JetGetLogInfoInstance2(JET_INSTANCE instance, void *szzLogs, unsigned long cbMax,
                                       unsigned long *pcbActual, JET_LOGINFO *pLogInfo)
{
    return log_info(instance, 0, szzLogs, cbMax, pcbActual, pLogInfo);
}
JET_ERR JET_API JetGetLogInfoInstance(JET_INSTANCE instance, void *szzLogs, unsigned long cbMax, unsigned long *pcbActual)
{
    return log_info(instance, 0, szzLogs, cbMax, pcbActual, NULL);
}
JET_ERR JET_API JetGetLogInfo(void *szzLogs, unsigned long cbMax, unsigned long *pcbActual)
{
    return log_info(0, 1, szzLogs, cbMax, pcbActual, NULL);
}

/* ---- truncation -------------------------------------------------------------------------------------------- */
/* The first generation truncation keeps (bk->mu held): below it everything may go. */
static uint32_t truncate_limit(struct inst *inst, struct backup *b)
{
    uint32_t limit = b->gen_high + 1;
    uint32_t ck = LGPOS_GEN(ckpt_last(inst));
    if (ck && ck < limit) limit = ck;
    if (!b->incremental)
        for (int i = 0; i < b->nfiles; i++) {
            struct bkfile *f = b->files[i];
            if (f->is_log || bkfile_complete(f)) continue;
            /* Keep what the last full backup of this database needs (nothing goes when it has none). */
            uint32_t prev = f->db->hdr.bk[BK_FULL_PREV].gen_high;
            if (prev < limit) limit = prev;
        }
    return limit;
}

static JET_ERR truncate_checks(struct backup *b)
{
    JET_ERR err = check_running(b, 0);
    if (err < 0) return err;
    if (b->handle_open || !b->log_called) return JET_errInvalidBackupSequence;
    return JET_errSuccess;
}

JET_ERR JET_API JetGetTruncateLogInfoInstance(JET_INSTANCE instance, void *szzLogs, unsigned long cbMax,
                                              unsigned long *pcbActual)
{
    struct inst *inst;
    uint32_t *gens = NULL;
    size_t n = 0;
    JET_ERR err = inst_enter(instance, &inst);
    if (err < 0) return err;
    struct backup *b = inst->backup;
    pthread_mutex_lock(&b->mu);
    Call(truncate_checks(b));
    if (!szzLogs && cbMax) Error(JET_errInvalidParameter);
    uint32_t limit = truncate_limit(inst, b);
    Call(log_list_archived(inst->params.log_path, inst->params.base_name, &gens, &n));
    size_t need = 1;
    char path[OS_PATH_MAX];
    for (size_t i = 0; i < n && gens[i] < limit; i++) {
        log_path_gen(path, sizeof path, inst->params.log_path, inst->params.base_name, gens[i]);
        need += strlen(path) + 1;
    }
    char *tmp = calloc(1, need);
    if (!tmp) Error(JET_errOutOfMemory);
    size_t off = 0;
    for (size_t i = 0; i < n && gens[i] < limit; i++) {
        log_path_gen(path, sizeof path, inst->params.log_path, inst->params.base_name, gens[i]);
        memcpy(tmp + off, path, strlen(path) + 1);
        off += strlen(path) + 1;
    }
    if (szzLogs && cbMax) memcpy(szzLogs, tmp, need < cbMax ? need : cbMax);
    if (pcbActual) *pcbActual = (unsigned long)need;
    free(tmp);
HandleError:
    free(gens);
    bk_unlock(inst, b);
    inst_leave(inst);
    return err;
}

static JET_ERR truncate_log(JET_INSTANCE h, int legacy)
{
    struct inst *inst;
    uint32_t *gens = NULL;
    size_t n = 0;
    JET_ERR err = enter(h, legacy, &inst);
    if (err < 0) return err;
    struct backup *b = inst->backup;
    char path[OS_PATH_MAX];
    pthread_mutex_lock(&b->mu);
    Call(truncate_checks(b));
    for (int i = 0; i < b->nfiles; i++) {
        struct bkfile *f = b->files[i];
        if (f->is_log && !bkfile_complete(f)) {
            ev(inst, b, EV_LOG_NOT_COPIED, JET_XEVENT_ERROR, JET_errLogFileNotCopied,
               "Log file %s has not been copied to its end: logs cannot be truncated.", f->path);
            Error(JET_errLogFileNotCopied);
        }
    }
    uint32_t limit = truncate_limit(inst, b);
    Call(log_list_archived(inst->params.log_path, inst->params.base_name, &gens, &n));
    uint32_t first = 0, last = 0, deleted = 0, missing = 0;
    for (uint32_t g = b->gen_low; g < limit && g <= b->gen_high; g++) {
        int present = 0;
        for (size_t i = 0; i < n; i++) present |= gens[i] == g;
        missing += !present;
    }
    for (size_t i = 0; i < n && gens[i] < limit; i++) {
        log_path_gen(path, sizeof path, inst->params.log_path, inst->params.base_name, gens[i]);
        JET_ERR e = os_unlink(path);
        if (e == JET_errFileNotFound) {
            missing++;
            continue;
        }
        if (e < 0) {
            ev(inst, b, EV_BACKUP_TRUNCATE_FAILED, JET_XEVENT_ERROR, e, "Log file %s could not be deleted: %s.", path,
               JetXErrorName(e));
            err = e;
            break;
        }
        if (!first) first = gens[i];
        last = gens[i];
        deleted++;
    }
    os_fsync_dir(inst->params.log_path);
    if (missing)
        ev(inst, b, EV_TRUNCATE_MISSING, JET_XEVENT_WARNING, 0,
           "%u log file(s) that truncation would delete were already missing.", missing);
    if (deleted)
        ev(inst, b, EV_TRUNCATE, JET_XEVENT_INFO, 0, "Deleting log files %s%08X.log to %s%08X.log (%u files).",
           inst->params.base_name, first, inst->params.base_name, last, deleted);
    else if (err >= 0)
        ev(inst, b, EV_TRUNCATE_NOTHING, JET_XEVENT_INFO, 0, "No log files can be truncated.");
    Call(err);
    b->truncated = 1;
HandleError:
    free(gens);
    bk_unlock(inst, b);
    inst_leave(inst);
    return err;
}

JET_ERR JET_API JetTruncateLogInstance(JET_INSTANCE instance) { return truncate_log(instance, 0); }
JET_ERR JET_API JetTruncateLog(void) { return truncate_log(0, 1); }

/* ---- end ------------------------------------------------------------------------------------------------------ */
/* Records the finished backup in a database's header: logged first, then written. */
static JET_ERR record_in_header(struct inst *inst, struct backup *b, struct db *db, unsigned slot, unsigned clear)
{
    struct mtr m;
    lgpos_t lsn = 0;
    tree_wrlock(inst);
    mtr_begin(&m, inst);
    uint8_t *p = mtr_control(&m, LR_BACKUP_HEADER, 30);
    JET_ERR err = JET_errOutOfMemory;
    if (p) {
        put_u32(p, db->dbid);
        p[4] = (uint8_t)slot;
        p[5] = (uint8_t)clear;
        put_u64(p + 6, b->mark);
        put_u64(p + 14, (uint64_t)b->mark_time);
        put_u32(p + 22, b->gen_low);
        put_u32(p + 26, b->gen_high);
        err = mtr_commit(&m, 1, &lsn);
    } else {
        mtr_abort(&m);
    }
    tree_unlock(inst);
    if (err >= 0) err = log_flush_to(inst->log, lsn);
    if (err < 0) return err;
    for (unsigned i = 0; i < BK_COUNT; i++)
        if (clear & (1u << i)) memset(&db->hdr.bk[i], 0, sizeof db->hdr.bk[i]);
    db->hdr.bk[slot] = (struct bkinfo){b->mark, b->mark_time, b->gen_low, b->gen_high};
    return db_write_header(db);
}

static JET_ERR record_backup(struct inst *inst, struct backup *b, int truncated)
{
    JET_ERR err = JET_errSuccess;
    if (b->incremental) {
        unsigned slot = truncated ? BK_INC_PREV : BK_DIFF_PREV;
        for (uint32_t id = 1; id <= DB_MAX && err >= 0; id++)
            if (inst->dbs[id]) err = record_in_header(inst, b, inst->dbs[id], slot, 0);
        return err;
    }
    for (int i = 0; i < b->nfiles && err >= 0; i++) {
        struct bkfile *f = b->files[i];
        if (f->is_log || !bkfile_complete(f)) continue;
        if (truncated)
            err = record_in_header(inst, b, f->db, BK_FULL_PREV, (1u << BK_INC_PREV) | (1u << BK_DIFF_PREV));
        else
            err = record_in_header(inst, b, f->db, BK_COPY_PREV, 0);
    }
    return err;
}

/* Tears the backup down (bk->mu held): files freed, logs unpinned. */
static void teardown(struct inst *inst, struct backup *b)
{
    while (b->readers) pthread_cond_wait(&b->cv, &b->mu);
    clear_files(b);
    b->active = 0;
    if (inst->log) log_set_pin(inst->log, 0);
}

static JET_ERR end_backup(JET_INSTANCE h, int legacy, JET_GRBIT grbit)
{
    struct inst *inst;
    JET_ERR err = enter(h, legacy, &inst);
    if (err < 0) return err;
    struct backup *b = inst->backup;
    pthread_mutex_lock(&inst->api_mu);
    pthread_mutex_lock(&b->mu);
    if (!b->active) Error(JET_errNoBackup);
    JET_GRBIT kind = grbit & (JET_bitBackupEndNormal | JET_bitBackupEndAbort);
    if ((grbit & ~(JET_GRBIT)(JET_bitBackupEndNormal | JET_bitBackupEndAbort | JET_bitBackupTruncateDone)) ||
        (kind != JET_bitBackupEndNormal && kind != JET_bitBackupEndAbort))
        Error(JET_errInvalidParameter);
    while (b->readers) pthread_cond_wait(&b->cv, &b->mu);
    if (kind == JET_bitBackupEndAbort || (!b->stop_flag && !b->log_called)) {
        log_marker(inst, LR_BACKUP_ABORT, b->id, b->incremental, NULL);
        ev(inst, b, EV_BACKUP_ABORT_CALLER, JET_XEVENT_WARNING, errBackupAbortByCaller,
           kind == JET_bitBackupEndAbort ? "The backup was abandoned by the client (end call with abort)."
                                         : "The backup was ended by the client before its log files were listed; it "
                                           "is treated as abandoned.");
        err = errBackupAbortByCaller;
    } else if (b->stop_flag) {
        ev(inst, b, EV_BACKUP_ABORT_SERVER, JET_XEVENT_WARNING, JET_errBackupAbortByServer,
           "The backup was stopped (JetStopBackup): it is abandoned, no database header records it.");
        err = JET_errBackupAbortByServer;
    } else {
        int truncated = b->truncated || (grbit & JET_bitBackupTruncateDone);
        err = record_backup(inst, b, truncated);
        if (err >= 0) {
            log_marker(inst, LR_BACKUP_END, b->id, b->incremental, NULL);
            ev(inst, b, EV_BACKUP_DONE, JET_XEVENT_INFO, 0,
               "The backup procedure has been successfully completed (%s backup, log generations %u to %u, "
               "recorded as %s).",
               b->incremental ? "incremental" : "full", b->gen_low, b->gen_high,
               b->incremental ? (truncated ? "incremental" : "differential") : (truncated ? "full" : "copy"));
        } else {
            ev(inst, b, EV_BACKUP_ERROR, JET_XEVENT_ERROR, err,
               "The backup could not be recorded in the database headers: %s.", JetXErrorName(err));
        }
    }
    teardown(inst, b);
HandleError:
    {
        struct pending_event *pend = malloc(PENDING_EVENTS_MAX * sizeof *pend);
        int n = pend ? take_events(b, pend) : 0;
        pthread_mutex_unlock(&b->mu);
        pthread_mutex_unlock(&inst->api_mu);
        deliver_events(inst, pend, n);
        free(pend);
    }
    inst_leave(inst);
    return err;
}

JET_ERR JET_API JetEndExternalBackupInstance2(JET_INSTANCE instance, JET_GRBIT grbit)
{
    return end_backup(instance, 0, grbit);
}
JET_ERR JET_API JetEndExternalBackupInstance(JET_INSTANCE instance)
{
    return end_backup(instance, 0, JET_bitBackupEndNormal);
}
JET_ERR JET_API JetEndExternalBackup(void) { return end_backup(0, 1, JET_bitBackupEndNormal); }

/* ---- stop --------------------------------------------------------------------------------------------------- */
static JET_ERR stop_backup(JET_INSTANCE h, int legacy)
{
    struct inst *inst;
    JET_ERR err = enter(h, legacy, &inst);
    if (err < 0) return err;
    struct backup *b = inst->backup;
    pthread_mutex_lock(&b->mu);
    b->stop_flag = 1;
    bk_unlock(inst, b);
    inst_leave(inst);
    return JET_errSuccess;
}

JET_ERR JET_API JetStopBackupInstance(JET_INSTANCE instance) { return stop_backup(instance, 0); }
JET_ERR JET_API JetStopBackup(void) { return stop_backup(0, 1); }

void bk_abort_by_server(struct inst *inst)
{
    struct backup *b = inst->backup;
    pthread_mutex_lock(&b->mu);
    if (b->active) {
        ev(inst, b, EV_BACKUP_ABORT_SERVER, JET_XEVENT_WARNING, JET_errBackupAbortByServer,
           "The backup was stopped because the instance is shutting down.");
        if (inst->log && !log_dead(inst->log)) log_marker(inst, LR_BACKUP_ABORT, b->id, b->incremental, NULL);
        teardown(inst, b);
    }
    bk_unlock(inst, b);
}

/* ---- information -------------------------------------------------------------------------------------------- */
JET_ERR JetXGetBackupInfo(JET_INSTANCE instance, JET_XBACKUPINFO *pinfo)
{
    struct inst *inst;
    if (!pinfo) return JET_errInvalidParameter;
    JET_ERR err = inst_enter(instance, &inst);
    if (err < 0) return err;
    struct backup *b = inst->backup;
    memset(pinfo, 0, sizeof *pinfo);
    pthread_mutex_lock(&b->mu);
    if (b->active) {
        pinfo->ullBackupId = b->id;
        pinfo->phase = b->truncated ? JET_XBACKUP_PHASE_TRUNCATED
                                    : b->log_called ? JET_XBACKUP_PHASE_LOGS : JET_XBACKUP_PHASE_DATABASE;
        pinfo->fIncremental = (unsigned long)b->incremental;
        pinfo->fStopped = (unsigned long)b->stop_flag;
        pinfo->ulGenLow = b->log_called ? b->gen_low : 0;
        pinfo->ulGenHigh = b->gen_high;
        for (int i = 0; i < b->nfiles && i < JET_XBACKUP_FILES_MAX; i++) {
            struct bkfile *f = b->files[i];
            JET_XBACKUP_FILE *o = &pinfo->rgFiles[pinfo->cFiles++];
            snprintf(o->szName, sizeof o->szName, "%s", f->path);
            o->fIsLog = (unsigned long)f->is_log;
            if (!f->ready && !f->is_log && !b->log_called) {
                /* Report the size a client will see: prepare the snapshot now. */
                bkfile_prepare(inst, f, b->gen_low, b->redo_from, b->mark, b->mark_time);
            }
            o->cbSize = f->size;
            o->cbDelivered = f->delivered;
            o->fComplete = (unsigned long)bkfile_complete(f);
            o->fFailed = f->failed != 0;
        }
    }
    bk_unlock(inst, b);
    inst_leave(inst);
    return JET_errSuccess;
}
