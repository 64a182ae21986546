/*
 * ui_history.c — the catalog's backup history (/ui/backups), newest first, filtered by instance
 * and kind (full or incremental), a page at a time (?before=<id>, like GET /api/v1/backups). Each
 * row links to the backup's page (ui_backup.c), which is the detail: files, result and events.
 * A plain GET form: works without JavaScript.
 */
#include "ui.h"

#include "instance.h"
#include "ui_html.h"
#include "ui_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY_PAGE 50

struct filter {
    char instance[CAT_NAME_MAX]; /* "" = all */
    bool any_kind;
    enum cat_backup_type kind;
    int64_t before; /* 0 = from the newest */
};

/* Up to HISTORY_PAGE rows matching f into out (caller frees); *more when older ones match too. */
static int load_rows(cat_t *cat, const struct filter *f, struct cat_backup **out, size_t *count,
                     bool *more)
{
    struct cat_backup *rows = malloc(HISTORY_PAGE * sizeof *rows);
    if (rows == NULL) return CAT_ENOMEM;
    size_t n = 0;
    struct cat_backup_filter cf = {
        .instance = f->instance, .before_id = f->before, .limit = CAT_LIST_MAX};
    *more = false;
    for (;;) { /* the catalog filters by instance; the kind is filtered here */
        struct cat_backup *page = NULL;
        size_t got = 0;
        int rc = cat_backup_list(cat, &cf, &page, &got);
        if (rc != CAT_OK) {
            free(rows);
            return rc;
        }
        for (size_t i = 0; i < got && !*more; i++) {
            if (!f->any_kind && page[i].type != f->kind) continue;
            if (n == HISTORY_PAGE)
                *more = true;
            else
                rows[n++] = page[i];
        }
        if (got > 0) cf.before_id = page[got - 1].id;
        free(page);
        if (*more || got < CAT_LIST_MAX) break;
    }
    *out = rows;
    *count = n;
    return CAT_OK;
}

static void render_filter(struct hc_strbuf *sb, struct hc_app *app, const struct filter *f)
{
    ui_printf(
        sb, "<form class=\"filter\" method=\"get\" action=\"/ui/backups\">"
            "<label for=\"f-instance\">Instance</label><select id=\"f-instance\" name=\"instance\">"
            "<option value=\"\">all</option>");
    struct hc_instance *list[HC_INSTANCES_MAX];
    size_t n = hc_instances_list(app->instances, list, HC_INSTANCES_MAX);
    for (size_t i = 0; i < n; i++) {
        ui_printf(sb, "<option value=\"");
        ui_esc(sb, list[i]->name);
        ui_printf(sb, "\"%s>", strcmp(list[i]->name, f->instance) == 0 ? " selected" : "");
        ui_esc(sb, list[i]->name);
        ui_printf(sb, "</option>");
    }
    ui_printf(sb,
              "</select><label for=\"f-kind\">Kind</label><select id=\"f-kind\" name=\"kind\">"
              "<option value=\"\">all</option><option value=\"full\"%s>full</option>"
              "<option value=\"incremental\"%s>incremental</option></select>"
              "<button type=\"submit\">Filter</button></form>",
              !f->any_kind && f->kind == CAT_BACKUP_FULL ? " selected" : "",
              !f->any_kind && f->kind == CAT_BACKUP_INCREMENTAL ? " selected" : "");
}

static void render_row(struct hc_strbuf *sb, const struct cat_backup *b)
{
    ui_printf(sb, "<tr><th scope=\"row\"><a href=\"/ui/backups/%lld\">#%lld</a></th><td>",
              (long long)b->id, (long long)b->id);
    ui_esc(sb, b->instance);
    ui_printf(sb, "</td><td>%s</td><td>%s</td><td>", cat_backup_type_name(b->type),
              cat_backup_phase_name(b->phase));
    ui_time(sb, b->started_at);
    ui_printf(sb, "</td><td>");
    ui_time(sb, b->ended_at);
    ui_printf(sb, "</td><td class=\"num\">");
    if (b->gen_low)
        ui_printf(sb, "%lld–%lld", (long long)b->gen_low, (long long)b->gen_high);
    else
        ui_printf(sb, "<span class=\"muted\">—</span>");
    const char *recorded = cat_recorded_as_name(b->recorded_as);
    ui_printf(sb, "</td><td>%s</td><td>", recorded ? recorded : "<span class=\"muted\">—</span>");
    if (b->has_result) {
        ui_printf(sb, "<code class=\"code\">%ld</code> <code class=\"name %s\">",
                  (long)b->result.code, ui_result_class(b->result.code));
        ui_esc(sb, b->result.name);
        ui_printf(sb, "</code>");
    } else {
        ui_printf(sb, "<span class=\"muted\">running</span>");
    }
    ui_printf(sb, "</td></tr>");
}

int hc_ui_history(struct hc_request *req)
{
    struct ui_ctx ctx;
    int reply;
    if (!ui_page_auth(&ctx, req, &reply)) return reply;
    struct filter f = {.any_kind = true};
    char kind[16] = "";
    uint64_t before = 0;
    hc_query(req, "instance", f.instance, sizeof f.instance);
    if (hc_query(req, "kind", kind, sizeof kind) && kind[0] != '\0')
        f.any_kind = cat_backup_type_parse(kind, &f.kind) != CAT_OK;
    if (hc_query_u64(req, "before", 0, &before)) f.before = (int64_t)before;

    struct cat_backup *rows = NULL;
    size_t n = 0;
    bool more = false;
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    ui_page_open(&sb, &ctx, "History", UI_NAV_HISTORY);
    ui_printf(&sb, "<h1>Backup history</h1>");
    render_filter(&sb, req->app, &f);
    if (load_rows(req->app->cat, &f, &rows, &n, &more) != CAT_OK) {
        ui_printf(&sb, "<p class=\"banner bad\">The catalog could not be read: ");
        ui_esc(&sb, cat_errmsg(req->app->cat));
        ui_printf(&sb, "</p>");
    } else if (n == 0) {
        ui_printf(&sb, "<p class=\"muted\">No backup matches.</p>");
    } else {
        ui_printf(&sb, "<div class=\"table-wrap\"><table class=\"history\"><thead><tr>"
                       "<th scope=\"col\">Backup</th><th scope=\"col\">Instance</th>"
                       "<th scope=\"col\">Kind</th><th scope=\"col\">Phase</th>"
                       "<th scope=\"col\">Started</th><th scope=\"col\">Ended</th>"
                       "<th scope=\"col\">Generations</th><th scope=\"col\">Recorded as</th>"
                       "<th scope=\"col\">Result</th></tr></thead><tbody>");
        for (size_t i = 0; i < n; i++)
            render_row(&sb, &rows[i]);
        ui_printf(&sb, "</tbody></table></div>");
        if (more) {
            ui_printf(&sb, "<p><a href=\"/ui/backups?instance=");
            ui_esc_segment(&sb, f.instance);
            ui_printf(&sb, "&amp;kind=%s&amp;before=%lld\">Older backups</a></p>",
                      f.any_kind ? "" : cat_backup_type_name(f.kind), (long long)rows[n - 1].id);
        }
    }
    free(rows);
    ui_page_close(&sb);
    return ui_reply_html(req, 200, &sb);
}
