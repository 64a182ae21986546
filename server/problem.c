/*
 * problem.c — JET_ERR -> HTTP status and problem documents (see problem.h).
 */
#include "problem.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

unsigned hc_jet_http_status(JET_ERR err)
{
    if (err >= 0) return 200;
    switch (err) {
    case JET_errInvalidParameter:
    case JET_errInvalidGrbit:
        return 400;
    case JET_errRecordNotFound:
    case JET_errObjectNotFound:
    case JET_errDatabaseNotFound:
    case JET_errFileNotFound:
    case JET_errInvalidInstance:
    case JET_errInvalidDatabaseId:
    case JET_errColumnNotFound:
    case JET_errIndexNotFound:
        return 404;
    case JET_errNoBackup:
    case JET_errBackupInProgress:
    case JET_errInvalidBackupSequence:
    case JET_errBackupNotAllowedYet:
    case JET_errBackupAbortByServer:
    case errBackupAbortByCaller:
    case JET_errRestoreInProgress:
    case JET_errRunningInMultiInstanceMode:
        return 409;
    case JET_errNotInitialized:
    case JET_errTermInProgress:
    case JET_errClientRequestToStopJetService:
    case JET_errInstanceUnavailable:
        return 503;
    default:
        return 500; /* JET_errReadVerifyFailure, JET_errDiskIO and every other error */
    }
}

const char *hc_http_reason(unsigned status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 303: return "See Other";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

char *hc_problem_json(unsigned status, const char *title, const char *detail, int with_code,
                      JET_ERR err)
{
    cJSON *doc = cJSON_CreateObject();
    char *text = NULL;
    if (doc == NULL) return NULL;
    if (!cJSON_AddNumberToObject(doc, "status", status) ||
        !cJSON_AddStringToObject(doc, "title", title ? title : hc_http_reason(status)) ||
        (detail && !cJSON_AddStringToObject(doc, "detail", detail)))
        goto cleanup;
    if (with_code && (!cJSON_AddNumberToObject(doc, "code", (double)err) ||
                      !cJSON_AddStringToObject(doc, "name", JetXErrorName(err))))
        goto cleanup;
    text = cJSON_PrintUnformatted(doc);
cleanup:
    cJSON_Delete(doc);
    return text;
}
