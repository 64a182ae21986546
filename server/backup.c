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
 * delivering anything; an error (missing log, failed verification) is left for the download of
 * that file to report. */
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

/* Re-reads the engine's file list into the job and the catalog. Caller holds job->lock. */
static JET_ERR refresh_files(struct hc_backup_job *job)
{
    JET_XBACKUPINFO *info = calloc(1, sizeof *info);
    if (info == NULL) return JET_errOutOfMemory;
    JET_ERR err = JetXGetBackupInfo(job->inst->jet, info);
    if (err >= 0 && info->phase != JET_XBACKUP_PHASE_NONE && open_unsized_logs(job, info))
        err = JetXGetBackupInfo(job->inst->jet, info);
    if (err >= 0 && info->phase != JET_XBACKUP_PHASE_NONE && info->ullBackupId == (uint64_t)job->id) {
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
    if (id_out) *id_out = 0;
    if (inst->init_err < 0) return JET_errNotInitialized; /* JetInit failed (init_err says why) */
    pthread_mutex_lock(&inst->lock);
    if (inst->backup != NULL) {
        /* one is running: the engine says so with its own code (no catalog row for this try) */
        err = JetXBeginExternalBackupInstance(inst->jet, grbit, 0);
        if (err >= 0) err = JET_errBackupInProgress; /* cannot happen: the engine allows one */
        goto unlock;
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
    if (want_logs) {
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
    JET_ERR err = JetGetLogInfoInstance2(job->inst->jet, names, NAME_LIST_CAP, &actual, info);
    if (err >= 0) {
        if (job->phase == CAT_PHASE_DATABASE) {
            job->phase = CAT_PHASE_LOGS;
            cat_backup_set_phase(job->app->cat, job->id, CAT_PHASE_LOGS);
        }
        job->gen_low = info->ulGenLow;
        job->gen_high = info->ulGenHigh;
        cat_backup_set_gens(job->app->cat, job->id, (int64_t)info->ulGenLow,
                            (int64_t)info->ulGenHigh);
        refresh_files(job);
    }
    pthread_mutex_unlock(&job->lock);
    hc_upload_after_logs(job->app, job->id, err, info);
    free(names);
    return err;
}

JET_ERR hc_backup_truncate(struct hc_backup_job *job)
{
    hc_upload_before_reads_end(job->app, job->id, false); /* the offsite copy reads the logs */
    pthread_mutex_lock(&job->lock);
    JET_ERR err = JetTruncateLogInstance(job->inst->jet);
    if (err >= 0) {
        job->truncated = true;
        job->phase = CAT_PHASE_TRUNCATED;
        cat_backup_set_phase(job->app->cat, job->id, CAT_PHASE_TRUNCATED);
    }
    pthread_mutex_unlock(&job->lock);
    return err;
}

JET_ERR hc_backup_stop(struct hc_backup_job *job)
{
    pthread_mutex_lock(&job->lock);
    JET_ERR err = JetStopBackupInstance(job->inst->jet);
    if (err >= 0) job->stopped = true;
    pthread_mutex_unlock(&job->lock);
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
