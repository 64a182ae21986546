/*
 * s3_http.c — the S3 client's request engine: builds the URL (path style), the payload hash and
 * the headers of one request, has libcurl sign it (SigV4) and send it on the client's easy handle,
 * classifies the outcome and retries transient failures with backoff and jitter. It knows no S3
 * operation: s3.c, s3_list.c and s3_multipart.c describe them.
 *
 * One call of s3_http_perform() runs attempts 1..1+max_retries. Per attempt (struct transfer):
 *   - the body is fed from memory or the caller's read callback, exactly body->length bytes;
 *   - the answer's status is looked at when its first body byte arrives: a 2xx answer to a
 *     request with a sink goes to the sink (after its range was checked), anything else is kept
 *     in resp->body (XML, capped at S3_XML_MAX_BYTES);
 *   - a retry needs a rewindable body, and a GET that already delivered bytes resumes after them
 *     with If-Match on the first answer's ETag.
 * Credentials reach libcurl only as user name and password: they never enter a URL, a header we
 * write, or an error text.
 */
#include "s3_http.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3_xml.h"

#define SHA256_BYTES 32
#define SHA256_HEX_BYTES (2 * SHA256_BYTES + 1)
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define USER_AGENT "hotcopyd-s3/1"
#define HEADER_LINE_BYTES (S3_ETAG_MAX + 64)

/* ---- one attempt -------------------------------------------------------------------------- */

struct transfer {
    struct s3_client *c;
    const struct s3_request *req;
    struct s3_response *resp;
    /* request body, this attempt */
    uint64_t body_offset;
    bool source_touched; /* the caller's read callback ran since the source's start */
    bool source_failed;  /* it returned -1 */
    bool source_short;   /* it returned 0 before body->length bytes */
    /* answer, this attempt */
    bool answer_seen; /* status and range checked (first body byte or end) */
    bool to_sink;
    bool sink_failed;
    bool protocol_error;
    char protocol_msg[160];
    bool ranged;            /* this attempt sent a Range header */
    uint64_t attempt_first; /* its first byte */
    /* across attempts */
    uint64_t delivered;          /* bytes the sink took */
    char sink_etag[S3_ETAG_MAX]; /* ETag of the first answer whose bytes reached the sink */
};

static size_t on_request_body(char *buf, size_t size, size_t nitems, void *user)
{
    struct transfer *t = user;
    const struct s3_body *body = t->req->body;
    uint64_t left = body->length - t->body_offset;
    size_t want = size * nitems;
    ssize_t got;

    if (want > left) want = (size_t)left;
    if (want == 0) return 0;
    if (body->data != NULL) {
        memcpy(buf, (const char *)body->data + t->body_offset, want);
        t->body_offset += want;
        return want;
    }
    t->source_touched = true;
    got = body->read(body->ctx, buf, want);
    if (got < 0 || (size_t)got > want) {
        t->source_failed = true;
        return CURL_READFUNC_ABORT;
    }
    if (got == 0) {
        t->source_short = true;
        return CURL_READFUNC_ABORT;
    }
    t->body_offset += (uint64_t)got;
    return (size_t)got;
}

/* libcurl may rewind on its own (a kept-alive connection found dead before the body went out). */
static int on_request_seek(void *user, curl_off_t offset, int origin)
{
    struct transfer *t = user;
    const struct s3_body *body = t->req->body;

    if (origin != SEEK_SET || offset != 0) return CURL_SEEKFUNC_CANTSEEK;
    if (body->data == NULL && t->source_touched) {
        if (body->rewind == NULL || body->rewind(body->ctx) != 0) return CURL_SEEKFUNC_CANTSEEK;
    }
    t->body_offset = 0;
    return CURL_SEEKFUNC_OK;
}

static void header_value(CURL *curl, const char *name, char *dst, size_t size)
{
    struct curl_header *h = NULL;

    dst[0] = '\0';
    if (curl_easy_header(curl, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h != NULL)
        snprintf(dst, size, "%s", h->value);
}

static void read_etag(CURL *curl, char etag[S3_ETAG_MAX])
{
    char raw[S3_ETAG_MAX + 8];

    header_value(curl, "ETag", raw, sizeof(raw));
    if (s3_xml_copy_etag(etag, S3_ETAG_MAX, raw, strlen(raw)) != 0) etag[0] = '\0';
}

/* "bytes FIRST-LAST/TOTAL" (TOTAL may be '*'). */
static int parse_content_range(const char *value, uint64_t *first, uint64_t *total, bool *has_total)
{
    uint64_t last;
    char total_text[32];

    if (sscanf(value, "bytes %" SCNu64 "-%" SCNu64 "/%31s", first, &last, total_text) != 3 ||
        last < *first)
        return -1;
    *has_total = strcmp(total_text, "*") != 0;
    if (*has_total && s3_xml_parse_u64(total_text, total) != 0) return -1;
    return 0;
}

static void fail_protocol(struct transfer *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail_protocol(struct transfer *t, const char *fmt, ...)
{
    va_list ap;

    t->protocol_error = true;
    va_start(ap, fmt);
    vsnprintf(t->protocol_msg, sizeof(t->protocol_msg), fmt, ap);
    va_end(ap);
}

/* Decide where this attempt's answer body goes; checks a sink answer's status, range and ETag. */
static void examine_answer(struct transfer *t)
{
    CURL *curl = t->c->curl;
    long status = 0;
    char range[96], etag[S3_ETAG_MAX];
    uint64_t first = 0, total = 0;
    bool has_total = false;

    t->answer_seen = true;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    t->to_sink = t->req->sink != NULL && status >= 200 && status <= 299;
    if (!t->to_sink) return;
    if (status != (t->ranged ? 206 : 200)) {
        fail_protocol(t, "expected HTTP %d to a %s GET, got %ld", t->ranged ? 206 : 200,
                      t->ranged ? "ranged" : "whole", status);
        return;
    }
    if (t->ranged) {
        header_value(curl, "Content-Range", range, sizeof(range));
        if (parse_content_range(range, &first, &total, &has_total) != 0 ||
            first != t->attempt_first) {
            fail_protocol(t, "answer range '%s' does not start at byte %" PRIu64, range,
                          t->attempt_first);
            return;
        }
    }
    read_etag(curl, etag);
    if (t->sink_etag[0] == '\0')
        memcpy(t->sink_etag, etag, sizeof(etag));
    else if (strcmp(t->sink_etag, etag) != 0)
        fail_protocol(t, "object changed while being read (ETag %s, then %s)", t->sink_etag, etag);
}

static size_t on_answer_body(char *data, size_t size, size_t nmemb, void *user)
{
    struct transfer *t = user;
    size_t len = size * nmemb;

    if (!t->answer_seen) examine_answer(t);
    if (t->protocol_error)
        return 0; /* any count other than len makes libcurl stop with CURLE_WRITE_ERROR */
    if (t->to_sink) {
        if (t->req->sink(t->req->sink_ctx, data, len) != 0) {
            t->sink_failed = true;
            return 0;
        }
        t->delivered += len;
        return len;
    }
    if (t->resp->body.len + len > S3_XML_MAX_BYTES) {
        fail_protocol(t, "answer body larger than %u bytes", S3_XML_MAX_BYTES);
        return 0;
    }
    if (s3_buf_append(&t->resp->body, data, len) != 0) {
        fail_protocol(t, "out of memory for the answer body");
        return 0;
    }
    return len;
}

static struct curl_slist *add_header(struct curl_slist *list, bool *failed, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static struct curl_slist *add_header(struct curl_slist *list, bool *failed, const char *fmt, ...)
{
    char line[HEADER_LINE_BYTES + 128];
    struct curl_slist *grown;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    grown = curl_slist_append(list, line);
    if (grown == NULL) {
        *failed = true;
        return list;
    }
    return grown;
}

static struct curl_slist *build_headers(const struct transfer *t, const char *payload_hash,
                                        bool resume)
{
    const struct s3_request *req = t->req;
    struct curl_slist *list = NULL;
    bool failed = false;

    list = add_header(list, &failed, "x-amz-content-sha256: %s", payload_hash);
    if (req->content_type != NULL)
        list = add_header(list, &failed, "Content-Type: %s", req->content_type);
    if (t->ranged) {
        uint64_t last = req->has_range ? req->range_last : UINT64_MAX;
        if (last == UINT64_MAX)
            list = add_header(list, &failed, "Range: bytes=%" PRIu64 "-", t->attempt_first);
        else
            list = add_header(list, &failed, "Range: bytes=%" PRIu64 "-%" PRIu64, t->attempt_first,
                              last);
    }
    if (resume) list = add_header(list, &failed, "If-Match: \"%s\"", t->sink_etag);
    if (failed) {
        curl_slist_free_all(list);
        return NULL;
    }
    return list;
}

static bool curl_code_retryable(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_AGAIN:
        return true;
    default:
        return false;
    }
}

static bool answer_retryable(long status, const char *code)
{
    return status >= 500 || status == 429 || strcmp(code, "SlowDown") == 0;
}

static void set_method(CURL *curl, const struct s3_request *req, struct transfer *t)
{
    const char *m = req->method;

    if (req->body != NULL) {
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_request_body);
        curl_easy_setopt(curl, CURLOPT_READDATA, t);
        curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, on_request_seek);
        curl_easy_setopt(curl, CURLOPT_SEEKDATA, t);
    }
    if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(m, "PUT") == 0) {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                         (curl_off_t)(req->body ? req->body->length : 0));
    } else if (strcmp(m, "POST") == 0) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body ? req->body->length : 0));
        if (req->body == NULL) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    } else if (strcmp(m, "DELETE") == 0) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
    } else {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
}

static void set_options(struct s3_client *c, const char *url, struct curl_slist *headers,
                        struct transfer *t)
{
    CURL *curl = c->curl;

    curl_easy_reset(curl); /* keeps the live connection, DNS cache and share */
    c->curl_errbuf[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L); /* keys are never normalised */
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, c->curl_errbuf);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, c->sigv4);
    curl_easy_setopt(curl, CURLOPT_USERNAME, c->access_key);
    curl_easy_setopt(curl, CURLOPT_PASSWORD, c->secret_key);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, c->low_speed_bytes);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, c->low_speed_seconds);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->request_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    if (c->ca_file != NULL) curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_file);
    if (c->share != NULL) curl_easy_setopt(curl, CURLOPT_SHARE, s3_share_handle(c->share));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_answer_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
    set_method(curl, t->req, t);
}

/* Fill resp's header-derived fields from a 2xx answer. */
static int read_answer_headers(struct transfer *t)
{
    CURL *curl = t->c->curl;
    struct s3_response *resp = t->resp;
    curl_off_t length = -1;
    char value[96];
    uint64_t first, total;
    bool has_total = false;

    read_etag(curl, resp->etag);
    if (curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
        length >= 0) {
        resp->content_length = (uint64_t)length;
        resp->has_content_length = true;
        resp->object_size = (uint64_t)length;
        resp->has_object_size = true;
    }
    header_value(curl, "Content-Range", value, sizeof(value));
    if (value[0] != '\0') {
        if (parse_content_range(value, &first, &total, &has_total) != 0) return -1;
        resp->has_object_size = has_total;
        resp->object_size = has_total ? total : 0;
    }
    header_value(curl, "Last-Modified", value, sizeof(value));
    if (value[0] != '\0') {
        time_t when = curl_getdate(value, NULL);
        resp->last_modified = when > 0 ? when : 0;
    }
    return 0;
}

static int finish_failed_transfer(struct transfer *t, CURLcode code, struct s3_error *err)
{
    const struct s3_request *req = t->req;
    const char *m = req->method, *b = req->bucket, *k = req->key;

    if (t->source_failed)
        return s3_error_set(err, S3_ERR_CALLBACK, m, b, k, "body read callback stopped the upload");
    if (t->source_short)
        return s3_error_set(err, S3_ERR_CALLBACK, m, b, k,
                            "body read callback ended after %" PRIu64 " of %" PRIu64 " bytes",
                            t->body_offset, req->body->length);
    if (t->sink_failed)
        return s3_error_set(err, S3_ERR_CALLBACK, m, b, k, "write callback stopped the download");
    if (t->protocol_error)
        return s3_error_set(err, S3_ERR_PROTOCOL, m, b, k, "%s", t->protocol_msg);
    s3_error_set(err, S3_ERR_NETWORK, m, b, k, "%s (curl %d)",
                 t->c->curl_errbuf[0] ? t->c->curl_errbuf : curl_easy_strerror(code), (int)code);
    err->retryable = curl_code_retryable(code);
    return S3_ERR_NETWORK;
}

static int finish_store_error(struct transfer *t, long status, struct s3_error *err)
{
    const struct s3_request *req = t->req;
    s3_error_set(err, S3_ERR_STORE, req->method, req->bucket, req->key, "HTTP %ld", status);
    s3_xml_read_error(t->resp->body.data, t->resp->body.len, err);
    err->retryable = answer_retryable(status, err->code);
    return S3_ERR_STORE;
}

static int perform_once(struct transfer *t, const char *url, const char *payload_hash, bool resume,
                        struct s3_error *err)
{
    struct s3_client *c = t->c;
    struct curl_slist *headers = build_headers(t, payload_hash, resume);
    CURLcode code;
    long status = 0;
    int rc;

    if (headers == NULL)
        return s3_error_set(err, S3_ERR_NOMEM, t->req->method, t->req->bucket, t->req->key,
                            "out of memory for headers");
    set_options(c, url, headers, t);
    code = curl_easy_perform(c->curl);
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    t->resp->status = status;
    if (code == CURLE_OK && !t->answer_seen)
        examine_answer(t); /* an answer without a body (HEAD, empty object, 204) */
    if (code != CURLE_OK || t->protocol_error)
        rc = finish_failed_transfer(t, code, err);
    else if (status < 200 || status > 299)
        rc = finish_store_error(t, status, err);
    else if (read_answer_headers(t) != 0)
        rc = s3_error_set(err, S3_ERR_PROTOCOL, t->req->method, t->req->bucket, t->req->key,
                          "malformed Content-Range");
    else if (t->req->error_in_ok && s3_xml_read_error(t->resp->body.data, t->resp->body.len, err))
        rc = finish_store_error(t, 500, err); /* an error after "200 OK": treated as a 500 */
    else
        rc = S3_OK;
    err->http_status = status;
    if (rc != S3_OK && err->request_id[0] == '\0')
        header_value(c->curl, "x-amz-request-id", err->request_id, sizeof(err->request_id));
    curl_slist_free_all(headers);
    return rc;
}

/* ---- retries ------------------------------------------------------------------------------ */

static uint64_t jitter_next(struct s3_client *c)
{
    uint64_t x = c->jitter_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c->jitter_state = x;
    return x;
}

/* Delay before retry n (1-based): uniform in [d/2, d], d = min(max, base * 2^(n-1)). */
static long backoff_ms(struct s3_client *c, int retry)
{
    long delay = c->retry_base_ms;

    for (int i = 1; i < retry && delay < c->retry_max_ms; i++)
        delay *= 2;
    if (delay > c->retry_max_ms) delay = c->retry_max_ms;
    if (delay <= 1) return delay;
    return delay / 2 + (long)(jitter_next(c) % (uint64_t)(delay - delay / 2 + 1));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Make the next attempt possible: rewind the body, move a GET's range past what was delivered. */
static bool prepare_retry(struct transfer *t, const struct s3_request *req, bool *resume)
{
    const struct s3_body *body = req->body;

    if (body != NULL && body->data == NULL && t->source_touched) {
        if (body->rewind == NULL || body->rewind(body->ctx) != 0) return false;
        t->source_touched = false;
    }
    if (t->delivered > 0) {
        uint64_t base = req->has_range ? req->range_first : 0;
        if (t->sink_etag[0] == '\0') return false;
        if (req->has_range && req->range_last != UINT64_MAX &&
            base + t->delivered > req->range_last)
            return false;
        t->ranged = true;
        t->attempt_first = base + t->delivered;
        *resume = true;
    }
    return true;
}

static void reset_attempt(struct transfer *t, struct s3_response *resp)
{
    t->body_offset = 0;
    t->source_failed = t->source_short = false;
    t->answer_seen = t->to_sink = t->sink_failed = t->protocol_error = false;
    t->protocol_msg[0] = '\0';
    resp->body.len = 0;
    if (resp->body.data != NULL) resp->body.data[0] = '\0';
}

static int build_url(const struct s3_client *c, const struct s3_request *req, struct s3_buf *url)
{
    if (s3_buf_append_str(url, c->endpoint) != 0 || s3_buf_append(url, "/", 1) != 0 ||
        s3_buf_append_str(url, req->bucket) != 0)
        return -1;
    if (req->key != NULL &&
        (s3_buf_append(url, "/", 1) != 0 || s3_uri_encode_append(url, req->key, true) != 0))
        return -1;
    if (req->query != NULL && req->query->count > 0 &&
        (s3_buf_append(url, "?", 1) != 0 || s3_query_write(req->query, url) != 0))
        return -1;
    return 0;
}

/* x-amz-content-sha256: see s3.h, "Payload hash". Returns -1 if GnuTLS fails. */
static int payload_hash_of(const struct s3_body *body, char hash[SHA256_HEX_BYTES])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char digest[SHA256_BYTES];
    const void *data = "";
    size_t len = 0;

    if (body != NULL && body->read != NULL) {
        snprintf(hash, SHA256_HEX_BYTES, "%s",
                 body->sha256_hex != NULL ? body->sha256_hex : UNSIGNED_PAYLOAD);
        return 0;
    }
    if (body != NULL && body->data != NULL) {
        data = body->data;
        len = (size_t)body->length;
    }
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, digest) != 0) return -1;
    for (int i = 0; i < SHA256_BYTES; i++) {
        hash[2 * i] = hex[digest[i] >> 4];
        hash[2 * i + 1] = hex[digest[i] & 0xf];
    }
    hash[2 * SHA256_BYTES] = '\0';
    return 0;
}

static bool valid_sha256_hex(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return i == 2 * SHA256_BYTES;
}

static int check_request(const struct s3_request *req, struct s3_error *err)
{
    const struct s3_body *body = req->body;

    if (body == NULL) return S3_OK;
    if ((body->data == NULL) == (body->read == NULL) && body->length > 0)
        return s3_error_set(err, S3_ERR_INVALID, req->method, req->bucket, req->key,
                            "a body needs exactly one of data and read");
    if (body->data == NULL && body->sha256_hex != NULL && !valid_sha256_hex(body->sha256_hex))
        return s3_error_set(err, S3_ERR_INVALID, req->method, req->bucket, req->key,
                            "sha256_hex must be 64 lower-case hex digits");
    if (body->data != NULL && body->length > SIZE_MAX)
        return s3_error_set(err, S3_ERR_INVALID, req->method, req->bucket, req->key,
                            "memory body larger than the address space");
    return S3_OK;
}

int s3_http_perform(struct s3_client *c, const struct s3_request *req, struct s3_response *resp,
                    struct s3_error *err)
{
    struct transfer t = {.c = c, .req = req, .resp = resp};
    struct s3_buf url = {0};
    char payload_hash[SHA256_HEX_BYTES];
    struct s3_error scratch;
    bool resume = false;
    int rc;

    if (err == NULL)
        err = &scratch; /* retries need the classification even when the caller wants none */
    s3_error_clear(err);
    memset(resp, 0, sizeof(*resp));
    rc = check_request(req, err);
    if (rc != S3_OK) return rc;
    if (build_url(c, req, &url) != 0)
        return s3_error_set(err, S3_ERR_NOMEM, req->method, req->bucket, req->key,
                            "out of memory for the URL");
    if (payload_hash_of(req->body, payload_hash) != 0) {
        s3_buf_free(&url);
        return s3_error_set(err, S3_ERR_NOMEM, req->method, req->bucket, req->key,
                            "SHA-256 of the body failed");
    }
    t.ranged = req->has_range;
    t.attempt_first = req->has_range ? req->range_first : 0;
    for (int attempt = 1;; attempt++) {
        reset_attempt(&t, resp);
        s3_error_clear(err); /* only the last attempt's outcome is reported */
        rc = perform_once(&t, url.data, payload_hash, resume, err);
        err->attempts = attempt;
        if (rc == S3_OK || !err->retryable || attempt > c->max_retries ||
            !prepare_retry(&t, req, &resume))
            break;
        sleep_ms(backoff_ms(c, attempt));
    }
    s3_buf_free(&url);
    return rc;
}

void s3_response_free(struct s3_response *resp)
{
    s3_buf_free(&resp->body);
}
