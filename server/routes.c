/*
 * routes.c — the route table. One line per endpoint: method, path pattern, handler, flags.
 * Offsite targets (/api/v1/targets...) and the dashboard's pages are added by their own issues:
 * append their lines here; nothing else in the router needs to change.
 */
#include "routes.h"

#include "handlers.h"
#include "ui.h"
#include "target_handlers.h"

#define API "/api/v1"

const struct hc_route hc_routes[] = {
    /* service */
    {"GET", "/healthz", hc_handle_healthz, HC_ROUTE_PUBLIC, NULL},
    {"GET", "/metrics", hc_handle_metrics, HC_ROUTE_METRICS, NULL},
    {"GET", "/login", hc_handle_login_form, HC_ROUTE_PUBLIC, NULL},
    {"POST", "/login", hc_handle_login, HC_ROUTE_PUBLIC, NULL},
    {"POST", "/logout", hc_handle_logout, HC_ROUTE_PUBLIC, NULL},
    {"GET", API "/session", hc_handle_session, 0, NULL},
    {"GET", API "/instances", hc_handle_instances_list, 0, NULL},
    {"GET", API "/instances/{name}", hc_handle_instance_get, 0, NULL},
    /* backups */
    {"POST", API "/backups", hc_handle_backup_begin, 0, NULL},
    {"GET", API "/backups", hc_handle_backups_list, 0, NULL},
    {"GET", API "/backups/{id}", hc_handle_backup_get, 0, NULL},
    {"PATCH", API "/backups/{id}", hc_handle_backup_patch, 0, NULL},
    {"GET", API "/backups/{id}/files", hc_handle_backup_files, 0, NULL},
    {"GET", API "/backups/{id}/files/{name}", hc_handle_backup_file_get, 0, NULL},
    {"HEAD", API "/backups/{id}/files/{name}", hc_handle_backup_file_get, 0, NULL},
    {"POST", API "/backups/{id}/logs", hc_handle_backup_logs, 0, NULL},
    {"POST", API "/backups/{id}/truncate", hc_handle_backup_truncate, 0, NULL},
    {"POST", API "/backups/{id}/stop", hc_handle_backup_stop, 0, NULL},
    {"POST", API "/backups/{id}/end", hc_handle_backup_end, 0, NULL},
    {"GET", API "/backups/{id}/events", hc_handle_backup_events, 0, NULL},
    /* restores */
    {"POST", API "/restores", hc_handle_restore_create, 0, NULL},
    {"GET", API "/restores", hc_handle_restores_list, 0, NULL},
    {"GET", API "/restores/{id}", hc_handle_restore_get, 0, NULL},
    {"PUT", API "/restores/{id}/files/{name}", hc_handle_restore_file_put, HC_ROUTE_STREAM_BODY,
     hc_restore_file_sink},
    {"POST", API "/restores/{id}/run", hc_handle_restore_run, 0, NULL},
    /* data */
    {"PUT", API "/instances/{inst}/tables/{table}/records/{key}", hc_handle_record_put,
     HC_ROUTE_RAW_BODY, NULL},
    {"GET", API "/instances/{inst}/tables/{table}/records/{key}", hc_handle_record_get, 0, NULL},
    {"DELETE", API "/instances/{inst}/tables/{table}/records/{key}", hc_handle_record_delete, 0,
     NULL},
    {"GET", API "/instances/{inst}/tables/{table}/records", hc_handle_records_list, 0, NULL},
    {"POST", API "/instances/{inst}/load", hc_handle_load_start, 0, NULL},
    {"GET", API "/instances/{inst}/load", hc_handle_load_get, 0, NULL},
    {"DELETE", API "/instances/{inst}/load", hc_handle_load_stop, 0, NULL},
    {"GET", API "/instances/{inst}/load/verify", hc_handle_load_verify, 0, NULL},
    /* offsite targets (h_targets.c) */
    {"GET", API "/targets", hc_handle_targets_list, 0, NULL},
    {"POST", API "/targets/{name}/check", hc_handle_target_check, 0, NULL},
    {"GET", API "/targets/{name}/backups", hc_handle_target_backups, 0, NULL},
    /* events */
    {"GET", API "/events", hc_handle_events_list, 0, NULL},
    {"GET", API "/events/stream", hc_handle_events_stream, 0, NULL},
    /* ---- dashboard (ui.h, server/ui_*.c) -----------------------------------------------------------
     * Pages are HC_ROUTE_PUBLIC: they check the session cookie themselves and send a browser without
     * one to /login (a 303, not a 401 document). Fragments and actions authenticate like the API
     * (the session cookie, and the CSRF token on POST). */
    {"GET", "/", hc_ui_overview, HC_ROUTE_PUBLIC, NULL},
    {"GET", "/static/{name}", hc_ui_static, HC_ROUTE_PUBLIC, NULL},
    {"GET", "/ui/instances/{name}/card", hc_ui_instance_card, 0, NULL},
    {"POST", "/ui/instances/{name}/load", hc_ui_load_start, 0, NULL},
    {"POST", "/ui/instances/{name}/load/stop", hc_ui_load_stop, 0, NULL},
    {"GET", "/ui/backups", hc_ui_history, HC_ROUTE_PUBLIC, NULL},
    {"POST", "/ui/backups", hc_ui_backup_begin, 0, NULL},
    {"GET", "/ui/backups/{id}", hc_ui_backup_page, HC_ROUTE_PUBLIC, NULL},
    {"GET", "/ui/backups/{id}/live", hc_ui_backup_live, 0, NULL},
    {"POST", "/ui/backups/{id}/logs", hc_ui_backup_logs, 0, NULL},
    {"POST", "/ui/backups/{id}/truncate", hc_ui_backup_truncate, 0, NULL},
    {"POST", "/ui/backups/{id}/stop", hc_ui_backup_stop, 0, NULL},
    {"POST", "/ui/backups/{id}/end", hc_ui_backup_end, 0, NULL},
    {"GET", "/ui/events", hc_ui_events, HC_ROUTE_PUBLIC, NULL},
    {"GET", "/ui/events/rows", hc_ui_event_rows, 0, NULL},
    {"GET", "/ui/restores", hc_ui_restores, HC_ROUTE_PUBLIC, NULL},
    {"POST", "/ui/restores", hc_ui_restore_create, 0, NULL},
    {"GET", "/ui/restores/{id}", hc_ui_restore_page, HC_ROUTE_PUBLIC, NULL},
    {"GET", "/ui/restores/{id}/live", hc_ui_restore_live, 0, NULL},
    {"POST", "/ui/restores/{id}/run", hc_ui_restore_run, 0, NULL},
    {"GET", "/ui/backups/{id}/offsite", hc_ui_backup_offsite, 0, NULL},
    {"POST", "/ui/backups/{id}/throttle", hc_ui_backup_throttle, 0, NULL},
    {"GET", "/ui/targets", hc_ui_targets, HC_ROUTE_PUBLIC, NULL},
    {"POST", "/ui/targets/{name}/check", hc_ui_target_check, 0, NULL},
    {"GET", "/ui/targets/{name}/sets", hc_ui_target_sets, 0, NULL},
    {"POST", "/ui/targets/{name}/restore", hc_ui_target_restore, 0, NULL},
    /* ---- end of the dashboard's routes ---- */
};
const size_t hc_route_count = sizeof hc_routes / sizeof hc_routes[0];

void hc_routes_print(FILE *out)
{
    for (size_t i = 0; i < hc_route_count; i++)
        fprintf(out, "%s %s\n", hc_routes[i].method, hc_routes[i].pattern);
}
