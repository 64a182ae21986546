/*
 * restore.h — hard recovery from an uploaded backup set (the restore endpoints).
 *
 *   POST /api/v1/restores {"instance": NAME}        staging area DATA/restores/<id>/ (catalog row)
 *   PUT  /api/v1/restores/{id}/files/{name}          raw body streamed to DATA/restores/<id>/<name>;
 *        "Content-Range: bytes START-END/TOTAL" continues an interrupted upload: START must not
 *        be past the bytes already stored (GET /api/v1/restores/{id} lists bytesReceived)
 *   POST /api/v1/restores/{id}/run {"genLow", "genHigh", "databases": {"main.edb": "/orig/path"}}
 *        (all optional) -> JetExternalRestore2 into DATA/instances/NAME/, which then starts as an
 *        instance (JetCreateInstance, JetInit, attach) and is served like any other.
 * Database files (*.edb) move into the new instance's directory before the restore; the logs
 * (<base>XXXXXXXX.log) are replayed from the staging directory. genLow/genHigh default to the
 * lowest and highest generation uploaded. A database's original path (the JET_RSTMAP source, "as
 * recorded in the logs") comes from "databases", else it is the base name alone, which the engine
 * matches against the base name of the recorded path.
 */
#ifndef HOTCOPY_SERVER_RESTORE_H
#define HOTCOPY_SERVER_RESTORE_H

#include "app.h"
#include "jet.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define HC_RESTORES_SUBDIR "restores"
#define HC_RESTORE_FILES_MAX 16

/* The functions below are shared by the REST handlers and the dashboard (ui_restore.c). */

/* DATA/restores/<id>: where restore id's files are staged (also by a restore from a target). */
void hc_restore_staging_dir(const struct hc_app *app, int64_t id, char *out, size_t cap);

/* A restore as the API shows it: {"id", "instance", "state", "createdAt", "endedAt", "genLow",
 * "genHigh", "files": [{"name", "sizeBytes", "bytesReceived"}], "result"}. Caller deletes. */
cJSON *hc_restore_json(struct hc_app *app, const struct cat_restore *r);

/* A staging area (catalog row + DATA/restores/<id>/) for a restore into the new instance `name`.
 * Returns 0 and *id; -EINVAL (not a valid instance name), -EEXIST (an instance of that name
 * runs), or -EIO with why (whycap bytes) saying what failed. */
int hc_restore_create(struct hc_app *app, const char *name, int64_t *id, char *why, size_t whycap);

/* Hard recovery of restore id from its staged files into DATA/instances/<name>, which then starts
 * as an instance. gen_low / gen_high 0: taken from the uploaded logs; map (may be NULL): a JSON
 * object of database base name -> original path. Returns 0 with *result = the engine's answer
 * (the catalog row is finished with it and events say what happened); -ENOENT (no such restore),
 * -EEXIST (the instance name is taken), -EALREADY (the restore is not staging any more). */
int hc_restore_run(struct hc_app *app, int64_t id, unsigned long gen_low, unsigned long gen_high,
                   const cJSON *map, JET_ERR *result);

#endif
