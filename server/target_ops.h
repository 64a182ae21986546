/*
 * target_ops.h — what can be done with a configured target besides backing up to it and
 * restoring from it: a reachability probe, the connection check (a round trip) and the listing
 * of the sets it holds. Shared by the REST handlers (h_targets.c) and the dashboard
 * (ui_target.c), so that both show the same answer; no HTTP here.
 *
 * Threads: any thread; each call makes (and frees) its own S3 client.
 */
#ifndef HOTCOPY_SERVER_TARGET_OPS_H
#define HOTCOPY_SERVER_TARGET_OPS_H

#include "target.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#define HC_TARGET_CHECK_OBJECT_BYTES 1024
#define HC_TARGET_CHECK_STEPS 4 /* bucket, put, get, delete */
#define HC_TARGET_SETS_MAX 1000 /* sets listed at most */

/* A HEAD of the target's bucket, without retries. True when the store answered at all (any
 * HTTP status: the bucket may be missing or refused, but the store is reachable); *http_status
 * (may be NULL) receives the answer's status, 0 when there was none. */
bool hc_target_probe(const struct hc_target *t, long *http_status);

/* The round trip of POST /api/v1/targets/{name}/check, step by step. */
struct hc_target_check_step {
    const char *step; /* "bucket", "put", "get", "delete" */
    bool ok;
    int64_t ms;
};

struct hc_target_check {
    bool ok;             /* every step succeeded */
    bool bucket_created; /* the bucket was missing and has been created */
    size_t step_count;
    struct hc_target_check_step steps[HC_TARGET_CHECK_STEPS];
    const char *failed;  /* what was being done when it failed ("putting a test object", ...),
                            NULL when ok */
    bool no_client;      /* no client could be made (err says why): nothing was sent */
    bool mismatch;       /* the object read back differs from the one written */
    struct s3_error err; /* the store's answer when it failed otherwise */
};

/* Makes sure the bucket exists (created when missing and the credentials allow it), then puts a
 * random HC_TARGET_CHECK_OBJECT_BYTES object under PREFIX/.hotcopy-check/, gets it back,
 * compares it, and deletes it (also after a mismatch). Fills *out. */
void hc_target_check(const struct hc_target *t, struct hc_target_check *out);

/* The check as the API answers it: 200 {"name", "ok": true, "bucketCreated", "steps": [{"step",
 * "ok", "ms"}]}, or a problem document (hc_target_problem, plus "steps") with its status: 502 for
 * a store refusal or a mismatch, 503 for a store that did not answer, 500 without a client.
 * *status receives the HTTP status. Caller deletes; NULL when out of memory. */
cJSON *hc_target_check_json(const struct hc_target *t, const struct hc_target_check *c,
                            unsigned *status);

/* The sets on the target, read from their manifests, newest first (start time, then backup id):
 * a JSON array of {"manifestKey", "instance", "backupId", "type", "recordedAs", "startedAt",
 * "completedAt", "genLow", "genHigh", "logSetSignature", "chain": {"full", "previous"}, "files":
 * [{"name", "kind", "sizeBytes"}], "sizeBytes"}, or {"manifestKey", "error"} for a manifest that
 * cannot be read or decoded. instance: "" for every instance. Returns 0 with *out (caller
 * deletes); or the HTTP status of the failure with *doing saying what failed and err the store's
 * answer: 500 (no client, or out of memory: *doing NULL), else hc_target_http_status(err). */
unsigned hc_target_list_sets(const struct hc_target *t, const char *instance, cJSON **out,
                             struct s3_error *err, const char **doing);

#endif
