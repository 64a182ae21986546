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
 * recorded in the logs") comes from "databases", else from an attached database of the same base
 * name in a running instance, else it is the base name alone.
 */
#ifndef HOTCOPY_SERVER_RESTORE_H
#define HOTCOPY_SERVER_RESTORE_H

#define HC_RESTORES_SUBDIR "restores"
#define HC_RESTORE_FILES_MAX 16

#endif
