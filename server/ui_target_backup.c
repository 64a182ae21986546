/*
 * ui_target_backup.c — the backup workspace's offsite panel (/ui/backups/{id}, a backup begun with
 * a target): the copy's state, bytes uploaded of bytes total, the manifest key once complete, and
 * the throttle, shown in MiB/s and changed live.
 *
 * Live: #offsite-progress re-renders itself every second while the copy is uploading (and on each
 * event of the stream while the backup runs: the upload's "offsite: ..." events), from the catalog
 * row that GET /api/v1/backups/{id} answers with (target.bytesUploaded moves part by part). The
 * throttle form sits outside it, so that a refresh never replaces it under the pointer; a refresh
 * that sees the copy or the backup end (the poll carries what it showed) also replaces the form,
 * out of band, so that it says why it is now disabled.
 *
 * The throttle control calls hc_backup_throttle_set, the function behind PATCH
 * /api/v1/backups/{id} {"maxBytesPerSecond"}: the running backup's upload and downloads change
 * rate at once, without restarting anything.
 */
#include "ui.h"

#include "backup.h"
#include "backup_throttle.h"
#include "ui_html.h"
#include "ui_target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFFSITE_POLL "every 1s"
#define OFFSITE_POLL_SSE "sse:message delay:300ms, every 1s"

/* The throttle can change while the backup runs or its copy is still being uploaded. */
static bool throttle_active(const struct cat_backup *b, bool running)
{
    return running || b->target_state == CAT_TARGET_UPLOADING;
}

/* What the form depends on, carried by the poll ("k"): a change re-renders the form. */
static unsigned form_key(const struct cat_backup *b, bool running)
{
    return (unsigned)b->target_state * 2u + (running ? 1u : 0u);
}

static void render_progress(struct hc_strbuf *sb, const struct cat_backup *b, bool running,
                            bool sse)
{
    const char *state = cat_target_state_name(b->target_state);
    bool uploading = b->target_state == CAT_TARGET_UPLOADING;
    ui_printf(sb, "<div id=\"offsite-progress\" class=\"offsite-progress\"");
    if (uploading)
        ui_printf(sb,
                  " hx-get=\"/ui/backups/%lld/offsite?k=%u&amp;sse=%d\" hx-trigger=\"%s\" "
                  "hx-swap=\"outerHTML\" hx-sync=\"closest .live:drop\"",
                  (long long)b->id, form_key(b, running), sse ? 1 : 0,
                  sse ? OFFSITE_POLL_SSE : OFFSITE_POLL);
    ui_printf(sb,
              "><dl class=\"facts\"><div><dt>State</dt><dd><span class=\"badge %s\" "
              "id=\"offsite-state\">%s</span></dd></div><div><dt>Uploaded</dt><dd>",
              b->target_state == CAT_TARGET_COMPLETE ? "ok"
              : b->target_state == CAT_TARGET_FAILED ? "bad"
                                                     : "",
              state ? state : "uploading");
    uint64_t total = b->target_bytes_total, done = b->target_bytes_uploaded;
    ui_printf(sb,
              "<progress max=\"%llu\" value=\"%llu\" aria-label=\"Bytes uploaded to the "
              "target\"></progress> <span id=\"offsite-bytes\" data-uploaded=\"%llu\" "
              "data-total=\"%llu\">",
              (unsigned long long)(total ? total : 1), (unsigned long long)(total ? done : 0),
              (unsigned long long)done, (unsigned long long)total);
    ui_bytes(sb, done);
    ui_printf(sb, " of ");
    ui_bytes(sb, total);
    ui_printf(sb, " (%u%%)</span>%s</dd></div><div><dt>Throttle</dt><dd id=\"offsite-rate\">",
              total ? (unsigned)(done * 100 / total) : 0,
              uploading && total == 0 ? " <span class=\"muted\">sizing the files…</span>" : "");
    ui_rate(sb, b->max_bytes_per_second);
    ui_printf(sb, "</dd></div>");
    if (b->manifest_key[0]) {
        ui_printf(sb, "<div class=\"wide\"><dt>Manifest</dt><dd><code class=\"key\">");
        ui_esc(sb, b->manifest_key);
        ui_printf(sb, "</code></dd></div>");
    }
    ui_printf(sb, "</dl>");
    if (uploading && !running)
        ui_printf(sb, "<p class=\"note\">The backup has ended; the copy finishes on its own (the "
                      "manifest is written last).</p>");
    else if (b->target_state == CAT_TARGET_FAILED)
        ui_printf(sb, "<p class=\"note\">The copy failed: the event log below says why. The local "
                      "backup is not affected, and no manifest was written.</p>");
    ui_printf(sb, "</div>");
}

static void render_throttle_form(struct hc_strbuf *sb, const struct ui_ctx *ctx,
                                 const struct cat_backup *b, bool running, bool oob)
{
    char action[64], value[32] = "";
    snprintf(action, sizeof action, "/ui/backups/%lld/throttle", (long long)b->id);
    if (b->max_bytes_per_second)
        snprintf(value, sizeof value, "%g", (double)b->max_bytes_per_second / UI_MIB);
    struct hc_strbuf fields;
    hc_strbuf_init(&fields);
    ui_printf(&fields,
              "<label for=\"throttle-mib\">Throttle (MiB/s)</label><input type=\"number\" "
              "id=\"throttle-mib\" name=\"maxMiBPerSecond\" min=\"0\" step=\"any\" "
              "placeholder=\"unlimited\" value=\"%s\" aria-describedby=\"throttle-help\""
              "%s><span class=\"muted\" id=\"throttle-help\">0 or empty: unlimited. The upload "
              "and this backup's downloads share the limit.</span>",
              value, throttle_active(b, running) ? "" : " disabled");
    size_t len;
    char *markup = hc_strbuf_take(&fields, &len);
    ui_printf(sb, "<div id=\"offsite-throttle\"%s>", oob ? " hx-swap-oob=\"true\"" : "");
    ui_action_form(sb, ctx->csrf, action, "#offsite-progress", "act-throttle", "Set throttle",
                   throttle_active(b, running)
                       ? NULL
                       : "The backup has ended and its copy is finished: nothing left to limit",
                   markup, NULL);
    ui_printf(sb, "</div>");
    free(markup);
}

void ui_offsite_panel(struct hc_strbuf *sb, const struct ui_ctx *ctx, const struct cat_backup *b,
                      bool running, bool sse)
{
    if (b->target[0] == '\0') return;
    ui_printf(sb, "<section id=\"offsite-panel\" class=\"panel live\" "
                  "aria-labelledby=\"offsite-heading\"><h2 id=\"offsite-heading\">Offsite copy "
                  "to target <a href=\"/ui/targets\">");
    ui_esc(sb, b->target);
    ui_printf(sb, "</a></h2>");
    ui_action_result(sb, "offsite-result", NULL, false);
    render_progress(sb, b, running, sse);
    render_throttle_form(sb, ctx, b, running, false);
    ui_printf(sb, "</section>");
}

/* The backup named in the path and whether it runs; false after answering 404. */
static bool load_backup(const struct ui_ctx *ctx, struct cat_backup *b, bool *running, int *reply)
{
    if (cat_backup_get(ctx->req->app->cat, hc_param_id(ctx->req), b) != CAT_OK ||
        b->target[0] == '\0') {
        *reply = ui_reply_not_found(ctx, "No such offsite copy", UI_NAV_HISTORY,
                                    "The catalog has no backup of that number with an offsite "
                                    "copy. <a href=\"/ui/backups\">See the history</a>.");
        return false;
    }
    struct hc_backup_job *job = hc_backup_find(ctx->req->app, b->id);
    *running = false;
    if (job != NULL) {
        pthread_mutex_lock(&job->lock);
        *running = cat_backup_phase_running(job->phase);
        pthread_mutex_unlock(&job->lock);
        hc_backup_unref(job);
    }
    return true;
}

int hc_ui_backup_offsite(struct hc_request *req)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    struct cat_backup b;
    bool running;
    int reply;
    if (!load_backup(&ctx, &b, &running, &reply)) return reply;
    uint64_t shown_key = 0, sse = 0;
    if (!hc_query_u64(req, "k", 0, &shown_key)) shown_key = 0;
    if (!hc_query_u64(req, "sse", 0, &sse)) sse = 0;
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    render_progress(&sb, &b, running, sse == 1 && running);
    if (shown_key != form_key(&b, running)) render_throttle_form(&sb, &ctx, &b, running, true);
    return ui_reply_html(req, 200, &sb);
}

int hc_ui_backup_throttle(struct hc_request *req)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    struct cat_backup b;
    bool running;
    int reply;
    if (!load_backup(&ctx, &b, &running, &reply)) return reply;
    char text[64] = "";
    ui_form_field(req, "maxMiBPerSecond", text, sizeof text);
    uint64_t rate = 0;
    struct hc_strbuf result;
    hc_strbuf_init(&result);
    if (!ui_rate_parse(text, &rate)) {
        ui_printf(&result, "<p class=\"result-line bad\">The throttle is a number of MiB/s, 0 or "
                           "empty for unlimited.</p>");
    } else {
        int rc = hc_backup_throttle_set(req->app, b.id, rate);
        if (rc == 0) {
            ui_printf(&result, "<p class=\"result-line ok\">Throttle set to ");
            ui_rate(&result, rate);
            ui_printf(&result, "%s: the upload and this backup's downloads follow it now.</p>",
                      rate ? "" : " (no limit)");
        } else if (rc == -ESRCH) {
            ui_result_line(&result, "Changing the throttle", JET_errNoBackup);
            ui_printf(&result, "<p class=\"detail\">The backup is not running and has no upload "
                               "under way: there is nothing to limit.</p>");
        } else {
            ui_printf(&result, "<p class=\"result-line warn\">The transfers follow the new "
                               "throttle, but the catalog could not record it.</p>");
        }
    }
    size_t len;
    char *html = hc_strbuf_take(&result, &len);
    if (cat_backup_get(req->app->cat, b.id, &b) != CAT_OK) b.max_bytes_per_second = rate;
    if (!ctx.htmx) {
        free(html);
        char location[64];
        snprintf(location, sizeof location, "/ui/backups/%lld", (long long)b.id);
        return ui_redirect(&ctx, location);
    }
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    /* the poll's own trigger is kept: sse only where the page has the stream (running) */
    render_progress(&sb, &b, running, running);
    ui_action_result(&sb, "offsite-result", html, true);
    free(html);
    return ui_reply_html(req, 200, &sb);
}
