/*
 * restore.c — restore staging, resumable uploads and hard recovery (see restore.h).
 */
#include "restore.h"

#include "backup.h"
#include "bodies.h"
#include "events.h"
#include "handlers.h"
#include "instance.h"
#include "problem.h"
#include "range.h"
#include "target_restore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void staging_dir(const struct hc_app *app, int64_t id, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s/%lld", app->cfg->data_dir, HC_RESTORES_SUBDIR, (long long)id);
}

void hc_restore_staging_dir(const struct hc_app *app, int64_t id, char *out, size_t cap)
{
    staging_dir(app, id, out, cap);
}

cJSON *hc_restore_json(struct hc_app *app, const struct cat_restore *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)r->id);
    cJSON_AddStringToObject(o, "instance", r->instance);
    cJSON_AddStringToObject(o, "state", cat_restore_state_name(r->state));
    hc_json_add_time(o, "createdAt", r->created_at);
    hc_json_add_time(o, "endedAt", r->ended_at);
    if (r->gen_low) cJSON_AddNumberToObject(o, "genLow", (double)r->gen_low);
    else cJSON_AddNullToObject(o, "genLow");
    if (r->gen_high) cJSON_AddNumberToObject(o, "genHigh", (double)r->gen_high);
    else cJSON_AddNullToObject(o, "genHigh");
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    struct cat_restore_file *list = NULL;
    size_t n = 0;
    if (cat_restore_file_list(app->cat, r->id, &list, &n) == CAT_OK) {
        for (size_t i = 0; i < n; i++) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "name", list[i].name);
            cJSON_AddNumberToObject(f, "sizeBytes", (double)list[i].size_bytes);
            cJSON_AddNumberToObject(f, "bytesReceived", (double)list[i].bytes_received);
            cJSON_AddItemToArray(files, f);
        }
        free(list);
    }
    if (r->has_result) {
        cJSON *res = cJSON_AddObjectToObject(o, "result");
        cJSON_AddNumberToObject(res, "code", r->result.code);
        cJSON_AddStringToObject(res, "name", r->result.name);
        cJSON_AddStringToObject(res, "message", r->result.message);
    } else {
        cJSON_AddNullToObject(o, "result");
    }
    return o;
}

int hc_restore_create(struct hc_app *app, const char *name, int64_t *id, char *why, size_t whycap)
{
    if (!hc_instance_name_is_valid(name)) return -EINVAL;
    if (hc_instances_name_taken(app->instances, name)) return -EEXIST;
    struct cat_restore_new row = {.instance = name, .source = CAT_SOURCE_UPLOAD};
    if (cat_restore_create(app->cat, &row, id) != CAT_OK) {
        snprintf(why, whycap, "%s", cat_errmsg(app->cat));
        return -EIO;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", app->cfg->data_dir, HC_RESTORES_SUBDIR);
    mkdir(dir, 0700);
    staging_dir(app, *id, dir, sizeof dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(why, whycap, "cannot create the staging directory");
        return -EIO;
    }
    return 0;
}

int hc_handle_restore_create(struct hc_request *req)
{
    cJSON *body = hc_body_json(req);
    struct hc_restore_create_body b = {.instance = ""};
    char why[256] = "";
    if (body) hc_body_restore_create(body, &b); /* bodies.h */
    cJSON_Delete(body);
    if (b.from_target) return hc_handle_restore_from_target(req); /* target_restore.c */
    int64_t id = 0;
    switch (hc_restore_create(req->app, b.instance, &id, why, sizeof why)) {
    case 0: break;
    case -EINVAL:
        return hc_reply_problem(req, 400, "Invalid field",
                                "\"instance\" is a name of 1..63 letters, digits, '.', '_' or '-'");
    case -EEXIST:
        return hc_reply_problem(req, 409, "Instance name in use", "an instance of that name runs already");
    default: return hc_reply_problem(req, 500, NULL, why);
    }
    struct cat_restore r;
    if (cat_restore_get(req->app->cat, id, &r) != CAT_OK)
        return hc_reply_problem(req, 500, NULL, cat_errmsg(req->app->cat));
    return hc_reply_json(req, 201, hc_restore_json(req->app, &r));
}

int hc_handle_restores_list(struct hc_request *req)
{
    struct cat_restore_filter f = {.limit = 0};
    struct cat_restore *list = NULL;
    size_t n = 0;
    if (cat_restore_list(req->app->cat, &f, &list, &n) != CAT_OK)
        return hc_reply_problem(req, 500, NULL, cat_errmsg(req->app->cat));
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(arr, hc_restore_json(req->app, &list[i]));
    free(list);
    return hc_reply_json(req, 200, arr);
}

int hc_handle_restore_get(struct hc_request *req)
{
    struct cat_restore r;
    if (cat_restore_get(req->app->cat, hc_param_id(req), &r) != CAT_OK)
        return hc_reply_problem(req, 404, NULL, "no such restore");
    cJSON *o = hc_restore_json(req->app, &r);
    cJSON_AddItemToObject(o, "events", hc_events_json_list(req->app, 0, r.id));
    return hc_reply_json(req, 200, o);
}

/* ---- uploads ------------------------------------------------------------------------------------ */

struct upload {
    struct hc_app *app;
    int64_t restore_id;
    char name[CAT_NAME_MAX];
    int fd;
    uint64_t start;   /* where this request's bytes begin */
    uint64_t written; /* bytes written by this request */
    uint64_t total;   /* the file's full size (0: unknown until the end) */
    uint64_t limit;   /* with Content-Range: one past its END, the most this body may reach */
    bool finished;    /* the handler recorded the result */
};

static void upload_record(struct upload *u)
{
    if (u->fd >= 0) {
        fsync(u->fd);
        close(u->fd);
        u->fd = -1;
    }
    uint64_t received = u->start + u->written;
    uint64_t size = u->total > received ? u->total : received;
    cat_restore_file_put(u->app->cat, u->restore_id, u->name, size);
    cat_restore_file_set_received(u->app->cat, u->restore_id, u->name, received);
}

static void upload_free(void *state)
{
    struct upload *u = state;
    if (u == NULL) return;
    if (!u->finished) upload_record(u); /* interrupted: keep what arrived for a resume */
    if (u->fd >= 0) close(u->fd);
    free(u);
}

/* Opens the staging file at the right offset; sets req->sink_status on refusal. */
static struct upload *upload_open(struct hc_request *req)
{
    int64_t id = hc_param_id(req);
    const char *name = hc_param(req, "name");
    struct cat_restore r;
    if (cat_restore_get(req->app->cat, id, &r) != CAT_OK) {
        req->sink_status = 404;
        snprintf(req->sink_detail, sizeof req->sink_detail, "no such restore");
        return NULL;
    }
    if (r.state != CAT_RESTORE_STAGING) {
        req->sink_status = 409;
        snprintf(req->sink_detail, sizeof req->sink_detail, "the restore is %s: no more uploads",
                 cat_restore_state_name(r.state));
        return NULL;
    }
    struct upload *u = calloc(1, sizeof *u);
    if (u == NULL) {
        req->sink_status = 500;
        return NULL;
    }
    u->app = req->app;
    u->restore_id = id;
    u->fd = -1;
    snprintf(u->name, sizeof u->name, "%s", name);
    const char *cr = hc_header(req, "Content-Range");
    const char *cl = hc_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    uint64_t end = 0;
    u->limit = UINT64_MAX;
    if (cr != NULL) {
        if (!hc_content_range_parse(cr, &u->start, &end, &u->total)) { /* range.h */
            req->sink_status = 400;
            snprintf(req->sink_detail, sizeof req->sink_detail, "Content-Range must be bytes START-END/TOTAL");
            free(u);
            return NULL;
        }
        u->limit = end + 1;
        struct cat_restore_file have;
        uint64_t received = cat_restore_file_get(req->app->cat, id, name, &have) == CAT_OK
                                ? have.bytes_received : 0;
        if (u->start > received) {
            req->sink_status = 409;
            snprintf(req->sink_detail, sizeof req->sink_detail,
                     "upload would leave a gap: %llu bytes are stored, the range starts at %llu",
                     (unsigned long long)received, (unsigned long long)u->start);
            free(u);
            return NULL;
        }
    } else if (cl != NULL) {
        u->total = strtoull(cl, NULL, 10);
    }
    char path[PATH_MAX + CAT_NAME_MAX];
    char dir[PATH_MAX];
    staging_dir(req->app, id, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (cr == NULL ? O_TRUNC : 0);
    u->fd = open(path, flags, 0600);
    if (u->fd < 0 || (cr != NULL && ftruncate(u->fd, (off_t)u->start) != 0)) {
        req->sink_status = 500;
        snprintf(req->sink_detail, sizeof req->sink_detail, "cannot write the staging file: %s", strerror(errno));
        if (u->fd >= 0) close(u->fd);
        free(u);
        return NULL;
    }
    return u;
}

int hc_restore_file_sink(struct hc_request *req, const char *data, size_t len)
{
    struct upload *u = req->sink_state;
    if (u == NULL) {
        u = upload_open(req);
        if (u == NULL) return -1;
        req->sink_state = u;
        req->sink_free = upload_free;
    }
    if (len > u->limit - u->start - u->written) {
        req->sink_status = 400;
        snprintf(req->sink_detail, sizeof req->sink_detail,
                 "the body is longer than its Content-Range (%llu bytes from %llu)",
                 (unsigned long long)(u->limit - u->start), (unsigned long long)u->start);
        return -1;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(u->fd, data + done, len - done, (off_t)(u->start + u->written));
        if (n < 0) {
            if (errno == EINTR) continue;
            req->sink_status = 500;
            snprintf(req->sink_detail, sizeof req->sink_detail, "write failed: %s", strerror(errno));
            return -1;
        }
        done += (size_t)n;
        u->written += (uint64_t)n;
    }
    return 0;
}

int hc_handle_restore_file_put(struct hc_request *req)
{
    if (req->sink_state == NULL && req->sink_status == 0) hc_restore_file_sink(req, "", 0);
    if (req->sink_status != 0)
        return hc_reply_problem(req, req->sink_status, NULL, req->sink_detail[0] ? req->sink_detail : NULL);
    struct upload *u = req->sink_state;
    upload_record(u);
    u->finished = true;
    struct cat_restore_file f;
    if (cat_restore_file_get(req->app->cat, u->restore_id, u->name, &f) != CAT_OK)
        return hc_reply_problem(req, 500, NULL, cat_errmsg(req->app->cat));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", f.name);
    cJSON_AddNumberToObject(o, "sizeBytes", (double)f.size_bytes);
    cJSON_AddNumberToObject(o, "bytesReceived", (double)f.bytes_received);
    cJSON_AddBoolToObject(o, "complete", f.bytes_received == f.size_bytes);
    return hc_reply_json(req, 200, o);
}

/* ---- hard recovery ------------------------------------------------------------------------------ */

/* "edb0000000A.log" -> generation 10; 0 when the name is not an archived log generation. */
static unsigned long log_generation(const char *name, char base[JET_BASE_NAME_LENGTH + 1])
{
    size_t len = strlen(name);
    if (len != JET_BASE_NAME_LENGTH + 8 + 4 || strcmp(name + len - 4, ".log") != 0) return 0;
    unsigned long gen = 0;
    for (size_t i = JET_BASE_NAME_LENGTH; i < JET_BASE_NAME_LENGTH + 8; i++) {
        char c = name[i];
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0) return 0;
        gen = gen * 16 + (unsigned long)d;
    }
    memcpy(base, name, JET_BASE_NAME_LENGTH);
    base[JET_BASE_NAME_LENGTH] = '\0';
    return gen;
}

struct staged_set {
    char databases[HC_RESTORE_FILES_MAX][CAT_NAME_MAX];
    size_t db_count;
    unsigned long gen_low, gen_high;
    char base[JET_BASE_NAME_LENGTH + 1];
};

static void scan_staging(const char *dir, struct staged_set *set)
{
    memset(set, 0, sizeof *set);
    snprintf(set->base, sizeof set->base, "edb");
    DIR *d = opendir(dir);
    if (d == NULL) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char base[JET_BASE_NAME_LENGTH + 1];
        unsigned long gen = log_generation(e->d_name, base);
        if (gen) {
            if (set->gen_low == 0 || gen < set->gen_low) set->gen_low = gen;
            if (gen > set->gen_high) set->gen_high = gen;
            memcpy(set->base, base, sizeof base);
        } else if (len > 4 && strcmp(e->d_name + len - 4, ".edb") == 0 &&
                   set->db_count < HC_RESTORE_FILES_MAX) {
            snprintf(set->databases[set->db_count++], CAT_NAME_MAX, "%s", e->d_name);
        }
    }
    closedir(d);
}

/* The JET_RSTMAP source for a staged database: the path the client names in "databases", else
 * the base name alone, which the engine matches against the path recorded in the logs. */
static void original_path(const cJSON *map, const char *name, char *out, size_t cap)
{
    const cJSON *given = map ? cJSON_GetObjectItemCaseSensitive(map, name) : NULL;
    snprintf(out, cap, "%s", cJSON_IsString(given) ? given->valuestring : name);
}

static JET_ERR restore_progress(JET_SESID sesid, JET_SNP snp, JET_SNT snt, void *pv)
{
    return JET_errSuccess;
}

int hc_restore_run(struct hc_app *app, int64_t id, unsigned long gen_low, unsigned long gen_high,
                   const cJSON *map, JET_ERR *result)
{
    struct cat_restore r;
    if (cat_restore_get(app->cat, id, &r) != CAT_OK) return -ENOENT;
    char stage[PATH_MAX], target[PATH_MAX];
    staging_dir(app, id, stage, sizeof stage);
    struct staged_set set;
    scan_staging(stage, &set);
    if (gen_low) set.gen_low = gen_low;
    if (gen_high) set.gen_high = gen_high;
    if (hc_instances_name_taken(app->instances, r.instance)) return -EEXIST;
    if (cat_restore_start(app->cat, id, (int64_t)set.gen_low, (int64_t)set.gen_high) != CAT_OK)
        return -EALREADY;
    snprintf(target, sizeof target, "%s/%s", app->cfg->data_dir, HC_INSTANCES_SUBDIR);
    mkdir(target, 0700);
    snprintf(target, sizeof target, "%s/%s/%s", app->cfg->data_dir, HC_INSTANCES_SUBDIR, r.instance);
    JET_ERR err = JET_errSuccess;
    if (mkdir(target, 0700) != 0 && errno != EEXIST) err = JET_errInvalidPath;

    JET_RSTMAP rstmap[HC_RESTORE_FILES_MAX];
    char from[HC_RESTORE_FILES_MAX][PATH_MAX], to[HC_RESTORE_FILES_MAX][PATH_MAX + CAT_NAME_MAX];
    for (size_t i = 0; err >= 0 && i < set.db_count; i++) {
        char staged[PATH_MAX + CAT_NAME_MAX];
        original_path(map, set.databases[i], from[i], sizeof from[i]);
        snprintf(staged, sizeof staged, "%s/%s", stage, set.databases[i]);
        snprintf(to[i], sizeof to[i], "%s/%s", target, set.databases[i]);
        if (rename(staged, to[i]) != 0 && errno != ENOENT) err = JET_errInvalidPath;
        rstmap[i].szDatabaseName = from[i];
        rstmap[i].szNewDatabaseName = to[i];
    }
    char target_slash[PATH_MAX + 2], stage_slash[PATH_MAX + 2];
    snprintf(target_slash, sizeof target_slash, "%s/", target);
    snprintf(stage_slash, sizeof stage_slash, "%s/", stage);
    JET_LOGINFO info = {.cbSize = sizeof info, .ulGenLow = set.gen_low, .ulGenHigh = set.gen_high};
    memcpy(info.szBaseName, set.base, sizeof info.szBaseName);
    hc_events_server(app, r.instance, CAT_LEVEL_INFO, 0, id,
                     "restore %lld: hard recovery of %zu database(s), generations %lu to %lu",
                     (long long)id, set.db_count, set.gen_low, set.gen_high);
    if (err >= 0) {
        /* szTargetInstanceName: the engine's restore events carry the new instance's name (it
         * would mark a live instance of that name as under restore; none exists yet) */
        hc_events_set_thread_restore(id);
        err = JetExternalRestore2(target_slash, target_slash, rstmap, (long)set.db_count,
                                  stage_slash, &info, r.instance, NULL, NULL, restore_progress);
        hc_events_set_thread_restore(0);
    }
    struct hc_instance *inst = NULL;
    if (err >= 0) err = hc_instances_add(app->instances, r.instance, target, &inst);
    struct cat_restore_end end = {.state = err >= 0 ? CAT_RESTORE_SUCCEEDED : CAT_RESTORE_FAILED};
    hc_backup_result(err, &end.result);
    cat_restore_finish(app->cat, id, &end);
    hc_events_server(app, r.instance, err >= 0 ? CAT_LEVEL_INFO : CAT_LEVEL_ERROR, 0, id,
                     "restore %lld %s: %s", (long long)id, err >= 0 ? "succeeded" : "failed",
                     JetXErrorName(err));
    *result = err;
    return 0;
}

int hc_handle_restore_run(struct hc_request *req)
{
    struct hc_app *app = req->app;
    struct cat_restore r;
    int64_t id = hc_param_id(req);
    if (cat_restore_get(app->cat, id, &r) != CAT_OK)
        return hc_reply_problem(req, 404, NULL, "no such restore");
    cJSON *body = hc_body_json(req);
    if (body == NULL) return hc_reply_problem(req, 400, "Malformed JSON", "the body must be a JSON object");
    unsigned long gen_low, gen_high;
    const cJSON *databases;
    const char *why = hc_body_restore_run(body, &gen_low, &gen_high, &databases); /* bodies.h */
    if (why != NULL) {
        cJSON_Delete(body);
        return hc_reply_problem(req, 400, "Invalid field", why);
    }
    JET_ERR err = JET_errSuccess;
    int rc = hc_restore_run(app, id, gen_low, gen_high, databases, &err);
    cJSON_Delete(body);
    if (rc == -ENOENT) return hc_reply_problem(req, 404, NULL, "no such restore");
    if (rc == -EEXIST)
        return hc_reply_problem(req, 409, "Instance name in use", "an instance of that name runs already");
    if (rc != 0) return hc_reply_problem(req, 409, "Restore not staging", "this restore has already run");
    cat_restore_get(app->cat, id, &r);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "result", hc_result_json(err));
    cJSON_AddItemToObject(o, "events", hc_events_json_list(app, 0, id));
    cJSON_AddItemToObject(o, "restore", hc_restore_json(app, &r));
    if (err < 0) {
        cJSON_AddNumberToObject(o, "status", hc_jet_http_status(err));
        cJSON_AddStringToObject(o, "title", JetXErrorName(err));
        cJSON_AddStringToObject(o, "detail", JetXErrorMessage(err));
        cJSON_AddNumberToObject(o, "code", (double)err);
        cJSON_AddStringToObject(o, "name", JetXErrorName(err));
    }
    return hc_reply_json(req, hc_jet_http_status(err), o);
}
