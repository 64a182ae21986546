/*
 * s3_http.h — internal to the S3 client (server/s3*.c): the client structure and the request
 * engine (one signed HTTP exchange with retries).
 * Operations (s3.c, s3_list.c, s3_multipart.c) describe a request and read the answer; only
 * s3_http.c talks to libcurl for them.
 */
#ifndef HOTCOPY_S3_HTTP_H
#define HOTCOPY_S3_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "s3.h"
#include "s3_util.h"

/* Owned by one thread at a time (see s3.h, Threads). Every string is a private copy. */
struct s3_client {
    CURL *curl;             /* one easy handle: its connection is kept alive between requests */
    char *endpoint;         /* scheme://host[:port], no trailing slash */
    char *sigv4;            /* "aws:amz:REGION:s3" for CURLOPT_AWS_SIGV4 */
    char *region;           /* signing region, also the bucket LocationConstraint */
    char *access_key;       /* never logged or copied into an error */
    char *secret_key;       /* never logged or copied into an error */
    char *ca_file;          /* NULL: the system store */
    struct s3_share *share; /* not owned */
    long connect_timeout_ms;
    long low_speed_bytes;
    long low_speed_seconds;
    long request_timeout_ms;
    int max_retries;
    long retry_base_ms;
    long retry_max_ms;
    uint64_t jitter_state; /* xorshift64 state for backoff jitter, seeded per client */
    char curl_errbuf[CURL_ERROR_SIZE];
};

/* Shared DNS cache and TLS session cache, each guarded by its own mutex. */
CURLSH *s3_share_handle(struct s3_share *share);

/* One S3 request. Strings are borrowed for the duration of s3_http_perform(). */
struct s3_request {
    const char *method;           /* "GET", "HEAD", "PUT", "POST", "DELETE" */
    const char *bucket;           /* validated by the caller */
    const char *key;              /* NULL for a bucket request */
    const struct s3_query *query; /* NULL: none */
    const struct s3_body *body;   /* NULL: no body */
    const char *content_type;     /* NULL: none sent */
    bool has_range;               /* GET: bytes range_first..range_last (UINT64_MAX: open end) */
    uint64_t range_first;
    uint64_t range_last;
    s3_write_fn sink; /* GET: object bytes of a 2xx answer go here, not to body */
    void *sink_ctx;
    bool error_in_ok; /* a 200 answer may carry an <Error> document (complete) */
};

/* What came back from a 2xx answer. */
struct s3_response {
    long status;
    struct s3_buf body;      /* the XML answer (empty for sink requests and HEAD) */
    char etag[S3_ETAG_MAX];  /* ETag header without quotes, "" if none */
    uint64_t content_length; /* bytes in this answer, if has_content_length */
    bool has_content_length;
    uint64_t object_size; /* whole object: Content-Range total, else Content-Length */
    bool has_object_size;
    time_t last_modified; /* 0 if none */
};

/* Send req (retrying as s3.h describes) and fill resp. S3_OK only for a 2xx answer whose sink
 * took every byte; else an S3_ERR_* code with err filled. resp must be released with
 * s3_response_free() whatever the result. */
int s3_http_perform(struct s3_client *c, const struct s3_request *req, struct s3_response *resp,
                    struct s3_error *err);
void s3_response_free(struct s3_response *resp);

#endif /* HOTCOPY_S3_HTTP_H */
