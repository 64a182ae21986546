/*
 * h_backups.c — the backup endpoints: begin, list, get, files, logs, truncate, stop, end, events.
 * Downloads are in download.c.
 */
#include "backup.h"
#include "bodies.h"
#include "events.h"
#include "handlers.h"
#include "instance.h"
#include "problem.h"
#include "target.h"
#include "upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hc_json_add_time(cJSON *obj, const char *key, int64_t us)
{
    char when[CAT_TIME_MAX];
    if (us == 0 || cat_time_rfc3339(us, when, sizeof when) != CAT_OK)
        cJSON_AddNullToObject(obj, key);
    else
        cJSON_AddStringToObject(obj, key, when);
}

cJSON *hc_result_json(JET_ERR err)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "code", (double)err);
    cJSON_AddStringToObject(o, "name", JetXErrorName(err));
    cJSON_AddStringToObject(o, "message", JetXErrorMessage(err));
    return o;
}

static void add_gen(cJSON *o, const char *key, int64_t gen)
{
    if (gen)
        cJSON_AddNumberToObject(o, key, (double)gen);
    else
        cJSON_AddNullToObject(o, key);
}

cJSON *hc_backup_json(struct hc_app *app, const struct cat_backup *b)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return NULL;
    cJSON_AddNumberToObject(o, "id", (double)b->id);
    cJSON_AddStringToObject(o, "instance", b->instance);
    cJSON_AddStringToObject(o, "type", cat_backup_type_name(b->type));
    cJSON_AddStringToObject(o, "phase", cat_backup_phase_name(b->phase));
    hc_json_add_time(o, "startedAt", b->started_at);
    hc_json_add_time(o, "endedAt", b->ended_at);
    add_gen(o, "genLow", b->gen_low);
    add_gen(o, "genHigh", b->gen_high);
    const char *recorded = cat_recorded_as_name(b->recorded_as);
    if (recorded)
        cJSON_AddStringToObject(o, "recordedAs", recorded);
    else
        cJSON_AddNullToObject(o, "recordedAs");
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    struct cat_backup_file *list = NULL;
    size_t n = 0;
    if (cat_backup_file_list(app->cat, b->id, &list, &n) == CAT_OK) {
        for (size_t i = 0; i < n; i++) {
            cJSON *f = cJSON_CreateObject();
            char url[CAT_NAME_MAX * 3 + 64];
            cJSON_AddStringToObject(f, "name", list[i].name);
            cJSON_AddStringToObject(f, "kind", cat_file_kind_name(list[i].kind));
            cJSON_AddNumberToObject(f, "sizeBytes", (double)list[i].size_bytes);
            cJSON_AddNumberToObject(f, "bytesServed", (double)list[i].bytes_served);
            /* the digest of the file as served whole: CRC32C (8 hex digits); catalogs written
             * before it replaced SHA-256 hold 64 */
            if (list[i].checksum[0])
                cJSON_AddStringToObject(f, strlen(list[i].checksum) == 64 ? "sha256" : "crc32c",
                                        list[i].checksum);
            snprintf(url, sizeof url, "/api/v1/backups/%lld/files/%s", (long long)b->id,
                     list[i].name);
            cJSON_AddStringToObject(f, "url", url);
            cJSON_AddItemToArray(files, f);
        }
        free(list);
    }
    if (b->has_result) {
        cJSON *r = cJSON_AddObjectToObject(o, "result");
        cJSON_AddNumberToObject(r, "code", b->result.code);
        cJSON_AddStringToObject(r, "name", b->result.name);
        cJSON_AddStringToObject(r, "message", b->result.message);
    } else {
        cJSON_AddNullToObject(o, "result");
    }
    cJSON_AddNumberToObject(o, "maxBytesPerSecond", (double)b->max_bytes_per_second);
    cJSON *target = hc_upload_target_json(b);
    if (target)
        cJSON_AddItemToObject(o, "target", target);
    else
        cJSON_AddNullToObject(o, "target");
    cJSON_AddItemToObject(o, "events", hc_events_json_list(app, b->id, 0));
    return o;
}

struct hc_instance *hc_lookup_instance(struct hc_request *req, const char *name, int *reply)
{
    struct hc_instance *inst = hc_instances_find(req->app->instances, name);
    if (inst == NULL)
        *reply = hc_reply_problem_code(req, 404, JET_errInvalidInstance, "no instance of that name");
    return inst;
}

/* The backup row for {id}; replies 404 itself when unknown. */
static bool load_backup(struct hc_request *req, struct cat_backup *b, int *reply)
{
    if (cat_backup_get(req->app->cat, hc_param_id(req), b) == CAT_OK) return true;
    *reply = hc_reply_problem(req, 404, NULL, "no such backup");
    return false;
}

static int reply_backup(struct hc_request *req, unsigned status, int64_t id)
{
    struct cat_backup b;
    if (cat_backup_get(req->app->cat, id, &b) != CAT_OK)
        return hc_reply_problem(req, 500, NULL, cat_errmsg(req->app->cat));
    return hc_reply_json(req, status, hc_backup_json(req->app, &b));
}

int hc_handle_backup_begin(struct hc_request *req)
{
    cJSON *body = hc_body_json(req);
    if (body == NULL) return hc_reply_problem(req, 400, "Malformed JSON", "the body must be a JSON object");
    struct hc_backup_begin_body asked;
    const char *why = hc_body_backup_begin(body, &asked); /* bodies.h */
    cJSON_Delete(body);
    if (why != NULL) return hc_reply_problem(req, 400, "Invalid field", why);
    int reply = MHD_NO;
    /* offsite copy and throttle (upload.h, throttle.h) */
    struct hc_target *target = asked.target_is_string ? hc_targets_find(req->app->targets, asked.target) : NULL;
    if (asked.has_target && target == NULL)
        return hc_reply_problem(req, 400, "Unknown target",
                                "\"target\" names no configured target (GET /api/v1/targets)");
    struct hc_instance *inst = hc_lookup_instance(req, asked.instance, &reply);
    if (inst == NULL) return reply;
    struct hc_backup_job *job = NULL;
    int64_t id = 0;
    JET_ERR err = hc_backup_begin_with(req->app, inst, asked.type, target ? target->name : NULL,
                                       asked.max_bytes_per_second, &job, &id);
    if (err < 0) return hc_reply_jet(req, err, "JetBeginExternalBackupInstance: %s", JetXErrorMessage(err));
    if (target) hc_upload_start(req->app, job, target);
    char location[64];
    snprintf(location, sizeof location, "/api/v1/backups/%lld", (long long)job->id);
    hc_backup_unref(job);
    struct cat_backup b;
    if (cat_backup_get(req->app->cat, id, &b) != CAT_OK)
        return hc_reply_problem(req, 500, NULL, cat_errmsg(req->app->cat));
    cJSON *doc = hc_backup_json(req->app, &b);
    char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    if (text == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Location", location);
    atomic_store(&req->bytes_out, strlen(text));
    return hc_reply(req, 201, resp);
}

int hc_handle_backups_list(struct hc_request *req)
{
    char instance[CAT_NAME_MAX] = "";
    uint64_t limit, before;
    if (!hc_query_u64(req, "limit", 0, &limit) || !hc_query_u64(req, "before", 0, &before))
        return hc_reply_problem(req, 400, "Invalid query", "limit and before are numbers");
    hc_query(req, "instance", instance, sizeof instance);
    struct cat_backup_filter f = {.instance = instance, .before_id = (int64_t)before,
                                  .limit = (size_t)limit};
    struct cat_backup *list = NULL;
    size_t n = 0;
    if (cat_backup_list(req->app->cat, &f, &list, &n) != CAT_OK)
        return hc_reply_problem(req, 500, NULL, cat_errmsg(req->app->cat));
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(arr, hc_backup_json(req->app, &list[i]));
    free(list);
    return hc_reply_json(req, 200, arr);
}

int hc_handle_backup_get(struct hc_request *req)
{
    struct cat_backup b;
    int reply;
    if (!load_backup(req, &b, &reply)) return reply;
    return hc_reply_json(req, 200, hc_backup_json(req->app, &b));
}

/* The running job for {id}: 404 for an unknown backup, 409 JET_errNoBackup for an ended one. */
static struct hc_backup_job *running_job(struct hc_request *req, int *reply)
{
    struct cat_backup b;
    if (!load_backup(req, &b, reply)) return NULL;
    struct hc_backup_job *job = hc_backup_find(req->app, b.id);
    if (job == NULL)
        *reply = hc_reply_problem_code(req, 409, JET_errNoBackup, "this backup is no longer running");
    return job;
}

int hc_handle_backup_files(struct hc_request *req)
{
    int reply;
    struct hc_backup_job *job = running_job(req, &reply);
    if (job == NULL) return reply;
    struct hc_backup_file *files = calloc(JET_XBACKUP_FILES_MAX, sizeof *files);
    size_t n = 0;
    JET_ERR err = files ? hc_backup_current_files(job, files, JET_XBACKUP_FILES_MAX, &n)
                        : JET_errOutOfMemory;
    int64_t id = job->id;
    hc_backup_unref(job);
    if (err < 0) {
        free(files);
        return hc_reply_jet(req, err, NULL);
    }
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        struct cat_backup_file row;
        cJSON *f = cJSON_CreateObject();
        char url[CAT_NAME_MAX * 3 + 64];
        cJSON_AddStringToObject(f, "name", files[i].name);
        cJSON_AddStringToObject(f, "kind", cat_file_kind_name(files[i].kind));
        cJSON_AddNumberToObject(f, "sizeBytes", (double)files[i].size);
        bool have = cat_backup_file_get(req->app->cat, id, files[i].name, &row) == CAT_OK;
        cJSON_AddNumberToObject(f, "bytesServed", have ? (double)row.bytes_served : 0);
        snprintf(url, sizeof url, "/api/v1/backups/%lld/files/%s", (long long)id, files[i].name);
        cJSON_AddStringToObject(f, "url", url);
        cJSON_AddItemToArray(arr, f);
    }
    free(files);
    return hc_reply_json(req, 200, arr);
}

int hc_handle_backup_logs(struct hc_request *req)
{
    int reply;
    struct hc_backup_job *job = running_job(req, &reply);
    if (job == NULL) return reply;
    JET_LOGINFO info;
    JET_ERR err = hc_backup_logs(job, &info);
    struct hc_backup_file *files = err >= 0 ? calloc(JET_XBACKUP_FILES_MAX, sizeof *files) : NULL;
    size_t n = 0;
    if (files) err = hc_backup_current_files(job, files, JET_XBACKUP_FILES_MAX, &n);
    int64_t id = job->id;
    hc_backup_unref(job);
    if (err < 0) {
        free(files);
        return hc_reply_jet(req, err, "JetGetLogInfoInstance2: %s", JetXErrorMessage(err));
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "genLow", info.ulGenLow);
    cJSON_AddNumberToObject(o, "genHigh", info.ulGenHigh);
    cJSON_AddStringToObject(o, "baseName", info.szBaseName);
    cJSON *arr = cJSON_AddArrayToObject(o, "files");
    for (size_t i = 0; i < n; i++) {
        cJSON *f = cJSON_CreateObject();
        char url[CAT_NAME_MAX * 3 + 64];
        cJSON_AddStringToObject(f, "name", files[i].name);
        cJSON_AddStringToObject(f, "kind", cat_file_kind_name(files[i].kind));
        cJSON_AddNumberToObject(f, "sizeBytes", (double)files[i].size);
        snprintf(url, sizeof url, "/api/v1/backups/%lld/files/%s", (long long)id, files[i].name);
        cJSON_AddStringToObject(f, "url", url);
        cJSON_AddItemToArray(arr, f);
    }
    free(files);
    return hc_reply_json(req, 200, o);
}

/* truncate and stop: one engine call, then the backup object. */
static int simple_call(struct hc_request *req, JET_ERR (*call)(struct hc_backup_job *),
                       const char *what)
{
    int reply;
    struct hc_backup_job *job = running_job(req, &reply);
    if (job == NULL) return reply;
    JET_ERR err = call(job);
    int64_t id = job->id;
    hc_backup_unref(job);
    if (err < 0) return hc_reply_jet(req, err, "%s: %s", what, JetXErrorMessage(err));
    return reply_backup(req, 200, id);
}

int hc_handle_backup_truncate(struct hc_request *req)
{
    return simple_call(req, hc_backup_truncate, "JetTruncateLogInstance");
}

int hc_handle_backup_stop(struct hc_request *req)
{
    return simple_call(req, hc_backup_stop, "JetStopBackupInstance");
}

int hc_handle_backup_end(struct hc_request *req)
{
    struct cat_backup b;
    int reply;
    if (!load_backup(req, &b, &reply)) return reply;
    cJSON *body = hc_body_json(req);
    bool abort = false, truncate_done = false;
    const char *why = body ? hc_body_backup_end(body, &abort, &truncate_done)
                           : "\"abort\" and \"truncateDone\" are booleans";
    cJSON_Delete(body);
    if (why != NULL) return hc_reply_problem(req, 400, "Invalid field", why);
    struct hc_backup_job *job = hc_backup_find(req->app, b.id);
    JET_ERR err = JET_errNoBackup; /* not running any more: nothing to end */
    if (job != NULL) {
        err = hc_backup_end(job, abort, truncate_done);
        hc_backup_unref(job);
    }
    if (cat_backup_get(req->app->cat, b.id, &b) != CAT_OK)
        return hc_reply_problem(req, 500, NULL, cat_errmsg(req->app->cat));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "result", hc_result_json(err));
    cJSON_AddItemToObject(o, "events", hc_events_json_list(req->app, b.id, 0));
    cJSON_AddItemToObject(o, "backup", hc_backup_json(req->app, &b));
    if (err < 0) { /* a problem document that also carries the end call's answer */
        unsigned status = hc_jet_http_status(err);
        cJSON_AddNumberToObject(o, "status", status);
        cJSON_AddStringToObject(o, "title", JetXErrorName(err));
        cJSON_AddStringToObject(o, "detail", JetXErrorMessage(err));
        cJSON_AddNumberToObject(o, "code", (double)err);
        cJSON_AddStringToObject(o, "name", JetXErrorName(err));
        char *text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (text == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
        struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(resp, "Content-Type", "application/problem+json");
        atomic_store(&req->bytes_out, strlen(text));
        return hc_reply(req, status, resp);
    }
    return hc_reply_json(req, 200, o);
}

int hc_handle_backup_events(struct hc_request *req)
{
    struct cat_backup b;
    int reply;
    if (!load_backup(req, &b, &reply)) return reply;
    return hc_reply_json(req, 200, hc_events_json_list(req->app, b.id, 0));
}
