/*
 * h_targets.c — the offsite endpoints (see target_handlers.h): parse -> call target_ops.h (probe,
 * check, sets) or backup_throttle.h (PATCH), the functions the dashboard calls too -> render.
 * Credentials never appear in an answer.
 */
#include "target_handlers.h"

#include "backup_throttle.h"
#include "bodies.h"
#include "handlers.h"
#include "target.h"
#include "target_ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int hc_handle_targets_list(struct hc_request *req)
{
    cJSON *arr = cJSON_CreateArray();
    struct hc_targets *ts = req->app->targets;
    for (size_t i = 0; ts && i < ts->count; i++) {
        const struct hc_target *t = &ts->items[i];
        cJSON *o = hc_target_json(t);
        long status = 0;
        cJSON_AddBoolToObject(o, "reachable", hc_target_probe(t, &status)); /* target_ops.h */
        cJSON_AddNumberToObject(o, "httpStatus", (double)status);
        cJSON_AddItemToArray(arr, o);
    }
    return hc_reply_json(req, 200, arr);
}

int hc_handle_target_check(struct hc_request *req)
{
    int reply;
    struct hc_target *t = lookup_target(req, &reply);
    if (t == NULL) return reply;
    struct hc_target_check *c = malloc(sizeof *c);
    if (c == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    hc_target_check(t, c); /* target_ops.h */
    unsigned status = 500;
    cJSON *doc = hc_target_check_json(t, c, &status);
    free(c);
    return reply_doc(req, status, doc);
}

/* ---- sets on a target --------------------------------------------------------------------------- */

int hc_handle_target_backups(struct hc_request *req)
{
    int reply;
    struct hc_target *t = lookup_target(req, &reply);
    if (t == NULL) return reply;
    char instance[CAT_NAME_MAX] = "";
    hc_query(req, "instance", instance, sizeof instance);
    cJSON *sets = NULL;
    struct s3_error err;
    const char *doing = NULL;
    unsigned status = hc_target_list_sets(t, instance, &sets, &err, &doing); /* target_ops.h */
    if (status == 0) return hc_reply_json(req, 200, sets);
    if (doing == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    return reply_doc(req, status, hc_target_problem(t, &err, doing, NULL));
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
    int rc = hc_backup_throttle_set(req->app, b.id, rate); /* backup_throttle.h */
    if (rc == -ESRCH)
        return hc_reply_problem_code(req, 409, JET_errNoBackup,
                                     "the backup is not running and has no upload under way");
    if (rc != 0) return hc_reply_problem(req, 500, NULL, cat_errmsg(req->app->cat));
    if (cat_backup_get(req->app->cat, b.id, &b) != CAT_OK)
        return hc_reply_problem(req, 500, NULL, cat_errmsg(req->app->cat));
    return hc_reply_json(req, 200, hc_backup_json(req->app, &b));
}
