/*
 * target_ops.c — probe, connection check and set listing of a target (see target_ops.h). The
 * credentials stay inside the S3 clients made here; nothing returned carries them.
 */
#include "target_ops.h"

#include "handlers.h"
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool hc_target_probe(const struct hc_target *t, long *http_status)
{
    struct s3_client *c = NULL;
    struct s3_error err = {0};
    int rc = hc_target_client(t, 0, &c, &err);
    if (rc == S3_OK) rc = s3_head_bucket(c, t->bucket, &err);
    s3_client_free(c);
    if (http_status) *http_status = err.http_status;
    return rc == S3_OK || err.http_status != 0;
}

/* ---- the round trip ------------------------------------------------------------------------- */

static void add_step(struct hc_target_check *out, const char *name, bool ok, int64_t ms)
{
    if (out->step_count >= HC_TARGET_CHECK_STEPS) return;
    out->steps[out->step_count++] = (struct hc_target_check_step){name, ok, ms};
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

#define DOING_COMPARE "comparing the test object"

void hc_target_check(const struct hc_target *t, struct hc_target_check *out)
{
    memset(out, 0, sizeof *out);
    unsigned char payload[HC_TARGET_CHECK_OBJECT_BYTES];
    unsigned long long nonce = 0;
    if (getrandom(payload, sizeof payload, 0) != (ssize_t)sizeof payload)
        for (size_t i = 0; i < sizeof payload; i++)
            payload[i] = (unsigned char)(i * 7 + 3);
    memcpy(&nonce, payload, sizeof nonce);
    char key[HC_MANIFEST_KEY_MAX];
    snprintf(key, sizeof key, "%s%s.hotcopy-check/%016llx", t->prefix, t->prefix[0] ? "/" : "",
             nonce);
    struct s3_client *c = NULL;
    if (hc_target_client(t, 1, &c, &out->err) != S3_OK) {
        out->no_client = true;
        out->failed = "making a client";
        return;
    }
    int64_t t0 = mono_ms();
    int rc = hc_target_ensure_bucket(t, c, &out->bucket_created, &out->err);
    add_step(out, "bucket", rc == S3_OK, mono_ms() - t0);
    if (rc != S3_OK) out->failed = "checking (or creating) the bucket";
    if (!out->failed) {
        t0 = mono_ms();
        struct s3_body body = s3_body_mem(payload, sizeof payload);
        rc = s3_put_object(c, t->bucket, key, &body, "application/octet-stream", NULL, &out->err);
        add_step(out, "put", rc == S3_OK, mono_ms() - t0);
        if (rc != S3_OK) out->failed = "putting a test object";
    }
    if (!out->failed) {
        t0 = mono_ms();
        struct cmp_sink sink = {.expect = payload, .len = sizeof payload, .same = true};
        rc = s3_get_object(c, t->bucket, key, 0, S3_WHOLE_OBJECT, compare_write, &sink, NULL,
                           &out->err);
        bool same = rc == S3_OK && sink.same && sink.seen == sizeof payload;
        add_step(out, "get", same, mono_ms() - t0);
        if (rc != S3_OK) {
            out->failed = "getting the test object back";
        } else if (!same) {
            out->failed = DOING_COMPARE;
            out->mismatch = true;
        }
    }
    if (!out->failed || out->mismatch) { /* the object exists: take it away again */
        struct s3_error derr;
        t0 = mono_ms();
        int drc = s3_delete_object(c, t->bucket, key, &derr);
        add_step(out, "delete", drc == S3_OK, mono_ms() - t0);
        if (!out->failed && drc != S3_OK) {
            out->err = derr;
            out->failed = "deleting the test object";
        }
    }
    s3_client_free(c);
    out->ok = out->failed == NULL;
}

cJSON *hc_target_check_json(const struct hc_target *t, const struct hc_target_check *c,
                            unsigned *status)
{
    cJSON *steps = cJSON_CreateArray();
    for (size_t i = 0; steps && i < c->step_count; i++) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "step", c->steps[i].step);
        cJSON_AddBoolToObject(s, "ok", c->steps[i].ok);
        cJSON_AddNumberToObject(s, "ms", (double)c->steps[i].ms);
        cJSON_AddItemToArray(steps, s);
    }
    cJSON *o;
    if (c->ok) {
        *status = 200;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", t->name);
        cJSON_AddBoolToObject(o, "ok", true);
        cJSON_AddBoolToObject(o, "bucketCreated", c->bucket_created);
    } else if (c->mismatch) {
        *status = 502;
        o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "status", 502);
        cJSON_AddStringToObject(o, "title", "Target error");
        cJSON_AddStringToObject(o, "detail", "the object read back differs from the one written");
        cJSON_AddStringToObject(o, "target", t->name);
    } else {
        *status = c->no_client ? 500 : hc_target_http_status(&c->err);
        o = hc_target_problem(t, &c->err, c->failed, NULL);
        if (o && c->no_client) cJSON_ReplaceItemInObject(o, "status", cJSON_CreateNumber(500));
    }
    if (o == NULL) {
        cJSON_Delete(steps);
        return NULL;
    }
    if (!c->no_client)
        cJSON_AddItemToObject(o, "steps", steps);
    else
        cJSON_Delete(steps);
    return o;
}

/* ---- sets on a target ----------------------------------------------------------------------- */

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
    hc_json_add_time(o, "startedAt", m->started_us);
    hc_json_add_time(o, "completedAt", m->completed_us);
    cJSON_AddNumberToObject(o, "genLow", (double)m->gen_low);
    cJSON_AddNumberToObject(o, "genHigh", (double)m->gen_high);
    cJSON_AddStringToObject(o, "logSetSignature", m->log_set_signature);
    cJSON *chain = cJSON_AddObjectToObject(o, "chain");
    if (m->chain_full[0])
        cJSON_AddStringToObject(chain, "full", m->chain_full);
    else
        cJSON_AddNullToObject(chain, "full");
    if (m->chain_previous[0])
        cJSON_AddStringToObject(chain, "previous", m->chain_previous);
    else
        cJSON_AddNullToObject(chain, "previous");
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    uint64_t total = 0;
    for (size_t i = 0; i < m->file_count; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "name", m->files[i].name);
        cJSON_AddStringToObject(f, "kind",
                                m->files[i].kind == HC_MANIFEST_DATABASE ? "database" : "log");
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
    int c = strcmp(cJSON_IsString(sy) ? sy->valuestring : "",
                   cJSON_IsString(sx) ? sx->valuestring : "");
    if (c) return c;
    double ix = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(x, "backupId"));
    double iy = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(y, "backupId"));
    return (iy > ix) - (iy < ix);
}

/* One manifest as its listing entry (an {"manifestKey", "error"} when it cannot be used). */
static cJSON *read_set(const struct hc_target *t, struct s3_client *c, const char *key,
                       struct hc_manifest *m)
{
    struct text_sink sink = {0};
    struct s3_error gerr;
    char why[512];
    cJSON *o;
    if (s3_get_object(c, t->bucket, key, 0, S3_WHOLE_OBJECT, text_write, &sink, NULL, &gerr) !=
        S3_OK) {
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
    return o;
}

unsigned hc_target_list_sets(const struct hc_target *t, const char *instance, cJSON **out,
                             struct s3_error *err, const char **doing)
{
    *out = NULL;
    *doing = NULL;
    char prefix[HC_TARGET_PREFIX_MAX + CAT_NAME_MAX + 2];
    snprintf(prefix, sizeof prefix, "%s%s%s%s", t->prefix, t->prefix[0] ? "/" : "", instance,
             instance[0] ? "/" : "");
    struct s3_client *c = NULL;
    memset(err, 0, sizeof *err);
    if (hc_target_client(t, -1, &c, err) != S3_OK) {
        *doing = "making a client";
        return 500;
    }
    struct hc_manifest *m = malloc(sizeof *m);
    cJSON **found = calloc(HC_TARGET_SETS_MAX, sizeof *found);
    size_t n = 0;
    struct s3_list_page page = {0};
    struct s3_list_request lr = {.prefix = prefix};
    int rc = m && found ? S3_OK : S3_ERR_NOMEM;
    while (rc == S3_OK) {
        rc = s3_list_objects(c, t->bucket, &lr, &page, err);
        for (size_t i = 0; rc == S3_OK && i < page.object_count && n < HC_TARGET_SETS_MAX; i++)
            if (hc_manifest_key_is_manifest(page.objects[i].key))
                found[n++] = read_set(t, c, page.objects[i].key, m);
        if (rc != S3_OK || !page.is_truncated || n >= HC_TARGET_SETS_MAX) break;
        lr.continuation_token = page.next_continuation_token;
    }
    s3_list_page_free(&page);
    s3_client_free(c);
    free(m);
    if (rc != S3_OK) {
        for (size_t i = 0; i < n; i++)
            cJSON_Delete(found[i]);
        free(found);
        if (rc == S3_ERR_NOMEM) return 500;
        *doing = "listing the sets";
        return hc_target_http_status(err);
    }
    qsort(found, n, sizeof *found, newest_first);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        if (arr)
            cJSON_AddItemToArray(arr, found[i]);
        else
            cJSON_Delete(found[i]);
    }
    free(found);
    if (arr == NULL) return 500;
    *out = arr;
    return 0;
}
