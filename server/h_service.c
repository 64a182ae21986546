/*
 * h_service.c — service endpoints: /healthz, /metrics, instances, and the login / logout /
 * session endpoints of the cookie mechanism (described in auth.h).
 */
#include "auth.h"
#include "backup.h"
#include "escape.h"
#include "handlers.h"
#include "instance.h"
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int hc_handle_healthz(struct hc_request *req)
{
    struct hc_instance *list[HC_INSTANCES_MAX];
    size_t n = hc_instances_list(req->app->instances, list, HC_INSTANCES_MAX), usable = 0;
    for (size_t i = 0; i < n; i++) {
        JET_XINSTANCEINFO info;
        if (list[i]->init_err >= 0 && JetXGetInstanceInfo(list[i]->jet, &info) >= 0 &&
            !info.fUnavailable)
            usable++;
    }
    if (usable == 0) return hc_reply_problem(req, 503, NULL, "no instance is usable");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    cJSON_AddNumberToObject(o, "instances", (double)n);
    return hc_reply_json(req, 200, o);
}

static void render_instance_metrics(struct hc_app *app, struct hc_strbuf *out)
{
    struct hc_instance *list[HC_INSTANCES_MAX];
    size_t n = hc_instances_list(app->instances, list, HC_INSTANCES_MAX);
    static const char *const phases[] = {"none", "database", "logs", "truncated"};
    hc_strbuf_printf(out, "# HELP hotcopy_backup_phase Current external backup phase (1 = in it).\n"
                          "# TYPE hotcopy_backup_phase gauge\n");
    for (size_t i = 0; i < n; i++) {
        unsigned current = 0;
        pthread_mutex_lock(&list[i]->lock);
        if (list[i]->backup) {
            pthread_mutex_lock(&list[i]->backup->lock);
            enum cat_backup_phase p = list[i]->backup->phase;
            current = p == CAT_PHASE_DATABASE ? 1 : p == CAT_PHASE_LOGS ? 2 : p == CAT_PHASE_TRUNCATED ? 3 : 0;
            pthread_mutex_unlock(&list[i]->backup->lock);
        }
        pthread_mutex_unlock(&list[i]->lock);
        for (unsigned p = 0; p < 4; p++)
            hc_strbuf_printf(out, "hotcopy_backup_phase{instance=\"%s\",phase=\"%s\"} %d\n",
                             list[i]->name, phases[p], p == current);
    }
    const char *names[] = {"hotcopy_log_generation", "hotcopy_checkpoint_generation",
                           "hotcopy_commits_total", "hotcopy_log_bytes_total"};
    const char *help[] = {"Generation of the current log file.", "Generation of the checkpoint.",
                          "Transactions committed since the instance started.",
                          "Log bytes written since the instance started."};
    for (int m = 0; m < 4; m++) {
        hc_strbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", names[m], help[m], names[m],
                         m >= 2 ? "counter" : "gauge");
        for (size_t i = 0; i < n; i++) {
            JET_XINSTANCEINFO info;
            if (list[i]->init_err < 0 || JetXGetInstanceInfo(list[i]->jet, &info) < 0) continue;
            unsigned long long v = m == 0   ? info.ulCurrentGeneration
                                   : m == 1 ? info.ulCheckpointGeneration
                                   : m == 2 ? info.cCommits
                                            : info.cLogBytes;
            hc_strbuf_printf(out, "%s{instance=\"%s\"} %llu\n", names[m], list[i]->name, v);
        }
    }
}

static void render_backup_counts(struct hc_app *app, struct hc_strbuf *out)
{
    struct cat_backup_count *rows = NULL;
    size_t n = 0;
    hc_strbuf_printf(out, "# HELP hotcopy_backups Backups in the catalog by type and result.\n"
                          "# TYPE hotcopy_backups gauge\n");
    if (cat_backup_counts(app->cat, &rows, &n) != CAT_OK) return;
    for (size_t i = 0; i < n; i++)
        hc_strbuf_printf(out,
                         "hotcopy_backups{instance=\"%s\",type=\"%s\",phase=\"%s\",result=\"%s\"} "
                         "%llu\n",
                         rows[i].instance, cat_backup_type_name(rows[i].type),
                         cat_backup_phase_name(rows[i].phase),
                         rows[i].result_name[0] ? rows[i].result_name : "running",
                         (unsigned long long)rows[i].count);
    free(rows);
}

int hc_handle_metrics(struct hc_request *req)
{
    struct hc_strbuf out;
    hc_strbuf_init(&out);
    hc_metrics_render(req->app->metrics, &out);
    render_backup_counts(req->app, &out);
    render_instance_metrics(req->app, &out);
    size_t len = 0;
    char *text = hc_strbuf_take(&out, &len);
    if (text == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    atomic_store(&req->bytes_out, len);
    return hc_reply(req, 200, resp);
}

/* The state and page size of the instance's database number i (info from JetXGetInstanceInfo):
 * from inst->facts while the log has not moved since they were read (see instance.h), else from
 * the header (JET_DbInfoMisc), kept for the next request. */
static void database_facts(struct hc_instance *inst, unsigned long i, const JET_XINSTANCEINFO *info,
                           struct hc_db_facts *out)
{
    const char *path = info->rgszDatabases[i];
    struct hc_db_facts *kept = &inst->facts[i];
    pthread_mutex_lock(&inst->lock);
    bool fresh = kept->log_bytes == info->cLogBytes && kept->generation == info->ulCurrentGeneration &&
                 kept->page_size != 0 && strcmp(kept->path, path) == 0;
    if (fresh) *out = *kept;
    pthread_mutex_unlock(&inst->lock);
    if (fresh) return;
    JET_DBINFOMISC misc;
    memset(&misc, 0, sizeof misc);
    memset(out, 0, sizeof *out);
    snprintf(out->path, sizeof out->path, "%s", path);
    out->log_bytes = info->cLogBytes;
    out->generation = info->ulCurrentGeneration;
    if (JetGetDatabaseFileInfo(path, &misc, sizeof misc, JET_DbInfoMisc) < 0) {
        out->state = HC_DB_STATE_UNKNOWN; /* not kept: read again next time */
        return;
    }
    out->state = misc.dbstate;
    out->page_size = misc.cbPageSize;
    pthread_mutex_lock(&inst->lock);
    *kept = *out;
    pthread_mutex_unlock(&inst->lock);
}

cJSON *hc_instance_json(struct hc_instance *inst)
{
    cJSON *o = cJSON_CreateObject();
    JET_XINSTANCEINFO info;
    memset(&info, 0, sizeof info);
    JET_ERR err = inst->init_err < 0 ? inst->init_err : JetXGetInstanceInfo(inst->jet, &info);
    const char *state = err < 0 ? "failed" : info.fUnavailable ? "unavailable" : "running";
    cJSON_AddStringToObject(o, "name", inst->name);
    cJSON_AddStringToObject(o, "state", state);
    cJSON_AddStringToObject(o, "logPath", err < 0 ? inst->dir : info.szLogPath);
    cJSON_AddStringToObject(o, "systemPath", err < 0 ? inst->dir : info.szSystemPath);
    cJSON_AddNumberToObject(o, "currentGeneration", info.ulCurrentGeneration);
    cJSON_AddNumberToObject(o, "checkpointGeneration", info.ulCheckpointGeneration);
    cJSON_AddNumberToObject(o, "commits", (double)info.cCommits);
    if (err < 0) cJSON_AddItemToObject(o, "error", hc_result_json(err));
    cJSON *dbs = cJSON_AddArrayToObject(o, "databases");
    unsigned long count = info.cDatabases < 8 ? info.cDatabases : 8;
    for (unsigned long i = 0; err >= 0 && i < count; i++) {
        cJSON *d = cJSON_CreateObject();
        const char *path = info.rgszDatabases[i];
        unsigned long long size = 0;
        if (JetGetDatabaseFileInfo(path, &size, sizeof size, JET_DbInfoFilesize) < 0) size = 0;
        struct hc_db_facts facts;
        database_facts(inst, i, &info, &facts);
        static const char *const states[] = {"unknown", "justCreated", "dirtyShutdown",
                                             "cleanShutdown", "beingConverted", "forceDetach"};
        cJSON_AddStringToObject(d, "name", hc_basename(path));
        cJSON_AddStringToObject(d, "path", path);
        cJSON_AddNumberToObject(d, "sizeBytes", (double)size);
        cJSON_AddNumberToObject(d, "pageSize", facts.page_size);
        cJSON_AddStringToObject(d, "state", facts.state < 6 ? states[facts.state] : "attached");
        cJSON_AddItemToArray(dbs, d);
    }
    pthread_mutex_lock(&inst->lock);
    if (inst->backup) {
        cJSON *b = cJSON_AddObjectToObject(o, "backup");
        pthread_mutex_lock(&inst->backup->lock);
        cJSON_AddNumberToObject(b, "id", (double)inst->backup->id);
        cJSON_AddStringToObject(b, "type", cat_backup_type_name(inst->backup->type));
        cJSON_AddStringToObject(b, "phase", cat_backup_phase_name(inst->backup->phase));
        cJSON_AddBoolToObject(b, "stopped", inst->backup->stopped);
        pthread_mutex_unlock(&inst->backup->lock);
    } else {
        cJSON_AddNullToObject(o, "backup");
    }
    pthread_mutex_unlock(&inst->lock);
    return o;
}

int hc_handle_instances_list(struct hc_request *req)
{
    struct hc_instance *list[HC_INSTANCES_MAX];
    size_t n = hc_instances_list(req->app->instances, list, HC_INSTANCES_MAX);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(arr, hc_instance_json(list[i]));
    return hc_reply_json(req, 200, arr);
}

int hc_handle_instance_get(struct hc_request *req)
{
    int reply;
    struct hc_instance *inst = hc_lookup_instance(req, hc_param(req, "name"), &reply);
    if (inst == NULL) return reply;
    return hc_reply_json(req, 200, hc_instance_json(inst));
}

/* ---- login -------------------------------------------------------------------------------------- */

/* Styled by the dashboard's stylesheet (web/static/app.css, served at /static/). */
static const char LOGIN_PAGE[] =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<title>Sign in · Hotcopy</title>"
    "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">"
    "<link rel=\"stylesheet\" href=\"/static/app.css\"></head>"
    "<body class=\"login\"><main id=\"main\"><form method=\"post\" action=\"/login\">"
    "<h1>Hotcopy</h1><p>Sign in with the appliance's API token.</p>"
    "<input type=\"text\" name=\"username\" value=\"hotcopy\" autocomplete=\"username\" hidden>"
    "<label for=\"token\">API token</label> <input type=\"password\" id=\"token\" name=\"token\" "
    "autocomplete=\"current-password\" required autofocus> "
    "<button type=\"submit\" class=\"primary\">Sign in</button>%s</form></main></body></html>";

static int login_page(struct hc_request *req, unsigned status, const char *message)
{
    char note[256] = "", *escaped = message ? hc_escape_dup(HC_ESCAPE_HTML, message) : NULL;
    if (escaped) snprintf(note, sizeof note, "<p role=\"alert\">%s</p>", escaped);
    free(escaped);
    char page[sizeof LOGIN_PAGE + 256];
    int len = snprintf(page, sizeof page, LOGIN_PAGE, note);
    return hc_reply_bytes(req, status, "text/html; charset=utf-8", page, (size_t)len);
}

int hc_handle_login_form(struct hc_request *req)
{
    return login_page(req, 200, NULL);
}

int hc_handle_login(struct hc_request *req)
{
    const char *type = hc_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    bool form = type && strncmp(type, "application/x-www-form-urlencoded", 33) == 0;
    char token[512] = "";
    if (form) {
        hc_form_value(req->body, req->body_len, "token", token, sizeof token);
    } else {
        cJSON *body = hc_body_json(req);
        const cJSON *t = body ? cJSON_GetObjectItemCaseSensitive(body, "token") : NULL;
        if (cJSON_IsString(t)) snprintf(token, sizeof token, "%s", t->valuestring);
        cJSON_Delete(body);
    }
    if (!hc_auth_token_ok(req->app->auth, token)) {
        if (form) return login_page(req, 401, "That token is not right.");
        return hc_reply_problem(req, 401, NULL, "wrong token");
    }
    char sid[HC_SESSION_ID_LEN + 1], csrf[HC_SESSION_ID_LEN + 1];
    if (!hc_auth_session_create(req->app->auth, time(NULL), sid, csrf))
        return hc_reply_problem(req, 500, NULL, "cannot make a session");
    const char *secure = hc_request_is_tls(req) ? "; Secure" : "";
    char session_cookie[256], csrf_cookie[256];
    snprintf(session_cookie, sizeof session_cookie,
             HC_SESSION_COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d%s", sid,
             HC_SESSION_TTL, secure);
    snprintf(csrf_cookie, sizeof csrf_cookie, HC_CSRF_COOKIE "=%s; SameSite=Strict; Path=/; Max-Age=%d%s",
             csrf, HC_SESSION_TTL, secure);
    struct MHD_Response *resp;
    unsigned status;
    if (form) {
        resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(resp, "Location", "/");
        status = 303;
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "csrfToken", csrf);
        char *text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (text == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
        resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(resp, "Content-Type", "application/json");
        status = 200;
    }
    MHD_add_response_header(resp, "Set-Cookie", session_cookie);
    MHD_add_response_header(resp, "Set-Cookie", csrf_cookie);
    return hc_reply(req, status, resp);
}

/* A browser submitting a form itself (no script): it asks for HTML or sends a form body, and is
 * not htmx (whose requests carry "HX-Request: true" and a form body, and want no redirect). */
static bool is_plain_form_post(const struct hc_request *req)
{
    const char *hx = hc_header(req, "HX-Request");
    if (hx != NULL && strcmp(hx, "true") == 0) return false;
    const char *accept = hc_header(req, MHD_HTTP_HEADER_ACCEPT);
    if (accept != NULL && strcasestr(accept, "text/html") != NULL) return true;
    const char *type = hc_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    return type != NULL && (strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0 ||
                            strncasecmp(type, "multipart/form-data", 19) == 0);
}

int hc_handle_logout(struct hc_request *req)
{
    hc_auth_session_end(req->app->auth, hc_header(req, MHD_HTTP_HEADER_COOKIE));
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) return MHD_NO;
    MHD_add_response_header(resp, "Set-Cookie",
                            HC_SESSION_COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    MHD_add_response_header(resp, "Set-Cookie", HC_CSRF_COOKIE "=; SameSite=Strict; Path=/; Max-Age=0");
    if (!is_plain_form_post(req)) return hc_reply(req, 204, resp);
    MHD_add_response_header(resp, "Location", "/login");
    return hc_reply(req, 303, resp);
}

int hc_handle_session(struct hc_request *req)
{
    char csrf[HC_SESSION_ID_LEN + 1] = "";
    cJSON *o = cJSON_CreateObject();
    bool cookie = hc_auth_session_check(req->app->auth, hc_header(req, MHD_HTTP_HEADER_COOKIE),
                                        time(NULL), csrf);
    cJSON_AddBoolToObject(o, "cookie", cookie);
    if (cookie) cJSON_AddStringToObject(o, "csrfToken", csrf);
    return hc_reply_json(req, 200, o);
}
