/*
 * upload.h — the offsite copy of a backup: one upload job per backup begun with "target", and the
 * resumption of interrupted ones at start-up.
 *
 * A job's stages (the thread in upload.c moves through them; hooks from backup.c feed it):
 *   DATABASES  upload every database file of the backup (engine reads, JetXReadFileAt)
 *   WAIT_LOGS  wait for the log call (hc_upload_after_logs); the draft (DATA/uploads/<id>.json:
 *              the set's metadata, durable) is written when it comes
 *   LOGS       upload every log generation the log call listed
 *   WAIT_END   wait for the end call (hc_upload_after_end)
 *   MANIFEST   write manifest.json (last), target state "complete"
 *   DONE       finished (complete or failed)
 * Any failure (the store, an engine read, a stop, an abort, an end call that did not succeed)
 * marks the offsite copy "failed" with an error event and aborts unfinished multipart uploads on
 * the store; the local backup goes on unharmed. No manifest is ever written for a failed set.
 *
 * The log call waits for the DATABASES stage to finish (a database cannot be read after it), and
 * truncate and end wait for the LOGS stage (truncation could delete a log not yet read, and the
 * end call ends the engine's reads): hc_upload_before_logs / hc_upload_before_reads_end. An end
 * with abort cancels the job first.
 *
 * Resume at start-up (hc_uploads_start), decided per backup from the catalog and the draft:
 *   - every database object COMPLETE and the draft written (the crash came after the log call):
 *     the remaining log objects are uploaded from the closed log generations on disk (immutable
 *     once the log call rolled the log), continuing interrupted multipart uploads from the parts
 *     the store already holds (ListParts; a part is kept only if its ETag is the MD5 of the bytes
 *     on disk); then the manifest. Such a set's recordedAs is null unless the end call had
 *     succeeded (the engine never recorded the backup).
 *   - otherwise (a database was still being read: the engine backup, and with it the streamed
 *     database, did not survive the restart): the offsite copy is marked failed with an event
 *     saying so, its multipart uploads are aborted, and no manifest is written.
 *
 * Threads: hooks are called by HTTP worker threads; each job has its own thread and
 * HC_UPLOAD_WORKERS part workers (upload_file.h). Lock order: a job's lock is taken after a
 * backup job's lock, never before, and no hook is called with a backup job's lock held.
 */
#ifndef HOTCOPY_SERVER_UPLOAD_H
#define HOTCOPY_SERVER_UPLOAD_H

#include "app.h"
#include "backup.h"
#include "target.h"

#include <cjson/cJSON.h>

#define HC_UPLOADS_SUBDIR "uploads"

struct hc_uploads;

/* The registry; resumes interrupted uploads (their threads start here). NULL when out of memory. */
struct hc_uploads *hc_uploads_start(struct hc_app *app);
/* Cancels every job and joins its thread (shutdown: before the engine stops). NULL is a no-op. */
void hc_uploads_stop(struct hc_uploads *uploads);

/* Starts the offsite copy of a backup just begun with a target (its catalog row names it).
 * 0, or -1 (out of memory, thread): the copy is then marked failed with an event. */
int hc_upload_start(struct hc_app *app, struct hc_backup_job *job, struct hc_target *target);

/* Hooks from backup.c (no-ops for a backup without an upload). */
void hc_upload_before_logs(struct hc_app *app, int64_t backup_id);
void hc_upload_after_logs(struct hc_app *app, int64_t backup_id, JET_ERR err,
                          const JET_LOGINFO *info);
void hc_upload_before_reads_end(struct hc_app *app, int64_t backup_id, bool abort);
void hc_upload_after_end(struct hc_app *app, int64_t backup_id, JET_ERR err,
                         enum cat_recorded_as recorded_as);

/* Changes the throttle of a job resumed at start-up (running backups use their job's throttle).
 * True when such a job exists. */
bool hc_upload_set_rate(struct hc_app *app, int64_t backup_id, uint64_t bytes_per_second);

/* "target": {"name", "state", "bytesUploaded", "bytesTotal", "manifestKey"} for a backup row, or
 * NULL when it has no target. */
cJSON *hc_upload_target_json(const struct cat_backup *b);

#endif
