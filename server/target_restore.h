/*
 * target_restore.h — restore from an offsite target (disaster recovery):
 *   POST /api/v1/restores {"instance": NAME, "from": {"target": T, "manifestKey": K}}
 *
 * 1. Reads manifest K; for an incremental also chain.full and every incremental between them
 *    (following chain.previous back to the full), checking that they form one chain of one
 *    instance and one log set, and that the log generations they hold cover genLow of the full
 *    to genHigh of K without a gap.
 * 2. Creates the restore (catalog source "target") and downloads every object of the chain into
 *    its staging directory with HC_TARGET_RESTORE_WORKERS downloads in parallel (one S3 client per
 *    thread), computing SHA-256 and CRC32C of the bytes received; every object must match its
 *    manifest entry in size, SHA-256 and CRC32C. A log generation held by two sets of the chain is
 *    fetched once (both entries must agree).
 * 3. Hands the staged set to the same hard recovery as an uploaded set (hc_restore_run), with the
 *    databases' original paths from the manifest; the restored instance is then served.
 * The request answers when it is done: 201 {"id", "state", "restore", "result", "events", "sets"}
 * on success. A missing or corrupt object fails the restore with a problem document naming it
 * ("object"): 502 (the store lacks it, or its bytes differ from the manifest), 503 when the store
 * cannot be reached; an engine failure of the recovery itself answers as POST .../run does.
 */
#ifndef HOTCOPY_SERVER_TARGET_RESTORE_H
#define HOTCOPY_SERVER_TARGET_RESTORE_H

#include "app.h"
#include "http.h"
#include "jet.h"
#include "manifest.h"
#include "target.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#define HC_TARGET_RESTORE_WORKERS 4
#define HC_TARGET_CHAIN_MAX 256 /* sets in one chain (a full and its incrementals) */

int hc_handle_restore_from_target(struct hc_request *req);

/* ---- shared by the handler and the dashboard (ui_target.c) ---------------------------------- */

/* What went wrong in a restore from a target. */
struct hc_target_failure {
    unsigned status;                  /* the HTTP status it maps to (unless store) */
    const char *title;                /* NULL: "Offsite set unusable" (a constant) */
    char object[HC_MANIFEST_KEY_MAX]; /* the object concerned, "" if none */
    char detail[6144];
    bool store;                       /* err holds the store's answer (status from it) */
    struct s3_error err;
};

/* Inputs refused before anything is done. */
enum hc_target_restore_refusal {
    HC_TRESTORE_OK,         /* not refused: the outcome says what happened */
    HC_TRESTORE_BAD_NAME,   /* not a valid instance name */
    HC_TRESTORE_NO_TARGET,  /* no target of that name is configured */
    HC_TRESTORE_BAD_KEY,    /* not the key of a manifest.json */
    HC_TRESTORE_NAME_TAKEN, /* an instance of that name runs already */
};

struct hc_target_restore_outcome {
    int64_t restore_id; /* the restore made (catalog row, events); 0 when it failed before */
    bool ran;           /* hard recovery ran: result is the engine's answer */
    JET_ERR result;
    struct hc_target_failure fail; /* when !ran: why (the restore, if made, is marked failed) */
    size_t set_count;                      /* when ran: the chain restored, oldest first */
    char (*set_keys)[HC_MANIFEST_KEY_MAX]; /* malloc()ed */
    uint64_t bytes;                        /* downloaded and verified */
};

/* Steps 1 to 3 above for the new instance `instance` from the set manifest_key on target
 * `target`; answers when done. A refusal leaves *out empty; HC_TRESTORE_OK fills it (free it with
 * hc_target_restore_outcome_free). Any thread. */
enum hc_target_restore_refusal hc_target_restore(struct hc_app *app, const char *target,
                                                 const char *instance, const char *manifest_key,
                                                 struct hc_target_restore_outcome *out);
void hc_target_restore_outcome_free(struct hc_target_restore_outcome *out);

/* A failure as a problem document ("object" naming the object, "restoreId" when restore_id is
 * not 0); *status receives its HTTP status. Caller deletes. */
cJSON *hc_target_failure_problem(const struct hc_target *t, const struct hc_target_failure *f,
                                 int64_t restore_id, unsigned *status);

#endif
