/*
 * s3.c — the S3 client's lifecycle and its single-request operations: process setup, defaults,
 * the DNS/TLS share, client creation (endpoint and limits checked, strings copied), bucket create
 * and head, object put, get, head and delete, and error naming. Listing is in s3_list.c, multipart
 * upload in s3_multipart.c, the HTTP exchange itself in s3_http.c.
 */
#include "s3.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "s3_http.h"
#include "s3_xml.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_LOW_SPEED_BYTES 1024
#define DEFAULT_LOW_SPEED_SECONDS 30
#define DEFAULT_MAX_RETRIES 4
#define DEFAULT_RETRY_BASE_MS 200
#define DEFAULT_RETRY_MAX_MS 10000
#define LIMIT_TIMEOUT_MS (24L * 3600 * 1000)

/* ---- process setup ------------------------------------------------------------------------ */

int s3_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? S3_OK : S3_ERR_NOMEM;
}

void s3_global_cleanup(void)
{
    curl_global_cleanup();
}

void s3_config_init(struct s3_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->region = S3_DEFAULT_REGION;
    cfg->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    cfg->low_speed_bytes = DEFAULT_LOW_SPEED_BYTES;
    cfg->low_speed_seconds = DEFAULT_LOW_SPEED_SECONDS;
    cfg->max_retries = DEFAULT_MAX_RETRIES;
    cfg->retry_base_ms = DEFAULT_RETRY_BASE_MS;
    cfg->retry_max_ms = DEFAULT_RETRY_MAX_MS;
}

/* ---- share -------------------------------------------------------------------------------- */

/* Connections are not shared: each client keeps its own kept-alive connection, which is what
 * several parts in flight need, and libcurl 7.88's shared connection cache is the least proven
 * part of the share interface. */
struct s3_share {
    CURLSH *handle;
    pthread_mutex_t dns_lock;         /* guards libcurl's shared DNS cache */
    pthread_mutex_t ssl_session_lock; /* guards libcurl's shared TLS session cache */
};

static pthread_mutex_t *share_mutex(struct s3_share *share, curl_lock_data data)
{
    return data == CURL_LOCK_DATA_SSL_SESSION ? &share->ssl_session_lock : &share->dns_lock;
}

static void share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *user)
{
    (void)handle;
    (void)access;
    pthread_mutex_lock(share_mutex(user, data));
}

static void share_unlock(CURL *handle, curl_lock_data data, void *user)
{
    (void)handle;
    pthread_mutex_unlock(share_mutex(user, data));
}

int s3_share_new(struct s3_share **out)
{
    struct s3_share *share = calloc(1, sizeof(*share));

    *out = NULL;
    if (share == NULL) return S3_ERR_NOMEM;
    share->handle = curl_share_init();
    if (share->handle == NULL) {
        free(share);
        return S3_ERR_NOMEM;
    }
    pthread_mutex_init(&share->dns_lock, NULL);
    pthread_mutex_init(&share->ssl_session_lock, NULL);
    if (curl_share_setopt(share->handle, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
        curl_share_setopt(share->handle, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
        curl_share_setopt(share->handle, CURLSHOPT_USERDATA, share) != CURLSHE_OK ||
        curl_share_setopt(share->handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
        curl_share_setopt(share->handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) !=
            CURLSHE_OK) {
        s3_share_free(share);
        return S3_ERR_NOMEM;
    }
    *out = share;
    return S3_OK;
}

void s3_share_free(struct s3_share *share)
{
    if (share == NULL) return;
    curl_share_cleanup(share->handle);
    pthread_mutex_destroy(&share->dns_lock);
    pthread_mutex_destroy(&share->ssl_session_lock);
    free(share);
}

CURLSH *s3_share_handle(struct s3_share *share)
{
    return share->handle;
}

/* ---- client ------------------------------------------------------------------------------- */

static int invalid_config(struct s3_error *err, const char *what)
{
    return s3_error_set(err, S3_ERR_INVALID, "CONFIG", NULL, NULL, "%s", what);
}

/* Endpoint: http or https, a host, an optional port; nothing else. The canonical form (no
 * trailing slash) is written to *canonical (malloc'd). */
static int check_endpoint(const char *endpoint, char **canonical, struct s3_error *err)
{
    CURLU *url = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *user = NULL, *query = NULL,
         *fragment = NULL;
    int rc = S3_OK;

    *canonical = NULL;
    if (url == NULL) return S3_ERR_NOMEM;
    if (curl_url_set(url, CURLUPART_URL, endpoint, 0) != CURLUE_OK ||
        curl_url_get(url, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(url, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = invalid_config(err, "endpoint is not a URL");
        goto cleanup;
    }
    curl_url_get(url, CURLUPART_PORT, &port, 0);
    curl_url_get(url, CURLUPART_PATH, &path, 0);
    curl_url_get(url, CURLUPART_USER, &user, 0);
    curl_url_get(url, CURLUPART_QUERY, &query, 0);
    curl_url_get(url, CURLUPART_FRAGMENT, &fragment, 0);
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
        rc = invalid_config(err, "endpoint scheme must be http or https");
    else if (user != NULL)
        rc = invalid_config(err, "endpoint must not carry user info: give the keys separately");
    else if ((path != NULL && strcmp(path, "/") != 0) || query != NULL || fragment != NULL)
        rc = invalid_config(err, "endpoint must have no path, query or fragment");
    if (rc == S3_OK) {
        size_t size = strlen(scheme) + strlen(host) + (port ? strlen(port) : 0) + 8;
        *canonical = malloc(size);
        if (*canonical == NULL)
            rc = S3_ERR_NOMEM;
        else
            snprintf(*canonical, size, "%s://%s%s%s", scheme, host, port ? ":" : "",
                     port ? port : "");
    }
cleanup:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(user);
    curl_free(query);
    curl_free(fragment);
    curl_url_cleanup(url);
    return rc;
}

static bool valid_region(const char *region)
{
    size_t len = strlen(region);

    if (len == 0 || len > 64) return false;
    for (size_t i = 0; i < len; i++) {
        char ch = region[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return false;
    }
    return true;
}

static int check_config(const struct s3_config *cfg, struct s3_error *err)
{
    const char *region = cfg->region && cfg->region[0] ? cfg->region : S3_DEFAULT_REGION;

    if (cfg->endpoint == NULL) return invalid_config(err, "endpoint is missing");
    if (cfg->access_key == NULL || cfg->access_key[0] == '\0' || cfg->secret_key == NULL ||
        cfg->secret_key[0] == '\0')
        return invalid_config(err, "access key or secret key is missing");
    if (strchr(cfg->access_key, ':') != NULL) /* libcurl would split user:password on it */
        return invalid_config(err, "access key must not contain ':'");
    if (!valid_region(region))
        return invalid_config(err, "region must be 1..64 letters, digits, '-' or '_'");
    if (cfg->max_retries < 0 || cfg->max_retries > S3_MAX_RETRIES_LIMIT)
        return invalid_config(err, "max_retries out of range");
    if (cfg->connect_timeout_ms <= 0 || cfg->connect_timeout_ms > LIMIT_TIMEOUT_MS ||
        cfg->request_timeout_ms < 0 || cfg->request_timeout_ms > LIMIT_TIMEOUT_MS ||
        cfg->low_speed_bytes < 0 || cfg->low_speed_seconds < 0 ||
        cfg->low_speed_seconds > LIMIT_TIMEOUT_MS / 1000)
        return invalid_config(err, "a timeout is out of range");
    if (cfg->retry_base_ms < 0 || cfg->retry_max_ms < cfg->retry_base_ms ||
        cfg->retry_max_ms > LIMIT_TIMEOUT_MS)
        return invalid_config(err, "retry delays out of range");
    return S3_OK;
}

static uint64_t jitter_seed(const struct s3_client *c)
{
    uint64_t seed = 0;

    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
        seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)c;
    return seed != 0 ? seed : 0x9e3779b97f4a7c15ull; /* xorshift must not start at 0 */
}

int s3_client_new(const struct s3_config *cfg, struct s3_client **out, struct s3_error *err)
{
    struct s3_client *c = NULL;
    const char *region;
    size_t sigv4_size;
    int rc;

    s3_error_clear(err);
    *out = NULL;
    rc = check_config(cfg, err);
    if (rc != S3_OK) return rc;
    region = cfg->region && cfg->region[0] ? cfg->region : S3_DEFAULT_REGION;
    c = calloc(1, sizeof(*c));
    if (c == NULL) return s3_error_set(err, S3_ERR_NOMEM, "CONFIG", NULL, NULL, "out of memory");
    rc = check_endpoint(cfg->endpoint, &c->endpoint, err);
    if (rc != S3_OK) goto fail;
    sigv4_size = strlen("aws:amz::s3") + strlen(region) + 1;
    c->sigv4 = malloc(sigv4_size);
    c->region = strdup(region);
    c->access_key = strdup(cfg->access_key);
    c->secret_key = strdup(cfg->secret_key);
    c->ca_file = cfg->ca_file ? strdup(cfg->ca_file) : NULL;
    c->curl = curl_easy_init();
    if (c->sigv4 == NULL || c->region == NULL || c->access_key == NULL || c->secret_key == NULL ||
        c->curl == NULL || (cfg->ca_file != NULL && c->ca_file == NULL)) {
        rc = S3_ERR_NOMEM;
        goto fail;
    }
    snprintf(c->sigv4, sigv4_size, "aws:amz:%s:s3", region);
    c->share = cfg->share;
    c->connect_timeout_ms = cfg->connect_timeout_ms;
    c->low_speed_bytes = cfg->low_speed_bytes;
    c->low_speed_seconds = cfg->low_speed_seconds;
    c->request_timeout_ms = cfg->request_timeout_ms;
    c->max_retries = cfg->max_retries;
    c->retry_base_ms = cfg->retry_base_ms;
    c->retry_max_ms = cfg->retry_max_ms;
    c->jitter_state = jitter_seed(c);
    *out = c;
    return S3_OK;
fail:
    if (rc == S3_ERR_NOMEM) s3_error_set(err, S3_ERR_NOMEM, "CONFIG", NULL, NULL, "out of memory");
    s3_client_free(c);
    return rc;
}

/* Overwrite a secret before its memory goes back to the allocator. */
static void free_secret(char *s)
{
    if (s == NULL) return;
    explicit_bzero(s, strlen(s));
    free(s);
}

void s3_client_free(struct s3_client *c)
{
    if (c == NULL) return;
    if (c->curl != NULL) curl_easy_cleanup(c->curl);
    free(c->endpoint);
    free(c->sigv4);
    free(c->region);
    free_secret(c->access_key);
    free_secret(c->secret_key);
    free(c->ca_file);
    free(c);
}

/* ---- buckets ------------------------------------------------------------------------------ */

/* Run req, keep nothing of the answer. */
static int perform_simple(struct s3_client *c, const struct s3_request *req, struct s3_error *err)
{
    struct s3_response resp;
    int rc = s3_http_perform(c, req, &resp, err);

    s3_response_free(&resp);
    return rc;
}

static int create_bucket_body(const struct s3_client *c, struct s3_buf *body)
{
    if (strcmp(c->region, S3_DEFAULT_REGION) == 0)
        return 0; /* us-east-1 takes no configuration (AWS refuses it as a constraint) */
    return s3_buf_append_str(body, "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/"
                                   "doc/2006-03-01/\"><LocationConstraint>") != 0 ||
                   s3_xml_escape_append(body, c->region) != 0 ||
                   s3_buf_append_str(body, "</LocationConstraint></CreateBucketConfiguration>") != 0
               ? -1
               : 0;
}

int s3_create_bucket(struct s3_client *c, const char *bucket, struct s3_error *err)
{
    struct s3_buf xml = {0};
    struct s3_body body;
    struct s3_request req = {.method = "PUT", .bucket = bucket};
    struct s3_error scratch;
    int rc;

    if (err == NULL) err = &scratch;
    rc = s3_check_bucket(bucket, "PUT", err);
    if (rc != S3_OK) return rc;
    if (create_bucket_body(c, &xml) != 0)
        return s3_error_set(err, S3_ERR_NOMEM, "PUT", bucket, NULL, "out of memory");
    if (xml.len > 0) {
        body = s3_body_mem(xml.data, xml.len);
        req.body = &body;
        req.content_type = "application/xml";
    }
    rc = perform_simple(c, &req, err);
    if (rc == S3_ERR_STORE && err->http_status == 409 &&
        strcmp(err->code, "BucketAlreadyOwnedByYou") == 0) {
        long status = err->http_status;
        int attempts = err->attempts;
        s3_error_clear(err);
        err->http_status = status;
        err->attempts = attempts;
        rc = S3_OK;
    }
    s3_buf_free(&xml);
    return rc;
}

int s3_head_bucket(struct s3_client *c, const char *bucket, struct s3_error *err)
{
    struct s3_request req = {.method = "HEAD", .bucket = bucket};
    int rc = s3_check_bucket(bucket, "HEAD", err);

    return rc != S3_OK ? rc : perform_simple(c, &req, err);
}

/* ---- objects ------------------------------------------------------------------------------ */

int s3_put_object(struct s3_client *c, const char *bucket, const char *key,
                  const struct s3_body *body, const char *content_type, char etag_out[S3_ETAG_MAX],
                  struct s3_error *err)
{
    struct s3_request req = {
        .method = "PUT", .bucket = bucket, .key = key, .body = body, .content_type = content_type};
    struct s3_response resp;
    int rc = s3_check_key(bucket, key, "PUT", err);

    if (rc == S3_OK && body == NULL)
        rc = s3_error_set(err, S3_ERR_INVALID, "PUT", bucket, key, "body is missing");
    if (rc != S3_OK) return rc;
    rc = s3_http_perform(c, &req, &resp, err);
    if (rc == S3_OK && etag_out != NULL) memcpy(etag_out, resp.etag, S3_ETAG_MAX);
    s3_response_free(&resp);
    return rc;
}

static void head_from_response(const struct s3_response *resp, struct s3_object_head *head)
{
    if (head == NULL) return;
    head->size = resp->has_object_size ? resp->object_size : 0;
    memcpy(head->etag, resp->etag, S3_ETAG_MAX);
    head->last_modified = resp->last_modified;
}

int s3_get_object(struct s3_client *c, const char *bucket, const char *key, uint64_t offset,
                  uint64_t length, s3_write_fn write, void *ctx, struct s3_object_head *head,
                  struct s3_error *err)
{
    struct s3_request req = {
        .method = "GET", .bucket = bucket, .key = key, .sink = write, .sink_ctx = ctx};
    struct s3_response resp;
    int rc = s3_check_key(bucket, key, "GET", err);

    if (rc != S3_OK) return rc;
    if (write == NULL || length == 0 || (length != S3_WHOLE_OBJECT && offset > UINT64_MAX - length))
        return s3_error_set(err, S3_ERR_INVALID, "GET", bucket, key,
                            "need a write callback and a non-empty range");
    if (offset > 0 || length != S3_WHOLE_OBJECT) {
        req.has_range = true;
        req.range_first = offset;
        req.range_last = length == S3_WHOLE_OBJECT ? UINT64_MAX : offset + length - 1;
    }
    rc = s3_http_perform(c, &req, &resp, err);
    if (rc == S3_OK) head_from_response(&resp, head);
    s3_response_free(&resp);
    return rc;
}

int s3_head_object(struct s3_client *c, const char *bucket, const char *key,
                   struct s3_object_head *head, struct s3_error *err)
{
    struct s3_request req = {.method = "HEAD", .bucket = bucket, .key = key};
    struct s3_response resp;
    int rc = s3_check_key(bucket, key, "HEAD", err);

    if (rc != S3_OK) return rc;
    rc = s3_http_perform(c, &req, &resp, err);
    if (rc == S3_OK && !resp.has_object_size)
        rc = s3_error_set(err, S3_ERR_PROTOCOL, "HEAD", bucket, key, "answer has no size");
    if (rc == S3_OK) head_from_response(&resp, head);
    s3_response_free(&resp);
    return rc;
}

int s3_delete_object(struct s3_client *c, const char *bucket, const char *key, struct s3_error *err)
{
    struct s3_request req = {.method = "DELETE", .bucket = bucket, .key = key};
    int rc = s3_check_key(bucket, key, "DELETE", err);

    return rc != S3_OK ? rc : perform_simple(c, &req, err);
}

/* ---- errors ------------------------------------------------------------------------------- */

const char *s3_strerror(int rc)
{
    switch (rc) {
    case S3_OK:
        return "S3_OK";
    case S3_ERR_INVALID:
        return "S3_ERR_INVALID";
    case S3_ERR_NOMEM:
        return "S3_ERR_NOMEM";
    case S3_ERR_NETWORK:
        return "S3_ERR_NETWORK";
    case S3_ERR_STORE:
        return "S3_ERR_STORE";
    case S3_ERR_PROTOCOL:
        return "S3_ERR_PROTOCOL";
    case S3_ERR_CALLBACK:
        return "S3_ERR_CALLBACK";
    default:
        return "S3_ERR_?";
    }
}

char *s3_error_format(const struct s3_error *err, char *buf, size_t size)
{
    if (size == 0) return buf;
    if (err->rc == S3_ERR_STORE)
        snprintf(buf, size, "%s: %s: HTTP %ld%s%s%s%s (request id %s; %d attempt%s)",
                 s3_strerror(err->rc), err->request, err->http_status, err->code[0] ? " " : "",
                 err->code, err->message[0] ? ": " : "", err->message,
                 err->request_id[0] ? err->request_id : "none", err->attempts,
                 err->attempts == 1 ? "" : "s");
    else
        snprintf(buf, size, "%s: %s: %s (%d attempt%s)", s3_strerror(err->rc), err->request,
                 err->curl_error, err->attempts, err->attempts == 1 ? "" : "s");
    return buf;
}
