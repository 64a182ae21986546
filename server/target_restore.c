/*
 * target_restore.c — restore from an offsite target (see target_restore.h): chain resolution,
 * parallel verified downloads, then the shared hard-recovery path (restore.h).
 */
#include "target_restore.h"

#include "backup.h"
#include "events.h"
#include "handlers.h"
#include "instance.h"
#include "manifest.h"
#include "problem.h"
#include "restore.h"
#include "target.h"

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

cJSON *hc_target_failure_problem(const struct hc_target *t, const struct hc_target_failure *f,
                                 int64_t restore_id, unsigned *status)
{
    cJSON *doc;
    if (f->store) {
        doc = hc_target_problem(t, &f->err, f->detail, f->object[0] ? f->object : NULL);
    } else {
        doc = cJSON_CreateObject();
        cJSON_AddNumberToObject(doc, "status", f->status);
        cJSON_AddStringToObject(doc, "title", f->title ? f->title : "Offsite set unusable");
        cJSON_AddStringToObject(doc, "detail", f->detail);
        cJSON_AddStringToObject(doc, "target", t->name);
        if (f->object[0]) cJSON_AddStringToObject(doc, "object", f->object);
    }
    if (doc && restore_id) cJSON_AddNumberToObject(doc, "restoreId", (double)restore_id);
    *status = f->store ? hc_target_http_status(&f->err) : f->status;
    return doc;
}

/* ---- manifests and the chain -------------------------------------------------------------------- */

struct mem_sink {
    char *data;
    size_t len, cap;
};

static int mem_write(void *ctx, const void *data, size_t len)
{
    struct mem_sink *m = ctx;
    if (m->len + len > HC_MANIFEST_MAX_BYTES) return -1;
    if (m->len + len > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16384;
        while (cap < m->len + len) cap *= 2;
        char *grown = realloc(m->data, cap);
        if (grown == NULL) return -1;
        m->data = grown;
        m->cap = cap;
    }
    memcpy(m->data + m->len, data, len);
    m->len += len;
    return 0;
}

/* GETs and decodes one manifest. 0, or -1 with f filled. */
static int load_manifest(const struct hc_target *t, struct s3_client *c, const char *key,
                         struct hc_manifest *m, struct hc_target_failure *f)
{
    struct mem_sink sink = {0};
    struct s3_error err;
    char why[512];
    int rc = s3_get_object(c, t->bucket, key, 0, S3_WHOLE_OBJECT, mem_write, &sink, NULL, &err);
    if (rc != S3_OK) {
        free(sink.data);
        f->store = true;
        f->err = err;
        snprintf(f->object, sizeof f->object, "%s", key);
        snprintf(f->detail, sizeof f->detail, "reading manifest %s", key);
        return -1;
    }
    rc = hc_manifest_decode(sink.data ? sink.data : "", sink.len, m, why, sizeof why);
    free(sink.data);
    if (rc != 0) {
        f->status = 502;
        snprintf(f->object, sizeof f->object, "%s", key);
        snprintf(f->detail, sizeof f->detail, "manifest %s is not valid: %s", key, why);
        return -1;
    }
    return 0;
}

static int chain_fail(struct hc_target_failure *f, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int chain_fail(struct hc_target_failure *f, const char *key, const char *fmt, ...)
{
    va_list ap;
    f->status = 502;
    snprintf(f->object, sizeof f->object, "%s", key);
    va_start(ap, fmt);
    vsnprintf(f->detail, sizeof f->detail, fmt, ap);
    va_end(ap);
    return -1;
}

/* The sets to restore, oldest first: the full, then the incrementals up to `key`. */
static int load_chain(const struct hc_target *t, struct s3_client *c, const char *key,
                      struct hc_manifest **sets, char (*keys)[HC_MANIFEST_KEY_MAX], size_t *count,
                      struct hc_target_failure *f)
{
    size_t n = 0;
    char next[HC_MANIFEST_KEY_MAX];
    snprintf(next, sizeof next, "%s", key);
    /* newest first: key, its previous, ... , the full */
    for (;;) {
        if (n == HC_TARGET_CHAIN_MAX)
            return chain_fail(f, key, "the chain of %s is longer than %d sets", key, HC_TARGET_CHAIN_MAX);
        sets[n] = calloc(1, sizeof *sets[n]);
        if (sets[n] == NULL) return chain_fail(f, key, "out of memory");
        snprintf(keys[n], HC_MANIFEST_KEY_MAX, "%s", next);
        if (load_manifest(t, c, next, sets[n], f) != 0) {
            *count = n + 1;
            return -1;
        }
        const struct hc_manifest *m = sets[n++];
        *count = n;
        if (!m->incremental) break;
        const char *prev = m->chain_previous[0] ? m->chain_previous : m->chain_full;
        if (strcmp(m->chain_full, sets[0]->chain_full[0] ? sets[0]->chain_full : m->chain_full) != 0)
            return chain_fail(f, keys[n - 1], "%s belongs to another chain than %s", keys[n - 1], key);
        snprintf(next, sizeof next, "%s", prev);
    }
    /* oldest first */
    for (size_t i = 0; i < n / 2; i++) {
        struct hc_manifest *tm = sets[i];
        sets[i] = sets[n - 1 - i];
        sets[n - 1 - i] = tm;
        char tk[HC_MANIFEST_KEY_MAX];
        memcpy(tk, keys[i], sizeof tk);
        memcpy(keys[i], keys[n - 1 - i], sizeof tk);
        memcpy(keys[n - 1 - i], tk, sizeof tk);
    }
    for (size_t i = 1; i < n; i++) {
        if (strcmp(sets[i]->instance, sets[0]->instance) != 0)
            return chain_fail(f, keys[i], "%s is of another instance than %s", keys[i], keys[0]);
        if (strcmp(sets[i]->log_set_signature, sets[0]->log_set_signature) != 0)
            return chain_fail(f, keys[i], "%s is of another log set than %s", keys[i], keys[0]);
        if (sets[i]->gen_low > sets[i - 1]->gen_high + 1)
            return chain_fail(f, keys[i], "%s starts after a gap in the log generations (after %s)",
                              keys[i], keys[i - 1]);
    }
    return 0;
}

/* ---- downloads ---------------------------------------------------------------------------------- */

struct dl_item {
    const struct hc_manifest_file *file;
};

struct dl_run {
    const struct hc_target *target;
    struct hc_app *app;
    int64_t restore_id;
    char stage[PATH_MAX];
    struct dl_item *items;
    size_t count;
    pthread_mutex_t lock; /* guards next and fail */
    size_t next;
    struct hc_target_failure fail;
};

struct file_sink {
    int fd;
    struct hc_digest digest;
    uint64_t written;
};

static int file_write(void *ctx, const void *data, size_t len)
{
    struct file_sink *s = ctx;
    const char *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(s->fd, p + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    hc_digest_update(&s->digest, data, len);
    s->written += len;
    return 0;
}

static void dl_fail(struct dl_run *run, const struct hc_target_failure *f)
{
    pthread_mutex_lock(&run->lock);
    if (run->fail.status == 0 && !run->fail.store) run->fail = *f;
    pthread_mutex_unlock(&run->lock);
}

/* Downloads and checks one object. 0, or -1 with f filled. */
static int fetch_one(struct dl_run *run, struct s3_client *c, const struct hc_manifest_file *mf,
                     struct hc_target_failure *f)
{
    char path[PATH_MAX + HC_MANIFEST_NAME_MAX + 2];
    snprintf(path, sizeof path, "%s/%s", run->stage, mf->name);
    struct file_sink sink = {.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
    memset(f, 0, sizeof *f);
    snprintf(f->object, sizeof f->object, "%s", mf->key);
    if (sink.fd < 0 || hc_digest_init(&sink.digest) != 0) {
        f->status = 500;
        snprintf(f->detail, sizeof f->detail, "cannot write %s: %s", path, strerror(errno));
        if (sink.fd >= 0) close(sink.fd);
        return -1;
    }
    cat_restore_file_put(run->app->cat, run->restore_id, mf->name, mf->size);
    struct s3_error err;
    struct s3_object_head head;
    int rc = mf->size == 0 ? S3_OK
                           : s3_get_object(c, run->target->bucket, mf->key, 0, S3_WHOLE_OBJECT,
                                           file_write, &sink, &head, &err);
    char sha[HC_SHA256_HEX];
    uint32_t crc;
    hc_digest_final(&sink.digest, sha, &crc);
    bool synced = fsync(sink.fd) == 0;
    close(sink.fd);
    if (rc != S3_OK) {
        f->store = rc != S3_ERR_CALLBACK;
        f->err = err;
        f->status = 500;
        snprintf(f->detail, sizeof f->detail, "downloading %s", mf->key);
        return -1;
    }
    if (!synced) {
        f->status = 500;
        snprintf(f->detail, sizeof f->detail, "cannot write %s to disk", path);
        return -1;
    }
    if (sink.written != mf->size || strcmp(sha, mf->sha256) != 0 || crc != mf->crc32c) {
        f->status = 502;
        snprintf(f->detail, sizeof f->detail,
                 "object %s does not match its manifest: %llu bytes, SHA-256 %s, CRC32C %08x "
                 "received; %llu bytes, SHA-256 %s, CRC32C %08x expected",
                 mf->key, (unsigned long long)sink.written, sha, crc,
                 (unsigned long long)mf->size, mf->sha256, mf->crc32c);
        return -1;
    }
    cat_restore_file_set_received(run->app->cat, run->restore_id, mf->name, mf->size);
    return 0;
}

static void *dl_worker(void *arg)
{
    struct dl_run *run = arg;
    struct s3_client *c = NULL;
    struct s3_error err;
    struct hc_target_failure f;
    if (hc_target_client(run->target, -1, &c, &err) != S3_OK) {
        memset(&f, 0, sizeof f);
        f.status = 500;
        snprintf(f.detail, sizeof f.detail, "cannot make an S3 client");
        dl_fail(run, &f);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&run->lock);
        bool stop = run->fail.status != 0 || run->fail.store || run->next >= run->count;
        size_t i = stop ? 0 : run->next++;
        pthread_mutex_unlock(&run->lock);
        if (stop) break;
        if (fetch_one(run, c, run->items[i].file, &f) != 0) {
            dl_fail(run, &f);
            break;
        }
    }
    s3_client_free(c);
    return NULL;
}

static int download_all(struct dl_run *run)
{
    pthread_t threads[HC_TARGET_RESTORE_WORKERS];
    size_t started = 0;
    pthread_mutex_init(&run->lock, NULL);
    for (size_t i = 0; i < HC_TARGET_RESTORE_WORKERS && i < run->count; i++)
        if (pthread_create(&threads[started], NULL, dl_worker, run) == 0) started++;
    if (started == 0) dl_worker(run);
    for (size_t i = 0; i < started; i++) pthread_join(threads[i], NULL);
    pthread_mutex_destroy(&run->lock);
    return run->fail.status || run->fail.store ? -1 : 0;
}

/* The objects to fetch: every file of the chain once (a log held by two sets must agree). */
static int plan(struct hc_manifest **sets, char (*keys)[HC_MANIFEST_KEY_MAX], size_t n,
                struct dl_item *items, size_t cap, size_t *count, struct hc_target_failure *f)
{
    *count = 0;
    for (size_t s = 0; s < n; s++) {
        for (size_t i = 0; i < sets[s]->file_count; i++) {
            const struct hc_manifest_file *mf = &sets[s]->files[i];
            bool dup = false;
            for (size_t j = 0; j < *count && !dup; j++) {
                if (strcmp(items[j].file->name, mf->name) != 0) continue;
                dup = true;
                if (items[j].file->size != mf->size || strcmp(items[j].file->sha256, mf->sha256) != 0)
                    return chain_fail(f, mf->key, "%s differs from the same file in %s", mf->key,
                                      items[j].file->key);
            }
            if (dup) continue;
            if (*count == cap) return chain_fail(f, keys[s], "too many files in the chain of %s", keys[s]);
            items[(*count)++].file = mf;
        }
    }
    return 0;
}

/* ---- the restore -------------------------------------------------------------------------------- */

/* Marks restore id failed with f's detail and logs it. */
static void finish_failed(struct hc_app *app, const struct hc_target *t, int64_t id,
                          const char *instance, const struct hc_target_failure *f, JET_ERR code)
{
    struct cat_restore_end end = {.state = CAT_RESTORE_FAILED};
    hc_backup_result(code, &end.result);
    snprintf(end.result.message, sizeof end.result.message, "%.2000s", f->detail);
    cat_restore_finish(app->cat, id, &end);
    hc_events_server(app, instance, CAT_LEVEL_ERROR, 0, id,
                     "restore %lld from target \"%s\" failed: %s%s%s", (long long)id, t->name,
                     f->detail, f->object[0] ? "; object " : "", f->object);
}

static void fail_plain(struct hc_target_failure *f, unsigned status, const char *title,
                       const char *detail)
{
    memset(f, 0, sizeof *f);
    f->status = status;
    f->title = title;
    snprintf(f->detail, sizeof f->detail, "%s", detail);
}

/* Steps 2 and 3 for a resolved chain (sets, keys: n, oldest first; items: count). */
static void restore_chain(struct hc_app *app, const struct hc_target *t, const char *name,
                          const char *key, struct hc_manifest **sets,
                          char (*keys)[HC_MANIFEST_KEY_MAX], size_t n, struct dl_item *items,
                          size_t count, struct dl_run *run, struct hc_target_restore_outcome *out)
{
    /* the restore row (source: target) and its staging directory */
    int64_t id = 0;
    struct cat_restore_new row = {.instance = name, .source = CAT_SOURCE_TARGET,
                                  .target = t->name, .manifest_key = key};
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", app->cfg->data_dir, HC_RESTORES_SUBDIR);
    mkdir(dir, 0700);
    if (cat_restore_create(app->cat, &row, &id) != CAT_OK) {
        fail_plain(&out->fail, 500, "Catalog error", cat_errmsg(app->cat));
        return;
    }
    out->restore_id = id;
    hc_restore_staging_dir(app, id, run->stage, sizeof run->stage);
    if (mkdir(run->stage, 0700) != 0 && errno != EEXIST) {
        struct hc_target_failure *f = &out->fail;
        memset(f, 0, sizeof *f);
        snprintf(f->detail, sizeof f->detail, "cannot create %s: %s", run->stage, strerror(errno));
        f->status = 500;
        finish_failed(app, t, id, name, f, JET_errInvalidPath);
        return;
    }
    const struct hc_manifest *last = sets[n - 1];
    hc_events_server(app, name, CAT_LEVEL_INFO, 0, id,
                     "restore %lld: downloading %zu object(s) of %zu set(s) from target \"%s\" "
                     "(%s, generations %lu to %lu)",
                     (long long)id, count, n, t->name, key, sets[0]->gen_low, last->gen_high);
    run->target = t;
    run->app = app;
    run->restore_id = id;
    run->items = items;
    run->count = count;
    int64_t t0 = hc_events_now_us();
    if (download_all(run) != 0) {
        out->fail = run->fail;
        finish_failed(app, t, id, name, &run->fail,
                      run->fail.status == 502 ? JET_errReadVerifyFailure
                      : run->fail.store && run->fail.err.http_status == 404
                          ? JET_errFileNotFound
                          : JET_errDiskIO);
        return;
    }
    for (size_t i = 0; i < count; i++) out->bytes += items[i].file->size;
    double secs = (double)(hc_events_now_us() - t0) / 1e6;
    hc_events_server(app, name, CAT_LEVEL_INFO, 0, id,
                     "restore %lld: %zu object(s), %llu bytes downloaded and verified against "
                     "their manifests in %.3f s",
                     (long long)id, count, (unsigned long long)out->bytes, secs);
    cJSON *map = cJSON_CreateObject();
    for (size_t i = 0; map && i < sets[0]->file_count; i++)
        if (sets[0]->files[i].kind == HC_MANIFEST_DATABASE)
            cJSON_AddStringToObject(map, sets[0]->files[i].name, sets[0]->files[i].original_path);
    int rc = hc_restore_run(app, id, sets[0]->gen_low, last->gen_high, map, &out->result);
    cJSON_Delete(map);
    if (rc != 0) {
        fail_plain(&out->fail, 409, "Restore not run",
                   rc == -EEXIST ? "an instance of that name runs already"
                                 : "the restore could not start");
        return;
    }
    out->ran = true;
    out->set_keys = keys; /* handed over */
    out->set_count = n;
}

enum hc_target_restore_refusal hc_target_restore(struct hc_app *app, const char *target,
                                                 const char *instance, const char *manifest_key,
                                                 struct hc_target_restore_outcome *out)
{
    memset(out, 0, sizeof *out);
    struct hc_target *t = hc_targets_find(app->targets, target);
    if (!hc_instance_name_is_valid(instance)) return HC_TRESTORE_BAD_NAME;
    if (t == NULL) return HC_TRESTORE_NO_TARGET;
    if (strlen(manifest_key) >= HC_MANIFEST_KEY_MAX || !hc_manifest_key_is_manifest(manifest_key))
        return HC_TRESTORE_BAD_KEY;
    if (hc_instances_name_taken(app->instances, instance)) return HC_TRESTORE_NAME_TAKEN;

    struct hc_manifest *sets[HC_TARGET_CHAIN_MAX] = {0};
    char (*keys)[HC_MANIFEST_KEY_MAX] = calloc(HC_TARGET_CHAIN_MAX, HC_MANIFEST_KEY_MAX);
    struct dl_item *items = calloc(HC_TARGET_CHAIN_MAX, sizeof *items);
    struct dl_run *run = calloc(1, sizeof *run);
    struct s3_client *c = NULL;
    struct s3_error err;
    size_t n = 0, count = 0;
    if (keys == NULL || items == NULL || run == NULL || hc_target_client(t, -1, &c, &err) != S3_OK)
        fail_plain(&out->fail, 500, NULL, "out of memory");
    else if (load_chain(t, c, manifest_key, sets, keys, &n, &out->fail) == 0 &&
             plan(sets, keys, n, items, HC_TARGET_CHAIN_MAX, &count, &out->fail) == 0)
        restore_chain(app, t, instance, manifest_key, sets, keys, n, items, count, run, out);
    s3_client_free(c);
    for (size_t i = 0; i < HC_TARGET_CHAIN_MAX; i++) free(sets[i]);
    if (out->set_keys != keys) free(keys);
    free(items);
    free(run);
    return HC_TRESTORE_OK;
}

void hc_target_restore_outcome_free(struct hc_target_restore_outcome *out)
{
    free(out->set_keys);
    out->set_keys = NULL;
    out->set_count = 0;
}

/* ---- the handler -------------------------------------------------------------------------------- */

int hc_handle_restore_from_target(struct hc_request *req)
{
    struct hc_app *app = req->app;
    cJSON *body = hc_body_json(req);
    const cJSON *jinst = body ? cJSON_GetObjectItemCaseSensitive(body, "instance") : NULL;
    const cJSON *from = body ? cJSON_GetObjectItemCaseSensitive(body, "from") : NULL;
    const cJSON *jt = cJSON_GetObjectItemCaseSensitive(from, "target");
    const cJSON *jk = cJSON_GetObjectItemCaseSensitive(from, "manifestKey");
    char name[64] = "", key[HC_MANIFEST_KEY_MAX] = "", target[64] = "";
    bool fields_ok = cJSON_IsString(jinst) && strlen(jinst->valuestring) < sizeof name &&
                     cJSON_IsString(jk) && strlen(jk->valuestring) < sizeof key;
    if (fields_ok) {
        snprintf(name, sizeof name, "%s", jinst->valuestring);
        snprintf(key, sizeof key, "%s", jk->valuestring);
    }
    if (cJSON_IsString(jt) && strlen(jt->valuestring) < sizeof target)
        snprintf(target, sizeof target, "%s", jt->valuestring);
    cJSON_Delete(body);
    if (!fields_ok) name[0] = '\0'; /* refused below as an invalid name */
    struct hc_target_restore_outcome *out = malloc(sizeof *out);
    if (out == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    int reply;
    switch (hc_target_restore(app, target, name, key, out)) {
    case HC_TRESTORE_BAD_NAME:
        reply = hc_reply_problem(req, 400, "Invalid field",
                                 "\"instance\" is a plain name and \"from\" is {\"target\": NAME, "
                                 "\"manifestKey\": KEY}");
        goto done;
    case HC_TRESTORE_NO_TARGET:
        reply = hc_reply_problem(req, 400, "Unknown target",
                                 "\"from.target\" names no configured target (GET /api/v1/targets)");
        goto done;
    case HC_TRESTORE_BAD_KEY:
        reply = hc_reply_problem(req, 400, "Invalid field",
                                 "\"from.manifestKey\" must be the key of a manifest.json");
        goto done;
    case HC_TRESTORE_NAME_TAKEN:
        reply = hc_reply_problem(req, 409, "Instance name in use",
                                 "an instance of that name runs already");
        goto done;
    case HC_TRESTORE_OK:
        break;
    }
    const struct hc_target *t = hc_targets_find(app->targets, target);
    unsigned status;
    if (!out->ran) {
        cJSON *doc = hc_target_failure_problem(t, &out->fail, out->restore_id, &status);
        reply = reply_doc(req, status, doc);
        goto done;
    }
    struct cat_restore r;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)out->restore_id);
    if (cat_restore_get(app->cat, out->restore_id, &r) == CAT_OK) {
        cJSON_AddStringToObject(o, "state", cat_restore_state_name(r.state));
        cJSON_AddItemToObject(o, "restore", hc_restore_json(app, &r));
    }
    cJSON_AddItemToObject(o, "result", hc_result_json(out->result));
    cJSON_AddItemToObject(o, "events", hc_events_json_list(app, 0, out->restore_id));
    cJSON *jsets = cJSON_AddArrayToObject(o, "sets");
    for (size_t i = 0; i < out->set_count; i++)
        cJSON_AddItemToArray(jsets, cJSON_CreateString(out->set_keys[i]));
    cJSON_AddNumberToObject(o, "bytesDownloaded", (double)out->bytes);
    if (out->result < 0) {
        status = hc_jet_http_status(out->result);
        cJSON_AddNumberToObject(o, "status", status);
        cJSON_AddStringToObject(o, "title", JetXErrorName(out->result));
        cJSON_AddStringToObject(o, "detail", JetXErrorMessage(out->result));
        cJSON_AddNumberToObject(o, "code", (double)out->result);
        cJSON_AddStringToObject(o, "name", JetXErrorName(out->result));
        reply = reply_doc(req, status, o);
    } else {
        reply = reply_doc(req, 201, o);
    }
done:
    hc_target_restore_outcome_free(out);
    free(out);
    return reply;
}
