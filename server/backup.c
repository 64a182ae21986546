/*
 * backup.c — backup jobs: the engine's external backup calls and the catalog rows that record
 * them (see backup.h for the state machine and the locking).
 */
#include "backup.h"

#include "events.h"
#include "upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_LIST_CAP (64 * 1024) /* double-NUL-terminated path lists from the engine */
#define EVENT_BACKUP_ERROR 214    /* ESE's event: a fatal error tore the backup down */

/* What the engine runs on a job's instance (engine_view). */
enum engine_view { ENGINE_RUNS_JOB, ENGINE_RUNS_NONE, ENGINE_RUNS_OTHER };

void hc_backup_result(JET_ERR err, struct cat_result *out)
{
    memset(out, 0, sizeof *out);
    out->code = (int32_t)err;
    snprintf(out->name, sizeof out->name, "%s", JetXErrorName(err));
    snprintf(out->message, sizeof out->message, "%s", JetXErrorMessage(err));
}

void hc_backup_ref(struct hc_backup_job *job)
{
    atomic_fetch_add(&job->refs, 1);
}

void hc_backup_unref(struct hc_backup_job *job)
{
    if (job == NULL || atomic_fetch_sub(&job->refs, 1) != 1) return;
    hc_throttle_unref(job->throttle);
    pthread_mutex_destroy(&job->lock);
    free(job);
}

/* The engine sizes a log generation when it first opens it for the backup (checking it whole),
 * so JetXGetBackupInfo lists an unopened log with size 0. A read of 0 bytes opens it without
 * delivering anything. A missing log or one failing verification makes the engine tear the
 * backup down (event 214): the caller's next JetXGetBackupInfo shows it. */
static bool open_unsized_logs(struct hc_backup_job *job, const JET_XBACKUPINFO *info)
{
    bool opened = false;
    size_t n = info->cFiles < JET_XBACKUP_FILES_MAX ? info->cFiles : JET_XBACKUP_FILES_MAX;
    for (size_t i = 0; i < n; i++) {
        const JET_XBACKUP_FILE *f = &info->rgFiles[i];
        char none[1];
        unsigned long got = 0;
        if (f->fIsLog && f->cbSize == 0 &&
            JetXReadFileAt(job->inst->jet, f->szName, 0, none, 0, &got) >= 0)
            opened = true;
    }
    return opened;
}

/* The job has been finished (ended, stopped or failed): its calls answer JET_errNoBackup without
 * calling the engine, whose backup, if one runs, is another's. A job is finished under its lock
 * before it leaves its instance, so a caller holding job->lock that sees it running knows no new
 * backup has begun on the instance. Caller holds job->lock. */
static bool job_over(const struct hc_backup_job *job)
{
    return job->phase == CAT_PHASE_ENDED || job->phase == CAT_PHASE_STOPPED ||
           job->phase == CAT_PHASE_FAILED;
}

static bool info_is_job(const JET_XBACKUPINFO *info, const struct hc_backup_job *job)
{
    return info->phase != JET_XBACKUP_PHASE_NONE && info->ullBackupId == (uint64_t)job->id;
}

/* Asks the engine whether the job's backup still runs. Returns the entry gate's code when the
 * engine cannot be asked (*view is then left alone). */
static JET_ERR engine_view(const struct hc_backup_job *job, enum engine_view *view)
{
    JET_XBACKUPINFO *info = calloc(1, sizeof *info);
    if (info == NULL) return JET_errOutOfMemory;
    JET_ERR err = JetXGetBackupInfo(job->inst->jet, info);
    if (err >= 0) {
        if (info->phase == JET_XBACKUP_PHASE_NONE)
            *view = ENGINE_RUNS_NONE;
        else
            *view = info_is_job(info, job) ? ENGINE_RUNS_JOB : ENGINE_RUNS_OTHER;
    }
    free(info);
    return err;
}

/* Re-reads the engine's file list into the job and the catalog. JET_errNoBackup when the engine
 * no longer runs the job's backup. Caller holds job->lock. */
static JET_ERR refresh_files(struct hc_backup_job *job)
{
    JET_XBACKUPINFO *info = calloc(1, sizeof *info);
    if (info == NULL) return JET_errOutOfMemory;
    JET_ERR err = JetXGetBackupInfo(job->inst->jet, info);
    if (err >= 0 && info_is_job(info, job) && open_unsized_logs(job, info))
        err = JetXGetBackupInfo(job->inst->jet, info);
    if (err >= 0 && !info_is_job(info, job)) err = JET_errNoBackup;
    if (err >= 0) {
        size_t n = info->cFiles < JET_XBACKUP_FILES_MAX ? info->cFiles : JET_XBACKUP_FILES_MAX;
        for (size_t i = 0; i < n; i++) {
            const JET_XBACKUP_FILE *f = &info->rgFiles[i];
            struct hc_backup_file *dst = &job->files[i];
            const char *base = hc_basename(f->szName);
            enum cat_file_kind kind = f->fIsLog ? CAT_FILE_LOG : CAT_FILE_DATABASE;
            bool changed = i >= job->file_count || strcmp(dst->name, base) != 0 ||
                           dst->size != f->cbSize || dst->kind != kind;
            snprintf(dst->name, sizeof dst->name, "%s", base);
            snprintf(dst->engine_name, sizeof dst->engine_name, "%s", f->szName);
            dst->kind = kind;
            dst->size = f->cbSize;
            if (changed &&
                cat_backup_file_put(job->app->cat, job->id, dst->name, kind, dst->size) != CAT_OK)
                fprintf(stderr, "hotcopyd: catalog: %s\n", cat_errmsg(job->app->cat));
        }
        job->file_count = n;
    }
    free(info);
    return err;
}

/* The code the engine gave when it tore the job's backup down: that of the backup's newest event
 * 214 in the catalog (the engine reports its events before the failing call returns), else
 * JET_errNoBackup. */
static JET_ERR teardown_cause(struct hc_backup_job *job)
{
    JET_ERR cause = JET_errNoBackup;
    struct cat_event_filter f = {.backup_id = job->id, .limit = CAT_LIST_MAX};
    for (;;) {
        struct cat_event *list = NULL;
        size_t n = 0;
        if (cat_event_list(job->app->cat, &f, &list, &n) != CAT_OK) break;
        for (size_t i = 0; i < n; i++)
            if (list[i].event_id == EVENT_BACKUP_ERROR && list[i].error_code < 0)
                cause = list[i].error_code;
        if (n > 0) f.after_id = list[n - 1].id;
        free(list);
        if (n < CAT_LIST_MAX) break;
    }
    return cause;
}

/* Finishes a job whose engine backup is gone as failed, with the engine's code, and takes it off
 * its instance. Caller holds inst->lock (not job->lock) and, once it is released, calls
 * after_lost. Returns the code recorded. */
static JET_ERR finish_lost_locked(struct hc_backup_job *job)
{
    JET_ERR cause = teardown_cause(job);
    struct cat_backup_end end = {.phase = CAT_PHASE_FAILED};
    hc_backup_result(cause, &end.result);
    pthread_mutex_lock(&job->lock);
    if (cat_backup_finish(job->app->cat, job->id, &end) != CAT_OK)
        fprintf(stderr, "hotcopyd: catalog: %s\n", cat_errmsg(job->app->cat));
    job->phase = CAT_PHASE_FAILED;
    pthread_mutex_unlock(&job->lock);
    job->inst->backup = NULL;
    hc_events_server(job->app, job->inst->name, CAT_LEVEL_ERROR, job->id, 0,
                     "backup %lld: the engine ended it after %s (%ld); it is marked failed",
                     (long long)job->id, JetXErrorName(cause), (long)cause);
    return cause;
}

/* The rest of finish_lost_locked, without locks: the offsite copy learns the backup is over, and
 * the instance's reference goes (job may be freed). */
static void after_lost(struct hc_backup_job *job, JET_ERR cause)
{
    hc_upload_after_end(job->app, job->id, cause, CAT_RECORDED_NONE);
    hc_backup_unref(job);
}

/* When the engine no longer runs the job's backup, finishes the job (finish_lost_locked) and
 * returns true with the engine's code in *cause. No lock held by the caller. */
static bool settle_lost(struct hc_backup_job *job, JET_ERR *cause)
{
    struct hc_instance *inst = job->inst;
    enum engine_view view = ENGINE_RUNS_JOB;
    bool lost = false;
    pthread_mutex_lock(&inst->lock);
    if (inst->backup == job && engine_view(job, &view) >= 0 && view != ENGINE_RUNS_JOB) {
        *cause = finish_lost_locked(job);
        lost = true;
    }
    pthread_mutex_unlock(&inst->lock);
    if (lost) after_lost(job, *cause);
    return lost;
}

void hc_backup_settle(struct hc_backup_job *job, JET_ERR err)
{
    JET_ERR cause;
    if (err < 0) settle_lost(job, &cause);
}

JET_ERR hc_backup_begin(struct hc_app *app, struct hc_instance *inst, enum cat_backup_type type,
                        struct hc_backup_job **out, int64_t *id_out)
{
    return hc_backup_begin_with(app, inst, type, NULL, 0, out, id_out);
}

JET_ERR hc_backup_begin_with(struct hc_app *app, struct hc_instance *inst,
                             enum cat_backup_type type, const char *target,
                             uint64_t max_bytes_per_second, struct hc_backup_job **out,
                             int64_t *id_out)
{
    JET_GRBIT grbit = type == CAT_BACKUP_INCREMENTAL ? JET_bitBackupIncremental : 0;
    JET_ERR err;
    int64_t id = 0;
    struct hc_backup_job *lost = NULL; /* a job whose engine backup is gone, finished here */
    JET_ERR lost_cause = JET_errNoBackup;
    if (id_out) *id_out = 0;
    if (inst->init_err < 0) return JET_errNotInitialized; /* JetInit failed (init_err says why) */
    pthread_mutex_lock(&inst->lock);
    if (inst->backup != NULL) {
        /* Never ask the engine's begin here: if the job's backup is gone it would start one that
         * no job tracks. No catalog row for this try. */
        enum engine_view view = ENGINE_RUNS_JOB;
        err = engine_view(inst->backup, &view); /* the entry gate's code (503, ...) */
        if (err >= 0 && view == ENGINE_RUNS_JOB) err = JET_errBackupInProgress;
        if (err < 0) goto unlock;
        lost = inst->backup; /* torn down by a fatal error (event 214) */
        lost_cause = finish_lost_locked(lost);
        if (view == ENGINE_RUNS_OTHER) { /* a backup no job tracks: leave it alone */
            err = JET_errBackupInProgress;
            goto unlock;
        }
    }
    struct cat_backup_new row = {.instance = inst->name, .type = type, .target = target,
                                 .max_bytes_per_second = max_bytes_per_second};
    if (cat_backup_insert(app->cat, &row, &id) != CAT_OK) {
        fprintf(stderr, "hotcopyd: catalog: %s\n", cat_errmsg(app->cat));
        err = JET_errDiskIO;
        goto unlock;
    }
    if (id_out) *id_out = id;
    err = JetXBeginExternalBackupInstance(inst->jet, grbit, (unsigned long long)id);
    if (err < 0) {
        struct cat_backup_end end = {.phase = CAT_PHASE_FAILED};
        hc_backup_result(err, &end.result);
        cat_backup_finish(app->cat, id, &end);
        goto unlock;
    }
    struct hc_backup_job *job = calloc(1, sizeof *job);
    struct hc_throttle *throttle = hc_throttle_new(max_bytes_per_second);
    if (job == NULL || throttle == NULL) { /* cannot track it: give the backup back to the engine */
        free(job);
        hc_throttle_unref(throttle);
        JetEndExternalBackupInstance2(inst->jet, JET_bitBackupEndAbort);
        struct cat_backup_end end = {.phase = CAT_PHASE_FAILED};
        hc_backup_result(JET_errOutOfMemory, &end.result);
        cat_backup_finish(app->cat, id, &end);
        err = JET_errOutOfMemory;
        goto unlock;
    }
    atomic_init(&job->refs, 2); /* the instance's and the caller's */
    job->app = app;
    job->inst = inst;
    job->id = id;
    job->type = type;
    job->throttle = throttle;
    job->started_at = hc_events_now_us();
    job->phase = CAT_PHASE_DATABASE;
    pthread_mutex_init(&job->lock, NULL);
    pthread_mutex_lock(&job->lock);
    refresh_files(job);
    pthread_mutex_unlock(&job->lock);
    inst->backup = job;
    *out = job;
unlock:
    pthread_mutex_unlock(&inst->lock);
    if (lost) after_lost(lost, lost_cause);
    return err;
}

struct hc_backup_job *hc_backup_find(struct hc_app *app, int64_t id)
{
    struct hc_instance *list[HC_INSTANCES_MAX];
    size_t n = hc_instances_list(app->instances, list, HC_INSTANCES_MAX);
    for (size_t i = 0; i < n; i++) {
        struct hc_backup_job *found = NULL;
        pthread_mutex_lock(&list[i]->lock);
        if (list[i]->backup != NULL && list[i]->backup->id == id) {
            found = list[i]->backup;
            hc_backup_ref(found);
        }
        pthread_mutex_unlock(&list[i]->lock);
        if (found) return found;
    }
    return NULL;
}

JET_ERR hc_backup_current_files(struct hc_backup_job *job, struct hc_backup_file *out, size_t max,
                                size_t *count)
{
    JET_ERR err = JET_errSuccess;
    *count = 0;
    char *names = malloc(NAME_LIST_CAP);
    if (names == NULL) return JET_errOutOfMemory;
    unsigned long actual = 0;
    pthread_mutex_lock(&job->lock);
    bool want_logs = job->phase != CAT_PHASE_DATABASE;
    if (job_over(job)) {
        err = JET_errNoBackup;
    } else if (want_logs) {
        JET_LOGINFO info = {.cbSize = sizeof info};
        err = JetGetLogInfoInstance2(job->inst->jet, names, NAME_LIST_CAP, &actual, &info);
    } else if (job->type == CAT_BACKUP_FULL) {
        err = JetGetAttachInfoInstance(job->inst->jet, names, NAME_LIST_CAP, &actual);
    } else if (job->stopped) {
        err = JET_errBackupAbortByServer; /* an incremental backup has no databases to list */
    }
    if (err >= 0) err = refresh_files(job);
    for (size_t i = 0; err >= 0 && i < job->file_count && *count < max; i++) {
        bool is_log = job->files[i].kind == CAT_FILE_LOG;
        if (is_log == want_logs) out[(*count)++] = job->files[i];
    }
    pthread_mutex_unlock(&job->lock);
    free(names);
    hc_backup_settle(job, err);
    return err;
}

bool hc_backup_file_lookup(struct hc_backup_job *job, const char *name, struct hc_backup_file *out)
{
    bool found = false;
    pthread_mutex_lock(&job->lock);
    for (int pass = 0; pass < 2 && !found; pass++) {
        for (size_t i = 0; i < job->file_count && !found; i++) {
            if (strcmp(job->files[i].name, name) == 0) {
                *out = job->files[i];
                found = true;
            }
        }
        if (!found && pass == 0) refresh_files(job); /* the list may have grown (log call) */
    }
    pthread_mutex_unlock(&job->lock);
    return found;
}

JET_ERR hc_backup_logs(struct hc_backup_job *job, JET_LOGINFO *info)
{
    char *names = malloc(NAME_LIST_CAP);
    if (names == NULL) return JET_errOutOfMemory;
    unsigned long actual = 0;
    memset(info, 0, sizeof *info);
    info->cbSize = sizeof *info;
    hc_upload_before_logs(job->app, job->id); /* the offsite copy reads the databases first */
    pthread_mutex_lock(&job->lock);
    JET_ERR err = job_over(job)
                      ? JET_errNoBackup
                      : JetGetLogInfoInstance2(job->inst->jet, names, NAME_LIST_CAP, &actual, info);
    bool torn_down = false; /* by the opening of the listed logs (refresh_files) */
    if (err >= 0) {
        if (job->phase == CAT_PHASE_DATABASE) {
            job->phase = CAT_PHASE_LOGS;
            cat_backup_set_phase(job->app->cat, job->id, CAT_PHASE_LOGS);
        }
        job->gen_low = info->ulGenLow;
        job->gen_high = info->ulGenHigh;
        cat_backup_set_gens(job->app->cat, job->id, (int64_t)info->ulGenLow,
                            (int64_t)info->ulGenHigh);
        torn_down = refresh_files(job) == JET_errNoBackup;
    }
    pthread_mutex_unlock(&job->lock);
    JET_ERR cause;
    if ((err < 0 || torn_down) && settle_lost(job, &cause) && err >= 0)
        err = cause; /* the log call listed logs the engine then could not back up */
    hc_upload_after_logs(job->app, job->id, err, info);
    free(names);
    return err;
}

JET_ERR hc_backup_truncate(struct hc_backup_job *job)
{
    hc_upload_before_reads_end(job->app, job->id, false); /* the offsite copy reads the logs */
    pthread_mutex_lock(&job->lock);
    JET_ERR err = job_over(job) ? JET_errNoBackup : JetTruncateLogInstance(job->inst->jet);
    if (err >= 0) {
        job->truncated = true;
        job->phase = CAT_PHASE_TRUNCATED;
        cat_backup_set_phase(job->app->cat, job->id, CAT_PHASE_TRUNCATED);
    }
    pthread_mutex_unlock(&job->lock);
    hc_backup_settle(job, err);
    return err;
}

JET_ERR hc_backup_stop(struct hc_backup_job *job)
{
    pthread_mutex_lock(&job->lock);
    JET_ERR err = job_over(job) ? JET_errNoBackup : JetStopBackupInstance(job->inst->jet);
    if (err >= 0) job->stopped = true;
    pthread_mutex_unlock(&job->lock);
    JET_ERR cause;
    if (err >= 0 && settle_lost(job, &cause))
        err = JET_errNoBackup; /* the engine's stop succeeds even when no backup runs */
    return err;
}

static enum cat_recorded_as recorded_as(const struct hc_backup_job *job, bool truncate_done)
{
    bool truncated = job->truncated || truncate_done;
    if (job->type == CAT_BACKUP_FULL) return truncated ? CAT_RECORDED_FULL : CAT_RECORDED_COPY;
    return truncated ? CAT_RECORDED_INCREMENTAL : CAT_RECORDED_DIFFERENTIAL;
}

JET_ERR hc_backup_end(struct hc_backup_job *job, bool abort, bool truncate_done)
{
    struct hc_instance *inst = job->inst;
    JET_GRBIT grbit = (abort ? JET_bitBackupEndAbort : JET_bitBackupEndNormal) |
                      (truncate_done ? JET_bitBackupTruncateDone : 0);
    enum cat_recorded_as recorded = CAT_RECORDED_NONE;
    hc_upload_before_reads_end(job->app, job->id, abort); /* the offsite copy's last reads */
    pthread_mutex_lock(&inst->lock);
    if (inst->backup != job) { /* already finished: the engine's backup now, if any, is another */
        pthread_mutex_unlock(&inst->lock);
        return JET_errNoBackup;
    }
    enum engine_view view = ENGINE_RUNS_JOB;
    if (engine_view(job, &view) >= 0 && view != ENGINE_RUNS_JOB) {
        /* torn down by a fatal error: the engine answers JET_errNoBackup, and an end call now
         * would end another backup (or none) */
        JET_ERR cause = finish_lost_locked(job);
        pthread_mutex_unlock(&inst->lock);
        after_lost(job, cause);
        return JET_errNoBackup;
    }
    pthread_mutex_lock(&job->lock);
    JET_ERR err = JetEndExternalBackupInstance2(inst->jet, grbit);
    bool detached = false;
    if (err != JET_errInvalidParameter) {
        struct cat_backup_end end = {.phase = CAT_PHASE_FAILED};
        if (err >= 0) {
            end.phase = CAT_PHASE_ENDED;
            end.recorded_as = recorded = recorded_as(job, truncate_done);
        } else if (err == JET_errBackupAbortByServer || err == errBackupAbortByCaller) {
            end.phase = CAT_PHASE_STOPPED;
        }
        hc_backup_result(err, &end.result);
        if (cat_backup_finish(job->app->cat, job->id, &end) != CAT_OK)
            fprintf(stderr, "hotcopyd: catalog: %s\n", cat_errmsg(job->app->cat));
        job->phase = end.phase;
        if (inst->backup == job) {
            inst->backup = NULL;
            detached = true;
        }
    }
    pthread_mutex_unlock(&job->lock);
    pthread_mutex_unlock(&inst->lock);
    if (err != JET_errInvalidParameter) hc_upload_after_end(job->app, job->id, err, recorded);
    if (detached) hc_backup_unref(job); /* the instance's reference */
    return err;
}

void hc_backup_abort_for_shutdown(struct hc_app *app, struct hc_instance *inst)
{
    pthread_mutex_lock(&inst->lock);
    struct hc_backup_job *job = inst->backup;
    if (job) hc_backup_ref(job);
    pthread_mutex_unlock(&inst->lock);
    if (job == NULL) return;
    hc_events_server(app, inst->name, CAT_LEVEL_WARNING, job->id, 0,
                     "hotcopyd is shutting down: backup %lld is stopped and ended as aborted by "
                     "server",
                     (long long)job->id);
    hc_backup_stop(job);
    JET_ERR err = hc_backup_end(job, false, false);
    fprintf(stderr, "hotcopyd: backup %lld of %s ended at shutdown: %s\n", (long long)job->id,
            inst->name, JetXErrorName(err));
    hc_backup_unref(job);
}
