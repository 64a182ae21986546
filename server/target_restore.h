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

#include "http.h"

#define HC_TARGET_RESTORE_WORKERS 4
#define HC_TARGET_CHAIN_MAX 256 /* sets in one chain (a full and its incrementals) */

int hc_handle_restore_from_target(struct hc_request *req);

#endif
