/*
 * http.h — the HTTP layer over libmicrohttpd: the daemon (internal polling thread, a thread pool
 * over epoll, optional TLS through GnuTLS), the per-request state, and the reply helpers every
 * handler uses. Handlers never call MHD_queue_response themselves.
 *
 * Request life: MHD calls the access handler once when the headers are in (we route and
 * authenticate then, but queue nothing: libmicrohttpd 0.9.75 drops keep-alive when a response is
 * queued on that first call), then once per body chunk (kept in memory up to --max-body, or given
 * to the route's sink), then once more with no data: the handler runs then and queues its answer.
 * When the answer is done MHD reports completion: one log line (method, path, status, bytes,
 * duration; never a header value), the metrics, and the request is freed.
 */
#ifndef HOTCOPY_SERVER_HTTP_H
#define HOTCOPY_SERVER_HTTP_H

#include "app.h"
#include "jet.h"
#include "router.h"

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct hc_session;

struct hc_request {
    struct hc_app *app;
    struct MHD_Connection *conn;
    const char *method;              /* MHD's string, valid for the request */
    char *path;                      /* raw path, owned */
    struct hc_route_match match;
    enum hc_route_status route_status;
    char allow[64];                  /* methods of the path, for 405 */
    bool authenticated;
    bool via_cookie;                 /* authenticated by the session cookie (CSRF applies) */
    unsigned early_status;           /* an answer decided before the body (401, 413, ...) */
    char early_title[64];
    char early_detail[256];
    /* body kept in memory (not for STREAM_BODY routes) */
    char *body;
    size_t body_len, body_cap;
    uint64_t body_seen;              /* body bytes received, kept or not */
    /* body sink state (STREAM_BODY routes) */
    void *sink_state;
    void (*sink_free)(void *state);
    unsigned sink_status;            /* 0 while the sink is happy */
    char sink_detail[256];
    /* accounting */
    int64_t start_us;
    unsigned status;                 /* the status queued */
    atomic_uint_fast64_t bytes_out;  /* body bytes handed to MHD */
    bool queued;
};

/* ---- daemon -------------------------------------------------------------------------------------- */

/* Starts the daemon on cfg's address; *bound_port receives the port actually bound.
 * Returns NULL after printing why on stderr. */
struct hc_http *hc_http_start(struct hc_app *app, unsigned *bound_port);
/* Stops accepting new connections (existing ones go on). */
void hc_http_quiesce(struct hc_http *http);
/* Closes every connection and joins the threads. */
void hc_http_stop(struct hc_http *http);

/* ---- request accessors --------------------------------------------------------------------------- */

/* A request header (case-insensitive name) or NULL. */
const char *hc_header(const struct hc_request *req, const char *name);
/* A query argument, percent-decoded into buf (cap bytes); false when absent or malformed. */
bool hc_query(const struct hc_request *req, const char *name, char *buf, size_t cap);
/* A query argument as an unsigned number: *out = dflt when absent; false when malformed. */
bool hc_query_u64(const struct hc_request *req, const char *name, uint64_t dflt, uint64_t *out);
/* A decoded path parameter by its pattern name ("id", "name", ...); never NULL for a matched one. */
const char *hc_param(const struct hc_request *req, const char *name);
/* The {id} parameter. */
int64_t hc_param_id(const struct hc_request *req);
/* Parses the body as a JSON object: an empty body gives an empty object. NULL when malformed (the
 * caller answers 400). Caller deletes the result. */
cJSON *hc_body_json(const struct hc_request *req);
/* True for HTTPS daemons (cookies get Secure). */
bool hc_request_is_tls(const struct hc_request *req);

/* ---- replies (each queues exactly one answer; returns the MHD result) ---------------------------- */

/* Queues resp with status (adds the common headers: Cache-Control no-store unless resp has a
 * Cache-Control already, X-Content-Type-Options nosniff) and releases resp. */
int hc_reply(struct hc_request *req, unsigned status, struct MHD_Response *resp);
/* A JSON document (takes ownership of doc; NULL -> 500). */
int hc_reply_json(struct hc_request *req, unsigned status, cJSON *doc);
/* Bytes copied into the answer, with a content type. */
int hc_reply_bytes(struct hc_request *req, unsigned status, const char *content_type,
                   const void *data, size_t len);
/* An empty answer (204, 303 ...). */
int hc_reply_empty(struct hc_request *req, unsigned status);
/* A problem document without an engine code. */
int hc_reply_problem(struct hc_request *req, unsigned status, const char *title,
                     const char *detail);
/* A problem document for an engine result: status from the one mapping (problem.h), code and name
 * from the engine; detail is printf-formatted (may be NULL: the engine's message is used). */
int hc_reply_jet(struct hc_request *req, JET_ERR err, const char *detail_fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A problem document with an explicit status that also carries an engine code (e.g. 404 for a
 * backup the catalog does not know, with no engine code: use hc_reply_problem instead). */
int hc_reply_problem_code(struct hc_request *req, unsigned status, JET_ERR err, const char *detail);

/* Microseconds since the epoch (CLOCK_REALTIME). */
int64_t hc_now_us(void);

#endif
