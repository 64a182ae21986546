/*
 * download.h — GET and HEAD /api/v1/backups/{id}/files/{name}: a backup file's bytes through the
 * engine's verified offset reads (JetXReadFileAt), with HTTP ranges (range.h).
 *
 * The name is looked up in the running backup's own file list, never turned into a path. The
 * first HC_DOWNLOAD_FIRST_READ bytes are read before the answer is queued, so an engine refusal (409 after the log call
 * for a database, 409 after a stop, ...) is a proper problem document; later blocks stream from
 * MHD's content-reader callback in HC_DOWNLOAD_BLOCK pieces (memory per connection: one block).
 * A read that fails mid-stream (a page failing verification) ends the connection: the client
 * sees a short transfer, never bad bytes, and an event is logged.
 * Validators: ETag "\"<backup id>-<fnv64 of the name>-<size>\"" (strong, unique to backup and
 * file), Last-Modified = the backup's start. Delivered ranges go to the catalog
 * (cat_backup_file_add_served); a whole-file 200 answer also records the CRC32C of what was sent
 * (8 lower-case hex digits, the file list's "crc32c"; computed inline at several GB/s, where a
 * SHA-256 at ~1 GB/s capped the transfer).
 * Progress goes to the event stream as "event: progress" frames (events.h): while bytes flow, at
 * most one per HC_PROGRESS_INTERVAL_MS for each backup, whichever of its downloads claims the slot
 * (it then records its delivered bytes in the catalog and reports the file's bytesServed); and
 * one whenever a range or whole file ends with every byte of the file served, so the last
 * figure a client sees for a complete file is its size.
 */
#ifndef HOTCOPY_SERVER_DOWNLOAD_H
#define HOTCOPY_SERVER_DOWNLOAD_H

#include "http.h"

#define HC_DOWNLOAD_BLOCK (1024 * 1024)
/* The read made before the answer is queued, for the engine's verdict: small, so that it comes
 * from the heap instead of a fresh mapping (hotcopyd maps blocks of 256 KiB and more: a 1 MiB
 * block cost 256 page faults and an munmap per request, most of a 4 MiB log file's time). */
#define HC_DOWNLOAD_FIRST_READ (64 * 1024)
#define HC_PROGRESS_INTERVAL_MS 250 /* per backup: a few progress frames per second at most */

int hc_handle_backup_file_get(struct hc_request *req);

#endif
