/*
 * ui_overview.c — the overview (/): one card per instance with its state, current and checkpoint
 * log generations, databases (size, page size, state), the running backup or the buttons that
 * start one (with, when targets are configured, the offsite target and throttle to begin it with:
 * ui_target_begin_fields), the last backup of each kind from the catalog, the live commit rate,
 * and the load generator's control.
 *
 * The figures re-render every two seconds; the buttons and forms only when what they offer changes
 * (the poll carries their version), so that a button is not replaced under the pointer. The commit
 * rate needs no state on the server: each rendering puts the commit count and the time it read
 * into the URL of the next poll, which divides the difference. Inputs keep what the user typed
 * (hx-preserve). An action's answer replaces the whole card. Instance data is hc_instance_json (the
 * object GET /api/v1/instances/{name} answers) and hc_loadgen_status (GET .../load); actions call
 * hc_loadgen_start / _stop, the functions behind POST and DELETE .../load.
 */
#include "ui.h"

#include "handlers.h"
#include "instance.h"
#include "loadgen.h"
#include "ui_html.h"
#include "ui_page.h"
#include "ui_target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CARD_POLL "every 2s"
#define LOAD_RATE_DEFAULT 200
#define LAST_BACKUPS_SCAN 200 /* newest catalog rows searched for the last backup of each kind */

static double num(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void render_result_json(struct hc_strbuf *sb, const char *call, const cJSON *r)
{
    struct cat_result res;
    memset(&res, 0, sizeof res);
    res.code = (int32_t)num(r, "code");
    snprintf(res.name, sizeof res.name, "%s", str(r, "name"));
    snprintf(res.message, sizeof res.message, "%s", str(r, "message"));
    ui_result_line_cat(sb, call, &res);
}

static void render_databases(struct hc_strbuf *sb, const cJSON *dbs)
{
    if (cJSON_GetArraySize(dbs) == 0) {
        ui_printf(sb, "<p class=\"muted\">No database attached.</p>");
        return;
    }
    ui_printf(sb,
              "<div class=\"table-wrap\"><table><caption>Databases</caption><thead><tr>"
              "<th scope=\"col\">Name</th><th scope=\"col\">Size</th>"
              "<th scope=\"col\">Page size</th><th scope=\"col\">State</th></tr></thead><tbody>");
    const cJSON *d;
    cJSON_ArrayForEach(d, dbs)
    {
        ui_printf(sb, "<tr><th scope=\"row\" title=\"");
        ui_esc(sb, str(d, "path"));
        ui_printf(sb, "\">");
        ui_esc(sb, str(d, "name"));
        ui_printf(sb, "</th><td class=\"num\">");
        ui_bytes(sb, (uint64_t)num(d, "sizeBytes"));
        ui_printf(sb, "</td><td class=\"num\">");
        ui_bytes(sb, (uint64_t)num(d, "pageSize"));
        ui_printf(sb, "</td><td>");
        ui_esc(sb, str(d, "state"));
        ui_printf(sb, "</td></tr>");
    }
    ui_printf(sb, "</tbody></table></div>");
}

static void render_last_backups(struct hc_strbuf *sb, struct hc_app *app, const char *instance)
{
    struct cat_backup_filter f = {.instance = instance, .limit = LAST_BACKUPS_SCAN};
    struct cat_backup *list = NULL;
    size_t n = 0;
    if (cat_backup_list(app->cat, &f, &list, &n) != CAT_OK) n = 0;
    ui_printf(sb, "<dl class=\"facts last-backups\">");
    static const enum cat_backup_type kinds[] = {CAT_BACKUP_FULL, CAT_BACKUP_INCREMENTAL};
    for (size_t k = 0; k < 2; k++) {
        ui_printf(sb, "<div><dt>Last %s backup</dt><dd>", cat_backup_type_name(kinds[k]));
        const struct cat_backup *b = NULL;
        for (size_t i = 0; i < n && b == NULL; i++)
            if (list[i].type == kinds[k]) b = &list[i];
        if (b == NULL) {
            ui_printf(sb, "<span class=\"muted\">none</span></dd></div>");
            continue;
        }
        ui_printf(sb, "<a href=\"/ui/backups/%lld\">#%lld</a> %s%s", (long long)b->id,
                  (long long)b->id, cat_backup_phase_running(b->phase) ? "running, phase " : "",
                  cat_backup_phase_name(b->phase));
        if (b->has_result) {
            ui_printf(sb, " <code class=\"name %s\">", ui_result_class(b->result.code));
            ui_esc(sb, b->result.name);
            ui_printf(sb, "</code>");
        }
        const char *recorded = cat_recorded_as_name(b->recorded_as);
        if (recorded) ui_printf(sb, ", recorded as %s", recorded);
        ui_printf(sb, ", ");
        ui_time(sb, b->ended_at ? b->ended_at : b->started_at);
        ui_printf(sb, "</dd></div>");
    }
    ui_printf(sb, "</dl>");
    free(list);
}

/* One form, two buttons (name="type": full or incremental) so that both send the offsite fields
 * (ui_target_begin_fields: a target and a throttle, when targets are configured). Each button is
 * disabled with the reason shown when a backup cannot begin (one reason for both). */
static void render_begin_form(struct hc_strbuf *sb, const struct ui_ctx *ctx, const char *name,
                              const char *refusal)
{
    static const char *const types[] = {"full", "incremental"};
    static const char *const labels[] = {"Start full backup", "Start incremental backup"};
    ui_printf(sb, "<form class=\"action begin-form\" method=\"post\" action=\"/ui/backups\" "
                  "hx-post=\"/ui/backups\" hx-disabled-elt=\"find button.begin-full, find "
                  "button.begin-incremental\" hx-target=\"closest .live\" hx-swap=\"outerHTML\" "
                  "hx-sync=\"closest .live:replace\"><input type=\"hidden\" name=\"csrf\" "
                  "value=\"");
    ui_esc(sb, ctx->csrf);
    ui_printf(sb, "\"><input type=\"hidden\" name=\"instance\" value=\"");
    ui_esc(sb, name);
    ui_printf(sb, "\">");
    ui_target_begin_fields(sb, ctx->req->app, name);
    ui_printf(sb, "<div class=\"actions\">");
    for (int i = 0; i < 2; i++) {
        ui_printf(sb, "<button type=\"submit\" name=\"type\" value=\"%s\" id=\"begin-%s-", types[i],
                  types[i]);
        ui_esc(sb, name);
        ui_printf(sb, "\" class=\"begin-%s%s\"", types[i], i == 0 ? " primary" : "");
        if (refusal) {
            ui_printf(sb, " disabled aria-describedby=\"begin-full-");
            ui_esc(sb, name);
            ui_printf(sb, "-why\"");
        }
        ui_printf(sb, ">%s</button>", labels[i]);
    }
    if (refusal) {
        ui_printf(sb, "<span class=\"why\" id=\"begin-full-");
        ui_esc(sb, name);
        ui_printf(sb, "-why\">");
        ui_esc(sb, refusal);
        ui_printf(sb, "</span>");
    }
    ui_printf(sb, "</div></form>");
}

/* The backup part of the controls: the running backup, or the two begin buttons. */
static void render_backup(struct hc_strbuf *sb, const struct ui_ctx *ctx, const cJSON *inst_json,
                          bool usable)
{
    const char *name = str(inst_json, "name");
    const cJSON *backup = cJSON_GetObjectItemCaseSensitive(inst_json, "backup");
    char busy[128];
    const char *refusal = NULL;
    if (cJSON_IsObject(backup)) {
        long long id = (long long)num(backup, "id");
        ui_printf(sb,
                  "<p class=\"banner info\">Backup <a href=\"/ui/backups/%lld\">#%lld</a> (%s) is "
                  "running%s. <a class=\"button small\" href=\"/ui/backups/%lld\">Open its "
                  "workspace</a></p>",
                  id, id, str(backup, "type"),
                  cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(backup, "stopped")) ? ", stopped"
                                                                                    : "",
                  id);
        snprintf(busy, sizeof busy, "Backup #%lld is running: one backup per instance at a time",
                 id);
        refusal = busy;
    } else if (!usable) {
        refusal = "The instance is not usable";
    }
    render_begin_form(sb, ctx, name, refusal);
}

/* The load generator's form: rate and duration (kept across re-renders), Start and Stop. */
static void render_load_form(struct hc_strbuf *sb, const struct ui_ctx *ctx,
                             const struct hc_instance *inst, bool running)
{
    char action[CAT_NAME_MAX * 3 + 64], rate_id[CAT_NAME_MAX + 16], secs_id[CAT_NAME_MAX + 16];
    struct hc_strbuf path;
    hc_strbuf_init(&path);
    ui_printf(&path, "/ui/instances/");
    ui_esc_segment(&path, inst->name);
    ui_printf(&path, "/load");
    snprintf(action, sizeof action, "%s", path.data ? path.data : "");
    hc_strbuf_free(&path);
    snprintf(rate_id, sizeof rate_id, "load-rate-%s", inst->name);
    snprintf(secs_id, sizeof secs_id, "load-secs-%s", inst->name);
    struct hc_strbuf fields;
    hc_strbuf_init(&fields);
    ui_printf(&fields, "<label for=\"");
    ui_esc(&fields, rate_id);
    ui_printf(&fields, "\">Writes per second</label><input type=\"number\" id=\"");
    ui_esc(&fields, rate_id);
    ui_printf(&fields,
              "\" name=\"writesPerSecond\" min=\"1\" max=\"%d\" value=\"%d\" required "
              "hx-preserve=\"true\"><label for=\"",
              HC_LOAD_RATE_MAX, LOAD_RATE_DEFAULT);
    ui_esc(&fields, secs_id);
    ui_printf(&fields, "\">Seconds</label><input type=\"number\" id=\"");
    ui_esc(&fields, secs_id);
    ui_printf(&fields,
              "\" name=\"seconds\" min=\"1\" max=\"%d\" value=\"%d\" required "
              "hx-preserve=\"true\">",
              HC_LOAD_SECONDS_MAX, HC_LOAD_SECONDS_DEFAULT);
    size_t len;
    char *markup = hc_strbuf_take(&fields, &len);
    char id[CAT_NAME_MAX + 32];
    ui_printf(sb, "<div class=\"actions load-actions\">");
    snprintf(id, sizeof id, "load-start-%s", inst->name);
    ui_action_form(sb, ctx->csrf, action, "closest .live", id, "Start load",
                   running ? "Already running" : NULL, markup, NULL);
    free(markup);
    snprintf(id, sizeof id, "load-stop-%s", inst->name);
    strncat(action, "/stop", sizeof action - strlen(action) - 1);
    ui_action_form(sb, ctx->csrf, action, "closest .live", id, "Stop load",
                   running ? NULL : "Not running", NULL, NULL);
    ui_printf(sb, "</div>");
}

/* What the card shows of an instance, read once per rendering. */
struct snapshot {
    cJSON *inst; /* hc_instance_json */
    cJSON *load; /* hc_loadgen_status */
    bool usable, load_running;
    int64_t now;
    uint64_t controls_version; /* changes exactly when the controls would render differently */
};

static void snapshot_take(struct snapshot *sn, struct hc_instance *inst)
{
    sn->inst = hc_instance_json(inst);
    sn->load = hc_loadgen_status(inst);
    sn->now = cat_now_us();
    sn->usable = strcmp(str(sn->inst, "state"), "running") == 0;
    sn->load_running = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sn->load, "running"));
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(sn->inst, "backup");
    char key[256];
    snprintf(key, sizeof key, "%d|%d|%.0f|%s|%d", sn->usable, sn->load_running, num(b, "id"),
             str(b, "phase"), cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "stopped")));
    sn->controls_version = ui_hash(UI_HASH_SEED, key, strlen(key));
}

static void snapshot_free(struct snapshot *sn)
{
    cJSON_Delete(sn->inst);
    cJSON_Delete(sn->load);
}

/* The figures (state, generations, commits and their rate, databases, last backups), which change
 * all the time: re-rendered by their own poll every two seconds, whose answer also carries the
 * load generator's counts (out of band). prev_commits/prev_us: the previous sample (prev_us 0:
 * none). The poll carries the controls' version, so that the controls are re-rendered only when
 * they change (a button being replaced under the pointer would lose a click). */
static void render_stats(struct hc_strbuf *sb, struct hc_app *app, const struct hc_instance *inst,
                         const struct snapshot *sn, double prev_commits, int64_t prev_us)
{
    double commits = num(sn->inst, "commits");
    ui_printf(sb, "<div id=\"inst-stats-");
    ui_esc(sb, inst->name);
    ui_printf(sb, "\" class=\"card-stats\" hx-get=\"/ui/instances/");
    ui_esc_segment(sb, inst->name);
    ui_printf(sb,
              "/card?c=%.0f&amp;t=%lld&amp;v=%llx\" hx-trigger=\"%s\" hx-swap=\"outerHTML\" "
              "hx-sync=\"closest .live:drop\">",
              commits, (long long)sn->now, (unsigned long long)sn->controls_version, CARD_POLL);
    ui_printf(sb, "<p><span class=\"badge %s\">", sn->usable ? "ok" : "bad");
    ui_esc(sb, str(sn->inst, "state"));
    ui_printf(sb, "</span></p>");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(sn->inst, "error");
    if (cJSON_IsObject(error)) render_result_json(sb, "JetInit", error);
    ui_printf(sb,
              "<dl class=\"facts\"><div><dt>Current log generation</dt><dd>%.0f</dd></div>"
              "<div><dt>Checkpoint generation</dt><dd>%.0f</dd></div>"
              "<div><dt>Commits</dt><dd>%.0f</dd></div><div><dt>Commit rate</dt><dd>",
              num(sn->inst, "currentGeneration"), num(sn->inst, "checkpointGeneration"), commits);
    if (prev_us > 0 && sn->now > prev_us && commits >= prev_commits)
        ui_printf(sb, "<span class=\"rate\">%.0f</span> commits/s",
                  (commits - prev_commits) * 1e6 / (double)(sn->now - prev_us));
    else
        ui_printf(sb, "<span class=\"muted\">measuring…</span>");
    ui_printf(sb, "</dd></div></dl>");
    render_databases(sb, cJSON_GetObjectItemCaseSensitive(sn->inst, "databases"));
    render_last_backups(sb, app, inst->name);
    ui_printf(sb, "</div>");
}

/* The load generator's counts (re-rendered with the figures, out of band). */
static void render_load_status(struct hc_strbuf *sb, const struct hc_instance *inst,
                               const struct snapshot *sn, bool oob)
{
    ui_printf(sb, "<div id=\"inst-load-");
    ui_esc(sb, inst->name);
    ui_printf(sb, "\" class=\"load-status\"%s><p>", oob ? " hx-swap-oob=\"true\"" : "");
    if (sn->load_running)
        ui_printf(sb, "<span class=\"badge ok\">running</span> %.0f writes/s for %.0f s: ",
                  num(sn->load, "writesPerSecond"), num(sn->load, "seconds"));
    else
        ui_printf(sb, "<span class=\"badge\">stopped</span> ");
    ui_printf(sb, "%.0f committed, highest sequence %.0f", num(sn->load, "committed"),
              num(sn->load, "highestSequence"));
    if (num(sn->load, "errors") > 0) ui_printf(sb, ", %.0f errors", num(sn->load, "errors"));
    ui_printf(sb, ".</p>");
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(sn->load, "lastError");
    if (cJSON_IsObject(last)) render_result_json(sb, "Last write", last);
    ui_printf(sb, "</div>");
}

/* The controls, each in its own box: the running backup or the begin buttons (part "backup"),
 * the load generator's form (part "loadform"). */
static void render_controls(struct hc_strbuf *sb, const struct ui_ctx *ctx,
                            const struct hc_instance *inst, const struct snapshot *sn,
                            const char *part, bool oob)
{
    ui_printf(sb, "<div id=\"inst-%s-", part);
    ui_esc(sb, inst->name);
    ui_printf(sb, "\" class=\"card-controls\"%s>", oob ? " hx-swap-oob=\"true\"" : "");
    if (strcmp(part, "backup") == 0)
        render_backup(sb, ctx, sn->inst, sn->usable);
    else
        render_load_form(sb, ctx, inst, sn->load_running);
    ui_printf(sb, "</div>");
}

/* A whole card; an action's answer replaces it (the forms target "closest .live"). */
static void render_card(struct hc_strbuf *sb, const struct ui_ctx *ctx, struct hc_instance *inst,
                        const char *result_html)
{
    struct snapshot sn;
    snapshot_take(&sn, inst);
    char id[CAT_NAME_MAX + 16];
    ui_printf(sb, "<section class=\"card live\" aria-labelledby=\"inst-h-");
    ui_esc(sb, inst->name);
    ui_printf(sb, "\"><h2 id=\"inst-h-");
    ui_esc(sb, inst->name);
    ui_printf(sb, "\">Instance ");
    ui_esc(sb, inst->name);
    ui_printf(sb, "</h2>");
    snprintf(id, sizeof id, "inst-result-%s", inst->name);
    ui_action_result(sb, id, result_html, false);
    render_stats(sb, ctx->req->app, inst, &sn, 0, 0);
    render_controls(sb, ctx, inst, &sn, "backup", false);
    ui_printf(sb, "<h3>Load generator</h3>");
    render_load_status(sb, inst, &sn, false);
    render_controls(sb, ctx, inst, &sn, "loadform", false);
    ui_printf(sb, "</section>");
    snapshot_free(&sn);
}

/* The whole page; result_html goes to the card of `with_result` (may be NULL). */
static int reply_overview(const struct ui_ctx *ctx, const struct hc_instance *with_result,
                          const char *result_html)
{
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    ui_page_open(&sb, ctx, "Overview", UI_NAV_OVERVIEW);
    ui_printf(&sb, "<h1>Overview</h1><div class=\"cards\">");
    struct hc_instance *list[HC_INSTANCES_MAX];
    size_t n = hc_instances_list(ctx->req->app->instances, list, HC_INSTANCES_MAX);
    for (size_t i = 0; i < n; i++) {
        bool mine = with_result != NULL && strcmp(list[i]->name, with_result->name) == 0;
        render_card(&sb, ctx, list[i], mine ? result_html : NULL);
    }
    if (n == 0) ui_printf(&sb, "<p>No instance is configured.</p>");
    ui_printf(&sb, "</div>");
    ui_page_close(&sb);
    return ui_reply_html(ctx->req, 200, &sb);
}

int ui_overview_answer(const struct ui_ctx *ctx, struct hc_instance *inst, const char *result_html)
{
    if (!ctx->htmx) return reply_overview(ctx, inst, result_html);
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    render_card(&sb, ctx, inst, result_html);
    return ui_reply_html(ctx->req, 200, &sb);
}

int hc_ui_overview(struct hc_request *req)
{
    struct ui_ctx ctx;
    int reply;
    if (!ui_page_auth(&ctx, req, &reply)) return reply;
    return reply_overview(&ctx, NULL, NULL);
}

/* The instance named in the path, or NULL after answering 404. */
static struct hc_instance *path_instance(const struct ui_ctx *ctx, int *reply)
{
    struct hc_instance *inst =
        hc_instances_find(ctx->req->app->instances, hc_param(ctx->req, "name"));
    if (inst == NULL)
        *reply =
            ui_reply_not_found(ctx, "No such instance", UI_NAV_OVERVIEW,
                               "No instance of that name. <a href=\"/\">See the overview</a>.");
    return inst;
}

int hc_ui_instance_card(struct hc_request *req)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    int reply;
    struct hc_instance *inst = path_instance(&ctx, &reply);
    if (inst == NULL) return reply;
    uint64_t prev_commits = 0, prev_us = 0, version = 0;
    if (!hc_query_u64(req, "c", 0, &prev_commits) || !hc_query_u64(req, "t", 0, &prev_us))
        prev_us = 0;
    char vtext[32] = "";
    hc_query(req, "v", vtext, sizeof vtext);
    version = strtoull(vtext, NULL, 16);
    struct snapshot sn;
    snapshot_take(&sn, inst);
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    render_stats(&sb, req->app, inst, &sn, (double)prev_commits, (int64_t)prev_us);
    render_load_status(&sb, inst, &sn, true);
    if (version != sn.controls_version) {
        render_controls(&sb, &ctx, inst, &sn, "backup", true);
        render_controls(&sb, &ctx, inst, &sn, "loadform", true);
    }
    snapshot_free(&sn);
    return ui_reply_html(req, 200, &sb);
}

int hc_ui_load_start(struct hc_request *req)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    int reply;
    struct hc_instance *inst = path_instance(&ctx, &reply);
    if (inst == NULL) return reply;
    char rate_text[32] = "", secs_text[32] = "";
    ui_form_field(req, "writesPerSecond", rate_text, sizeof rate_text);
    ui_form_field(req, "seconds", secs_text, sizeof secs_text);
    char *end_rate, *end_secs;
    double rate = strtod(rate_text, &end_rate), secs = strtod(secs_text, &end_secs);
    if (rate_text[0] == '\0' || *end_rate != '\0') rate = -1;
    if (secs_text[0] == '\0' || *end_secs != '\0') secs = -1;
    JET_ERR err = JET_errSuccess;
    int rc = hc_loadgen_start(inst, rate, secs, &err);
    struct hc_strbuf result;
    hc_strbuf_init(&result);
    switch (rc) {
    case 0:
        ui_printf(&result,
                  "<p class=\"result-line ok\">The load generator started: %.0f writes per "
                  "second for %.0f seconds.</p>",
                  rate, secs);
        break;
    case -EINVAL:
        ui_printf(&result,
                  "<p class=\"result-line bad\">Writes per second must be 1 to %d and "
                  "seconds 1 to %d.</p>",
                  HC_LOAD_RATE_MAX, HC_LOAD_SECONDS_MAX);
        break;
    case -EBUSY:
        ui_printf(&result,
                  "<p class=\"result-line bad\">The load generator is running already: stop "
                  "it first.</p>");
        break;
    case -ENOENT:
        ui_result_line(&result, "Finding the instance's database", err);
        break;
    default:
        ui_printf(&result,
                  "<p class=\"result-line bad\">The load generator could not start (%s).</p>",
                  rc == -ENOMEM ? "out of memory" : "no thread");
    }
    size_t len;
    char *html = hc_strbuf_take(&result, &len);
    reply = ui_overview_answer(&ctx, inst, html);
    free(html);
    return reply;
}

int hc_ui_load_stop(struct hc_request *req)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    int reply;
    struct hc_instance *inst = path_instance(&ctx, &reply);
    if (inst == NULL) return reply;
    cJSON *final = NULL;
    int rc = hc_loadgen_stop(inst, &final);
    struct hc_strbuf result;
    hc_strbuf_init(&result);
    if (rc == 0)
        ui_printf(&result,
                  "<p class=\"result-line ok\">The load generator stopped after %.0f "
                  "commits (highest sequence %.0f).</p>",
                  num(final, "committed"), num(final, "highestSequence"));
    else
        ui_printf(&result, "<p class=\"result-line bad\">No load generator has run on this "
                           "instance.</p>");
    cJSON_Delete(final);
    size_t len;
    char *html = hc_strbuf_take(&result, &len);
    reply = ui_overview_answer(&ctx, inst, html);
    free(html);
    return reply;
}
