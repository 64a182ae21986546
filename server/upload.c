/*
 * upload.c — upload jobs: the stages of a backup's offsite copy, the draft that lets a restart
 * resume it, the manifest, and the registry (see upload.h for the stages and the resume rules).
 *
 * Draft (DATA/uploads/<backup id>.json, written durably at the log call, rewritten at the end
 * call): {"target", "instance", "type", "startedUs", "setPrefix", "genLow", "genHigh",
 * "logBaseName", "logSetSignature", "chainFull", "chainPrevious", "recordedAs",
 * "files": [{"name", "kind", "size", "originalPath"}]}. Removed once the manifest is written or the
 * copy has failed.
 */
#include "upload.h"

#include "events.h"
#include "instance.h"
#include "manifest.h"
#include "throttle.h"
#include "upload_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum stage { ST_DATABASES, ST_WAIT_LOGS, ST_LOGS, ST_WAIT_END, ST_MANIFEST, ST_DONE };

struct upload_file_entry {
    char name[CAT_NAME_MAX];
    char engine_name[HC_MANIFEST_PATH_MAX]; /* engine name (databases: the original path) */
    enum cat_file_kind kind;
    uint64_t size;
};

struct hc_upload {
    atomic_int refs;
    struct hc_app *app;
    struct hc_upload *next;           /* registry list (registry lock) */
    const struct hc_target *target;
    int64_t backup_id;
    char instance[CAT_NAME_MAX];
    bool incremental;
    int64_t started_us;
    char set_prefix[HC_MANIFEST_KEY_MAX];
    struct hc_backup_job *job;        /* a reference; NULL for a resumed job */
    struct hc_throttle *throttle;     /* a reference */
    bool resumed;
    atomic_bool cancel;
    atomic_uint_fast64_t progress;
    struct s3_client *clients[HC_UPLOAD_WORKERS];
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock;             /* guards everything below */
    pthread_cond_t cond;
    enum stage stage;
    bool log_call, end_call;
    JET_ERR end_err;
    enum cat_recorded_as recorded_as;
    unsigned long gen_low, gen_high;
    char base_name[8];
    size_t file_count;
    struct upload_file_entry files[HC_MANIFEST_FILES_MAX];
    char signature[160];
    char chain_full[HC_MANIFEST_KEY_MAX], chain_previous[HC_MANIFEST_KEY_MAX];
};

struct hc_uploads {
    struct hc_app *app;
    pthread_mutex_t lock; /* guards list */
    struct hc_upload *list;
};

/* ---- registry ----------------------------------------------------------------------------------- */

static void upload_unref(struct hc_upload *up)
{
    if (up == NULL || atomic_fetch_sub(&up->refs, 1) != 1) return;
    for (size_t i = 0; i < HC_UPLOAD_WORKERS; i++) s3_client_free(up->clients[i]);
    hc_throttle_unref(up->throttle);
    if (up->job) hc_backup_unref(up->job);
    pthread_cond_destroy(&up->cond);
    pthread_mutex_destroy(&up->lock);
    free(up);
}

static struct hc_upload *upload_find(struct hc_app *app, int64_t backup_id)
{
    struct hc_uploads *reg = app->uploads;
    struct hc_upload *found = NULL;
    if (reg == NULL) return NULL;
    pthread_mutex_lock(&reg->lock);
    for (struct hc_upload *u = reg->list; u && !found; u = u->next)
        if (u->backup_id == backup_id) found = u;
    if (found) atomic_fetch_add(&found->refs, 1);
    pthread_mutex_unlock(&reg->lock);
    return found;
}

static struct hc_upload *upload_new(struct hc_app *app, const struct hc_target *target,
                                    int64_t backup_id)
{
    struct hc_upload *up = calloc(1, sizeof *up);
    if (up == NULL) return NULL;
    atomic_init(&up->refs, 1);
    atomic_init(&up->cancel, false);
    atomic_init(&up->progress, 0);
    up->app = app;
    up->target = target;
    up->backup_id = backup_id;
    pthread_mutex_init(&up->lock, NULL);
    pthread_cond_init(&up->cond, NULL);
    for (size_t i = 0; i < HC_UPLOAD_WORKERS; i++) {
        struct s3_error err;
        if (hc_target_client(target, -1, &up->clients[i], &err) != S3_OK) {
            upload_unref(up);
            return NULL;
        }
    }
    return up;
}

static void set_stage(struct hc_upload *up, enum stage stage)
{
    pthread_mutex_lock(&up->lock);
    up->stage = stage;
    pthread_cond_broadcast(&up->cond);
    pthread_mutex_unlock(&up->lock);
}

/* ---- draft -------------------------------------------------------------------------------------- */

static void draft_path(const struct hc_app *app, int64_t id, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s/%lld.json", app->cfg->data_dir, HC_UPLOADS_SUBDIR, (long long)id);
}

/* Writes text to path durably: a temporary file, fsync, rename, fsync of the directory. */
static int write_durably(const char *path, const char *text)
{
    char tmp[PATH_MAX + 8], dir[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    mkdir(dir, 0700);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += (size_t)n;
    }
    int rc = (done == len && fsync(fd) == 0) ? 0 : -1;
    close(fd);
    if (rc == 0) rc = rename(tmp, path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        if (fsync(dfd) != 0) rc = -1;
        close(dfd);
    }
    if (rc != 0) unlink(tmp);
    return rc;
}

/* Caller holds up->lock. */
static int draft_write(struct hc_upload *up)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return -1;
    cJSON_AddStringToObject(o, "target", up->target->name);
    cJSON_AddStringToObject(o, "instance", up->instance);
    cJSON_AddStringToObject(o, "type", up->incremental ? "incremental" : "full");
    cJSON_AddNumberToObject(o, "startedUs", (double)up->started_us);
    cJSON_AddStringToObject(o, "setPrefix", up->set_prefix);
    cJSON_AddNumberToObject(o, "genLow", (double)up->gen_low);
    cJSON_AddNumberToObject(o, "genHigh", (double)up->gen_high);
    cJSON_AddStringToObject(o, "logBaseName", up->base_name);
    cJSON_AddStringToObject(o, "logSetSignature", up->signature);
    cJSON_AddStringToObject(o, "chainFull", up->chain_full);
    cJSON_AddStringToObject(o, "chainPrevious", up->chain_previous);
    const char *rec = cat_recorded_as_name(up->recorded_as);
    cJSON_AddStringToObject(o, "recordedAs", rec ? rec : "");
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    for (size_t i = 0; files && i < up->file_count; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "name", up->files[i].name);
        cJSON_AddStringToObject(f, "kind", cat_file_kind_name(up->files[i].kind));
        cJSON_AddNumberToObject(f, "size", (double)up->files[i].size);
        cJSON_AddStringToObject(f, "originalPath", up->files[i].engine_name);
        cJSON_AddItemToArray(files, f);
    }
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (text == NULL) return -1;
    char path[PATH_MAX];
    draft_path(up->app, up->backup_id, path, sizeof path);
    int rc = write_durably(path, text);
    free(text);
    return rc;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* Loads the draft into up (resume). 0, or -1 when there is none (or it is unreadable). */
static int draft_read(struct hc_upload *up)
{
    char path[PATH_MAX];
    draft_path(up->app, up->backup_id, path, sizeof path);
    FILE *f = fopen(path, "re");
    if (f == NULL) return -1;
    char *text = calloc(1, HC_MANIFEST_MAX_BYTES + 1);
    size_t n = text ? fread(text, 1, HC_MANIFEST_MAX_BYTES, f) : 0;
    fclose(f);
    cJSON *o = text ? cJSON_ParseWithLength(text, n) : NULL;
    free(text);
    if (o == NULL) return -1;
    snprintf(up->instance, sizeof up->instance, "%s", jstr(o, "instance"));
    up->incremental = strcmp(jstr(o, "type"), "incremental") == 0;
    up->started_us = (int64_t)jnum(o, "startedUs");
    snprintf(up->set_prefix, sizeof up->set_prefix, "%s", jstr(o, "setPrefix"));
    up->gen_low = (unsigned long)jnum(o, "genLow");
    up->gen_high = (unsigned long)jnum(o, "genHigh");
    snprintf(up->base_name, sizeof up->base_name, "%s", jstr(o, "logBaseName"));
    snprintf(up->signature, sizeof up->signature, "%s", jstr(o, "logSetSignature"));
    snprintf(up->chain_full, sizeof up->chain_full, "%s", jstr(o, "chainFull"));
    snprintf(up->chain_previous, sizeof up->chain_previous, "%s", jstr(o, "chainPrevious"));
    if (cat_recorded_as_parse(jstr(o, "recordedAs"), &up->recorded_as) != CAT_OK)
        up->recorded_as = CAT_RECORDED_NONE;
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(o, "files"), *jf;
    up->file_count = 0;
    cJSON_ArrayForEach(jf, files)
    {
        if (up->file_count == HC_MANIFEST_FILES_MAX) {
            cJSON_Delete(o);
            return -1; /* a draft listing more files than a set holds is not resumable */
        }
        struct upload_file_entry *e = &up->files[up->file_count++];
        snprintf(e->name, sizeof e->name, "%s", jstr(jf, "name"));
        snprintf(e->engine_name, sizeof e->engine_name, "%s", jstr(jf, "originalPath"));
        e->kind = strcmp(jstr(jf, "kind"), "database") == 0 ? CAT_FILE_DATABASE : CAT_FILE_LOG;
        e->size = (uint64_t)jnum(jf, "size");
    }
    cJSON_Delete(o);
    return up->set_prefix[0] && up->gen_low ? 0 : -1;
}

static void draft_remove(struct hc_upload *up)
{
    char path[PATH_MAX];
    draft_path(up->app, up->backup_id, path, sizeof path);
    unlink(path);
}

/* ---- failure ------------------------------------------------------------------------------------ */

/* Aborts the backup's unfinished multipart uploads on the store and fails their rows. */
static void abort_unfinished(struct hc_upload *up, const char *why)
{
    struct cat_upload *rows = NULL;
    size_t n = 0;
    if (cat_upload_list(up->app->cat, up->backup_id, &rows, &n) != CAT_OK) return;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].state == CAT_UPLOAD_COMPLETE || rows[i].state == CAT_UPLOAD_FAILED) continue;
        struct s3_error err;
        if (rows[i].multipart_id[0] && up->clients[0])
            s3_multipart_abort(up->clients[0], up->target->bucket, rows[i].object_key,
                               rows[i].multipart_id, &err);
        cat_upload_fail(up->app->cat, rows[i].id, why);
    }
    free(rows);
}

static void fail_upload(struct hc_upload *up, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_upload(struct hc_upload *up, const char *fmt, ...)
{
    char why[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    abort_unfinished(up, why);
    cat_backup_set_target_state(up->app->cat, up->backup_id, CAT_TARGET_FAILED, NULL);
    hc_events_server(up->app, up->instance, CAT_LEVEL_ERROR, up->backup_id, 0,
                     "offsite: the copy of backup %lld to target \"%s\" failed: %s; no manifest "
                     "was written (the local backup is not affected)",
                     (long long)up->backup_id, up->target->name, why);
    draft_remove(up);
    set_stage(up, ST_DONE);
}

/* ---- files -------------------------------------------------------------------------------------- */

/* Records PENDING rows for files [from, to) so that bytesTotal is known before they are sent. */
static void record_pending(struct hc_upload *up, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        char key[HC_MANIFEST_KEY_MAX];
        if (hc_manifest_object_key(up->set_prefix, up->files[i].name, key, sizeof key) != 0) continue;
        struct cat_upload_new nu = {.backup_id = up->backup_id, .target = up->target->name,
                                    .object_key = key, .file_name = up->files[i].name,
                                    .part_size_bytes = HC_UPLOAD_PART_SIZE,
                                    .bytes_total = up->files[i].size};
        int64_t id;
        cat_upload_insert(up->app->cat, &nu, &id); /* CAT_ECONFLICT: recorded before */
    }
}

/* Uploads files [from, to): from the engine, or (local_dir not NULL) from closed logs on disk.
 * 0, or -1 after fail_upload. */
static int upload_files(struct hc_upload *up, size_t from, size_t to, const char *local_dir)
{
    record_pending(up, from, to);
    for (size_t i = from; i < to; i++) {
        const struct upload_file_entry *f = &up->files[i];
        char key[HC_MANIFEST_KEY_MAX], local[PATH_MAX + CAT_NAME_MAX];
        if (hc_manifest_object_key(up->set_prefix, f->name, key, sizeof key) != 0) {
            fail_upload(up, "%s: the object key would be too long", f->name);
            return -1;
        }
        if (local_dir) snprintf(local, sizeof local, "%s/%s", local_dir, f->name);
        struct hc_upload_file_req req = {
            .app = up->app, .target = up->target, .clients = up->clients,
            .client_count = HC_UPLOAD_WORKERS, .throttle = up->throttle, .cancel = &up->cancel,
            .backup_id = up->backup_id, .instance = up->instance, .name = f->name, .key = key,
            .size = f->size, .jet = up->job ? up->job->inst->jet : 0,
            .engine_name = f->engine_name, .local_path = local_dir ? local : NULL,
            .progress = &up->progress};
        struct hc_upload_file_result res;
        int64_t t0 = hc_events_now_us();
        if (hc_upload_file(&req, &res) != 0) {
            if (res.cancelled && up->resumed) { /* shutdown: it resumes at the next start */
                hc_events_server(up->app, up->instance, CAT_LEVEL_WARNING, up->backup_id, 0,
                                 "offsite: the copy of backup %lld is interrupted by shutdown; it "
                                 "resumes at the next start",
                                 (long long)up->backup_id);
                return -1;
            }
            if (res.cancelled)
                fail_upload(up, "the backup was aborted while %s was being uploaded", f->name);
            else
                fail_upload(up, "%s: %s", f->name, res.why);
            return -1;
        }
        double secs = (double)(hc_events_now_us() - t0) / 1e6;
        hc_events_server(up->app, up->instance, CAT_LEVEL_INFO, up->backup_id, 0,
                         "offsite: uploaded %s (%llu bytes, %d part(s)%s%s) to %s in %.3f s",
                         f->name, (unsigned long long)f->size, res.parts_total,
                         res.parts_reused ? ", already on the store: " : "",
                         res.parts_reused ? (res.parts_reused == res.parts_total ? "all" : "some")
                                          : "",
                         key, secs);
        if (res.parts_reused && up->resumed)
            hc_events_server(up->app, up->instance, CAT_LEVEL_INFO, up->backup_id, 0,
                             "offsite: resumed %s: %d of %d part(s) were already on the store "
                             "and were not sent again",
                             f->name, res.parts_reused, res.parts_total);
    }
    return 0;
}

/* ---- manifest ----------------------------------------------------------------------------------- */

static int write_manifest(struct hc_upload *up)
{
    struct hc_manifest *m = calloc(1, sizeof *m);
    char why[512] = "", key[HC_MANIFEST_KEY_MAX];
    int rc = -1;
    if (m == NULL) {
        fail_upload(up, "out of memory");
        return -1;
    }
    pthread_mutex_lock(&up->lock);
    snprintf(m->instance, sizeof m->instance, "%s", up->instance);
    m->backup_id = up->backup_id;
    m->incremental = up->incremental;
    const char *rec = cat_recorded_as_name(up->recorded_as);
    snprintf(m->recorded_as, sizeof m->recorded_as, "%s", rec ? rec : "");
    m->started_us = up->started_us;
    m->completed_us = hc_events_now_us();
    m->gen_low = up->gen_low;
    m->gen_high = up->gen_high;
    snprintf(m->log_base_name, sizeof m->log_base_name, "%s", up->base_name);
    snprintf(m->log_set_signature, sizeof m->log_set_signature, "%s", up->signature);
    snprintf(m->set_prefix, sizeof m->set_prefix, "%s", up->set_prefix);
    snprintf(m->chain_full, sizeof m->chain_full, "%s", up->chain_full);
    snprintf(m->chain_previous, sizeof m->chain_previous, "%s", up->chain_previous);
    for (size_t i = 0; i < up->file_count; i++) {
        struct hc_manifest_file *f = &m->files[m->file_count];
        struct cat_upload row;
        hc_manifest_object_key(up->set_prefix, up->files[i].name, f->key, sizeof f->key);
        if (cat_upload_find(up->app->cat, up->backup_id, up->target->name, f->key, &row) != CAT_OK ||
            row.state != CAT_UPLOAD_COMPLETE) {
            snprintf(why, sizeof why, "%s is not complete on the store", up->files[i].name);
            break;
        }
        snprintf(f->name, sizeof f->name, "%s", up->files[i].name);
        f->kind = up->files[i].kind == CAT_FILE_DATABASE ? HC_MANIFEST_DATABASE : HC_MANIFEST_LOG;
        f->size = up->files[i].size;
        snprintf(f->sha256, sizeof f->sha256, "%.64s", row.sha256);
        f->crc32c = (uint32_t)row.crc32c;
        if (f->kind == HC_MANIFEST_DATABASE)
            snprintf(f->original_path, sizeof f->original_path, "%s", up->files[i].engine_name);
        m->file_count++;
    }
    pthread_mutex_unlock(&up->lock);
    char *text = NULL;
    if (why[0] == '\0' && hc_manifest_validate(m, why, sizeof why) == 0) text = hc_manifest_encode(m);
    if (text == NULL) {
        fail_upload(up, "the manifest cannot be written: %s", why[0] ? why : "out of memory");
        goto out;
    }
    hc_manifest_object_key(up->set_prefix, HC_MANIFEST_NAME, key, sizeof key);
    struct s3_body body = s3_body_mem(text, strlen(text));
    struct s3_error err;
    if (s3_put_object(up->clients[0], up->target->bucket, key, &body, "application/json", NULL,
                      &err) != S3_OK) {
        char line[768];
        fail_upload(up, "writing %s: %s", key, s3_error_format(&err, line, sizeof line));
        goto out;
    }
    cat_backup_set_target_state(up->app->cat, up->backup_id, CAT_TARGET_COMPLETE, key);
    hc_events_server(up->app, up->instance, CAT_LEVEL_INFO, up->backup_id, 0,
                     "offsite: backup %lld is complete on target \"%s\": %zu file(s), manifest %s",
                     (long long)up->backup_id, up->target->name, m->file_count, key);
    draft_remove(up);
    set_stage(up, ST_DONE);
    rc = 0;
out:
    free(text);
    free(m);
    return rc;
}

/* ---- a running backup --------------------------------------------------------------------------- */

/* "<random hex>-<creation time>-<computer>" of the instance's log set, from a database header. */
static void log_set_signature(struct hc_upload *up, const char *db_path)
{
    JET_DBINFOMISC misc;
    char path[HC_MANIFEST_PATH_MAX];
    snprintf(path, sizeof path, "%s", db_path);
    if (path[0] == '\0' && up->job) {
        JET_XINSTANCEINFO *info = calloc(1, sizeof *info);
        if (info && JetXGetInstanceInfo(up->job->inst->jet, info) >= 0 && info->cDatabases > 0)
            snprintf(path, sizeof path, "%s", info->rgszDatabases[0]);
        free(info);
    }
    if (path[0] == '\0' || JetGetDatabaseFileInfo(path, &misc, sizeof misc, JET_DbInfoMisc) < 0) {
        snprintf(up->signature, sizeof up->signature, "unknown");
        return;
    }
    const JET_LOGTIME *t = &misc.signLog.logtimeCreate;
    snprintf(up->signature, sizeof up->signature, "%08lx-%04d%02d%02dT%02d%02d%02dZ-%s",
             misc.signLog.ulRandom, 1900 + t->bYear, t->bMonth, t->bDay, t->bHours, t->bMinutes,
             t->bSeconds, misc.signLog.szComputerName);
}

/* chain.full and chain.previous of an incremental, from the catalog: the newest full backup of the
 * instance whose copy on this target is complete, and the newest complete incremental after it. */
static int find_chain(struct hc_upload *up)
{
    struct cat_backup_filter f = {.instance = up->instance, .limit = CAT_LIST_MAX};
    struct cat_backup *list = NULL;
    size_t n = 0;
    if (cat_backup_list(up->app->cat, &f, &list, &n) != CAT_OK) return -1;
    int64_t full_id = 0;
    for (size_t i = 0; i < n && !full_id; i++) {
        const struct cat_backup *b = &list[i];
        if (b->id < up->backup_id && strcmp(b->target, up->target->name) == 0 &&
            b->target_state == CAT_TARGET_COMPLETE && b->recorded_as == CAT_RECORDED_FULL) {
            full_id = b->id;
            snprintf(up->chain_full, sizeof up->chain_full, "%s", b->manifest_key);
        }
    }
    for (size_t i = 0; i < n && full_id; i++) {
        const struct cat_backup *b = &list[i];
        if (b->id < up->backup_id && b->id > full_id && b->type == CAT_BACKUP_INCREMENTAL &&
            strcmp(b->target, up->target->name) == 0 && b->target_state == CAT_TARGET_COMPLETE) {
            snprintf(up->chain_previous, sizeof up->chain_previous, "%s", b->manifest_key);
            break;
        }
    }
    free(list);
    return full_id ? 0 : -1;
}

/* Copies the job's files of one kind into up->files (appending). Returns how many, or
 * (size_t)-1 when they do not all fit (a set missing files must never look complete). */
static size_t take_files(struct hc_upload *up, enum cat_file_kind kind)
{
    struct hc_backup_job *job = up->job;
    size_t added = 0;
    pthread_mutex_lock(&job->lock);
    pthread_mutex_lock(&up->lock);
    for (size_t i = 0; i < job->file_count; i++) {
        if (job->files[i].kind != kind) continue;
        if (up->file_count == HC_MANIFEST_FILES_MAX) {
            added = (size_t)-1;
            break;
        }
        struct upload_file_entry *e = &up->files[up->file_count++];
        snprintf(e->name, sizeof e->name, "%s", job->files[i].name);
        snprintf(e->engine_name, sizeof e->engine_name, "%s", job->files[i].engine_name);
        e->kind = kind;
        e->size = job->files[i].size;
        added++;
    }
    pthread_mutex_unlock(&up->lock);
    pthread_mutex_unlock(&job->lock);
    return added;
}

/* Waits until `flag` (a field of up) is set, the end call came, or the job is cancelled. Returns
 * the flag. */
static bool wait_for(struct hc_upload *up, const bool *flag)
{
    pthread_mutex_lock(&up->lock);
    while (!*flag && !up->end_call && !atomic_load(&up->cancel))
        pthread_cond_wait(&up->cond, &up->lock);
    bool set = *flag;
    pthread_mutex_unlock(&up->lock);
    return set;
}

static void run_backup(struct hc_upload *up)
{
    struct s3_error err;
    bool created = false;
    if (hc_target_ensure_bucket(up->target, up->clients[0], &created, &err) != S3_OK) {
        char line[768];
        fail_upload(up, "bucket %s: %s", up->target->bucket, s3_error_format(&err, line, sizeof line));
        return;
    }
    if (created)
        hc_events_server(up->app, up->instance, CAT_LEVEL_INFO, up->backup_id, 0,
                         "offsite: created bucket %s on target \"%s\"", up->target->bucket,
                         up->target->name);
    size_t dbs = up->incremental ? 0 : take_files(up, CAT_FILE_DATABASE);
    if (dbs == (size_t)-1) {
        fail_upload(up, "the backup has more files than a set can hold (%d)", HC_MANIFEST_FILES_MAX);
        return;
    }
    if (!up->incremental && dbs == 0) {
        fail_upload(up, "the backup lists no database file");
        return;
    }
    if (upload_files(up, 0, dbs, NULL) != 0) return;
    set_stage(up, ST_WAIT_LOGS);
    if (!wait_for(up, &up->log_call)) {
        fail_upload(up, "the backup ended before its log call: there is no complete set to keep");
        return;
    }
    if (up->incremental && find_chain(up) != 0) {
        fail_upload(up, "no full backup of instance \"%s\" is complete on target \"%s\" to chain "
                        "this incremental to",
                    up->instance, up->target->name);
        return;
    }
    log_set_signature(up, dbs ? up->files[0].engine_name : "");
    size_t logs = take_files(up, CAT_FILE_LOG);
    if (logs == (size_t)-1) {
        fail_upload(up, "the backup has more log generations than a set can hold (%d files in all)",
                    HC_MANIFEST_FILES_MAX);
        return;
    }
    pthread_mutex_lock(&up->lock);
    int drafted = draft_write(up);
    up->stage = ST_LOGS;
    pthread_cond_broadcast(&up->cond);
    pthread_mutex_unlock(&up->lock);
    if (drafted != 0)
        hc_events_server(up->app, up->instance, CAT_LEVEL_WARNING, up->backup_id, 0,
                         "offsite: cannot write the upload draft for backup %lld: a restart "
                         "during the log upload will not resume it",
                         (long long)up->backup_id);
    if (upload_files(up, dbs, dbs + logs, NULL) != 0) return;
    set_stage(up, ST_WAIT_END);
    if (!wait_for(up, &up->end_call)) {
        fail_upload(up, "the backup was aborted, or hotcopyd stopped, before its end call");
        return;
    }
    if (up->end_err < 0) {
        fail_upload(up, "the end call returned %s (%ld): the set is not kept",
                    JetXErrorName(up->end_err), (long)up->end_err);
        return;
    }
    pthread_mutex_lock(&up->lock);
    draft_write(up); /* now with recordedAs */
    up->stage = ST_MANIFEST;
    pthread_mutex_unlock(&up->lock);
    write_manifest(up);
}

/* ---- a resumed upload --------------------------------------------------------------------------- */

static void run_resumed(struct hc_upload *up)
{
    struct hc_instance *inst = hc_instances_find(up->app->instances, up->instance);
    if (draft_read(up) != 0 || inst == NULL) {
        fail_upload(up, "hotcopyd restarted while the databases were being uploaded: the engine "
                        "backup did not survive the restart and a streamed database cannot be "
                        "read again, so this copy cannot be resumed");
        return;
    }
    hc_events_server(up->app, up->instance, CAT_LEVEL_INFO, up->backup_id, 0,
                     "offsite: resuming the copy of backup %lld to target \"%s\" after a restart "
                     "(the log generations %lu..%lu are read from %s)",
                     (long long)up->backup_id, up->target->name, up->gen_low, up->gen_high,
                     inst->dir);
    size_t first_log = up->file_count;
    for (size_t i = 0; i < up->file_count; i++) {
        char key[HC_MANIFEST_KEY_MAX];
        struct cat_upload row;
        hc_manifest_object_key(up->set_prefix, up->files[i].name, key, sizeof key);
        bool complete = cat_upload_find(up->app->cat, up->backup_id, up->target->name, key, &row) ==
                            CAT_OK && row.state == CAT_UPLOAD_COMPLETE;
        if (up->files[i].kind == CAT_FILE_DATABASE && !complete) {
            fail_upload(up, "database %s was not completely uploaded before the restart, and the "
                            "engine backup that streamed it is gone: not resumable",
                        up->files[i].name);
            return;
        }
        if (i < first_log && up->files[i].kind == CAT_FILE_LOG) first_log = i;
    }
    if (upload_files(up, first_log, up->file_count, inst->dir) != 0) return;
    set_stage(up, ST_MANIFEST);
    write_manifest(up);
}

/* ---- threads and registry ----------------------------------------------------------------------- */

static void *upload_thread(void *arg)
{
    struct hc_upload *up = arg;
    if (up->resumed)
        run_resumed(up);
    else
        run_backup(up);
    set_stage(up, ST_DONE);
    /* Only this thread used the clients and the backup job: release them now, the job object
     * stays (hooks may still find it) until shutdown. */
    for (size_t i = 0; i < HC_UPLOAD_WORKERS; i++) {
        s3_client_free(up->clients[i]);
        up->clients[i] = NULL;
    }
    if (up->job) hc_backup_unref(up->job);
    up->job = NULL;
    return NULL;
}

static int launch(struct hc_upload *up)
{
    struct hc_uploads *reg = up->app->uploads;
    atomic_fetch_add(&up->refs, 1); /* the registry's */
    pthread_mutex_lock(&reg->lock);
    up->next = reg->list;
    reg->list = up;
    pthread_mutex_unlock(&reg->lock);
    if (pthread_create(&up->thread, NULL, upload_thread, up) != 0) {
        fail_upload(up, "cannot start the upload thread");
        return -1;
    }
    up->thread_started = true;
    return 0;
}

int hc_upload_start(struct hc_app *app, struct hc_backup_job *job, struct hc_target *target)
{
    struct hc_upload *up = app->uploads ? upload_new(app, target, job->id) : NULL;
    if (up == NULL) {
        cat_backup_set_target_state(app->cat, job->id, CAT_TARGET_FAILED, NULL);
        hc_events_server(app, job->inst->name, CAT_LEVEL_ERROR, job->id, 0,
                         "offsite: cannot start the copy of backup %lld to target \"%s\"",
                         (long long)job->id, target->name);
        return -1;
    }
    hc_backup_ref(job);
    up->job = job;
    snprintf(up->instance, sizeof up->instance, "%s", job->inst->name);
    up->incremental = job->type == CAT_BACKUP_INCREMENTAL;
    up->started_us = job->started_at;
    hc_throttle_ref(job->throttle);
    up->throttle = job->throttle;
    hc_manifest_set_prefix(target->prefix, up->instance, job->id, up->incremental, up->started_us,
                           up->set_prefix, sizeof up->set_prefix);
    hc_events_server(app, up->instance, CAT_LEVEL_INFO, job->id, 0,
                     "offsite: backup %lld is copied to target \"%s\" as s3://%s/%s",
                     (long long)job->id, target->name, target->bucket, up->set_prefix);
    int rc = launch(up);
    upload_unref(up);
    return rc;
}

struct hc_uploads *hc_uploads_start(struct hc_app *app)
{
    struct hc_uploads *reg = calloc(1, sizeof *reg);
    if (reg == NULL) return NULL;
    reg->app = app;
    pthread_mutex_init(&reg->lock, NULL);
    app->uploads = reg;
    /* every backup whose offsite copy was under way when hotcopyd stopped */
    struct cat_backup_filter f = {.limit = CAT_LIST_MAX};
    struct cat_backup *list = NULL;
    size_t n = 0;
    if (cat_backup_list(app->cat, &f, &list, &n) != CAT_OK) return reg;
    for (size_t i = n; i-- > 0;) { /* oldest first */
        const struct cat_backup *b = &list[i];
        if (b->target[0] == '\0' || b->target_state != CAT_TARGET_UPLOADING) continue;
        struct hc_target *t = hc_targets_find(app->targets, b->target);
        struct hc_upload *up = t ? upload_new(app, t, b->id) : NULL;
        if (up == NULL) {
            cat_backup_set_target_state(app->cat, b->id, CAT_TARGET_FAILED, NULL);
            hc_events_server(app, b->instance, CAT_LEVEL_ERROR, b->id, 0,
                             "offsite: the copy of backup %lld to target \"%s\" cannot be resumed: "
                             "%s",
                             (long long)b->id, b->target,
                             t ? "out of memory" : "that target is no longer configured");
            continue;
        }
        up->resumed = true;
        snprintf(up->instance, sizeof up->instance, "%s", b->instance);
        up->throttle = hc_throttle_new(b->max_bytes_per_second);
        launch(up);
        upload_unref(up);
    }
    free(list);
    return reg;
}

void hc_uploads_stop(struct hc_uploads *reg)
{
    if (reg == NULL) return;
    pthread_mutex_lock(&reg->lock);
    for (struct hc_upload *u = reg->list; u; u = u->next) {
        atomic_store(&u->cancel, true);
        pthread_mutex_lock(&u->lock);
        pthread_cond_broadcast(&u->cond);
        pthread_mutex_unlock(&u->lock);
    }
    struct hc_upload *list = reg->list;
    reg->list = NULL;
    pthread_mutex_unlock(&reg->lock);
    while (list) {
        struct hc_upload *next = list->next;
        if (list->thread_started) pthread_join(list->thread, NULL);
        upload_unref(list);
        list = next;
    }
    pthread_mutex_destroy(&reg->lock);
    free(reg);
}

/* ---- hooks -------------------------------------------------------------------------------------- */

/* Waits while the job's stage is one of the reading stages up to `until` (exclusive). */
static void wait_stage_past(struct hc_upload *up, enum stage until)
{
    pthread_mutex_lock(&up->lock);
    while (up->stage < until && up->stage != ST_DONE) pthread_cond_wait(&up->cond, &up->lock);
    pthread_mutex_unlock(&up->lock);
}

void hc_upload_before_logs(struct hc_app *app, int64_t backup_id)
{
    struct hc_upload *up = upload_find(app, backup_id);
    if (up == NULL) return;
    wait_stage_past(up, ST_WAIT_LOGS);
    upload_unref(up);
}

void hc_upload_after_logs(struct hc_app *app, int64_t backup_id, JET_ERR err,
                          const JET_LOGINFO *info)
{
    struct hc_upload *up = err >= 0 ? upload_find(app, backup_id) : NULL;
    if (up == NULL) return;
    pthread_mutex_lock(&up->lock);
    if (!up->log_call) {
        up->log_call = true;
        up->gen_low = info->ulGenLow;
        up->gen_high = info->ulGenHigh;
        snprintf(up->base_name, sizeof up->base_name, "%.3s", info->szBaseName);
        pthread_cond_broadcast(&up->cond);
    }
    pthread_mutex_unlock(&up->lock);
    upload_unref(up);
}

void hc_upload_before_reads_end(struct hc_app *app, int64_t backup_id, bool abort)
{
    struct hc_upload *up = upload_find(app, backup_id);
    if (up == NULL) return;
    if (abort) {
        atomic_store(&up->cancel, true);
        pthread_mutex_lock(&up->lock);
        pthread_cond_broadcast(&up->cond);
        pthread_mutex_unlock(&up->lock);
    }
    pthread_mutex_lock(&up->lock);
    bool reading_logs = up->log_call || abort;
    pthread_mutex_unlock(&up->lock);
    if (reading_logs) wait_stage_past(up, abort ? ST_DONE : ST_WAIT_END);
    upload_unref(up);
}

void hc_upload_after_end(struct hc_app *app, int64_t backup_id, JET_ERR err,
                         enum cat_recorded_as recorded_as)
{
    struct hc_upload *up = upload_find(app, backup_id);
    if (up == NULL) return;
    pthread_mutex_lock(&up->lock);
    up->end_call = true;
    up->end_err = err;
    up->recorded_as = err >= 0 ? recorded_as : CAT_RECORDED_NONE;
    pthread_cond_broadcast(&up->cond);
    pthread_mutex_unlock(&up->lock);
    upload_unref(up);
}

bool hc_upload_set_rate(struct hc_app *app, int64_t backup_id, uint64_t bytes_per_second)
{
    struct hc_upload *up = upload_find(app, backup_id);
    if (up == NULL) return false;
    bool running = false;
    pthread_mutex_lock(&up->lock);
    running = up->stage != ST_DONE;
    pthread_mutex_unlock(&up->lock);
    if (running && up->throttle) hc_throttle_set_rate(up->throttle, bytes_per_second);
    upload_unref(up);
    return running;
}

cJSON *hc_upload_target_json(const struct cat_backup *b)
{
    if (b->target[0] == '\0') return NULL;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return NULL;
    cJSON_AddStringToObject(o, "name", b->target);
    const char *state = cat_target_state_name(b->target_state);
    cJSON_AddStringToObject(o, "state", state ? state : "uploading");
    cJSON_AddNumberToObject(o, "bytesUploaded", (double)b->target_bytes_uploaded);
    cJSON_AddNumberToObject(o, "bytesTotal", (double)b->target_bytes_total);
    if (b->manifest_key[0])
        cJSON_AddStringToObject(o, "manifestKey", b->manifest_key);
    else
        cJSON_AddNullToObject(o, "manifestKey");
    return o;
}
