/*
 * ui_events.c — the live event log (/ui/events): the newest events of the catalog, newest first,
 * optionally of one instance. The page listens to /api/v1/events/stream (htmx SSE extension); each
 * event re-renders the table body (/ui/events/rows), which carries in its own URL the id of the
 * oldest row it shows, so the catalog is read from there on and never from the start again.
 * The stream is opened with ?after= the newest event the page shows, so that the server replays
 * the events logged between rendering the page and the browser connecting (none is missed).
 */
#include "ui.h"

#include "instance.h"
#include "ui_html.h"
#include "ui_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENTS_SHOWN 200

/* The newest EVENTS_SHOWN events with id >= from (of instance, "" = all), oldest first, in out
 * (EVENTS_SHOWN entries); returns how many, or -1 when the catalog failed. */
static long newest_events(cat_t *cat, const char *instance, int64_t from, struct cat_event *out)
{
    struct cat_event_filter f = {
        .instance = instance, .after_id = from > 0 ? from - 1 : 0, .limit = CAT_LIST_MAX};
    size_t kept = 0, next = 0; /* out is a ring: next is where the next event goes */
    for (;;) {
        struct cat_event *page = NULL;
        size_t n = 0;
        if (cat_event_list(cat, &f, &page, &n) != CAT_OK) return -1;
        for (size_t i = 0; i < n; i++) {
            out[next] = page[i];
            next = (next + 1) % EVENTS_SHOWN;
            if (kept < EVENTS_SHOWN) kept++;
        }
        if (n > 0) f.after_id = page[n - 1].id;
        free(page);
        if (n < CAT_LIST_MAX) break;
    }
    if (kept == EVENTS_SHOWN && next != 0) { /* unroll the ring: oldest first */
        struct cat_event *tmp = malloc(next * sizeof *tmp);
        if (tmp == NULL) return -1;
        memcpy(tmp, out, next * sizeof *tmp);
        memmove(out, out + next, (EVENTS_SHOWN - next) * sizeof *out);
        memcpy(out + EVENTS_SHOWN - next, tmp, next * sizeof *tmp);
        free(tmp);
    }
    return (long)kept;
}

/* The events a table body shows (see newest_events) in *events (malloc()ed, EVENTS_SHOWN entries,
 * the caller free()s, NULL when out of memory); returns how many, or -1 when they cannot be had. */
static long load_events(struct hc_app *app, const char *instance, int64_t from,
                        struct cat_event **events)
{
    *events = malloc(EVENTS_SHOWN * sizeof **events);
    return *events ? newest_events(app->cat, instance, from, *events) : -1;
}

/* <tbody> with the rows (events[0..n), oldest first; n < 0: the catalog failed) and the request
 * that refreshes it. */
static void render_body(struct hc_strbuf *sb, const char *instance, int64_t from,
                        const struct cat_event *events, long n)
{
    int64_t oldest = n > 0 ? events[0].id : from;
    ui_printf(sb, "<tbody id=\"event-rows\" hx-get=\"/ui/events/rows?instance=");
    ui_esc_segment(sb, instance);
    ui_printf(sb, "&amp;from=%lld\" hx-trigger=\"sse:message delay:200ms\" hx-swap=\"outerHTML\">",
              (long long)oldest);
    if (n < 0) {
        ui_printf(sb, "<tr><td colspan=\"5\">The catalog could not be read.</td></tr>");
    } else if (n == 0) {
        ui_printf(sb, "<tr><td colspan=\"5\" class=\"muted\">No events yet.</td></tr>");
    } else {
        ui_event_rows(sb, events, (size_t)n, true, true);
    }
    ui_printf(sb, "</tbody>");
}

int hc_ui_events(struct hc_request *req)
{
    struct ui_ctx ctx;
    int reply;
    if (!ui_page_auth(&ctx, req, &reply)) return reply;
    char instance[CAT_NAME_MAX] = "";
    hc_query(req, "instance", instance, sizeof instance);
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    ui_page_open(&sb, &ctx, "Events", UI_NAV_EVENTS);
    ui_printf(&sb, "<h1>Event log</h1><form class=\"filter\" method=\"get\" action=\"/ui/events\">"
                   "<label for=\"ev-instance\">Instance</label>"
                   "<select id=\"ev-instance\" name=\"instance\"><option value=\"\">all</option>");
    struct hc_instance *list[HC_INSTANCES_MAX];
    size_t n = hc_instances_list(req->app->instances, list, HC_INSTANCES_MAX);
    for (size_t i = 0; i < n; i++) {
        ui_printf(&sb, "<option value=\"");
        ui_esc(&sb, list[i]->name);
        ui_printf(&sb, "\"%s>", strcmp(list[i]->name, instance) == 0 ? " selected" : "");
        ui_esc(&sb, list[i]->name);
        ui_printf(&sb, "</option>");
    }
    struct cat_event *events;
    long shown = load_events(req->app, instance, 1, &events);
    /* Everything up to the newest row shown is on the page; the stream replays what came after
     * (of any instance: each event refreshes the rows, which read the catalog). With no row shown
     * there is nothing to follow from: the stream starts with the events logged once it is open. */
    int64_t newest = shown > 0 ? events[shown - 1].id : 0;
    ui_printf(&sb,
              "</select><button type=\"submit\">Show</button></form>"
              "<p class=\"muted\">The newest %d events, newest first; new ones appear as they "
              "happen.</p>",
              EVENTS_SHOWN);
    if (newest > 0)
        ui_printf(&sb, "<div hx-ext=\"sse\" sse-connect=\"/api/v1/events/stream?after=%lld\" "
                       "class=\"table-wrap\">", (long long)newest);
    else
        ui_printf(&sb, "<div hx-ext=\"sse\" sse-connect=\"/api/v1/events/stream\" "
                       "class=\"table-wrap\">");
    ui_printf(&sb, "<table class=\"event-table\" aria-label=\"Events\">");
    ui_event_head(&sb, true);
    render_body(&sb, instance, 1, events, shown);
    free(events);
    ui_printf(&sb, "</table></div>");
    ui_page_close(&sb);
    return ui_reply_html(req, 200, &sb);
}

int hc_ui_event_rows(struct hc_request *req)
{
    char instance[CAT_NAME_MAX] = "";
    uint64_t from = 1;
    hc_query(req, "instance", instance, sizeof instance);
    if (!hc_query_u64(req, "from", 1, &from)) from = 1;
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    struct cat_event *events;
    long n = load_events(req->app, instance, (int64_t)from, &events);
    render_body(&sb, instance, (int64_t)from, events, n);
    free(events);
    return ui_reply_html(req, 200, &sb);
}
