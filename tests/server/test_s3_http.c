/*
 * test_s3_http.c — the S3 client's request engine (server/s3_http.c, s3_util.c) against a
 * scripted loopback HTTP server, for what a real store cannot be made to do on demand: 503, 429
 * and 500 answers (retried, with a rewound body), the retry limit, a GET cut off in the middle of
 * its body (resumed with Range and If-Match), an error document inside a 200 answer, a complete
 * whose answer was lost, and the exact query strings sent. The real-store tests are test_s3.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../server/s3.h"

/* ---- helpers: clients, data, callbacks ---------------------------------------------------- */

static struct s3_client *client_for(const char *endpoint, const char *access_key,
                                    const char *secret_key, int retries)
{
    struct s3_config cfg;
    struct s3_client *c = NULL;
    struct s3_error err;

    s3_config_init(&cfg);
    cfg.endpoint = endpoint;
    cfg.access_key = access_key;
    cfg.secret_key = secret_key;
    cfg.max_retries = retries;
    cfg.retry_base_ms = 10;
    cfg.retry_max_ms = 100;
    cfg.connect_timeout_ms = 2000;
    cfg.low_speed_seconds = 10;
    assert_int_equal(s3_client_new(&cfg, &c, &err), S3_OK);
    return c;
}

/* Deterministic bytes that differ for each seed. */
static uint8_t *make_data(size_t len, uint64_t seed)
{
    uint8_t *p = malloc(len ? len : 1);
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

    assert_non_null(p);
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)x;
    }
    return p;
}

struct sink {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t calls;
};

static int sink_write(void *ctx, const void *data, size_t len)
{
    struct sink *s = ctx;

    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + len)
            cap *= 2;
        s->data = realloc(s->data, cap);
        if (s->data == NULL) return -1;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
    s->calls++;
    return 0;
}

struct source {
    const uint8_t *data;
    size_t len;
    size_t pos;
    size_t chunk; /* largest count one read returns */
    int rewinds;
    size_t fail_at; /* return -1 once pos reaches this (0: never) */
};

static ssize_t source_read(void *ctx, void *buf, size_t len)
{
    struct source *s = ctx;
    size_t n = s->len - s->pos;

    if (s->fail_at != 0 && s->pos >= s->fail_at) return -1;
    if (n > len) n = len;
    if (n > s->chunk) n = s->chunk;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

static int source_rewind(void *ctx)
{
    struct source *s = ctx;

    s->pos = 0;
    s->rewinds++;
    return 0;
}

static struct s3_body stream_body(struct source *src, bool rewindable)
{
    struct s3_body body = {.length = src->len,
                           .read = source_read,
                           .ctx = src,
                           .rewind = rewindable ? source_rewind : NULL};
    return body;
}

/* ---- the scripted server ---------------------------------------------------------------- */

#define FAKE_MAX 8

struct fake_reply {
    const char *head; /* status line and headers after "HTTP/1.1 ", without the final CRLF */
    const char *body;
    size_t body_len;
    size_t cut_after; /* close after this many body bytes (0: send it all) */
};

struct fake_server {
    int listen_fd;
    int port;
    pthread_t thread;
    struct fake_reply replies[FAKE_MAX];
    int reply_count;
    int served;
    char requests[FAKE_MAX][4096]; /* head of each request received */
    size_t body_bytes[FAKE_MAX];   /* body bytes received with it */
};

static size_t header_number(const char *head, const char *name)
{
    const char *p = strcasestr(head, name);
    return p ? strtoul(p + strlen(name), NULL, 10) : 0;
}

static void fake_serve_one(struct fake_server *fs, int fd, int i)
{
    const struct fake_reply *r = &fs->replies[i];
    char *req = fs->requests[i], buf[65536], head[512];
    size_t used = 0, want, got;
    ssize_t n;
    char *end = NULL;

    while (end == NULL && used < sizeof(fs->requests[i]) - 1) {
        n = recv(fd, req + used, sizeof(fs->requests[i]) - 1 - used, 0);
        if (n <= 0) return;
        used += (size_t)n;
        req[used] = '\0';
        end = strstr(req, "\r\n\r\n");
    }
    if (end == NULL) return;
    if (strcasestr(req, "Expect: 100-continue") != NULL)
        send(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25, MSG_NOSIGNAL);
    want = header_number(req, "Content-Length: ");
    got = used - (size_t)(end + 4 - req);
    while (got < want && (n = recv(fd, buf, sizeof(buf), 0)) > 0)
        got += (size_t)n;
    fs->body_bytes[i] = got;
    snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
             r->head, r->body_len);
    send(fd, head, strlen(head), MSG_NOSIGNAL);
    send(fd, r->body, r->cut_after ? r->cut_after : r->body_len, MSG_NOSIGNAL);
}

static void *fake_thread(void *arg)
{
    struct fake_server *fs = arg;

    for (int i = 0; i < fs->reply_count; i++) {
        int fd = accept(fs->listen_fd, NULL, NULL);
        if (fd < 0) break;
        fake_serve_one(fs, fd, i);
        fs->served = i + 1;
        shutdown(fd, SHUT_RDWR);
        close(fd);
    }
    return NULL;
}

static void fake_start(struct fake_server *fs)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);

    fs->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fs->listen_fd >= 0);
    assert_int_equal(bind(fs->listen_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(fs->listen_fd, 8), 0);
    assert_int_equal(getsockname(fs->listen_fd, (struct sockaddr *)&addr, &len), 0);
    fs->port = ntohs(addr.sin_port);
    assert_int_equal(pthread_create(&fs->thread, NULL, fake_thread, fs), 0);
}

/* Waits for the scripted replies to be used up (shutting the socket ends an unused accept). */
static void fake_stop(struct fake_server *fs)
{
    shutdown(fs->listen_fd, SHUT_RDWR);
    pthread_join(fs->thread, NULL);
    close(fs->listen_fd);
}

static struct s3_client *fake_client(const struct fake_server *fs, int retries)
{
    char endpoint[64];

    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", fs->port);
    return client_for(endpoint, "AK", "SECRETSECRET", retries);
}

#define XML_ERROR(code)                                                                            \
    "<?xml version=\"1.0\"?><Error><Code>" code "</Code><Message>m</Message></Error>"
#define REPLY_TEXT(h, b)                                                                           \
    {                                                                                              \
        .head = (h), .body = (b), .body_len = sizeof(b) - 1                                        \
    }

static void server_errors_503_429_500_are_retried_with_a_rewound_stream(void **state)
{
    struct fake_server fs = {
        .replies = {REPLY_TEXT("503 Service Unavailable", XML_ERROR("SlowDown")),
                    REPLY_TEXT("429 Too Many Requests", XML_ERROR("TooManyRequests")),
                    REPLY_TEXT("500 Internal Server Error", XML_ERROR("InternalError")),
                    {.head = "200 OK\r\nETag: \"abc\""}},
        .reply_count = 4};
    uint8_t *data = make_data(100000, 9);
    struct source src = {.data = data, .len = 100000, .chunk = 7000};
    struct s3_body body = stream_body(&src, true);
    struct s3_client *c;
    struct s3_error err;
    char etag[S3_ETAG_MAX];

    (void)state;
    fake_start(&fs);
    c = fake_client(&fs, 3);
    assert_int_equal(s3_put_object(c, "bkt", "k", &body, NULL, etag, &err), S3_OK);
    fake_stop(&fs);
    assert_int_equal(err.attempts, 4);
    assert_int_equal(src.rewinds, 3);
    assert_string_equal(etag, "abc");
    for (int i = 0; i < 4; i++) {
        assert_int_equal(fs.body_bytes[i], 100000); /* the whole body each time */
        assert_non_null(strstr(fs.requests[i], "PUT /bkt/k HTTP/1.1"));
        assert_non_null(strcasestr(fs.requests[i], "x-amz-content-sha256: UNSIGNED-PAYLOAD"));
        assert_non_null(strcasestr(fs.requests[i], "Authorization: AWS4-HMAC-SHA256"));
        assert_null(strstr(fs.requests[i], "SECRETSECRET"));
    }
    s3_client_free(c);
    free(data);
}

static void retries_stop_at_the_limit_and_4xx_is_not_retried(void **state)
{
    struct fake_server fs = {
        .replies = {REPLY_TEXT("503 Service Unavailable", XML_ERROR("SlowDown")),
                    REPLY_TEXT("503 Service Unavailable", XML_ERROR("SlowDown")),
                    REPLY_TEXT("404 Not Found", XML_ERROR("NoSuchKey"))},
        .reply_count = 3};
    struct s3_client *c;
    struct s3_error err;
    struct sink got = {0};

    (void)state;
    fake_start(&fs);
    c = fake_client(&fs, 1);
    assert_int_equal(s3_delete_object(c, "bkt", "k", &err), S3_ERR_STORE);
    assert_int_equal(err.attempts, 2);
    assert_int_equal(err.http_status, 503);
    assert_string_equal(err.code, "SlowDown");
    assert_true(err.retryable);
    assert_int_equal(s3_get_object(c, "bkt", "k", 0, S3_WHOLE_OBJECT, sink_write, &got, NULL, &err),
                     S3_ERR_STORE);
    fake_stop(&fs);
    assert_int_equal(err.attempts, 1);
    assert_string_equal(err.code, "NoSuchKey");
    assert_false(err.retryable);
    assert_int_equal(got.len, 0);
    s3_client_free(c);
}

static void stream_without_rewind_is_not_retried(void **state)
{
    struct fake_server fs = {
        .replies = {REPLY_TEXT("503 Service Unavailable", XML_ERROR("SlowDown"))},
        .reply_count = 1};
    uint8_t *data = make_data(5000, 10);
    struct source src = {.data = data, .len = 5000, .chunk = 5000};
    struct s3_body body = stream_body(&src, false);
    struct s3_client *c;
    struct s3_error err;

    (void)state;
    fake_start(&fs);
    c = fake_client(&fs, 3);
    assert_int_equal(s3_put_object(c, "bkt", "k", &body, NULL, NULL, &err), S3_ERR_STORE);
    fake_stop(&fs);
    assert_int_equal(err.attempts, 1);
    assert_true(err.retryable); /* the caller may retry with a fresh source */
    s3_client_free(c);
    free(data);
}

static void get_cut_mid_body_resumes_with_range_and_if_match(void **state)
{
    enum { LEN = 3000, CUT = 1200 };
    static char object[LEN + 1];
    static char rest_head[128];
    struct fake_server fs = {.reply_count = 2};
    struct s3_client *c;
    struct s3_object_head head;
    struct s3_error err;
    struct sink got = {0};

    (void)state;
    for (int i = 0; i < LEN; i++)
        object[i] = (char)('a' + i % 26);
    snprintf(rest_head, sizeof(rest_head),
             "206 Partial Content\r\nETag: \"v1\"\r\nContent-Range: bytes %d-%d/%d", CUT, LEN - 1,
             LEN);
    fs.replies[0] = (struct fake_reply){
        .head = "200 OK\r\nETag: \"v1\"", .body = object, .body_len = LEN, .cut_after = CUT};
    fs.replies[1] =
        (struct fake_reply){.head = rest_head, .body = object + CUT, .body_len = LEN - CUT};
    fake_start(&fs);
    c = fake_client(&fs, 2);
    assert_int_equal(
        s3_get_object(c, "bkt", "obj", 0, S3_WHOLE_OBJECT, sink_write, &got, &head, &err), S3_OK);
    fake_stop(&fs);
    assert_int_equal(err.attempts, 2);
    assert_int_equal(got.len, LEN); /* every byte once, in order */
    assert_memory_equal(got.data, object, LEN);
    assert_int_equal(head.size, LEN);
    assert_null(strcasestr(fs.requests[0], "Range:"));
    assert_non_null(strcasestr(fs.requests[1], "Range: bytes=1200-"));
    assert_non_null(strcasestr(fs.requests[1], "If-Match: \"v1\""));
    free(got.data);
    s3_client_free(c);
}

static void complete_with_error_inside_200_is_a_store_error(void **state)
{
    struct fake_server fs = {
        .replies = {REPLY_TEXT("200 OK", XML_ERROR("InternalError")),
                    REPLY_TEXT("200 OK", "<CompleteMultipartUploadResult><ETag>&quot;e-1&quot;"
                                         "</ETag></CompleteMultipartUploadResult>")},
        .reply_count = 2};
    struct s3_part part = {.number = 1, .etag = "p1"};
    struct s3_client *c;
    struct s3_error err;
    char etag[S3_ETAG_MAX];

    (void)state;
    fake_start(&fs);
    c = fake_client(&fs, 0);
    assert_int_equal(s3_multipart_complete(c, "bkt", "k", "UP/ID+1", &part, 1, etag, &err),
                     S3_ERR_STORE);
    assert_string_equal(err.code, "InternalError");
    assert_true(err.retryable);
    /* The sub-resource and its value are encoded, and the body names part and ETag. */
    assert_non_null(strstr(fs.requests[0], "POST /bkt/k?uploadId=UP%2FID%2B1 HTTP/1.1"));
    assert_int_equal(s3_multipart_complete(c, "bkt", "k", "UP/ID+1", &part, 1, etag, &err), S3_OK);
    fake_stop(&fs);
    assert_string_equal(etag, "e-1");
    s3_client_free(c);
}

static void complete_whose_answer_was_lost_succeeds_when_the_object_exists(void **state)
{
    struct fake_server fs = {
        .replies = {REPLY_TEXT("503 Service Unavailable", XML_ERROR("ServiceUnavailable")),
                    REPLY_TEXT("404 Not Found", XML_ERROR("NoSuchUpload")),
                    {.head = "200 OK\r\nETag: \"0123abcd-2\""},
                    REPLY_TEXT("404 Not Found", XML_ERROR("NoSuchUpload")),
                    REPLY_TEXT("503 Service Unavailable", XML_ERROR("ServiceUnavailable")),
                    REPLY_TEXT("404 Not Found", XML_ERROR("NoSuchUpload")),
                    {.head = "200 OK\r\nETag: \"0123abcd-3\""}},
        .reply_count = 7};
    struct s3_part parts[2] = {{.number = 1, .etag = "p1"}, {.number = 2, .etag = "p2"}};
    struct s3_client *retrying, *single;
    struct s3_error err;
    char etag[S3_ETAG_MAX];

    (void)state;
    fake_start(&fs);
    retrying = fake_client(&fs, 1);
    single = fake_client(&fs, 0);
    /* 503, then 404 on the retry: the object exists with a 2-part ETag, so it was completed. */
    assert_int_equal(s3_multipart_complete(retrying, "bkt", "k", "u1", parts, 2, etag, &err),
                     S3_OK);
    assert_string_equal(etag, "0123abcd-2");
    assert_int_equal(err.attempts, 2);
    assert_non_null(strstr(fs.requests[2], "HEAD /bkt/k HTTP/1.1"));
    /* A 404 on the first attempt is the caller's problem: no HEAD. */
    assert_int_equal(s3_multipart_complete(single, "bkt", "k", "u1", parts, 2, etag, &err),
                     S3_ERR_STORE);
    assert_int_equal(err.http_status, 404);
    /* An object whose ETag names another part count is not this upload's. */
    assert_int_equal(s3_multipart_complete(retrying, "bkt", "k", "u1", parts, 2, etag, &err),
                     S3_ERR_STORE);
    assert_int_equal(err.http_status, 404);
    fake_stop(&fs);
    assert_int_equal(fs.served, 7);
    s3_client_free(retrying);
    s3_client_free(single);
}

static void query_parameters_are_sorted_and_valueless_ones_get_equals(void **state)
{
    struct fake_server fs = {
        .replies = {REPLY_TEXT("200 OK", "<InitiateMultipartUploadResult><UploadId>u1</UploadId>"
                                         "</InitiateMultipartUploadResult>"),
                    REPLY_TEXT("200 OK", "<ListBucketResult><IsTruncated>false</IsTruncated>"
                                         "</ListBucketResult>")},
        .reply_count = 2};
    struct s3_list_request req = {.prefix = "a b/",
                                  .delimiter = "/",
                                  .continuation_token = "t=1",
                                  .start_after = "x",
                                  .max_keys = 7};
    struct s3_list_page page = {0};
    struct s3_client *c;
    struct s3_error err;
    char upload_id[S3_UPLOAD_ID_MAX];

    (void)state;
    fake_start(&fs);
    c = fake_client(&fs, 0);
    assert_int_equal(s3_multipart_create(c, "bkt", "k", NULL, upload_id, &err), S3_OK);
    assert_string_equal(upload_id, "u1");
    assert_int_equal(s3_list_objects(c, "bkt", &req, &page, &err), S3_OK);
    fake_stop(&fs);
    assert_non_null(strstr(fs.requests[0], "POST /bkt/k?uploads= HTTP/1.1"));
    assert_non_null(strstr(fs.requests[1],
                           "GET /bkt?continuation-token=t%3D1&delimiter=%2F&"
                           "list-type=2&max-keys=7&prefix=a%20b%2F&start-after=x "));
    s3_list_page_free(&page);
    s3_client_free(c);
}

static int group_setup(void **state)
{
    (void)state;
    return s3_global_init() == S3_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    s3_global_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(server_errors_503_429_500_are_retried_with_a_rewound_stream),
        cmocka_unit_test(retries_stop_at_the_limit_and_4xx_is_not_retried),
        cmocka_unit_test(stream_without_rewind_is_not_retried),
        cmocka_unit_test(get_cut_mid_body_resumes_with_range_and_if_match),
        cmocka_unit_test(complete_with_error_inside_200_is_a_store_error),
        cmocka_unit_test(complete_whose_answer_was_lost_succeeds_when_the_object_exists),
        cmocka_unit_test(query_parameters_are_sorted_and_valueless_ones_get_equals),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
