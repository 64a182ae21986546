/*
 * router.h — the route table as data and the matcher (pure: no MHD, no allocation).
 *
 * A route is (method, pattern, handler, flags). Patterns are literal segments and parameters:
 * "{id}" (a decimal id > 0), "{key}" (a record key: any bytes but NUL, up to HC_KEY_MAX) and any
 * other "{...}" (a plain name, see names.h). The matcher splits the raw path on '/', then
 * percent-decodes each segment, so "%2F" inside a key is a key byte and never a separator.
 */
#ifndef HOTCOPY_SERVER_ROUTER_H
#define HOTCOPY_SERVER_ROUTER_H

#include "names.h"

#include <stdbool.h>
#include <stddef.h>

#define HC_ROUTE_PARAMS_MAX 4
#define HC_PARAM_MAX 255 /* longest decoded parameter in bytes */

struct hc_request;
/* A handler: parse -> call -> render. Returns the MHD result of queueing its answer. */
typedef int (*hc_handler_fn)(struct hc_request *req);
/* A body sink for HC_ROUTE_STREAM_BODY routes: called for each body chunk before the handler;
 * a non-zero return stops the upload (the handler then reports why). */
typedef int (*hc_sink_fn)(struct hc_request *req, const char *data, size_t len);

enum hc_route_flag {
    HC_ROUTE_PUBLIC = 1u << 0,      /* no authentication (healthz, login, static assets) */
    HC_ROUTE_METRICS = 1u << 1,     /* authenticated unless --metrics-public */
    HC_ROUTE_STREAM_BODY = 1u << 2, /* the body streams to the handler's sink (not kept in memory) */
    HC_ROUTE_RAW_BODY = 1u << 3,    /* the body is data, not JSON (record values) */
};

struct hc_route {
    const char *method;  /* "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" */
    const char *pattern; /* "/api/v1/backups/{id}/files/{name}" */
    hc_handler_fn handler;
    unsigned flags;      /* enum hc_route_flag */
    hc_sink_fn sink;     /* HC_ROUTE_STREAM_BODY only */
};

struct hc_route_match {
    const struct hc_route *route;
    size_t index;                    /* position of route in the table */
    size_t param_count;
    char params[HC_ROUTE_PARAMS_MAX][HC_PARAM_MAX + 1]; /* decoded, in pattern order */
    size_t param_len[HC_ROUTE_PARAMS_MAX];
};

enum hc_route_status {
    HC_ROUTE_FOUND,
    HC_ROUTE_NOT_FOUND,          /* 404 */
    HC_ROUTE_METHOD_NOT_ALLOWED, /* 405; allow lists the methods of the path */
    HC_ROUTE_BAD_PARAMETER,      /* 400: a parameter is not a valid name, key or id */
};

/* Matches method and raw path (no query) against table[0..count). On HC_ROUTE_METHOD_NOT_ALLOWED
 * allow (allowcap bytes) receives "GET, HEAD" style text. */
enum hc_route_status hc_router_match(const struct hc_route *table, size_t count, const char *method,
                                     const char *path, struct hc_route_match *match, char *allow,
                                     size_t allowcap);

/* The parameter named in the pattern (without braces), or NULL. */
const char *hc_route_param(const struct hc_route_match *match, const char *name);

#endif
