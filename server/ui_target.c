/*
 * ui_target.c — offsite targets in the dashboard:
 *   /ui/targets                    every configured target (endpoint, bucket, prefix, region,
 *                                  reachable now: a HEAD of the bucket) with "Check connection"
 *   POST /ui/targets/{name}/check  the round trip (bucket, put, get, delete) and each step's time,
 *                                  or the store's refusal as code, name and sentence
 *   GET /ui/targets/{name}/sets    the sets on the target, read from their manifests, each with a
 *                                  Restore button (a fragment of the restore page; a whole page
 *                                  for a browser without JavaScript)
 *   POST /ui/targets/{name}/restore  restore one of them into a new instance; answers when done
 *                                  with the restore's page (its result and events)
 * The calls are those of the REST handlers: hc_target_probe / _check / _list_sets (target_ops.h,
 * the same JSON the API answers) and hc_target_restore (target_restore.h). Credentials never
 * reach a page: only hc_target_json's fields are shown.
 */
#include "ui.h"

#include "target_ops.h"
#include "target_restore.h"
#include "ui_html.h"
#include "ui_target.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared with the other pages (ui_target.h) ---------------------------------------------- */

bool ui_rate_parse(const char *mib_text, uint64_t *bytes_per_second)
{
    *bytes_per_second = 0;
    const char *p = mib_text;
    while (*p == ' ')
        p++;
    if (*p == '\0') return true;
    if (!((*p >= '0' && *p <= '9') || *p == '.')) return false; /* no sign, no "inf" */
    char *end;
    double mib = strtod(p, &end);
    while (*end == ' ')
        end++;
    if (*end != '\0' || !isfinite(mib) || mib < 0 || mib > UI_RATE_MAX_MIB) return false;
    *bytes_per_second = (uint64_t)(mib * UI_MIB + 0.5); /* rounded; no libm */
    return true;
}

void ui_rate(struct hc_strbuf *sb, uint64_t bytes_per_second)
{
    if (bytes_per_second == 0) {
        ui_printf(sb, "<span class=\"rate-limit\">unlimited</span>");
        return;
    }
    double mib = (double)bytes_per_second / UI_MIB;
    ui_printf(sb,
              "<data class=\"rate-limit\" value=\"%llu\" title=\"%llu bytes per second\">%.*f "
              "MiB/s</data>",
              (unsigned long long)bytes_per_second, (unsigned long long)bytes_per_second,
              mib < 10 ? 2 : 1, mib);
}

void ui_target_begin_fields(struct hc_strbuf *sb, struct hc_app *app, const char *instance)
{
    struct hc_targets *ts = app->targets;
    if (ts == NULL || ts->count == 0) return;
    ui_printf(sb, "<fieldset class=\"offsite-fields\"><legend>Offsite copy</legend>"
                  "<label for=\"begin-target-");
    ui_esc(sb, instance);
    ui_printf(sb, "\">Back up to target</label><select id=\"begin-target-");
    ui_esc(sb, instance);
    ui_printf(sb, "\" name=\"target\" hx-preserve=\"true\"><option value=\"\">none: this appliance "
                  "only</option>");
    for (size_t i = 0; i < ts->count; i++) {
        ui_printf(sb, "<option value=\"");
        ui_esc(sb, ts->items[i].name);
        ui_printf(sb, "\">");
        ui_esc(sb, ts->items[i].name);
        ui_printf(sb, " (s3://");
        ui_esc(sb, ts->items[i].bucket);
        ui_printf(sb, "%s", ts->items[i].prefix[0] ? "/" : "");
        ui_esc(sb, ts->items[i].prefix);
        ui_printf(sb, ")</option>");
    }
    ui_printf(sb, "</select><label for=\"begin-rate-");
    ui_esc(sb, instance);
    ui_printf(sb, "\">Throttle (MiB/s)</label><input type=\"number\" id=\"begin-rate-");
    ui_esc(sb, instance);
    ui_printf(sb, "\" name=\"maxMiBPerSecond\" min=\"0\" step=\"any\" placeholder=\"unlimited\" "
                  "hx-preserve=\"true\" aria-describedby=\"begin-rate-help-");
    ui_esc(sb, instance);
    ui_printf(sb, "\"><span class=\"muted\" id=\"begin-rate-help-");
    ui_esc(sb, instance);
    ui_printf(sb, "\">empty or 0: unlimited; limits the upload and the downloads together, and "
                  "can be changed while the backup runs</span></fieldset>");
}

/* /ui/targets/<name><tail> into out (the name percent-encoded). */
static void target_path(char *out, size_t cap, const char *name, const char *tail)
{
    struct hc_strbuf p;
    hc_strbuf_init(&p);
    ui_printf(&p, "/ui/targets/");
    ui_esc_segment(&p, name);
    ui_printf(&p, "%s", tail);
    snprintf(out, cap, "%s", p.data && !p.failed ? p.data : "");
    hc_strbuf_free(&p);
}

void ui_target_restore_sections(struct hc_strbuf *sb, struct hc_app *app)
{
    struct hc_targets *ts = app->targets;
    char path[512];
    for (size_t i = 0; ts && i < ts->count; i++) {
        const struct hc_target *t = &ts->items[i];
        target_path(path, sizeof path, t->name, "/sets");
        ui_printf(sb, "<section class=\"panel\" aria-labelledby=\"from-target-h-");
        ui_esc(sb, t->name);
        ui_printf(sb, "\"><h2 id=\"from-target-h-");
        ui_esc(sb, t->name);
        ui_printf(sb, "\">Restore from target ");
        ui_esc(sb, t->name);
        ui_printf(sb, "</h2><p class=\"note\">The sets on s3://");
        ui_esc(sb, t->bucket);
        ui_printf(sb, "%s", t->prefix[0] ? "/" : "");
        ui_esc(sb, t->prefix);
        ui_printf(sb, " (");
        ui_esc(sb, t->endpoint);
        ui_printf(sb, "), read from their manifests: this works on a new appliance with an empty "
                      "catalog. A restore downloads the set (for an incremental also the sets it "
                      "builds on), checks every object against its manifest, then runs hard "
                      "recovery into a new instance.</p><div id=\"target-restore-result-");
        ui_esc(sb, t->name);
        ui_printf(sb, "\" class=\"action-result\" role=\"status\"></div><div id=\"sets-");
        ui_esc(sb, t->name);
        ui_printf(sb, "\" class=\"live\" hx-get=\"");
        ui_esc(sb, path);
        ui_printf(sb, "\" hx-trigger=\"load\" hx-swap=\"outerHTML\"><p class=\"muted\">Reading the "
                      "sets on the target…</p><noscript><p><a href=\"");
        ui_esc(sb, path);
        ui_printf(sb, "\">List the sets on ");
        ui_esc(sb, t->name);
        ui_printf(sb, "</a></p></noscript></div></section>");
    }
}

/* ---- results -------------------------------------------------------------------------------- */

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* A store's refusal (a problem document of the offsite API) as one result line: the store's
 * status as the code (the problem's own status when the store did not answer), its error code
 * (or the title) as the name, the detail as the sentence; then the object it names. */
static void render_problem(struct hc_strbuf *sb, const char *call, const cJSON *doc)
{
    long store_status = (long)jnum(doc, "targetStatus");
    long code = store_status ? store_status : (long)jnum(doc, "status");
    const char *name = jstr(doc, "targetCode")[0] ? jstr(doc, "targetCode") : jstr(doc, "title");
    ui_printf(sb, "<p class=\"result-line bad\"><span class=\"call\">");
    ui_esc(sb, call);
    ui_printf(sb, "</span> failed: <code class=\"code\">%ld</code> <code class=\"name\">", code);
    ui_esc(sb, name[0] ? name : "error");
    ui_printf(sb, "</code>: <span class=\"message\">");
    ui_esc(sb, jstr(doc, "detail"));
    ui_printf(sb, "</span></p>");
    if (jstr(doc, "object")[0]) {
        ui_printf(sb, "<p class=\"detail\">Object: <code>");
        ui_esc(sb, jstr(doc, "object"));
        ui_printf(sb, "</code></p>");
    }
}

/* The reachability cell's content (<span id="reach-NAME">, which a check replaces out of band). */
static void render_reach(struct hc_strbuf *sb, const char *name, bool reachable, long status,
                         const char *how, bool oob)
{
    ui_printf(sb, "<span id=\"reach-");
    ui_esc(sb, name);
    ui_printf(sb, "\"%s><span class=\"badge %s\">%s</span> ", oob ? " hx-swap-oob=\"true\"" : "",
              reachable ? "ok" : "bad", reachable ? "reachable" : "unreachable");
    if (status)
        ui_printf(sb, "<span class=\"muted\">%s: HTTP %ld</span>", how, status);
    else
        ui_printf(sb, "<span class=\"muted\">%s: no answer</span>", how);
    ui_printf(sb, "</span>");
}

/* ---- the targets page ----------------------------------------------------------------------- */

static void render_target_row(struct hc_strbuf *sb, const struct ui_ctx *ctx,
                              const struct hc_target *t)
{
    cJSON *o = hc_target_json(t); /* what GET /api/v1/targets shows, nothing more */
    long status = 0;
    bool reachable = hc_target_probe(t, &status);
    ui_printf(sb, "<tr><th scope=\"row\">");
    ui_esc(sb, jstr(o, "name"));
    ui_printf(sb, "</th><td class=\"wrap\"><code>");
    ui_esc(sb, jstr(o, "endpoint"));
    ui_printf(sb, "</code></td><td><code>");
    ui_esc(sb, jstr(o, "bucket"));
    ui_printf(sb, "</code></td><td><code>");
    ui_esc(sb, jstr(o, "prefix")[0] ? jstr(o, "prefix") : "—");
    ui_printf(sb, "</code></td><td>");
    ui_esc(sb, jstr(o, "region"));
    ui_printf(sb, "</td><td class=\"reach\">");
    render_reach(sb, t->name, reachable, status, "HEAD of the bucket", false);
    ui_printf(sb, "</td><td>");
    char action[512], id[128], target[128];
    target_path(action, sizeof action, t->name, "/check");
    snprintf(id, sizeof id, "check-%s", t->name);
    snprintf(target, sizeof target, "#check-result-%s", t->name);
    ui_action_form(sb, ctx->csrf, action, target, id, "Check connection", NULL,
                   "<span class=\"htmx-indicator\">Checking…</span>", NULL);
    ui_printf(sb, "</td></tr>");
    cJSON_Delete(o);
}

static int reply_targets(const struct ui_ctx *ctx, const char *name_with_result,
                         const char *result_html)
{
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    struct hc_targets *ts = ctx->req->app->targets;
    ui_page_open(&sb, ctx, "Offsite targets", UI_NAV_TARGETS);
    ui_printf(&sb, "<h1>Offsite targets</h1><p class=\"note\">S3-compatible stores (Ceph RADOS "
                   "Gateway, AWS S3, MinIO) this appliance copies backups to and restores from. "
                   "Start a backup with a target on the <a href=\"/\">overview</a>; restore a set "
                   "from the <a href=\"/ui/restores\">restore page</a>. Credentials are never "
                   "shown.</p>");
    if (ts == NULL || ts->count == 0) {
        ui_printf(&sb, "<p class=\"banner info\">No target is configured. Start hotcopyd with "
                       "<code>--target NAME=s3://BUCKET/PREFIX --target-endpoint NAME=URL</code> "
                       "and the credentials in <code>HOTCOPY_TARGET_&lt;NAME&gt;_ACCESS_KEY</code> "
                       "and <code>_SECRET_KEY</code> (or <code>--target-credentials</code>).</p>");
        ui_page_close(&sb);
        return ui_reply_html(ctx->req, 200, &sb);
    }
    ui_printf(&sb, "<section class=\"live\" aria-labelledby=\"targets-heading\">"
                   "<h2 id=\"targets-heading\">Targets</h2><div class=\"table-wrap\">"
                   "<table class=\"targets\"><thead><tr><th scope=\"col\">Name</th>"
                   "<th scope=\"col\">Endpoint</th><th scope=\"col\">Bucket</th>"
                   "<th scope=\"col\">Prefix</th><th scope=\"col\">Region</th>"
                   "<th scope=\"col\">Reachability</th><th scope=\"col\">Connection</th>"
                   "</tr></thead><tbody>");
    for (size_t i = 0; i < ts->count; i++)
        render_target_row(&sb, ctx, &ts->items[i]);
    ui_printf(&sb, "</tbody></table></div>");
    for (size_t i = 0; i < ts->count; i++) {
        char id[128];
        snprintf(id, sizeof id, "check-result-%s", ts->items[i].name);
        bool mine = name_with_result && strcmp(name_with_result, ts->items[i].name) == 0;
        ui_action_result(&sb, id, mine ? result_html : NULL, false);
    }
    ui_printf(&sb, "</section>");
    ui_page_close(&sb);
    return ui_reply_html(ctx->req, 200, &sb);
}

int hc_ui_targets(struct hc_request *req)
{
    struct ui_ctx ctx;
    int reply;
    if (!ui_page_auth(&ctx, req, &reply)) return reply;
    return reply_targets(&ctx, NULL, NULL);
}

/* The target named in the path, or NULL after answering 404. */
static struct hc_target *path_target(const struct ui_ctx *ctx, int *reply)
{
    struct hc_target *t = hc_targets_find(ctx->req->app->targets, hc_param(ctx->req, "name"));
    if (t == NULL)
        *reply = ui_reply_not_found(ctx, "No such target", UI_NAV_TARGETS,
                                    "No target of that name is configured. <a "
                                    "href=\"/ui/targets\">See the targets</a>.");
    return t;
}

/* The check's answer: the round trip's steps, or the refusal. */
static void render_check(struct hc_strbuf *sb, const struct hc_target *t,
                         const struct hc_target_check *c)
{
    unsigned status = 0;
    cJSON *doc = hc_target_check_json(t, c, &status); /* the API's answer, to the letter */
    if (c->ok) {
        ui_printf(sb, "<p class=\"result-line ok\"><span class=\"call\">Round trip to ");
        ui_esc(sb, t->name);
        ui_printf(sb,
                  "</span> returned <code class=\"code\">%u</code> <code class=\"name\">OK"
                  "</code>: <span class=\"message\">a %d-byte object was put, read back "
                  "identical and deleted%s.</span></p>",
                  status, HC_TARGET_CHECK_OBJECT_BYTES,
                  c->bucket_created ? "; the bucket was missing and has been created" : "");
    } else if (doc != NULL) {
        render_problem(sb, "Round trip", doc);
    } else {
        ui_printf(sb, "<p class=\"result-line bad\">Out of memory.</p>");
    }
    cJSON_Delete(doc);
    if (c->step_count == 0) return;
    ui_printf(sb, "<div class=\"table-wrap\"><table class=\"check-steps\"><caption>Steps of the "
                  "round trip</caption><thead><tr><th scope=\"col\">Step</th>"
                  "<th scope=\"col\">Result</th><th scope=\"col\">Time</th></tr></thead><tbody>");
    for (size_t i = 0; i < c->step_count; i++)
        ui_printf(sb,
                  "<tr><th scope=\"row\">%s</th><td><span class=\"badge %s\">%s</span></td>"
                  "<td class=\"num\">%lld ms</td></tr>",
                  c->steps[i].step, c->steps[i].ok ? "ok" : "bad", c->steps[i].ok ? "ok" : "failed",
                  (long long)c->steps[i].ms);
    ui_printf(sb, "</tbody></table></div>");
}

int hc_ui_target_check(struct hc_request *req)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    int reply;
    struct hc_target *t = path_target(&ctx, &reply);
    if (t == NULL) return reply;
    struct hc_target_check *c = malloc(sizeof *c);
    if (c == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    hc_target_check(t, c);
    struct hc_strbuf result;
    hc_strbuf_init(&result);
    render_check(&result, t, c);
    size_t len;
    char *html = hc_strbuf_take(&result, &len);
    if (!ctx.htmx) {
        reply = reply_targets(&ctx, t->name, html);
    } else {
        struct hc_strbuf sb;
        hc_strbuf_init(&sb);
        char id[128];
        snprintf(id, sizeof id, "check-result-%s", t->name);
        ui_action_result(&sb, id, html, false);
        bool reachable = c->ok || c->mismatch || c->err.http_status != 0;
        render_reach(&sb, t->name, reachable, c->ok ? 200 : c->err.http_status, "round trip", true);
        reply = ui_reply_html(req, 200, &sb);
    }
    free(html);
    free(c);
    return reply;
}

/* ---- the sets on a target ------------------------------------------------------------------- */

static void render_set_row(struct hc_strbuf *sb, const struct ui_ctx *ctx,
                           const struct hc_target *t, const cJSON *set, size_t index)
{
    const char *key = jstr(set, "manifestKey");
    const char *error = jstr(set, "error");
    ui_printf(sb, "<tr><td class=\"wrap\">");
    if (error[0]) {
        ui_printf(sb, "<code class=\"key\">");
        ui_esc(sb, key);
        ui_printf(sb, "</code></td><td colspan=\"4\"><span class=\"badge bad\">unusable</span> ");
        ui_esc(sb, error);
        ui_printf(sb,
                  "</td><td><span class=\"muted\">This manifest cannot be read</span></td></tr>");
        return;
    }
    const char *recorded = jstr(set, "recordedAs");
    ui_printf(sb, "<strong>Backup %.0f</strong> %s%s", jnum(set, "backupId"), jstr(set, "type"),
              recorded[0] ? ", recorded as " : ", not recorded by the engine");
    ui_esc(sb, recorded);
    ui_printf(sb, "<br><code class=\"key\">");
    ui_esc(sb, key);
    ui_printf(sb, "</code></td><td>");
    ui_esc(sb, jstr(set, "instance"));
    ui_printf(sb, "</td><td>");
    const char *started = jstr(set, "startedAt"); /* RFC 3339 UTC: shown as ui_time does */
    char shown[32];
    snprintf(shown, sizeof shown, "%.19s UTC", started);
    if (strlen(shown) > 10) shown[10] = ' ';
    ui_printf(sb, "<time datetime=\"");
    ui_esc(sb, started);
    ui_printf(sb, "\">");
    ui_esc(sb, shown);
    ui_printf(sb, "</time></td><td class=\"num\">%.0f–%.0f</td><td class=\"num\">",
              jnum(set, "genLow"), jnum(set, "genHigh"));
    ui_bytes(sb, (uint64_t)jnum(set, "sizeBytes"));
    ui_printf(sb, " <span class=\"muted\">(%d files)</span></td><td>",
              cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(set, "files")));
    /* the new instance's name, suggested from the set's */
    char suggested[64], field_id[160], button_id[160], action[512], target[128];
    snprintf(suggested, sizeof suggested, "%.40s-restored-%.0f", jstr(set, "instance"),
             jnum(set, "backupId"));
    snprintf(field_id, sizeof field_id, "restore-name-%s-%zu", t->name, index);
    snprintf(button_id, sizeof button_id, "restore-%s-%zu", t->name, index);
    snprintf(target, sizeof target, "#target-restore-result-%s", t->name);
    target_path(action, sizeof action, t->name, "/restore");
    struct hc_strbuf fields;
    hc_strbuf_init(&fields);
    ui_printf(&fields, "<input type=\"hidden\" name=\"manifestKey\" value=\"");
    ui_esc(&fields, key);
    ui_printf(&fields, "\"><label for=\"");
    ui_esc(&fields, field_id);
    ui_printf(&fields, "\">New instance</label><input id=\"");
    ui_esc(&fields, field_id);
    ui_printf(&fields, "\" name=\"instance\" required maxlength=\"63\" "
                       "pattern=\"[A-Za-z0-9._\\-]+\" value=\"");
    ui_esc(&fields, suggested);
    ui_printf(&fields, "\"><span class=\"htmx-indicator\">Downloading, verifying, "
                       "recovering…</span>");
    size_t len;
    char *markup = hc_strbuf_take(&fields, &len);
    ui_action_form(sb, ctx->csrf, action, target, button_id, "Restore", NULL, markup, "primary");
    free(markup);
    ui_printf(sb, "</td></tr>");
}

/* #sets-NAME: the listing (or why there is none) and a button that reads it again. */
static void render_sets(struct hc_strbuf *sb, const struct ui_ctx *ctx, const struct hc_target *t,
                        const cJSON *sets, const cJSON *problem)
{
    char path[512];
    target_path(path, sizeof path, t->name, "/sets");
    ui_printf(sb, "<div id=\"sets-");
    ui_esc(sb, t->name);
    ui_printf(sb, "\" class=\"live sets\">");
    if (problem) {
        render_problem(sb, "Listing the sets", problem);
    } else if (cJSON_GetArraySize(sets) == 0) {
        ui_printf(sb, "<p class=\"muted\">No complete set on this target yet (a set counts once "
                      "its manifest.json is written, after the backup's end call).</p>");
    } else {
        ui_printf(sb, "<div class=\"table-wrap\"><table class=\"target-sets\"><caption>Sets on "
                      "target ");
        ui_esc(sb, t->name);
        ui_printf(sb, ", newest first</caption><thead><tr><th scope=\"col\">Set</th>"
                      "<th scope=\"col\">Instance</th><th scope=\"col\">Started</th>"
                      "<th scope=\"col\">Generations</th><th scope=\"col\">Size</th>"
                      "<th scope=\"col\">Restore into</th></tr></thead><tbody>");
        size_t i = 0;
        const cJSON *set;
        cJSON_ArrayForEach(set, sets) render_set_row(sb, ctx, t, set, i++);
        ui_printf(sb, "</tbody></table></div>");
    }
    ui_printf(sb, "<p><button type=\"button\" class=\"small\" id=\"sets-refresh-");
    ui_esc(sb, t->name);
    ui_printf(sb, "\" hx-get=\"");
    ui_esc(sb, path);
    ui_printf(sb, "\" hx-target=\"#sets-");
    ui_esc(sb, t->name);
    ui_printf(sb, "\" hx-swap=\"outerHTML\">Read the list again</button></p></div>");
}

int hc_ui_target_sets(struct hc_request *req)
{
    struct ui_ctx ctx;
    int reply;
    ui_ctx_init(&ctx, req); /* a fragment, or a whole page for a browser without JavaScript */
    struct hc_target *t = path_target(&ctx, &reply);
    if (t == NULL) return reply;
    cJSON *sets = NULL, *problem = NULL;
    struct s3_error *err = calloc(1, sizeof *err);
    if (err == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    const char *doing = NULL;
    unsigned status = hc_target_list_sets(t, "", &sets, err, &doing);
    if (status != 0) {
        problem = doing ? hc_target_problem(t, err, doing, NULL) : NULL;
        if (problem == NULL) {
            problem = cJSON_CreateObject();
            cJSON_AddNumberToObject(problem, "status", 500);
            cJSON_AddStringToObject(problem, "title", "Out of memory");
            cJSON_AddStringToObject(problem, "detail", "the sets could not be listed");
        }
    }
    free(err);
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    if (!ctx.htmx) {
        ui_page_open(&sb, &ctx, "Sets on a target", UI_NAV_RESTORE);
        ui_printf(&sb, "<p class=\"crumbs\"><a href=\"/ui/restores\">Restore</a></p><h1>Sets on "
                       "target ");
        ui_esc(&sb, t->name);
        ui_printf(&sb, "</h1><div id=\"target-restore-result-");
        ui_esc(&sb, t->name);
        ui_printf(&sb, "\" class=\"action-result\" role=\"status\"></div>");
    }
    render_sets(&sb, &ctx, t, sets, problem);
    if (!ctx.htmx) ui_page_close(&sb);
    cJSON_Delete(sets);
    cJSON_Delete(problem);
    return ui_reply_html(req, 200, &sb);
}

/* ---- restore from a target ------------------------------------------------------------------ */

static int reply_restore_refused(const struct ui_ctx *ctx, const struct hc_target *t,
                                 const char *html)
{
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    char id[128];
    snprintf(id, sizeof id, "target-restore-result-%s", t->name);
    if (!ctx->htmx) {
        ui_page_open(&sb, ctx, "Restore from a target", UI_NAV_RESTORE);
        ui_printf(&sb, "<p class=\"crumbs\"><a href=\"/ui/restores\">Restore</a></p>"
                       "<h1>Restore from target ");
        ui_esc(&sb, t->name);
        ui_printf(&sb, "</h1>");
    }
    ui_action_result(&sb, id, html, false);
    if (!ctx->htmx) ui_page_close(&sb);
    return ui_reply_html(ctx->req, 200, &sb);
}

int hc_ui_target_restore(struct hc_request *req)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    int reply;
    struct hc_target *t = path_target(&ctx, &reply);
    if (t == NULL) return reply;
    char name[CAT_NAME_MAX] = "", key[HC_MANIFEST_KEY_MAX] = "";
    ui_form_field(req, "instance", name, sizeof name);
    ui_form_field(req, "manifestKey", key, sizeof key);
    struct hc_target_restore_outcome *out = malloc(sizeof *out);
    if (out == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    struct hc_strbuf msg;
    hc_strbuf_init(&msg);
    switch (hc_target_restore(req->app, t->name, name, key, out)) {
    case HC_TRESTORE_BAD_NAME:
        ui_printf(&msg, "<p class=\"result-line bad\">That is not a valid instance name: use 1 to "
                        "63 letters, digits, '.', '_' or '-'.</p>");
        break;
    case HC_TRESTORE_NO_TARGET: /* path_target found it: not reached */
    case HC_TRESTORE_BAD_KEY:
        ui_printf(&msg, "<p class=\"result-line bad\">That is not the key of a set's "
                        "manifest.json: read the list again.</p>");
        break;
    case HC_TRESTORE_NAME_TAKEN:
        ui_printf(&msg, "<p class=\"result-line bad\">An instance named ");
        ui_esc(&msg, name);
        ui_printf(&msg, " runs already: choose another name.</p>");
        break;
    case HC_TRESTORE_OK:
        if (out->restore_id != 0) { /* ran or failed: its page shows the result and events */
            char location[64];
            snprintf(location, sizeof location, "/ui/restores/%lld", (long long)out->restore_id);
            hc_target_restore_outcome_free(out);
            free(out);
            hc_strbuf_free(&msg);
            return ui_redirect(&ctx, location);
        } else {
            unsigned status;
            cJSON *doc = hc_target_failure_problem(t, &out->fail, 0, &status);
            if (doc)
                render_problem(&msg, "Restore from the target", doc);
            else
                ui_printf(&msg, "<p class=\"result-line bad\">Out of memory.</p>");
            cJSON_Delete(doc);
        }
        break;
    }
    hc_target_restore_outcome_free(out);
    free(out);
    size_t len;
    char *html = hc_strbuf_take(&msg, &len);
    reply = reply_restore_refused(&ctx, t, html);
    free(html);
    return reply;
}
