/*
 * target_handlers.h — the offsite endpoints (h_targets.c); their lines are in routes.c:
 *   GET   /api/v1/targets                 [{"name", "endpoint", "bucket", "prefix", "region",
 *                                           "reachable", "httpStatus"}] (a HEAD of the bucket now)
 *   POST  /api/v1/targets/{name}/check    a round trip: create the bucket if missing, put, get and
 *                                         delete a small object; {"name", "ok", "bucketCreated",
 *                                         "steps": [{"step", "ok", "ms"}]} or a problem document
 *   GET   /api/v1/targets/{name}/backups  the sets on the target, read from their manifests,
 *                                         newest first (?instance= filters)
 *   PATCH /api/v1/backups/{id}            {"maxBytesPerSecond": N} (0 = unlimited): the running
 *                                         backup's downloads and upload, at once
 */
#ifndef HOTCOPY_SERVER_TARGET_HANDLERS_H
#define HOTCOPY_SERVER_TARGET_HANDLERS_H

#include "http.h"

int hc_handle_targets_list(struct hc_request *req);
int hc_handle_target_check(struct hc_request *req);
int hc_handle_target_backups(struct hc_request *req);
int hc_handle_backup_patch(struct hc_request *req);

#endif
