/*
 * http.c — the libmicrohttpd daemon, the access handler (route, authenticate, collect the body,
 * dispatch on the final call), reply helpers and the per-request log line. See http.h.
 */
#include "http.h"

#include "auth.h"
#include "bodies.h"
#include "metrics.h"
#include "problem.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HTTP_MEMORY_LIMIT (64 * 1024) /* per connection: request line + headers must fit */
/* A refused body (401, 413, ...) up to this size is read and dropped, so that the answer reaches
 * clients that send the whole body before reading; a larger one is answered at once and MHD
 * closes the connection. */
#define HTTP_DISCARD_MAX (16ull * 1024 * 1024)
#define PROBLEM_TYPE "application/problem+json"
#define JSON_TYPE "application/json"

struct hc_http {
    struct MHD_Daemon *daemon;
    struct hc_app *app;
    char *tls_cert; /* PEM text, kept alive for the daemon */
    char *tls_key;
    bool tls;
    MHD_socket quiesced; /* the listen socket MHD_quiesce_daemon handed back, closed at stop */
};

int64_t hc_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- accessors ---------------------------------------------------------------------------------- */

const char *hc_header(const struct hc_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

bool hc_query(const struct hc_request *req, const char *name, char *buf, size_t cap)
{
    /* the unescape callback is a no-op, so MHD hands us the raw value */
    const char *raw = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
    if (raw == NULL) return false;
    return hc_percent_decode(raw, strlen(raw), buf, cap, true) >= 0;
}

bool hc_query_u64(const struct hc_request *req, const char *name, uint64_t dflt, uint64_t *out)
{
    char buf[32];
    const char *raw = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
    if (raw == NULL || raw[0] == '\0') {
        *out = dflt;
        return true;
    }
    if (!hc_query(req, name, buf, sizeof buf)) return false;
    char *end;
    if (buf[0] < '0' || buf[0] > '9') return false;
    unsigned long long v = strtoull(buf, &end, 10);
    if (*end != '\0') return false;
    *out = v;
    return true;
}

const char *hc_param(const struct hc_request *req, const char *name)
{
    const char *v = hc_route_param(&req->match, name);
    return v ? v : "";
}

int64_t hc_param_id(const struct hc_request *req)
{
    return strtoll(hc_param(req, "id"), NULL, 10);
}

cJSON *hc_body_json(const struct hc_request *req) { return hc_json_object_parse(req->body, req->body_len); }

bool hc_request_is_tls(const struct hc_request *req)
{
    return req->app->http != NULL && req->app->http->tls;
}

/* ---- replies ------------------------------------------------------------------------------------ */

int hc_reply(struct hc_request *req, unsigned status, struct MHD_Response *resp)
{
    if (resp == NULL) return MHD_NO;
    /* answers are not cached unless the handler said otherwise (the dashboard's static assets) */
    if (MHD_get_response_header(resp, "Cache-Control") == NULL)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    req->status = status;
    req->queued = true;
    enum MHD_Result r = MHD_queue_response(req->conn, status, resp);
    MHD_destroy_response(resp);
    return r;
}

int hc_reply_bytes(struct hc_request *req, unsigned status, const char *content_type,
                   const void *data, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL) return MHD_NO;
    if (content_type) MHD_add_response_header(resp, "Content-Type", content_type);
    atomic_store(&req->bytes_out, len);
    return hc_reply(req, status, resp);
}

static int reply_owned_text(struct hc_request *req, unsigned status, const char *type, char *text)
{
    if (text == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    size_t len = strlen(text);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    atomic_store(&req->bytes_out, len);
    return hc_reply(req, status, resp);
}

int hc_reply_json(struct hc_request *req, unsigned status, cJSON *doc)
{
    if (doc == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    /* error answers built as JSON carry status/title/detail: they are problem documents */
    return reply_owned_text(req, status, status >= 400 ? PROBLEM_TYPE : JSON_TYPE, text);
}

int hc_reply_empty(struct hc_request *req, unsigned status)
{
    return hc_reply_bytes(req, status, NULL, "", 0);
}

static int reply_problem_doc(struct hc_request *req, unsigned status, const char *title,
                             const char *detail, int with_code, JET_ERR err)
{
    char *text = hc_problem_json(status, title, detail, with_code, err);
    if (text == NULL) return hc_reply_bytes(req, 500, "text/plain", "out of memory\n", 14);
    size_t len = strlen(text);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", PROBLEM_TYPE);
    if (status == 401) MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"hotcopy\"");
    if (status == 405 && req->allow[0]) MHD_add_response_header(resp, "Allow", req->allow);
    atomic_store(&req->bytes_out, len);
    return hc_reply(req, status, resp);
}

int hc_reply_problem(struct hc_request *req, unsigned status, const char *title,
                     const char *detail)
{
    return reply_problem_doc(req, status, title, detail, 0, 0);
}

int hc_reply_problem_code(struct hc_request *req, unsigned status, JET_ERR err, const char *detail)
{
    return reply_problem_doc(req, status, JetXErrorName(err), detail ? detail : JetXErrorMessage(err),
                             1, err);
}

int hc_reply_jet(struct hc_request *req, JET_ERR err, const char *detail_fmt, ...)
{
    char detail[512];
    if (detail_fmt != NULL) {
        va_list ap;
        va_start(ap, detail_fmt);
        vsnprintf(detail, sizeof detail, detail_fmt, ap);
        va_end(ap);
    } else {
        snprintf(detail, sizeof detail, "%s", JetXErrorMessage(err));
    }
    return hc_reply_problem_code(req, hc_jet_http_status(err), err, detail);
}

/* ---- the access handler ------------------------------------------------------------------------- */

static void set_early(struct hc_request *req, unsigned status, const char *title, const char *detail)
{
    if (req->early_status != 0) return; /* the first reason wins */
    req->early_status = status;
    snprintf(req->early_title, sizeof req->early_title, "%s", title ? title : hc_http_reason(status));
    snprintf(req->early_detail, sizeof req->early_detail, "%s", detail ? detail : "");
}

/* Is this request allowed in? Decides 401 / 403 before any body is read. */
static void authenticate(struct hc_request *req)
{
    const struct hc_route *route = req->match.route;
    bool needs_auth = route == NULL ? strncmp(req->path, "/api/", 5) == 0
                                    : !(route->flags & HC_ROUTE_PUBLIC);
    if (route != NULL && (route->flags & HC_ROUTE_METRICS) && req->app->cfg->metrics_public)
        needs_auth = false;
    if (!needs_auth) return;
    if (hc_auth_bearer_ok(req->app->auth, hc_header(req, MHD_HTTP_HEADER_AUTHORIZATION))) {
        req->authenticated = true;
        return;
    }
    const char *cookie = hc_header(req, MHD_HTTP_HEADER_COOKIE);
    char csrf[HC_SESSION_ID_LEN + 1];
    if (cookie != NULL && hc_auth_session_check(req->app->auth, cookie, time(NULL), csrf)) {
        req->authenticated = true;
        req->via_cookie = true;
        /* the form-field form of the CSRF token is checked once the body is in */
        if (!hc_csrf_ok(req->method, csrf, hc_header(req, HC_CSRF_HEADER), NULL)) {
            const char *type = hc_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
            bool form = type && strncmp(type, "application/x-www-form-urlencoded", 33) == 0;
            if (!form)
                set_early(req, 403, "CSRF check failed",
                          "unsafe methods with the session cookie need the X-CSRF-Token header");
        }
        return;
    }
    set_early(req, 401, NULL, "a valid bearer token or session cookie is required");
}

/* The CSRF token as a form field, for cookie requests that did not send the header. */
static void check_form_csrf(struct hc_request *req)
{
    if (!req->via_cookie || req->early_status != 0 || hc_method_is_safe(req->method)) return;
    char csrf[HC_SESSION_ID_LEN + 1], field[HC_SESSION_ID_LEN + 2];
    const char *cookie = hc_header(req, MHD_HTTP_HEADER_COOKIE);
    if (!hc_auth_session_check(req->app->auth, cookie, time(NULL), csrf)) {
        set_early(req, 401, NULL, "the session has ended");
        return;
    }
    const char *header = hc_header(req, HC_CSRF_HEADER);
    bool have_field = hc_form_value(req->body, req->body_len, HC_CSRF_FIELD, field, sizeof field);
    if (!hc_csrf_ok(req->method, csrf, header, have_field ? field : NULL))
        set_early(req, 403, "CSRF check failed", "the CSRF token is missing or wrong");
}

static struct hc_request *request_begin(struct hc_app *app, struct MHD_Connection *conn,
                                        const char *url, const char *method)
{
    struct hc_request *req = calloc(1, sizeof *req);
    if (req == NULL) return NULL;
    req->app = app;
    req->conn = conn;
    req->method = method;
    req->start_us = hc_now_us();
    req->path = strdup(url);
    if (req->path == NULL) {
        free(req);
        return NULL;
    }
    req->route_status = hc_router_match(app->routes, app->route_count, method, url, &req->match,
                                        req->allow, sizeof req->allow);
    if (strcmp(method, "HEAD") == 0 && req->route_status == HC_ROUTE_METHOD_NOT_ALLOWED &&
        strstr(req->allow, "GET") != NULL) {
        /* HEAD of a GET route: MHD sends the GET answer's headers without its body */
        req->route_status = hc_router_match(app->routes, app->route_count, "GET", url, &req->match,
                                            req->allow, sizeof req->allow);
    }
    authenticate(req);
    if (req->route_status == HC_ROUTE_FOUND) {
        const char *len = hc_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
        bool streams = req->match.route->flags & HC_ROUTE_STREAM_BODY;
        if (!streams && len != NULL && strtoull(len, NULL, 10) > app->cfg->max_body)
            set_early(req, 413, NULL, "the request body is larger than --max-body");
    }
    return req;
}

/* A body chunk: stream it to the route's sink, or keep it (up to --max-body). */
static void request_body_chunk(struct hc_request *req, const char *data, size_t len)
{
    if (req->early_status != 0 || req->route_status != HC_ROUTE_FOUND) return;
    const struct hc_route *route = req->match.route;
    if (route->flags & HC_ROUTE_STREAM_BODY) {
        if (req->sink_status == 0 && route->sink != NULL) route->sink(req, data, len);
        return;
    }
    if (req->body_len + len > req->app->cfg->max_body) {
        set_early(req, 413, NULL, "the request body is larger than --max-body");
        return;
    }
    if (req->body_len + len + 1 > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap : 4096;
        while (cap < req->body_len + len + 1) cap *= 2;
        char *grown = realloc(req->body, cap);
        if (grown == NULL) {
            set_early(req, 500, NULL, "out of memory");
            return;
        }
        req->body = grown;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, len);
    req->body_len += len;
    req->body[req->body_len] = '\0';
}

static int reply_early(struct hc_request *req)
{
    return reply_problem_doc(req, req->early_status, req->early_title,
                             req->early_detail[0] ? req->early_detail : NULL, 0, 0);
}

static int request_dispatch(struct hc_request *req)
{
    check_form_csrf(req);
    if (req->early_status == 401 || req->early_status == 403) return reply_early(req);
    switch (req->route_status) {
    case HC_ROUTE_NOT_FOUND: return hc_reply_problem(req, 404, NULL, "no such resource");
    case HC_ROUTE_METHOD_NOT_ALLOWED:
        return hc_reply_problem(req, 405, NULL, "the resource does not take that method");
    case HC_ROUTE_BAD_PARAMETER:
        return hc_reply_problem(req, 400, "Invalid name",
                                "a name in the path is empty, too long, or holds '/', '..', NUL "
                                "or control characters");
    case HC_ROUTE_FOUND: break;
    }
    if (req->early_status != 0) return reply_early(req);
    return req->match.route->handler(req);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct hc_app *app = cls;
    struct hc_request *req = *con_cls;
    if (req == NULL) { /* headers are in: decide, but queue nothing yet (keep-alive, see http.h) */
        req = request_begin(app, conn, url, method);
        if (req == NULL) return MHD_NO;
        *con_cls = req;
        /* a refused request whose body is declared larger than we would drain: answer now (MHD
         * then closes) rather than wait for bytes to throw away (or forever, for a client that
         * waits for the answer before sending them) */
        const char *len = hc_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (req->early_status != 0 && len != NULL && strtoull(len, NULL, 10) > HTTP_DISCARD_MAX)
            return reply_early(req);
        return MHD_YES;
    }
    if (req->queued) { /* answered early; drop the rest of the body */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        request_body_chunk(req, upload_data, *upload_data_size);
        req->body_seen += *upload_data_size;
        *upload_data_size = 0;
        /* a refused body: drop it while it is small, else answer now (MHD then closes) */
        if (req->early_status != 0 && req->body_seen > HTTP_DISCARD_MAX) return reply_early(req);
        return MHD_YES;
    }
    return request_dispatch(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct hc_app *app = cls;
    struct hc_request *req = *con_cls;
    if (req == NULL) return;
    *con_cls = NULL;
    int64_t dur = hc_now_us() - req->start_us;
    uint64_t bytes = atomic_load(&req->bytes_out);
    const char *pattern = req->match.route ? req->match.route->pattern : "(unmatched)";
    /* one line per request: method, path, status, bytes, duration (no query, no header values) */
    fprintf(stderr, "%s %s %u %llu %lld.%03lldms%s\n", req->method, req->path, req->status,
            (unsigned long long)bytes, (long long)(dur / 1000), (long long)(dur % 1000),
            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    hc_metrics_request(app->metrics, req->route_status == HC_ROUTE_FOUND ? req->match.index + 1 : 0,
                       pattern, req->status);
    if (req->sink_free) req->sink_free(req->sink_state);
    free(req->body);
    free(req->path);
    free(req);
}

/* MHD would otherwise percent-decode the path before we split it into segments. */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
    return strlen(s);
}

/* ---- daemon ------------------------------------------------------------------------------------- */

static char *read_file_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *grown = realloc(text, cap);
            if (grown == NULL) break;
            text = grown;
        }
        size_t n = fread(text + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) break;
    }
    fclose(f);
    if (text) text[len] = '\0';
    return text;
}

static bool resolve_listen(const struct hc_config *cfg, struct sockaddr_storage *ss, bool *v6)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    const char *host = cfg->listen_host;
    if (strcmp(host, "localhost") == 0) host = "127.0.0.1";
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)cfg->listen_port);
        *v6 = false;
        return true;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)cfg->listen_port);
        *v6 = true;
        return true;
    }
    return false;
}

struct hc_http *hc_http_start(struct hc_app *app, unsigned *bound_port)
{
    const struct hc_config *cfg = app->cfg;
    struct hc_http *http = calloc(1, sizeof *http);
    if (http == NULL) return NULL;
    http->app = app;
    http->quiesced = MHD_INVALID_SOCKET;
    struct sockaddr_storage ss;
    bool v6 = false;
    if (!resolve_listen(cfg, &ss, &v6)) {
        fprintf(stderr, "hotcopyd: --listen host must be an IP address, got %s\n", cfg->listen_host);
        goto fail;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    if (cfg->tls_cert) {
        http->tls_cert = read_file_text(cfg->tls_cert);
        http->tls_key = read_file_text(cfg->tls_key);
        if (http->tls_cert == NULL || http->tls_key == NULL) {
            fprintf(stderr, "hotcopyd: cannot read --tls-cert %s or --tls-key %s\n", cfg->tls_cert,
                    cfg->tls_key);
            goto fail;
        }
        flags |= MHD_USE_TLS;
        http->tls = true;
    }
    struct MHD_OptionItem tls_opts[] = {
        {http->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, http->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, http->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    http->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->listen_port, NULL, NULL, on_request, app, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->idle_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, app, MHD_OPTION_UNESCAPE_CALLBACK,
        keep_escaped, NULL, MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
    if (http->daemon == NULL) {
        fprintf(stderr, "hotcopyd: cannot listen on %s:%u\n", cfg->listen_host, cfg->listen_port);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *bound_port = info ? info->port : cfg->listen_port;
    return http;
fail:
    free(http->tls_cert);
    free(http->tls_key);
    free(http);
    return NULL;
}

void hc_http_quiesce(struct hc_http *http)
{
    if (http && http->daemon && http->quiesced == MHD_INVALID_SOCKET)
        http->quiesced = MHD_quiesce_daemon(http->daemon);
}

void hc_http_stop(struct hc_http *http)
{
    if (http == NULL) return;
    if (http->daemon) MHD_stop_daemon(http->daemon);
    if (http->quiesced != MHD_INVALID_SOCKET) close(http->quiesced);
    free(http->tls_cert);
    if (http->tls_key) memset(http->tls_key, 0, strlen(http->tls_key));
    free(http->tls_key);
    free(http);
}
