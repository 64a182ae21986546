/*
 * problem.h — the one mapping from engine results to HTTP statuses, and the problem documents
 * (application/problem+json, RFC 9457) every handler answers errors with.
 *
 * The table is spec/rest-api.md's:
 *   JET_errSuccess and warnings (> 0)                                       -> 200 (201/206 by the caller)
 *   JET_errInvalidParameter, JET_errInvalidGrbit                            -> 400
 *   unknown backup, file, instance, key (JET_errRecordNotFound, JET_errObjectNotFound,
 *     JET_errDatabaseNotFound, JET_errFileNotFound, JET_errInvalidInstance,
 *     JET_errInvalidDatabaseId, JET_errColumnNotFound, JET_errIndexNotFound) -> 404
 *   JET_errNoBackup, JET_errBackupInProgress, JET_errInvalidBackupSequence, JET_errBackupNotAllowedYet,
 *     JET_errBackupAbortByServer, errBackupAbortByCaller, JET_errRestoreInProgress,
 *     JET_errRunningInMultiInstanceMode                                     -> 409
 *   JET_errNotInitialized, JET_errTermInProgress, JET_errClientRequestToStopJetService,
 *     JET_errInstanceUnavailable                                            -> 503
 *   JET_errReadVerifyFailure, JET_errDiskIO, anything else                  -> 500
 * Body too large (413) and unsatisfiable ranges (416) are the server's own.
 */
#ifndef HOTCOPY_SERVER_PROBLEM_H
#define HOTCOPY_SERVER_PROBLEM_H

#include "jet.h"

/* The HTTP status for an engine result (200 for success and warnings). */
unsigned hc_jet_http_status(JET_ERR err);

/* The standard reason phrase of an HTTP status ("Conflict"), "Error" if unknown. */
const char *hc_http_reason(unsigned status);

/* A problem document as a malloc()ed JSON string (caller frees; NULL when out of memory):
 * {"status", "title", "detail"} and, when with_code, {"code", "name"} from the engine (name from
 * JetXErrorName). title defaults to the reason phrase when NULL; detail may be NULL. */
char *hc_problem_json(unsigned status, const char *title, const char *detail, int with_code,
                      JET_ERR err);

#endif
