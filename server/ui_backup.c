/*
 * ui_backup.c — the backup workspace: one page per backup (/ui/backups/{id}). While the backup
 * runs it shows the phase, the files to fetch now with their download links and the bytes the
 * server has served of each, and the next steps as buttons (Get log files, Truncate logs, End
 * backup with "truncate done", Abort, Stop backup), each disabled with its reason when it makes no
 * sense in the current phase. Once the backup has ended it shows the result panel (the end call's
 * status: code, name, message) and the backup's event log; the same page is the history's detail.
 *
 * Live: the running workspace listens to /api/v1/events/stream (htmx SSE extension); every event
 * (file copied 221, logs 223, truncation 224/225, end 213/215/226, ...) re-renders #backup-live
 * shortly after (the delay lets the catalog's bytes-served count, written right after the read
 * that raised the event, land first). Bytes served between events (a download in progress, a log
 * file, which raises no event) show by a refresh every two seconds while the backup runs. Each
 * refresh carries the version of what it shows and gets 204 when nothing changed, so that buttons
 * are not replaced under the pointer for nothing.
 *
 * A backup begun with an offsite target also shows the copy's panel (ui_target_backup.c: progress
 * and throttle); while that copy finishes after the end call, #backup-live keeps refreshing so
 * that its last events show.
 *
 * Actions call backup.h (hc_backup_begin_with, _logs, _truncate, _stop, _end) and, for a target,
 * hc_upload_start: the same functions, the same catalog rows and the same engine calls as the REST
 * handlers in h_backups.c.
 */
#include "ui.h"

#include "backup.h"
#include "ui_html.h"
#include "ui_page.h"
#include "ui_target.h"
#include "upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIVE_TRIGGER "sse:message delay:300ms, every 2s" /* while the backup runs */
#define LIVE_TRIGGER_ENDED "every 2s" /* ended, its offsite copy still uploading */

/* A backup as the workspace shows it: the catalog row, its files, and the running job's flags. */
struct view {
    struct cat_backup b;
    bool running;                  /* a job exists for it (the engine's backup is active) */
    bool stopped;                  /* JetStopBackupInstance was called */
    bool uploading;                /* its offsite copy is still under way (ui_target_backup.c) */
    struct cat_backup_file *files; /* malloc()ed */
    size_t file_count;
    struct cat_event *events; /* malloc()ed */
    size_t event_count;
};

static void view_free(struct view *v)
{
    free(v->files);
    free(v->events);
}

/* Loads backup id; false when the catalog has no such backup. */
static bool view_load(struct hc_app *app, int64_t id, struct view *v)
{
    memset(v, 0, sizeof *v);
    if (cat_backup_get(app->cat, id, &v->b) != CAT_OK) return false;
    v->uploading = v->b.target_state == CAT_TARGET_UPLOADING;
    struct hc_backup_job *job = hc_backup_find(app, id);
    if (job != NULL) {
        pthread_mutex_lock(&job->lock);
        v->running = cat_backup_phase_running(job->phase);
        v->stopped = job->stopped;
        pthread_mutex_unlock(&job->lock);
        hc_backup_unref(job);
    }
    if (cat_backup_file_list(app->cat, id, &v->files, &v->file_count) != CAT_OK) v->file_count = 0;
    if (ui_event_list(app->cat, id, 0, &v->events, &v->event_count) != CAT_OK) v->event_count = 0;
    return true;
}

static size_t count_copied(const struct view *v, enum cat_file_kind kind, size_t *total)
{
    size_t copied = 0;
    *total = 0;
    for (size_t i = 0; i < v->file_count; i++) {
        if (v->files[i].kind != kind) continue;
        (*total)++;
        if (v->files[i].bytes_served >= v->files[i].size_bytes) copied++;
    }
    return copied;
}

/* A version of what render_live shows: equal versions render the same fragment. */
static uint64_t view_version(const struct view *v)
{
    char key[256];
    int n = snprintf(key, sizeof key, "%d|%d|%d|%d|%d|%ld|%lld|%lld|%zu|%lld", (int)v->b.phase,
                     v->running, v->stopped, v->uploading, v->b.has_result, (long)v->b.result.code,
                     (long long)v->b.gen_low, (long long)v->b.gen_high, v->event_count,
                     v->event_count ? (long long)v->events[v->event_count - 1].id : 0LL);
    uint64_t h = ui_hash(UI_HASH_SEED, key, n > 0 && (size_t)n < sizeof key ? (size_t)n : 0);
    for (size_t i = 0; i < v->file_count; i++) {
        const struct cat_backup_file *f = &v->files[i];
        uint64_t sizes[2] = {f->size_bytes, f->bytes_served};
        h = ui_hash(h, f->name, strlen(f->name));
        h = ui_hash(h, sizes, sizeof sizes);
    }
    return h;
}

/* ---- pieces ---------------------------------------------------------------------------------- */

static void render_steps(struct hc_strbuf *sb, const struct view *v)
{
    enum cat_backup_phase p = v->b.phase;
    const char *last = p == CAT_PHASE_STOPPED  ? "Stopped"
                       : p == CAT_PHASE_FAILED ? "Failed"
                                               : "Ended";
    const char *labels[] = {v->b.type == CAT_BACKUP_FULL ? "Database files" : "Begun", "Log files",
                            "Truncated", last};
    /* step index of the current phase; a terminal phase is the last step */
    int current = p == CAT_PHASE_DATABASE    ? 0
                  : p == CAT_PHASE_LOGS      ? 1
                  : p == CAT_PHASE_TRUNCATED ? 2
                                             : 3;
    ui_printf(sb, "<ol class=\"steps\" aria-label=\"Backup phases\">");
    for (int i = 0; i < 4; i++) {
        const char *cls = i < current ? "done" : i == current ? "current" : "todo";
        ui_printf(sb, "<li class=\"%s\"%s>%s</li>", cls,
                  i == current ? " aria-current=\"step\"" : "", labels[i]);
    }
    ui_printf(sb, "</ol>");
}

/* Why a file cannot be downloaded now, or NULL when it can. */
static const char *download_refusal(const struct view *v, const struct cat_backup_file *f)
{
    if (!v->running) return "the backup has ended";
    if (v->stopped) return "stopped: reads return JET_errBackupAbortByServer";
    if (f->kind == CAT_FILE_DATABASE && v->b.phase != CAT_PHASE_DATABASE)
        return "databases cannot be read after the log call";
    if (f->kind == CAT_FILE_LOG && v->b.phase == CAT_PHASE_DATABASE) return "after Get log files";
    return NULL;
}

static void render_file_row(struct hc_strbuf *sb, const struct view *v,
                            const struct cat_backup_file *f)
{
    ui_printf(sb, "<tr><th scope=\"row\">");
    ui_esc(sb, f->name);
    ui_printf(sb, "</th><td>%s</td><td class=\"num\">", cat_file_kind_name(f->kind));
    ui_bytes(sb, f->size_bytes);
    ui_printf(sb, "</td><td class=\"progress-cell\">");
    uint64_t max = f->size_bytes ? f->size_bytes : 1, served = f->bytes_served;
    ui_printf(sb, "<progress max=\"%llu\" value=\"%llu\" aria-label=\"", (unsigned long long)max,
              (unsigned long long)(f->size_bytes ? served : 0));
    ui_esc(sb, f->name);
    ui_printf(sb, ": bytes served\"></progress> <span class=\"served\">");
    ui_bytes(sb, served);
    ui_printf(sb, " of ");
    ui_bytes(sb, f->size_bytes);
    unsigned pct = f->size_bytes ? (unsigned)(served * 100 / f->size_bytes) : 0;
    ui_printf(sb, " (%u%%)%s</span></td><td>", pct,
              f->size_bytes && served >= f->size_bytes ? " <span class=\"badge ok\">copied</span>"
                                                       : "");
    const char *refusal = download_refusal(v, f);
    if (refusal) {
        ui_printf(sb, "<span class=\"muted\">");
        ui_esc(sb, refusal);
        ui_printf(sb, "</span>");
    } else {
        ui_printf(sb, "<a class=\"button small\" href=\"/api/v1/backups/%lld/files/",
                  (long long)v->b.id);
        ui_esc_segment(sb, f->name);
        ui_printf(sb, "\" download=\"");
        ui_esc(sb, f->name);
        ui_printf(sb, "\">Download<span class=\"visually-hidden\"> ");
        ui_esc(sb, f->name);
        ui_printf(sb, "</span></a>");
    }
    ui_printf(sb, "</td></tr>");
}

static void render_files(struct hc_strbuf *sb, const struct view *v)
{
    ui_printf(sb, "<section aria-labelledby=\"files-heading\"><h2 id=\"files-heading\">Files</h2>");
    if (v->file_count == 0) {
        ui_printf(sb, "<p class=\"muted\">No files listed%s.</p></section>",
                  v->running ? " yet: the log files appear after Get log files" : "");
        return;
    }
    ui_printf(sb,
              "<div class=\"table-wrap\"><table class=\"files\"><thead><tr>"
              "<th scope=\"col\">File</th><th scope=\"col\">Kind</th><th scope=\"col\">Size</th>"
              "<th scope=\"col\">Served by this appliance</th><th scope=\"col\">Download</th>"
              "</tr></thead><tbody>");
    for (size_t i = 0; i < v->file_count; i++)
        render_file_row(sb, v, &v->files[i]);
    ui_printf(sb, "</tbody></table></div></section>");
}

static void render_actions(struct hc_strbuf *sb, const struct ui_ctx *ctx, const struct view *v)
{
    char action[96], why_truncate[160];
    const char *stopped_why = "Stopped: every call but End returns JET_errBackupAbortByServer";
    enum cat_backup_phase p = v->b.phase;
    size_t logs_total, logs_copied = count_copied(v, CAT_FILE_LOG, &logs_total);
    size_t dbs_total, dbs_copied = count_copied(v, CAT_FILE_DATABASE, &dbs_total);

    ui_printf(sb, "<section class=\"panel\" aria-labelledby=\"actions-heading\">"
                  "<h2 id=\"actions-heading\">Next steps</h2>");
    if (v->stopped)
        ui_printf(sb,
                  "<p class=\"banner warn\">The backup was stopped (JetStopBackupInstance). Every "
                  "call of this backup but End now returns <code>JET_errBackupAbortByServer</code> "
                  "(-801): end the backup to release it and record that result.</p>");
    else if (p == CAT_PHASE_DATABASE && v->b.type == CAT_BACKUP_FULL && dbs_copied < dbs_total)
        ui_printf(sb,
                  "<p class=\"note\">%zu of %zu database files copied. After Get log files the "
                  "databases can no longer be read.</p>",
                  dbs_copied, dbs_total);
    ui_printf(sb, "<div class=\"actions\">");

    snprintf(action, sizeof action, "/ui/backups/%lld/logs", (long long)v->b.id);
    const char *why = v->stopped                ? stopped_why
                      : p != CAT_PHASE_DATABASE ? "Done: the log files are listed below"
                                                : NULL;
    ui_action_form(sb, ctx->csrf, action, "#backup-live", "act-logs", "Get log files", why, NULL,
                   NULL);

    snprintf(action, sizeof action, "/ui/backups/%lld/truncate", (long long)v->b.id);
    snprintf(why_truncate, sizeof why_truncate,
             "Copy every log file first (%zu of %zu copied): truncation needs them all",
             logs_copied, logs_total);
    why = v->stopped                 ? stopped_why
          : p == CAT_PHASE_DATABASE  ? "Get the log files first"
          : p == CAT_PHASE_TRUNCATED ? "Done: the logs were truncated"
          : logs_copied < logs_total ? why_truncate
                                     : NULL;
    ui_action_form(sb, ctx->csrf, action, "#backup-live", "act-truncate", "Truncate logs", why,
                   NULL, NULL);

    snprintf(action, sizeof action, "/ui/backups/%lld/end", (long long)v->b.id);
    why = !v->stopped && p == CAT_PHASE_DATABASE
              ? "Get the log files first: ending now abandons the backup (use Abort for that)"
              : NULL;
    const char *truncate_done =
        p == CAT_PHASE_TRUNCATED
            ? "<label class=\"check\"><input type=\"checkbox\" name=\"truncateDone\" value=\"1\" "
              "disabled> Truncate done <span class=\"muted\">(the logs were "
              "truncated)</span></label>"
            : "<label class=\"check\"><input type=\"checkbox\" id=\"truncate-done\" "
              "name=\"truncateDone\" value=\"1\" hx-preserve=\"true\"> Truncate done "
              "<span class=\"muted\">(logs truncated elsewhere)</span></label>";
    ui_action_form(sb, ctx->csrf, action, "#backup-live", "act-end", "End backup", why,
                   truncate_done, "primary");

    ui_action_form(sb, ctx->csrf, action, "#backup-live", "act-abort", "Abort", NULL,
                   "<input type=\"hidden\" name=\"abort\" value=\"1\">", "danger");

    snprintf(action, sizeof action, "/ui/backups/%lld/stop", (long long)v->b.id);
    ui_action_form(sb, ctx->csrf, action, "#backup-live", "act-stop", "Stop backup",
                   v->stopped ? "Already stopped" : NULL, NULL, "danger");
    ui_printf(sb, "</div></section>");
}

static void render_result(struct hc_strbuf *sb, const struct view *v)
{
    struct hc_strbuf facts;
    hc_strbuf_init(&facts);
    ui_printf(&facts, "<dl class=\"facts\"><div><dt>Phase</dt><dd>%s</dd></div>",
              cat_backup_phase_name(v->b.phase));
    const char *recorded = cat_recorded_as_name(v->b.recorded_as);
    ui_printf(&facts, "<div><dt>Recorded as</dt><dd>%s</dd></div>",
              recorded ? recorded : "not recorded");
    if (v->b.gen_low)
        ui_printf(&facts, "<div><dt>Log generations</dt><dd>%lld to %lld</dd></div>",
                  (long long)v->b.gen_low, (long long)v->b.gen_high);
    ui_printf(&facts, "<div><dt>Ended</dt><dd>");
    ui_time(&facts, v->b.ended_at);
    ui_printf(&facts, "</dd></div></dl>");
    size_t len;
    char *text = hc_strbuf_take(&facts, &len);
    if (v->b.has_result) {
        ui_result_panel(sb, "Result", &v->b.result, text);
    } else {
        ui_printf(
            sb,
            "<section class=\"panel\"><h2>Result</h2><p>No result was recorded.</p>%s</section>",
            text ? text : "");
    }
    free(text);
}

/* #backup-live: everything that changes while the backup runs. */
static void render_live(struct hc_strbuf *sb, const struct ui_ctx *ctx, const struct view *v)
{
    ui_printf(sb, "<div id=\"backup-live\" class=\"live\"");
    /* after the end call, events still come while the offsite copy finishes (its manifest) */
    if (v->running || v->uploading)
        ui_printf(sb,
                  " hx-get=\"/ui/backups/%lld/live?v=%llx\" hx-trigger=\"%s\" "
                  "hx-swap=\"outerHTML\"",
                  (long long)v->b.id, (unsigned long long)view_version(v),
                  v->running ? LIVE_TRIGGER : LIVE_TRIGGER_ENDED);
    ui_printf(sb, ">");
    render_steps(sb, v);
    if (v->running)
        render_actions(sb, ctx, v);
    else
        render_result(sb, v);
    render_files(sb, v);
    ui_event_table(sb, "Event log of this backup", v->events, v->event_count, false, false);
    ui_printf(sb, "</div>");
}

static int reply_page(const struct ui_ctx *ctx, const struct view *v, const char *result_html)
{
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    char title[64];
    snprintf(title, sizeof title, "Backup %lld", (long long)v->b.id);
    ui_page_open(&sb, ctx, title, UI_NAV_HISTORY);
    ui_printf(&sb,
              "<p class=\"crumbs\"><a href=\"/ui/backups\">History</a> / %s</p>"
              "<h1>%s <span class=\"sub\">%s backup of <a href=\"/\">",
              title, title, cat_backup_type_name(v->b.type));
    ui_esc(&sb, v->b.instance);
    ui_printf(&sb, "</a>, started ");
    ui_time(&sb, v->b.started_at);
    ui_printf(&sb, "</span></h1>");
    ui_action_result(&sb, "backup-result", result_html,
                     false); /* apart from #backup-live, which events re-render */
    if (v->running) ui_printf(&sb, "<div hx-ext=\"sse\" sse-connect=\"/api/v1/events/stream\">");
    ui_offsite_panel(&sb, ctx, &v->b, v->running, v->running); /* ui_target_backup.c */
    render_live(&sb, ctx, v);
    if (v->running) ui_printf(&sb, "</div>");
    ui_page_close(&sb);
    return ui_reply_html(ctx->req, 200, &sb);
}

static int reply_not_found(const struct ui_ctx *ctx)
{
    return ui_reply_not_found(ctx, "No such backup", UI_NAV_HISTORY,
                              "The catalog has no such backup. <a href=\"/ui/backups\">See the "
                              "history</a>.");
}

/* ---- handlers -------------------------------------------------------------------------------- */

int hc_ui_backup_page(struct hc_request *req)
{
    struct ui_ctx ctx;
    int reply;
    if (!ui_page_auth(&ctx, req, &reply)) return reply;
    struct view v;
    if (!view_load(req->app, hc_param_id(req), &v)) return reply_not_found(&ctx);
    reply = reply_page(&ctx, &v, NULL);
    view_free(&v);
    return reply;
}

int hc_ui_backup_live(struct hc_request *req)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    struct view v;
    if (!view_load(req->app, hc_param_id(req), &v)) return reply_not_found(&ctx);
    char shown[32] = "";
    hc_query(req, "v", shown, sizeof shown);
    if (shown[0] != '\0' && strtoull(shown, NULL, 16) == view_version(&v)) {
        view_free(&v);
        return hc_reply_empty(req, 204); /* unchanged: htmx keeps what it shows */
    }
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    render_live(&sb, &ctx, &v);
    view_free(&v);
    return ui_reply_html(req, 200, &sb);
}

enum action { ACT_LOGS, ACT_TRUNCATE, ACT_STOP, ACT_END };

/* Calls backup.h for the action and writes the answer (result line and detail) into out. */
static void perform(struct hc_request *req, struct hc_backup_job *job, enum action act,
                    struct hc_strbuf *out)
{
    static const char *const calls[] = {"JetGetLogInfoInstance2", "JetTruncateLogInstance",
                                        "JetStopBackupInstance", "JetEndExternalBackupInstance2"};
    JET_ERR err = JET_errNoBackup;
    JET_LOGINFO info;
    memset(&info, 0, sizeof info);
    char flag[8];
    bool abort = ui_form_field(req, "abort", flag, sizeof flag) && strcmp(flag, "1") == 0;
    bool truncate_done =
        ui_form_field(req, "truncateDone", flag, sizeof flag) && strcmp(flag, "1") == 0;
    if (job != NULL) {
        switch (act) {
        case ACT_LOGS:
            err = hc_backup_logs(job, &info);
            break;
        case ACT_TRUNCATE:
            err = hc_backup_truncate(job);
            break;
        case ACT_STOP:
            err = hc_backup_stop(job);
            break;
        case ACT_END:
            err = hc_backup_end(job, abort, truncate_done);
            break;
        }
    }
    const char *call =
        act == ACT_END && abort ? "JetEndExternalBackupInstance2 (abort)" : calls[act];
    ui_result_line(out, call, err);
    if (job == NULL)
        ui_printf(out, "<p class=\"detail\">This backup is no longer running.</p>");
    else if (act == ACT_LOGS && err >= 0)
        ui_printf(out,
                  "<p class=\"detail\">Log generations %lu to %lu are listed below; the "
                  "databases can no longer be read.</p>",
                  info.ulGenLow, info.ulGenHigh);
    else if (act == ACT_STOP && err >= 0)
        ui_printf(out, "<p class=\"detail\">End the backup to release it: the end call will return "
                       "<code>JET_errBackupAbortByServer</code>.</p>");
}

static int run_action(struct hc_request *req, enum action act)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    int64_t id = hc_param_id(req);
    struct cat_backup row;
    if (cat_backup_get(req->app->cat, id, &row) != CAT_OK) return reply_not_found(&ctx);
    struct hc_backup_job *job = hc_backup_find(req->app, id);
    struct hc_strbuf result;
    hc_strbuf_init(&result);
    perform(req, job, act, &result);
    hc_backup_unref(job);
    size_t len;
    char *result_html = hc_strbuf_take(&result, &len);
    struct view v;
    int reply;
    if (!view_load(req->app, id, &v)) {
        reply = reply_not_found(&ctx);
    } else if (!ctx.htmx) {
        reply = reply_page(&ctx, &v, result_html);
    } else {
        struct hc_strbuf sb;
        hc_strbuf_init(&sb);
        render_live(&sb, &ctx, &v);
        ui_action_result(&sb, "backup-result", result_html, true);
        reply = ui_reply_html(req, 200, &sb);
    }
    view_free(&v);
    free(result_html);
    return reply;
}

int hc_ui_backup_logs(struct hc_request *req)
{
    return run_action(req, ACT_LOGS);
}

int hc_ui_backup_truncate(struct hc_request *req)
{
    return run_action(req, ACT_TRUNCATE);
}

int hc_ui_backup_stop(struct hc_request *req)
{
    return run_action(req, ACT_STOP);
}

int hc_ui_backup_end(struct hc_request *req)
{
    return run_action(req, ACT_END);
}

int hc_ui_backup_begin(struct hc_request *req)
{
    struct ui_ctx ctx;
    ui_ctx_init(&ctx, req);
    char name[CAT_NAME_MAX] = "", type_text[16] = "full", target_name[CAT_NAME_MAX] = "",
         rate_text[64] = "";
    ui_form_field(req, "instance", name, sizeof name);
    ui_form_field(req, "type", type_text, sizeof type_text);
    ui_form_field(req, "target", target_name, sizeof target_name);
    ui_form_field(req, "maxMiBPerSecond", rate_text, sizeof rate_text);
    struct hc_instance *inst = hc_instances_find(req->app->instances, name);
    if (inst == NULL)
        return ui_reply_not_found(&ctx, "No such instance", UI_NAV_OVERVIEW,
                                  "No instance of that name. <a href=\"/\">See the overview</a>.");
    /* the offsite copy and its throttle, as POST /api/v1/backups {"target", "maxBytesPerSecond"} */
    struct hc_target *target =
        target_name[0] ? hc_targets_find(req->app->targets, target_name) : NULL;
    uint64_t rate = 0;
    struct hc_strbuf result;
    hc_strbuf_init(&result);
    if (target_name[0] && target == NULL) {
        ui_printf(&result, "<p class=\"result-line bad\">No target of that name is configured: "
                           "see the <a href=\"/ui/targets\">targets</a>.</p>");
    } else if (!ui_rate_parse(rate_text, &rate)) {
        ui_printf(&result, "<p class=\"result-line bad\">The throttle is a number of MiB/s, 0 or "
                           "empty for unlimited.</p>");
    } else {
        enum cat_backup_type type = CAT_BACKUP_FULL;
        JET_ERR err;
        if (cat_backup_type_parse(type_text, &type) != CAT_OK) {
            err = JET_errInvalidGrbit;
        } else {
            struct hc_backup_job *job = NULL;
            int64_t id = 0;
            err = hc_backup_begin_with(req->app, inst, type, target ? target->name : NULL, rate,
                                       &job, &id);
            if (err >= 0) {
                if (target) hc_upload_start(req->app, job, target);
                char location[64];
                snprintf(location, sizeof location, "/ui/backups/%lld", (long long)job->id);
                hc_backup_unref(job);
                hc_strbuf_free(&result);
                return ui_redirect(&ctx, location);
            }
        }
        ui_result_line(&result, "JetBeginExternalBackupInstance", err);
    }
    size_t len;
    char *result_html = hc_strbuf_take(&result, &len);
    int reply = ui_overview_answer(&ctx, inst, result_html);
    free(result_html);
    return reply;
}
