/*
 * h_targets.c — the offsite endpoints (see target_handlers.h): parse -> call the S3 client or the
 * upload registry -> render. Credentials never appear in an answer.
 */
#include "target_handlers.h"

#include "backup.h"
#include "bodies.h"
#include "handlers.h"
#include "manifest.h"
#include "target.h"
#include "throttle.h"
#include "upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define CHECK_OBJECT_BYTES 1024
#define LIST_SETS_MAX 1000

static int reply_doc(struct hc_request *req, unsigned status, cJSON *doc)
{
    char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    if (text == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type",
                            status >= 400 ? "application/problem+json" : "application/json");
    atomic_store(&req->bytes_out, strlen(text));
    return hc_reply(req, status, resp);
}

static struct hc_target *lookup_target(struct hc_request *req, int *reply)
{
    struct hc_target *t = hc_targets_find(req->app->targets, hc_param(req, "name"));
    if (t == NULL) *reply = hc_reply_problem(req, 404, NULL, "no target of that name is configured");
    return t;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int hc_handle_targets_list(struct hc_request *req)
{
    cJSON *arr = cJSON_CreateArray();
    struct hc_targets *ts = req->app->targets;
    for (size_t i = 0; ts && i < ts->count; i++) {
        const struct hc_target *t = &ts->items[i];
        cJSON *o = hc_target_json(t);
        struct s3_client *c = NULL;
        struct s3_error err = {0};
        int rc = hc_target_client(t, 0, &c, &err);
        if (rc == S3_OK) rc = s3_head_bucket(c, t->bucket, &err);
        s3_client_free(c);
        cJSON_AddBoolToObject(o, "reachable", rc == S3_OK || err.http_status != 0);
        cJSON_AddNumberToObject(o, "httpStatus", (double)err.http_status);
        cJSON_AddItemToArray(arr, o);
    }
    return hc_reply_json(req, 200, arr);
}

static void add_step(cJSON *steps, const char *name, bool ok, int64_t ms)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "step", name);
    cJSON_AddBoolToObject(s, "ok", ok);
    cJSON_AddNumberToObject(s, "ms", (double)ms);
    cJSON_AddItemToArray(steps, s);
}

struct cmp_sink {
    const unsigned char *expect;
    size_t len, seen;
    bool same;
};

static int compare_write(void *ctx, const void *data, size_t len)
{
    struct cmp_sink *s = ctx;
    if (s->seen + len > s->len || memcmp(s->expect + s->seen, data, len) != 0) s->same = false;
    s->seen += len;
    return 0;
}

int hc_handle_target_check(struct hc_request *req)
{
    int reply;
    struct hc_target *t = lookup_target(req, &reply);
    if (t == NULL) return reply;
    unsigned char payload[CHECK_OBJECT_BYTES];
    unsigned long long nonce = 0;
    if (getrandom(payload, sizeof payload, 0) != (ssize_t)sizeof payload)
        for (size_t i = 0; i < sizeof payload; i++) payload[i] = (unsigned char)(i * 7 + 3);
    memcpy(&nonce, payload, sizeof nonce);
    char key[HC_MANIFEST_KEY_MAX];
    snprintf(key, sizeof key, "%s%s.hotcopy-check/%016llx", t->prefix, t->prefix[0] ? "/" : "",
             nonce);
    struct s3_client *c = NULL;
    struct s3_error err = {0};
    if (hc_target_client(t, 1, &c, &err) != S3_OK)
        return reply_doc(req, 500, hc_target_problem(t, &err, "making a client", NULL));
    cJSON *o = cJSON_CreateObject(), *steps = cJSON_CreateArray();
    bool created = false;
    const char *failed = NULL;
    int64_t t0 = mono_ms();
    int rc = hc_target_ensure_bucket(t, c, &created, &err);
    add_step(steps, "bucket", rc == S3_OK, mono_ms() - t0);
    if (rc != S3_OK) failed = "checking (or creating) the bucket";
    if (!failed) {
        t0 = mono_ms();
        struct s3_body body = s3_body_mem(payload, sizeof payload);
        rc = s3_put_object(c, t->bucket, key, &body, "application/octet-stream", NULL, &err);
        add_step(steps, "put", rc == S3_OK, mono_ms() - t0);
        if (rc != S3_OK) failed = "putting a test object";
    }
    if (!failed) {
        t0 = mono_ms();
        struct cmp_sink sink = {.expect = payload, .len = sizeof payload, .same = true};
        rc = s3_get_object(c, t->bucket, key, 0, S3_WHOLE_OBJECT, compare_write, &sink, NULL, &err);
        bool same = rc == S3_OK && sink.same && sink.seen == sizeof payload;
        add_step(steps, "get", same, mono_ms() - t0);
        if (rc != S3_OK) failed = "getting the test object back";
        else if (!same) failed = "comparing the test object";
    }
    if (!failed || strcmp(failed, "comparing the test object") == 0) {
        struct s3_error derr;
        t0 = mono_ms();
        int drc = s3_delete_object(c, t->bucket, key, &derr);
        add_step(steps, "delete", drc == S3_OK, mono_ms() - t0);
        if (!failed && drc != S3_OK) {
            err = derr;
            failed = "deleting the test object";
        }
    }
    s3_client_free(c);
    if (failed && strcmp(failed, "comparing the test object") == 0) {
        cJSON_Delete(o);
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "status", 502);
        cJSON_AddStringToObject(p, "title", "Target error");
        cJSON_AddStringToObject(p, "detail", "the object read back differs from the one written");
        cJSON_AddStringToObject(p, "target", t->name);
        cJSON_AddItemToObject(p, "steps", steps);
        return reply_doc(req, 502, p);
    }
    if (failed) {
        cJSON_Delete(o);
        cJSON *p = hc_target_problem(t, &err, failed, NULL);
        if (p) cJSON_AddItemToObject(p, "steps", steps);
        return reply_doc(req, hc_target_http_status(&err), p);
    }
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON_AddBoolToObject(o, "ok", true);
    cJSON_AddBoolToObject(o, "bucketCreated", created);
    cJSON_AddItemToObject(o, "steps", steps);
    return hc_reply_json(req, 200, o);
}

/* ---- sets on a target --------------------------------------------------------------------------- */

static void add_time(cJSON *o, const char *key, int64_t us)
{
    hc_json_add_time(o, key, us);
}

static cJSON *set_json(const char *key, const struct hc_manifest *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "manifestKey", key);
    cJSON_AddStringToObject(o, "instance", m->instance);
    cJSON_AddNumberToObject(o, "backupId", (double)m->backup_id);
    cJSON_AddStringToObject(o, "type", m->incremental ? "incremental" : "full");
    if (m->recorded_as[0])
        cJSON_AddStringToObject(o, "recordedAs", m->recorded_as);
    else
        cJSON_AddNullToObject(o, "recordedAs");
    add_time(o, "startedAt", m->started_us);
    add_time(o, "completedAt", m->completed_us);
    cJSON_AddNumberToObject(o, "genLow", (double)m->gen_low);
    cJSON_AddNumberToObject(o, "genHigh", (double)m->gen_high);
    cJSON_AddStringToObject(o, "logSetSignature", m->log_set_signature);
    cJSON *chain = cJSON_AddObjectToObject(o, "chain");
    if (m->chain_full[0]) cJSON_AddStringToObject(chain, "full", m->chain_full);
    else cJSON_AddNullToObject(chain, "full");
    if (m->chain_previous[0]) cJSON_AddStringToObject(chain, "previous", m->chain_previous);
    else cJSON_AddNullToObject(chain, "previous");
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    uint64_t total = 0;
    for (size_t i = 0; i < m->file_count; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "name", m->files[i].name);
        cJSON_AddStringToObject(f, "kind", m->files[i].kind == HC_MANIFEST_DATABASE ? "database" : "log");
        cJSON_AddNumberToObject(f, "sizeBytes", (double)m->files[i].size);
        cJSON_AddItemToArray(files, f);
        total += m->files[i].size;
    }
    cJSON_AddNumberToObject(o, "sizeBytes", (double)total);
    return o;
}

struct text_sink {
    char *data;
    size_t len;
};

static int text_write(void *ctx, const void *data, size_t len)
{
    struct text_sink *s = ctx;
    if (s->len + len > HC_MANIFEST_MAX_BYTES) return -1;
    char *grown = realloc(s->data, s->len + len + 1);
    if (grown == NULL) return -1;
    memcpy(grown + s->len, data, len);
    s->data = grown;
    s->len += len;
    return 0;
}

/* Sorts newest first by start time, then backup id. */
static int newest_first(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    const cJSON *sx = cJSON_GetObjectItemCaseSensitive(x, "startedAt");
    const cJSON *sy = cJSON_GetObjectItemCaseSensitive(y, "startedAt");
    int c = strcmp(cJSON_IsString(sy) ? sy->valuestring : "", cJSON_IsString(sx) ? sx->valuestring : "");
    if (c) return c;
    double ix = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(x, "backupId"));
    double iy = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(y, "backupId"));
    return (iy > ix) - (iy < ix);
}

int hc_handle_target_backups(struct hc_request *req)
{
    int reply;
    struct hc_target *t = lookup_target(req, &reply);
    if (t == NULL) return reply;
    char instance[CAT_NAME_MAX] = "", prefix[HC_TARGET_PREFIX_MAX + CAT_NAME_MAX + 2];
    hc_query(req, "instance", instance, sizeof instance);
    snprintf(prefix, sizeof prefix, "%s%s%s%s", t->prefix, t->prefix[0] ? "/" : "", instance,
             instance[0] ? "/" : "");
    struct s3_client *c = NULL;
    struct s3_error err = {0};
    if (hc_target_client(t, -1, &c, &err) != S3_OK)
        return reply_doc(req, 500, hc_target_problem(t, &err, "making a client", NULL));
    struct hc_manifest *m = malloc(sizeof *m);
    cJSON **found = calloc(LIST_SETS_MAX, sizeof *found);
    size_t n = 0;
    struct s3_list_page page = {0};
    struct s3_list_request lr = {.prefix = prefix};
    int rc = m && found ? S3_OK : S3_ERR_NOMEM;
    while (rc == S3_OK) {
        rc = s3_list_objects(c, t->bucket, &lr, &page, &err);
        for (size_t i = 0; rc == S3_OK && i < page.object_count && n < LIST_SETS_MAX; i++) {
            const char *key = page.objects[i].key;
            if (!hc_manifest_key_is_manifest(key)) continue;
            struct text_sink sink = {0};
            struct s3_error gerr;
            char why[512];
            cJSON *o;
            if (s3_get_object(c, t->bucket, key, 0, S3_WHOLE_OBJECT, text_write, &sink, NULL, &gerr) != S3_OK) {
                o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "manifestKey", key);
                cJSON_AddStringToObject(o, "error", gerr.code[0] ? gerr.code : "unreadable");
            } else if (hc_manifest_decode(sink.data ? sink.data : "", sink.len, m, why, sizeof why) != 0) {
                o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "manifestKey", key);
                cJSON_AddStringToObject(o, "error", why);
            } else {
                o = set_json(key, m);
            }
            free(sink.data);
            found[n++] = o;
        }
        if (rc != S3_OK || !page.is_truncated || n >= LIST_SETS_MAX) break;
        lr.continuation_token = page.next_continuation_token;
    }
    s3_list_page_free(&page);
    s3_client_free(c);
    free(m);
    if (rc != S3_OK) {
        for (size_t i = 0; i < n; i++) cJSON_Delete(found[i]);
        free(found);
        if (rc == S3_ERR_NOMEM) return hc_reply_problem(req, 500, NULL, "out of memory");
        return reply_doc(req, hc_target_http_status(&err),
                         hc_target_problem(t, &err, "listing the sets", NULL));
    }
    qsort(found, n, sizeof *found, newest_first);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(arr, found[i]);
    free(found);
    return hc_reply_json(req, 200, arr);
}

/* ---- PATCH /api/v1/backups/{id} ----------------------------------------------------------------- */

int hc_handle_backup_patch(struct hc_request *req)
{
    struct cat_backup b;
    if (cat_backup_get(req->app->cat, hc_param_id(req), &b) != CAT_OK)
        return hc_reply_problem(req, 404, NULL, "no such backup");
    cJSON *body = hc_body_json(req);
    uint64_t rate = 0;
    const char *why = body ? hc_body_rate_patch(body, &rate) /* bodies.h */
                           : "the body is {\"maxBytesPerSecond\": N}, N a whole number >= 0 (0: unlimited)";
    cJSON_Delete(body);
    if (why != NULL) return hc_reply_problem(req, 400, "Invalid field", why);
    struct hc_backup_job *job = hc_backup_find(req->app, b.id);
    bool changed = false;
    if (job) {
        hc_throttle_set_rate(job->throttle, rate); /* downloads and the upload share it */
        hc_backup_unref(job);
        changed = true;
    }
    if (hc_upload_set_rate(req->app, b.id, rate)) changed = true; /* a resumed upload */
    if (!changed)
        return hc_reply_problem_code(req, 409, JET_errNoBackup,
                                     "the backup is not running and has no upload under way");
    cat_backup_set_max_rate(req->app->cat, b.id, rate);
    if (cat_backup_get(req->app->cat, b.id, &b) != CAT_OK)
        return hc_reply_problem(req, 500, NULL, cat_errmsg(req->app->cat));
    return hc_reply_json(req, 200, hc_backup_json(req->app, &b));
}
