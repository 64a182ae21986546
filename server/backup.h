/*
 * backup.h — external backups as the server drives them: one job per running backup, tying the
 * engine's backup of an instance to its catalog row. No HTTP here; the handlers (h_backups.c,
 * download.c) call these and render.
 *
 * State machine (catalog phase, the function that makes the move):
 *   (none) -> database      hc_backup_begin   JetXBeginExternalBackupInstance (tag = catalog id)
 *   database -> logs        hc_backup_logs    JetGetLogInfoInstance2 (rolls the log)
 *   logs -> truncated       hc_backup_truncate JetTruncateLogInstance
 *   any -> (stop flag)      hc_backup_stop    JetStopBackupInstance; later calls give -801
 *   any -> ended | stopped | failed   hc_backup_end  JetEndExternalBackupInstance2
 *     success -> ended; JET_errBackupAbortByServer or errBackupAbortByCaller -> stopped;
 *     any other code -> failed. The job leaves its instance whatever the result (the engine
 *     always clears the backup), except for JET_errInvalidParameter (nothing happened).
 *   any -> failed   the engine tore the backup down after a fatal error (event 214: a listed log
 *     missing or failing verification, a database opened after the log call, ...); it then
 *     answers JET_errNoBackup to every call of that backup. Noticed by the next call that asks
 *     (JetXGetBackupInfo: phase NONE or another backup id; or JET_errNoBackup from a call):
 *     hc_backup_settle after a failed call, and hc_backup_begin, _logs, _stop and _end always.
 *     The job is finished with the code of the engine's event 214 (else JET_errNoBackup) and
 *     leaves its instance; its end call answers JET_errNoBackup without calling the engine.
 *     A begin never calls the engine's begin while a job is on the instance, so the server never
 *     starts an engine backup it does not track, and an end call never ends one it did not begin.
 *   running at a crash -> failed   (catalog, at the next start: cat_backup_fail_interrupted)
 *
 * Jobs are reference-counted: the instance holds one while the backup runs, each download holds
 * one while it streams. The job's lock guards its phase, flags and file list.
 */
#ifndef HOTCOPY_SERVER_BACKUP_H
#define HOTCOPY_SERVER_BACKUP_H

#include "app.h"
#include "instance.h"
#include "jet.h"
#include "throttle.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct hc_backup_file {
    char name[CAT_NAME_MAX];       /* base name: what URLs use */
    char engine_name[260];         /* as the engine lists it (JetXReadFileAt takes it) */
    enum cat_file_kind kind;
    uint64_t size;                 /* streamed size */
};

struct hc_backup_job {
    atomic_int refs;
    struct hc_app *app;
    struct hc_instance *inst;
    int64_t id;                    /* catalog id, also the engine's backup tag */
    enum cat_backup_type type;
    int64_t started_at;            /* unix micros */
    struct hc_throttle *throttle;  /* the backup's transfer limit, shared by its HTTP downloads
                                      and its offsite upload (throttle.h); never NULL */
    _Atomic int64_t progress_at_us; /* when download.c last sent this backup's progress on the
                                       event stream (unix micros); atomic, not under the lock */
    pthread_mutex_t lock;          /* guards everything below */
    enum cat_backup_phase phase;
    bool stopped;                  /* JetStopBackupInstance was called */
    bool truncated;
    unsigned long gen_low, gen_high;
    size_t file_count;
    struct hc_backup_file files[JET_XBACKUP_FILES_MAX];
};

/* Begins a backup of inst. On success *job is a new reference for the caller and the instance
 * keeps its own. On an engine error the catalog row (if one was made) is finished as failed with
 * that result; *id (may be NULL) receives that row's id or 0. While a job runs on inst:
 * JET_errBackupInProgress (or the engine's entry gate code) and no row, unless the engine has
 * torn that job's backup down: the job is then finished as failed and the new backup begins. */
JET_ERR hc_backup_begin(struct hc_app *app, struct hc_instance *inst, enum cat_backup_type type,
                        struct hc_backup_job **job, int64_t *id);
/* The same, with an offsite target (NULL: none; its catalog row then records the copy as
 * "uploading") and a throttle in bytes per second (0: unlimited). The caller starts the upload
 * (upload.h) once the backup has begun. */
JET_ERR hc_backup_begin_with(struct hc_app *app, struct hc_instance *inst,
                             enum cat_backup_type type, const char *target,
                             uint64_t max_bytes_per_second, struct hc_backup_job **job,
                             int64_t *id);

/* The running job with this catalog id (a new reference), or NULL. */
struct hc_backup_job *hc_backup_find(struct hc_app *app, int64_t id);
void hc_backup_ref(struct hc_backup_job *job);
void hc_backup_unref(struct hc_backup_job *job);

/* The files a client should fetch now (databases in phase database, logs after the log call),
 * asking the engine first (JetGetAttachInfoInstance / JetGetLogInfoInstance2) so that its
 * verdict (-801 after a stop, ...) is the answer. Copies up to max entries into out. */
JET_ERR hc_backup_current_files(struct hc_backup_job *job, struct hc_backup_file *out, size_t max,
                                size_t *count);
/* Looks a file of the job up by base name in the backup's full list (databases and logs). */
bool hc_backup_file_lookup(struct hc_backup_job *job, const char *name, struct hc_backup_file *out);

/* The log call: genLow/genHigh and base name in *info, phase -> logs. */
JET_ERR hc_backup_logs(struct hc_backup_job *job, JET_LOGINFO *info);
JET_ERR hc_backup_truncate(struct hc_backup_job *job);
JET_ERR hc_backup_stop(struct hc_backup_job *job);
/* After an engine call made for the job failed with err (download.c's reads): when the engine
 * no longer runs the job's backup, the job is finished as failed (see the state machine above).
 * Nothing for err >= 0. No lock held by the caller. */
void hc_backup_settle(struct hc_backup_job *job, JET_ERR err);

/* The end call. Returns the engine's result; the catalog row is finished accordingly. A job whose
 * engine backup is gone (or that has already left its instance) gets JET_errNoBackup and the
 * engine is not called. */
JET_ERR hc_backup_end(struct hc_backup_job *job, bool abort, bool truncate_done);

/* Shutdown: stop and end (as aborted by server) the instance's running backup, if any. */
void hc_backup_abort_for_shutdown(struct hc_app *app, struct hc_instance *inst);

/* Fills a cat_result from an engine code. */
void hc_backup_result(JET_ERR err, struct cat_result *out);

#endif
