/*
 * handlers.h — every route handler (one line each in routes.c). Handlers are short: parse the
 * request, call the layer that does the work (backup.h, records.h, restore.h, ...), render.
 */
#ifndef HOTCOPY_SERVER_HANDLERS_H
#define HOTCOPY_SERVER_HANDLERS_H

#include "http.h"

struct hc_instance;

/* h_service.c */
int hc_handle_healthz(struct hc_request *req);
int hc_handle_metrics(struct hc_request *req);
int hc_handle_instances_list(struct hc_request *req);
int hc_handle_instance_get(struct hc_request *req);
int hc_handle_login_form(struct hc_request *req);
int hc_handle_login(struct hc_request *req);
int hc_handle_logout(struct hc_request *req);
int hc_handle_session(struct hc_request *req);

/* h_backups.c */
int hc_handle_backup_begin(struct hc_request *req);
int hc_handle_backups_list(struct hc_request *req);
int hc_handle_backup_get(struct hc_request *req);
int hc_handle_backup_files(struct hc_request *req);
int hc_handle_backup_logs(struct hc_request *req);
int hc_handle_backup_truncate(struct hc_request *req);
int hc_handle_backup_stop(struct hc_request *req);
int hc_handle_backup_end(struct hc_request *req);
int hc_handle_backup_events(struct hc_request *req);
/* download.c */
int hc_handle_backup_file_get(struct hc_request *req);

/* h_events.c */
int hc_handle_events_list(struct hc_request *req);
int hc_handle_events_stream(struct hc_request *req);

/* h_records.c */
int hc_handle_record_put(struct hc_request *req);
int hc_handle_record_get(struct hc_request *req);
int hc_handle_record_delete(struct hc_request *req);
int hc_handle_records_list(struct hc_request *req);

/* loadgen.c */
int hc_handle_load_start(struct hc_request *req);
int hc_handle_load_get(struct hc_request *req);
int hc_handle_load_stop(struct hc_request *req);
int hc_handle_load_verify(struct hc_request *req);

/* restore.c */
int hc_handle_restore_create(struct hc_request *req);
int hc_handle_restores_list(struct hc_request *req);
int hc_handle_restore_get(struct hc_request *req);
int hc_handle_restore_file_put(struct hc_request *req);
int hc_restore_file_sink(struct hc_request *req, const char *data, size_t len);
int hc_handle_restore_run(struct hc_request *req);

/* Shared rendering (h_backups.c): a catalog backup as the API shows it, with files and events. */
cJSON *hc_backup_json(struct hc_app *app, const struct cat_backup *b);
/* An instance as the API shows it (h_service.c): {"name", "state", "currentGeneration",
 * "checkpointGeneration", "commits", "databases": [...], "backup": null | {...}}. Also rendered by
 * the dashboard's overview (ui_overview.c). Takes the instance's lock briefly. */
cJSON *hc_instance_json(struct hc_instance *inst);
/* {"code", "name", "message"} for an engine result. */
cJSON *hc_result_json(JET_ERR err);
/* RFC 3339 or null. */
void hc_json_add_time(cJSON *obj, const char *key, int64_t us);
/* The instance named by the {inst} parameter or a body field; replies 404 itself when unknown. */
struct hc_instance *hc_lookup_instance(struct hc_request *req, const char *name, int *reply);

#endif
