/*
 * h_events.c — GET /api/v1/events (the catalog's event log) and GET /api/v1/events/stream (SSE).
 */
#include "events.h"
#include "handlers.h"

#include <stdlib.h>

int hc_handle_events_list(struct hc_request *req)
{
    char instance[CAT_NAME_MAX] = "";
    uint64_t backup, restore, after, limit;
    if (!hc_query_u64(req, "backup", 0, &backup) || !hc_query_u64(req, "restore", 0, &restore) ||
        !hc_query_u64(req, "after", 0, &after) || !hc_query_u64(req, "limit", 0, &limit))
        return hc_reply_problem(req, 400, "Invalid query", "backup, restore, after and limit are numbers");
    hc_query(req, "instance", instance, sizeof instance);
    struct cat_event_filter f = {.instance = instance, .backup_id = (int64_t)backup,
                                 .restore_id = (int64_t)restore, .after_id = (int64_t)after,
                                 .limit = (size_t)limit};
    struct cat_event *list = NULL;
    size_t n = 0;
    if (cat_event_list(req->app->cat, &f, &list, &n) != CAT_OK)
        return hc_reply_problem(req, 500, NULL, cat_errmsg(req->app->cat));
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(arr, hc_event_json(&list[i]));
    free(list);
    return hc_reply_json(req, 200, arr);
}

int hc_handle_events_stream(struct hc_request *req)
{
    uint64_t after = 0;
    const char *last = hc_header(req, "Last-Event-ID");
    if (last != NULL)
        after = strtoull(last, NULL, 10);
    else if (!hc_query_u64(req, "after", 0, &after))
        return hc_reply_problem(req, 400, "Invalid query", "after is a number");
    struct MHD_Response *resp =
        hc_events_stream_response(req->app->events, req->conn, (int64_t)after);
    if (resp == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    return hc_reply(req, 200, resp);
}
