/*
 * upload_file.h — one backup file to one object, as an S3 multipart upload with several parts in
 * flight (internal to server/upload*.c).
 *
 * Parts are HC_UPLOAD_PART_SIZE bytes (more for a file that would need over 10000 parts), the last
 * one shorter. One worker thread per client in `clients` (one client per thread, as s3.h wants):
 * each takes the next part number, reads its bytes (the engine's verified JetXReadFileAt, or a
 * closed log generation on disk when resuming after a restart), uploads the part (taking each
 * 256 KiB from the backup's throttle as it is sent; UNSIGNED-PAYLOAD: the manifest's digests check
 * what was sent end to end), then feeds the same buffer to the file's SHA-256 and CRC32C in part
 * order (a worker waits for its turn: the digests are of the bytes sent, in file order) and
 * records the part in the catalog (upload_parts). Memory: one part buffer per worker, whatever
 * the file size.
 *
 * Resume: when the catalog row already holds a multipart id, the store's parts (ListParts) whose
 * size matches and whose ETag is the MD5 of the bytes read now are kept, not sent again; any other
 * part is sent again. A multipart upload the store no longer knows (404) starts over.
 */
#ifndef HOTCOPY_SERVER_UPLOAD_FILE_H
#define HOTCOPY_SERVER_UPLOAD_FILE_H

#include "app.h"
#include "jet.h"
#include "manifest.h"
#include "target.h"
#include "throttle.h"

#include <stdatomic.h>
#include <stdbool.h>

#define HC_UPLOAD_PART_SIZE (8u * 1024 * 1024)
#define HC_UPLOAD_WORKERS 4
#define HC_UPLOAD_PROGRESS_EVENT (64ull * 1024 * 1024) /* a progress event every 64 MiB */

struct hc_upload_file_req {
    struct hc_app *app;
    const struct hc_target *target;
    struct s3_client **clients; /* one per worker */
    size_t client_count;
    struct hc_throttle *throttle; /* may be NULL */
    atomic_bool *cancel;          /* set: stop between parts */
    int64_t backup_id;
    const char *instance;
    const char *name; /* base name */
    const char *key;  /* object key */
    uint64_t size;
    JET_INSTANCE jet;         /* engine source: jet and engine_name ... */
    const char *engine_name;
    const char *local_path;   /* ... or a file on disk (NULL: engine) */
    atomic_uint_fast64_t *progress; /* bytes acknowledged by the store (added to) */
};

struct hc_upload_file_result {
    char sha256[HC_SHA256_HEX];
    uint32_t crc32c;
    int parts_total;
    int parts_reused;      /* found on the store and kept (resume) */
    bool store_error;      /* err holds the store's answer */
    struct s3_error err;
    JET_ERR jet_err;       /* the engine refused a read (0 if not) */
    bool cancelled;
    char why[512];         /* one line for the event log when it failed */
};

/* Uploads the file; 0, or -1 with res saying why. The catalog row (uploads) is created or reused
 * and finished COMPLETE; on failure it stays UPLOADING (the caller decides to fail it). */
int hc_upload_file(const struct hc_upload_file_req *req, struct hc_upload_file_result *res);

#endif
