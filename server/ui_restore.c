/*
 * ui_restore.c — restore by hard recovery from the browser: /ui/restores lists the restores and
 * makes a staging area for a new instance (hc_restore_create); /ui/restores/{id} uploads the
 * backup set (web/static/app.js PUTs each chosen file to /api/v1/restores/{id}/files/{name}, the
 * REST upload, showing each file's progress), lists what arrived, runs the restore
 * (hc_restore_run, the function behind POST /api/v1/restores/{id}/run) and shows its result and
 * events. With offsite targets configured, the list page also shows the sets on each target with
 * a Restore button (ui_target.c); such a restore's page says where its set came from.
 */
#include "ui.h"

#include "restore.h"
#include "ui_html.h"
#include "ui_page.h"
#include "ui_target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESTORES_SHOWN 100

static void render_gens(struct hc_strbuf *sb, int64_t low, int64_t high)
{
    if (low)
        ui_printf(sb, "%lld–%lld", (long long)low, (long long)high);
    else
        ui_printf(sb, "<span class=\"muted\">—</span>");
}

static void render_staged(struct hc_strbuf *sb, const struct cat_restore_file *files, size_t n)
{
    ui_printf(sb, "<section aria-labelledby=\"staged-heading\"><h2 id=\"staged-heading\">Files "
                  "received</h2>");
    if (n == 0) {
        ui_printf(sb, "<p class=\"muted\">None yet.</p></section>");
        return;
    }
    ui_printf(sb, "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">File</th>"
                  "<th scope=\"col\">Size</th><th scope=\"col\">Received</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        ui_printf(sb, "<tr><th scope=\"row\">");
        ui_esc(sb, files[i].name);
        ui_printf(sb, "</th><td class=\"num\">");
        ui_bytes(sb, files[i].size_bytes);
        ui_printf(sb, "</td><td>");
        ui_bytes(sb, files[i].bytes_received);
        ui_printf(sb, "%s</td></tr>",
                  files[i].bytes_received >= files[i].size_bytes
                      ? " <span class=\"badge ok\">complete</span>"
                      : " <span class=\"badge warn\">incomplete</span>");
    }
    ui_printf(sb, "</tbody></table></div></section>");
}

/* Why the restore cannot run now, or NULL. */
static const char *run_refusal(const struct cat_restore *r, const struct cat_restore_file *files,
                               size_t n)
{
    if (r->state != CAT_RESTORE_STAGING) return "This restore has run already";
    if (n == 0) return "Upload the database and log files first";
    for (size_t i = 0; i < n; i++)
        if (files[i].bytes_received < files[i].size_bytes) return "An upload is incomplete";
    return NULL;
}

static void render_run(struct hc_strbuf *sb, const struct ui_ctx *ctx, const struct cat_restore *r,
                       const char *why)
{
    char action[64];
    snprintf(action, sizeof action, "/ui/restores/%lld/run", (long long)r->id);
    ui_printf(sb, "<section class=\"panel\" aria-labelledby=\"run-heading\"><h2 id=\"run-heading\">"
                  "2. Run hard recovery</h2><p class=\"note\">The log generations to replay are "
                  "taken from the uploaded log files unless you name them.</p>");
    ui_action_form(sb, ctx->csrf, action, "#restore-live", "act-run", "Run restore", why,
                   "<div class=\"fields\"><label for=\"gen-low\">First generation</label>"
                   "<input type=\"number\" id=\"gen-low\" name=\"genLow\" min=\"1\">"
                   "<label for=\"gen-high\">Last generation</label>"
                   "<input type=\"number\" id=\"gen-high\" name=\"genHigh\" min=\"1\"></div>"
                   "<span class=\"htmx-indicator\">Running hard recovery…</span>",
                   "primary");
    ui_printf(sb, "</section>");
}

static void render_outcome(struct hc_strbuf *sb, const struct cat_restore *r)
{
    struct hc_strbuf facts;
    hc_strbuf_init(&facts);
    ui_printf(&facts,
              "<dl class=\"facts\"><div><dt>State</dt><dd>%s</dd></div>"
              "<div><dt>Log generations replayed</dt><dd>",
              cat_restore_state_name(r->state));
    render_gens(&facts, r->gen_low, r->gen_high);
    ui_printf(&facts, "</dd></div><div><dt>Ended</dt><dd>");
    ui_time(&facts, r->ended_at);
    ui_printf(&facts, "</dd></div></dl>");
    if (r->state == CAT_RESTORE_SUCCEEDED) {
        ui_printf(&facts, "<p>Instance <strong>");
        ui_esc(&facts, r->instance);
        ui_printf(&facts, "</strong> is served now: see the <a href=\"/\">overview</a>.</p>");
    }
    size_t len;
    char *text = hc_strbuf_take(&facts, &len);
    if (r->has_result)
        ui_result_panel(sb, "Result", &r->result, text);
    else
        ui_printf(sb, "<section class=\"panel\"><h2>Result</h2><p>Running.</p>%s</section>",
                  text ? text : "");
    free(text);
}

/* #restore-live: files, the run button or the result, the events. */
static void render_live(struct hc_strbuf *sb, const struct ui_ctx *ctx, struct hc_app *app,
                        const struct cat_restore *r)
{
    struct cat_restore_file *files = NULL;
    size_t n = 0;
    if (cat_restore_file_list(app->cat, r->id, &files, &n) != CAT_OK) n = 0;
    ui_printf(sb,
              "<div id=\"restore-live\" class=\"live\" hx-get=\"/ui/restores/%lld/live\" "
              "hx-trigger=\"restore-uploaded from:body\" hx-swap=\"outerHTML\">",
              (long long)r->id);
    if (r->state == CAT_RESTORE_STAGING) {
        render_staged(sb, files, n);
        render_run(sb, ctx, r, run_refusal(r, files, n));
    } else {
        render_outcome(sb, r);
        render_staged(sb, files, n);
    }
    free(files);
    struct cat_event *events = NULL;
    size_t ne = 0;
    if (ui_event_list(app->cat, 0, r->id, &events, &ne) != CAT_OK) ne = 0;
    ui_event_table(sb, "Event log of this restore", events, ne, false, false);
    free(events);
    ui_printf(sb, "</div>");
}

static void render_upload(struct hc_strbuf *sb, const struct cat_restore *r)
{
    ui_printf(
        sb,
        "<section id=\"upload-panel\" class=\"panel\" aria-labelledby=\"upload-heading\">"
        "<h2 id=\"upload-heading\">1. Upload the backup set</h2>"
        "<form id=\"upload-form\" class=\"upload\" data-upload=\"/api/v1/restores/%lld/files/\">"
        "<label for=\"restore-files\">Database and log files of one backup</label>"
        "<input type=\"file\" id=\"restore-files\" name=\"files\" multiple required>"
        "<button type=\"submit\">Upload</button>"
        "<ul id=\"upload-progress\" class=\"uploads\" aria-live=\"polite\"></ul></form>"
        "<noscript><p class=\"note\">Uploading from this page needs JavaScript. Without "
        "it: <code>curl -T FILE -H 'Authorization: Bearer TOKEN' "
        "URL/api/v1/restores/%lld/files/FILE</code></p></noscript></section>",
        (long long)r->id, (long long)r->id);
}

static int reply_page(const struct ui_ctx *ctx, const struct cat_restore *r,
                      const char *result_html)
{
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    char title[64];
    snprintf(title, sizeof title, "Restore %lld", (long long)r->id);
    ui_page_open(&sb, ctx, title, UI_NAV_RESTORE);
    ui_printf(&sb,
              "<p class=\"crumbs\"><a href=\"/ui/restores\">Restore</a> / %s</p><h1>%s "
              "<span class=\"sub\">into the new instance ",
              title, title);
    ui_esc(&sb, r->instance);
    ui_printf(&sb, "</span></h1>");
    bool from_target = r->source == CAT_SOURCE_TARGET;
    if (from_target) {
        ui_printf(&sb, "<p class=\"note\">From target <a href=\"/ui/targets\">");
        ui_esc(&sb, r->target);
        ui_printf(&sb, "</a>, set <code class=\"key\">");
        ui_esc(&sb, r->manifest_key);
        ui_printf(&sb, "</code>: every object was checked against its manifest before hard "
                       "recovery.</p>");
    }
    ui_action_result(&sb, "restore-result", result_html, false);
    if (r->state == CAT_RESTORE_STAGING && !from_target) render_upload(&sb, r);
    render_live(&sb, ctx, ctx->req->app, r);
    ui_page_close(&sb);
    return ui_reply_html(ctx->req, 200, &sb);
}

static int reply_not_found(const struct ui_ctx *ctx)
{
    return ui_reply_not_found(ctx, "No such restore", UI_NAV_RESTORE,
                              "The catalog has no such restore. <a href=\"/ui/restores\">See the "
                              "restores</a>.");
}

/* The list page; message (trusted markup, may be NULL) goes above the form. */
static int reply_list(const struct ui_ctx *ctx, const char *message, const char *typed_name)
{
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    ui_page_open(&sb, ctx, "Restore", UI_NAV_RESTORE);
    ui_printf(
        &sb,
        "<h1>Restore</h1><section class=\"panel\" aria-labelledby=\"new-heading\">"
        "<h2 id=\"new-heading\">New restore</h2><p class=\"note\">Hard recovery makes a new "
        "instance from a backup set: the database files and the log files of one backup."
        "</p><form class=\"action\" method=\"post\" action=\"/ui/restores\" "
        "hx-post=\"/ui/restores\" hx-target=\"#create-result\" hx-disabled-elt=\"find button\">"
        "<input type=\"hidden\" name=\"csrf\" value=\"");
    ui_esc(&sb, ctx->csrf);
    ui_printf(&sb, "\"><label for=\"new-instance\">Name of the new instance</label>"
                   "<input id=\"new-instance\" name=\"instance\" required maxlength=\"63\" "
                   "pattern=\"[A-Za-z0-9._\\-]+\" aria-describedby=\"new-instance-help\" value=\"");
    ui_esc(&sb, typed_name ? typed_name : "");
    ui_printf(&sb,
              "\"><span id=\"new-instance-help\" class=\"muted\">letters, digits, '.', '_' or "
              "'-'</span><button type=\"submit\" class=\"primary\">Create staging area</button>"
              "</form><div id=\"create-result\" class=\"action-result\" role=\"status\">%s</div>"
              "</section>",
              message ? message : "");
    ui_target_restore_sections(&sb, ctx->req->app);

    struct cat_restore_filter f = {.limit = RESTORES_SHOWN};
    struct cat_restore *list = NULL;
    size_t n = 0;
    ui_printf(
        &sb,
        "<section aria-labelledby=\"restores-heading\"><h2 id=\"restores-heading\">Restores</h2>");
    if (cat_restore_list(ctx->req->app->cat, &f, &list, &n) != CAT_OK || n == 0) {
        ui_printf(&sb, "<p class=\"muted\">None yet.</p>");
    } else {
        ui_printf(&sb, "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Restore</th>"
                       "<th scope=\"col\">Instance</th><th scope=\"col\">State</th>"
                       "<th scope=\"col\">Created</th><th scope=\"col\">Generations</th>"
                       "<th scope=\"col\">Result</th></tr></thead><tbody>");
        for (size_t i = 0; i < n; i++) {
            ui_printf(&sb, "<tr><th scope=\"row\"><a href=\"/ui/restores/%lld\">#%lld</a></th><td>",
                      (long long)list[i].id, (long long)list[i].id);
            ui_esc(&sb, list[i].instance);
            ui_printf(&sb, "</td><td>%s</td><td>", cat_restore_state_name(list[i].state));
            ui_time(&sb, list[i].created_at);
            ui_printf(&sb, "</td><td class=\"num\">");
            render_gens(&sb, list[i].gen_low, list[i].gen_high);
            ui_printf(&sb, "</td><td>");
            if (list[i].has_result) {
                ui_printf(&sb, "<code class=\"code\">%ld</code> <code class=\"name %s\">",
                          (long)list[i].result.code, ui_result_class(list[i].result.code));
                ui_esc(&sb, list[i].result.name);
                ui_printf(&sb, "</code>");
            } else {
                ui_printf(&sb, "<span class=\"muted\">—</span>");
            }
            ui_printf(&sb, "</td></tr>");
        }
        ui_printf(&sb, "</tbody></table></div>");
    }
    free(list);
    ui_printf(&sb, "</section>");
    ui_page_close(&sb);
    return ui_reply_html(ctx->req, 200, &sb);
}

/* ---- handlers -------------------------------------------------------------------------------- */

int hc_ui_restores(struct hc_request *req)
{
    struct ui_ctx ctx;
    int reply;
    if (!ui_page_auth(&ctx, req, &reply)) return reply;
    return reply_list(&ctx, NULL, NULL);
}

int hc_ui_restore_create(struct hc_request *req)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    char name[CAT_NAME_MAX] = "", why[256] = "";
    ui_form_field(req, "instance", name, sizeof name);
    int64_t id = 0;
    int rc = hc_restore_create(req->app, name, &id, why, sizeof why);
    if (rc == 0) {
        char location[64];
        snprintf(location, sizeof location, "/ui/restores/%lld", (long long)id);
        return ui_redirect(&ctx, location);
    }
    struct hc_strbuf msg;
    hc_strbuf_init(&msg);
    ui_printf(&msg, "<p class=\"result-line bad\">");
    if (rc == -EINVAL)
        ui_printf(&msg, "That is not a valid instance name: use 1 to 63 letters, digits, '.', '_' "
                        "or '-'.");
    else if (rc == -EEXIST)
        ui_printf(&msg, "An instance of that name runs already: choose another name.");
    else
        ui_esc(&msg, why);
    ui_printf(&msg, "</p>");
    size_t len;
    char *html = hc_strbuf_take(&msg, &len);
    int reply;
    if (ctx.htmx) {
        struct hc_strbuf sb;
        hc_strbuf_init(&sb);
        ui_printf(&sb, "%s", html ? html : "");
        reply = ui_reply_html(req, 200, &sb);
    } else {
        reply = reply_list(&ctx, html, name);
    }
    free(html);
    return reply;
}

int hc_ui_restore_page(struct hc_request *req)
{
    struct ui_ctx ctx;
    int reply;
    if (!ui_page_auth(&ctx, req, &reply)) return reply;
    struct cat_restore r;
    if (cat_restore_get(req->app->cat, hc_param_id(req), &r) != CAT_OK)
        return reply_not_found(&ctx);
    return reply_page(&ctx, &r, NULL);
}

int hc_ui_restore_live(struct hc_request *req)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    struct cat_restore r;
    if (cat_restore_get(req->app->cat, hc_param_id(req), &r) != CAT_OK)
        return reply_not_found(&ctx);
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    render_live(&sb, &ctx, req->app, &r);
    return ui_reply_html(req, 200, &sb);
}

/* A generation from the form: 0 when empty; false when not a number >= 1. */
static bool form_gen(const struct hc_request *req, const char *name, unsigned long *out)
{
    char text[32] = "";
    *out = 0;
    if (!ui_form_field(req, name, text, sizeof text) || text[0] == '\0') return true;
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (*end != '\0' || v == 0 || text[0] < '0' || text[0] > '9') return false;
    *out = v;
    return true;
}

int hc_ui_restore_run(struct hc_request *req)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    int64_t id = hc_param_id(req);
    struct cat_restore r;
    if (cat_restore_get(req->app->cat, id, &r) != CAT_OK) return reply_not_found(&ctx);
    struct hc_strbuf result;
    hc_strbuf_init(&result);
    unsigned long low = 0, high = 0;
    if (!form_gen(req, "genLow", &low) || !form_gen(req, "genHigh", &high)) {
        ui_printf(&result, "<p class=\"result-line bad\">Generations are whole numbers from 1, or "
                           "empty.</p>");
    } else {
        JET_ERR err = JET_errSuccess;
        switch (hc_restore_run(req->app, id, low, high, NULL, &err)) {
        case 0:
            ui_result_line(&result, "JetExternalRestore2", err);
            break;
        case -EEXIST:
            ui_printf(&result,
                      "<p class=\"result-line bad\">An instance of that name runs already.</p>");
            break;
        case -EALREADY:
            ui_printf(&result, "<p class=\"result-line bad\">This restore has run already.</p>");
            break;
        default:
            ui_printf(&result, "<p class=\"result-line bad\">No such restore.</p>");
        }
    }
    size_t len;
    char *html = hc_strbuf_take(&result, &len);
    cat_restore_get(req->app->cat, id, &r);
    int reply;
    if (!ctx.htmx) {
        reply = reply_page(&ctx, &r, html);
    } else {
        struct hc_strbuf sb;
        hc_strbuf_init(&sb);
        render_live(&sb, &ctx, req->app, &r);
        ui_action_result(&sb, "restore-result", html, true);
        if (r.state != CAT_RESTORE_STAGING) /* no more uploads: the upload panel goes */
            ui_printf(&sb, "<section id=\"upload-panel\" hx-swap-oob=\"delete\"></section>");
        reply = ui_reply_html(req, 200, &sb);
    }
    free(html);
    return reply;
}
