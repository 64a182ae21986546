/*
 * ui_html.c — the dashboard's HTML building blocks (see ui_html.h). Everything here appends to a
 * caller's hc_strbuf; nothing allocates beyond it but the escaping of long strings.
 */
#include "ui_html.h"

#include "escape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ESC_STACK 512 /* strings whose escaped form fits are escaped without malloc */

void ui_esc(struct hc_strbuf *sb, const char *text)
{
    if (text == NULL) return;
    char local[ESC_STACK];
    size_t len = strlen(text);
    size_t need = hc_escape(HC_ESCAPE_HTML, text, len, local, sizeof local);
    if (need < sizeof local) {
        hc_strbuf_append(sb, local, need);
        return;
    }
    char *heap = hc_escape_dup(HC_ESCAPE_HTML, text);
    if (heap == NULL) {
        sb->failed = true; /* sticky: the answer becomes a 500 */
        return;
    }
    hc_strbuf_append(sb, heap, need);
    free(heap);
}

void ui_esc_segment(struct hc_strbuf *sb, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)text; p && *p; p++) {
        bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '~' || *p == '-';
        if (plain) {
            hc_strbuf_append(sb, (const char *)p, 1);
        } else {
            char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            hc_strbuf_append(sb, enc, 3);
        }
    }
}

void ui_bytes(struct hc_strbuf *sb, uint64_t bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        ui_printf(sb, "%llu B", (unsigned long long)bytes);
        return;
    }
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024;
        u++;
    }
    ui_printf(sb, "%.1f %s", v, units[u]);
}

void ui_time(struct hc_strbuf *sb, int64_t unix_us)
{
    char rfc[CAT_TIME_MAX];
    if (unix_us == 0 || cat_time_rfc3339(unix_us, rfc, sizeof rfc) != CAT_OK) {
        ui_printf(sb, "<span aria-label=\"none\">—</span>");
        return;
    }
    time_t secs = (time_t)(unix_us / 1000000);
    struct tm tm;
    char shown[32] = "";
    if (gmtime_r(&secs, &tm) != NULL) strftime(shown, sizeof shown, "%Y-%m-%d %H:%M:%S UTC", &tm);
    ui_printf(sb, "<time datetime=\"%s\">%s</time>", rfc, shown);
}

uint64_t ui_hash(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

const char *ui_result_class(int32_t code)
{
    return code == 0 ? "ok" : code > 0 ? "warn" : "bad";
}

static void result_line(struct hc_strbuf *sb, const char *call, int32_t code, const char *name,
                        const char *message)
{
    ui_printf(sb, "<p class=\"result-line %s\">", ui_result_class(code));
    if (call) {
        ui_printf(sb, "<span class=\"call\">");
        ui_esc(sb, call);
        ui_printf(sb, "</span> returned ");
    }
    ui_printf(sb, "<code class=\"code\">%ld</code> <code class=\"name\">", (long)code);
    ui_esc(sb, name);
    ui_printf(sb, "</code>: <span class=\"message\">");
    ui_esc(sb, message);
    ui_printf(sb, "</span></p>");
}

void ui_result_line(struct hc_strbuf *sb, const char *call, JET_ERR err)
{
    result_line(sb, call, (int32_t)err, JetXErrorName(err), JetXErrorMessage(err));
}

void ui_result_line_cat(struct hc_strbuf *sb, const char *call, const struct cat_result *r)
{
    result_line(sb, call, r->code, r->name, r->message);
}

void ui_result_panel(struct hc_strbuf *sb, const char *heading, const struct cat_result *r,
                     const char *facts)
{
    ui_printf(sb,
              "<section class=\"panel result-panel %s\" aria-labelledby=\"result-heading\">"
              "<h2 id=\"result-heading\">",
              ui_result_class(r->code));
    ui_esc(sb, heading);
    ui_printf(sb,
              "</h2><p class=\"result-big\"><code class=\"code\">%ld</code> "
              "<code class=\"name\">",
              (long)r->code);
    ui_esc(sb, r->name);
    ui_printf(sb, "</code></p><p class=\"message\">");
    ui_esc(sb, r->message);
    ui_printf(sb, "</p>%s</section>", facts ? facts : "");
}

static void event_row(struct hc_strbuf *sb, const struct cat_event *e, bool show_instance)
{
    const char *level = cat_level_name(e->level) ? cat_level_name(e->level) : "info";
    ui_printf(sb, "<tr class=\"level-%s\" data-event-id=\"%ld\"><td>", level, (long)e->event_id);
    ui_time(sb, e->time);
    ui_printf(sb, "</td><td><span class=\"badge level-%s\">%s</span></td><td class=\"num\">", level,
              level);
    if (e->event_id)
        ui_printf(sb, "%ld", (long)e->event_id);
    else
        ui_printf(sb, "<span class=\"muted\">server</span>");
    ui_printf(sb, "</td>");
    if (show_instance) {
        ui_printf(sb, "<td>");
        ui_esc(sb, e->instance[0] ? e->instance : "—");
        ui_printf(sb, "</td>");
    }
    ui_printf(sb, "<td class=\"msg\">");
    ui_esc(sb, e->message);
    if (e->error_code) {
        ui_printf(sb, " <code class=\"name\">");
        ui_esc(sb, JetXErrorName(e->error_code));
        ui_printf(sb, " (%ld)</code>", (long)e->error_code);
    }
    /* the tables of one backup or restore (no instance column) need no link back to it */
    if (e->backup_id && show_instance)
        ui_printf(sb, " <a href=\"/ui/backups/%lld\">backup %lld</a>", (long long)e->backup_id,
                  (long long)e->backup_id);
    if (e->restore_id && show_instance)
        ui_printf(sb, " <a href=\"/ui/restores/%lld\">restore %lld</a>", (long long)e->restore_id,
                  (long long)e->restore_id);
    ui_printf(sb, "</td></tr>");
}

void ui_event_rows(struct hc_strbuf *sb, const struct cat_event *events, size_t count,
                   bool newest_first, bool show_instance)
{
    for (size_t i = 0; i < count; i++)
        event_row(sb, &events[newest_first ? count - 1 - i : i], show_instance);
}

void ui_event_head(struct hc_strbuf *sb, bool show_instance)
{
    ui_printf(sb,
              "<thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Level</th>"
              "<th scope=\"col\">Event</th>%s<th scope=\"col\">Message</th></tr></thead>",
              show_instance ? "<th scope=\"col\">Instance</th>" : "");
}

void ui_event_table(struct hc_strbuf *sb, const char *heading, const struct cat_event *events,
                    size_t count, bool newest_first, bool show_instance)
{
    ui_printf(
        sb,
        "<section class=\"events\" aria-labelledby=\"events-heading\"><h2 id=\"events-heading\">");
    ui_esc(sb, heading);
    ui_printf(sb, "</h2>");
    if (count == 0) {
        ui_printf(sb, "<p class=\"muted\">No events yet.</p></section>");
        return;
    }
    ui_printf(sb, "<div class=\"table-wrap\"><table class=\"event-table\">");
    ui_event_head(sb, show_instance);
    ui_printf(sb, "<tbody>");
    ui_event_rows(sb, events, count, newest_first, show_instance);
    ui_printf(sb, "</tbody></table></div></section>");
}

void ui_action_result(struct hc_strbuf *sb, const char *id, const char *html, bool oob)
{
    ui_printf(sb, "<div id=\"");
    ui_esc(sb, id);
    ui_printf(sb, "\" class=\"action-result\" role=\"status\"%s>%s</div>",
              oob ? " hx-swap-oob=\"true\"" : "", html ? html : "");
}

void ui_action_form(struct hc_strbuf *sb, const char *csrf, const char *action, const char *target,
                    const char *id, const char *label, const char *why_disabled, const char *extra,
                    const char *button_class)
{
    ui_printf(sb, "<form class=\"action\" method=\"post\" action=\"");
    ui_esc(sb, action);
    ui_printf(sb, "\" hx-post=\"");
    ui_esc(sb, action);
    ui_printf(sb, "\" hx-disabled-elt=\"find button\"");
    if (target) { /* inside a .live region: an action replaces a refresh in flight (hx-sync) */
        ui_printf(sb, " hx-target=\"");
        ui_esc(sb, target);
        ui_printf(sb, "\" hx-swap=\"outerHTML\" hx-sync=\"closest .live:replace\"");
    }
    ui_printf(sb, "><input type=\"hidden\" name=\"csrf\" value=\"");
    ui_esc(sb, csrf);
    ui_printf(sb, "\">%s<button type=\"submit\" id=\"", extra ? extra : "");
    ui_esc(sb, id);
    ui_printf(sb, "\" class=\"%s\"", button_class ? button_class : "");
    bool reason = why_disabled != NULL && why_disabled[0] != '\0';
    if (why_disabled) ui_printf(sb, " disabled");
    if (reason) {
        ui_printf(sb, " aria-describedby=\"");
        ui_esc(sb, id);
        ui_printf(sb, "-why\"");
    }
    ui_printf(sb, ">");
    ui_esc(sb, label);
    ui_printf(sb, "</button>");
    if (reason) {
        ui_printf(sb, "<span class=\"why\" id=\"");
        ui_esc(sb, id);
        ui_printf(sb, "-why\">");
        ui_esc(sb, why_disabled);
        ui_printf(sb, "</span>");
    }
    ui_printf(sb, "</form>");
}

int ui_event_list(cat_t *cat, int64_t backup_id, int64_t restore_id, struct cat_event **out,
                  size_t *count)
{
    struct cat_event_filter f = {
        .backup_id = backup_id, .restore_id = restore_id, .limit = CAT_LIST_MAX};
    struct cat_event *all = NULL;
    size_t n_all = 0;
    for (;;) {
        struct cat_event *page = NULL;
        size_t n = 0;
        int rc = cat_event_list(cat, &f, &page, &n);
        if (rc != CAT_OK) {
            free(all);
            return rc;
        }
        if (n > 0) {
            struct cat_event *grown = realloc(all, (n_all + n) * sizeof *grown);
            if (grown == NULL) {
                free(page);
                free(all);
                return CAT_ENOMEM;
            }
            all = grown;
            memcpy(all + n_all, page, n * sizeof *page);
            n_all += n;
            f.after_id = page[n - 1].id;
        }
        free(page);
        if (n < CAT_LIST_MAX) break;
    }
    *out = all;
    *count = n_all;
    return CAT_OK;
}
