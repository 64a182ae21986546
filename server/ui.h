/*
 * ui.h — the dashboard's route handlers (the marked block at the end of routes.c). Pages are
 * whole HTML documents that also work without JavaScript; fragments are the parts htmx swaps in;
 * actions call the same backup, restore and load-generator functions as the REST handlers and
 * answer with the fragment to show (engine results as code, name and sentence, status 200: the
 * request worked even when the engine said no), or a whole page for a browser without JavaScript.
 *
 * Files: ui_page.c (session, shell, replies), ui_html.c (escaping, shared blocks), ui_static.c,
 * ui_overview.c, ui_backup.c, ui_history.c, ui_events.c, ui_restore.c, ui_target.c and
 * ui_target_backup.c (offsite targets; their shared pieces in ui_target.h).
 */
#ifndef HOTCOPY_SERVER_UI_H
#define HOTCOPY_SERVER_UI_H

#include "http.h"

struct ui_ctx;
struct hc_instance;

/* ui_static.c: GET /static/{name} — htmx, its SSE extension, our stylesheet, script and icon,
 * embedded at build time (web_assets); public, cacheable, with a strong ETag. */
int hc_ui_static(struct hc_request *req);

/* ui_overview.c */
int hc_ui_overview(struct hc_request *req);      /* GET / */
int hc_ui_instance_card(struct hc_request *req); /* GET /ui/instances/{name}/card */
int hc_ui_load_start(struct hc_request *req);    /* POST /ui/instances/{name}/load */
int hc_ui_load_stop(struct hc_request *req);     /* POST /ui/instances/{name}/load/stop */

/* ui_backup.c */
int hc_ui_backup_begin(struct hc_request *req);    /* POST /ui/backups */
int hc_ui_backup_page(struct hc_request *req);     /* GET /ui/backups/{id} */
int hc_ui_backup_live(struct hc_request *req);     /* GET /ui/backups/{id}/live */
int hc_ui_backup_logs(struct hc_request *req);     /* POST /ui/backups/{id}/logs */
int hc_ui_backup_truncate(struct hc_request *req); /* POST /ui/backups/{id}/truncate */
int hc_ui_backup_stop(struct hc_request *req);     /* POST /ui/backups/{id}/stop */
int hc_ui_backup_end(struct hc_request *req);      /* POST /ui/backups/{id}/end */

/* ui_history.c */
int hc_ui_history(struct hc_request *req); /* GET /ui/backups */

/* ui_events.c */
int hc_ui_events(struct hc_request *req);     /* GET /ui/events */
int hc_ui_event_rows(struct hc_request *req); /* GET /ui/events/rows */

/* ui_restore.c */
int hc_ui_restores(struct hc_request *req);       /* GET /ui/restores */
int hc_ui_restore_create(struct hc_request *req); /* POST /ui/restores */
int hc_ui_restore_page(struct hc_request *req);   /* GET /ui/restores/{id} */
int hc_ui_restore_live(struct hc_request *req);   /* GET /ui/restores/{id}/live */
int hc_ui_restore_run(struct hc_request *req);    /* POST /ui/restores/{id}/run */

/* ui_target.c */
int hc_ui_targets(struct hc_request *req);        /* GET /ui/targets */
int hc_ui_target_check(struct hc_request *req);   /* POST /ui/targets/{name}/check */
int hc_ui_target_sets(struct hc_request *req);    /* GET /ui/targets/{name}/sets */
int hc_ui_target_restore(struct hc_request *req); /* POST /ui/targets/{name}/restore */

/* ui_target_backup.c */
int hc_ui_backup_offsite(struct hc_request *req);  /* GET /ui/backups/{id}/offsite */
int hc_ui_backup_throttle(struct hc_request *req); /* POST /ui/backups/{id}/throttle */

/* ---- between the dashboard's files ---------------------------------------------------------- */

/* ui_overview.c: answers an action on an instance (begin, load generator) with the instance's
 * refreshed card and result_html (trusted markup) in its result area; a whole overview page for a
 * browser without JavaScript. */
int ui_overview_answer(const struct ui_ctx *ctx, struct hc_instance *inst, const char *result_html);

#endif
