/*
 * s3.h — the S3 client hotcopyd uses for offsite copies (Ceph RADOS Gateway, MinIO, AWS S3).
 *
 * Overview
 *   A client (struct s3_client) talks to one endpoint with one key pair. Requests use path-style
 *   addressing (ENDPOINT/BUCKET/KEY) and are signed by libcurl's AWS Signature V4
 *   (CURLOPT_AWS_SIGV4 "aws:amz:REGION:s3"); the store's XML answers are parsed with expat.
 *   Operations: bucket create/head; object put (from memory or streamed from a read callback with
 *   a known length), get (whole or a byte range, into a write callback), head, delete;
 *   ListObjectsV2 with prefix, delimiter and continuation; multipart create, upload part, list
 *   parts (to resume), complete, abort.
 *
 * Payload hash (x-amz-content-sha256, always sent: libcurl 7.88 against RGW needs it)
 *   - Bodies in memory (s3_body.data) and the client's own XML bodies: the SHA-256 of the body,
 *     computed with GnuTLS. The signature covers it, and the store verifies the bytes it received
 *     against it (RGW answers 400 XAmzContentSHA256Mismatch), so corruption in transit is caught.
 *   - Streamed bodies (s3_body.read): UNSIGNED-PAYLOAD, unless the caller supplies sha256_hex (a
 *     stream can be read only once before it is sent). The project checks what it sent with its
 *     own SHA-256/CRC32C recorded in the manifest, and the ETag of a single PUT or of a part is the
 *     MD5 of its bytes on RGW and AWS (without SSE-KMS) if a caller wants a store-side check.
 *   - Requests without a body: the SHA-256 of the empty string.
 *
 * Errors
 *   Every fallible call returns S3_OK (0) or a negative S3_ERR_* code and, when err is not NULL,
 *   fills struct s3_error: the HTTP status, the store's <Code>, <Message> and <RequestId>,
 *   libcurl's error text, whether the failure is retryable and how many attempts were made. On
 *   S3_OK the error is cleared but for http_status and attempts (what the exchange took).
 *   Answers to HEAD have no body, so a failed HEAD carries only its status. s3_strerror() names
 *   a code; s3_error_format() renders an error on one line.
 *   Credentials are never logged (the client logs nothing) and never appear in an error text: the
 *   keys travel only as libcurl's user name and password, and an endpoint carrying user info is
 *   refused.
 *
 * Retries
 *   Network failures (connect, resolve, timeout, reset, empty reply, TLS handshake), HTTP 5xx
 *   and 429 (and any answer whose <Code> is SlowDown) are retried up to config.max_retries times
 * with exponential backoff and jitter: delay n (n = 1, 2, ...) is drawn uniformly from [d/2, d]
 * where d = min(retry_max_ms, retry_base_ms * 2^(n-1)). Other 4xx answers, a certificate that fails
 *   verification and the caller's own callback errors are never retried.
 *   A streamed body is retried only when it has a rewind callback (or was not read from yet). A
 *   GET that fails after delivering bytes resumes at the next byte with If-Match on the first
 *   answer's ETag, so the write callback sees every byte exactly once and never a mix of versions.
 *
 * Threads
 *   One client per thread: a client owns one libcurl easy handle (and its kept-alive connection)
 *   and must not be used by two threads at once. To keep several parts in flight, give each worker
 *   thread its own client; clients may share a struct s3_share (DNS cache and TLS sessions, under
 *   its own mutexes) and free each on its own. Call s3_global_init() once before any thread
 *   creates a client, s3_global_cleanup() after the last client is freed.
 */
#ifndef HOTCOPY_S3_H
#define HOTCOPY_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Return codes. */
enum {
    S3_OK = 0,
    S3_ERR_INVALID = -1,  /* bad argument or configuration; nothing was sent */
    S3_ERR_NOMEM = -2,    /* out of memory */
    S3_ERR_NETWORK = -3,  /* no usable HTTP answer (connect, resolve, timeout, reset, TLS);
                             see curl_error and retryable */
    S3_ERR_STORE = -4,    /* the store answered with an error: http_status, code, message */
    S3_ERR_PROTOCOL = -5, /* an answer the client cannot use (bad XML, a missing field, a range
                             other than the one asked for, an XML answer over 16 MiB) */
    S3_ERR_CALLBACK = -6, /* the caller's read or write callback stopped the transfer */
};

#define S3_DEFAULT_REGION "us-east-1"
#define S3_ETAG_MAX 128                     /* bytes for an ETag (without quotes) and its NUL */
#define S3_UPLOAD_ID_MAX 1024               /* bytes for a multipart upload id and its NUL */
#define S3_MAX_KEY_BYTES 1024               /* longest object key S3 accepts */
#define S3_MIN_PART_SIZE (5u * 1024 * 1024) /* every part but the last (EntityTooSmall) */
#define S3_MAX_PART_SIZE (5ull * 1024 * 1024 * 1024)
#define S3_MAX_PART_NUMBER 10000
#define S3_MAX_RETRIES_LIMIT 20    /* upper bound accepted for config.max_retries */
#define S3_WHOLE_OBJECT UINT64_MAX /* s3_get_object length: to the end of the object */

struct s3_error {
    int rc;               /* the S3_ERR_* code also returned */
    char request[192];    /* "METHOD bucket/key" of the failing request (query left out) */
    long http_status;     /* 0 when no HTTP answer was received */
    char code[64];        /* the store's <Code> (e.g. "NoSuchBucket"), "" if none */
    char message[256];    /* the store's <Message>, "" if none */
    char request_id[128]; /* the store's <RequestId> or x-amz-request-id, "" if none */
    char curl_error[256]; /* libcurl's error text for S3_ERR_NETWORK, else the client's own
                             description (which request, what was wrong) */
    bool retryable;       /* the failure is transient: retrying the call later may succeed */
    int attempts;         /* HTTP requests made for the call (1 + retries); 0 if none */
};

/* Shared DNS cache and TLS sessions for several clients (see Threads above). */
struct s3_share;

struct s3_config {
    const char *endpoint;    /* "http://HOST:PORT" or "https://HOST[:PORT]": no path, query or
                                user info; copied */
    const char *region;      /* signing region; NULL or "" means S3_DEFAULT_REGION; copied */
    const char *access_key;  /* copied; never logged */
    const char *secret_key;  /* copied; never logged */
    long connect_timeout_ms; /* TCP (and TLS) connect; default 10000 */
    long low_speed_bytes;    /* abort a transfer slower than this many bytes/s ... */
    long low_speed_seconds;  /* ... for this many seconds; defaults 1024 B/s for 30 s */
    long request_timeout_ms; /* whole-request cap; 0 = none (large objects); default 0 */
    int max_retries;         /* retries after the first attempt, 0..S3_MAX_RETRIES_LIMIT;
                                default 4 */
    long retry_base_ms;      /* first backoff delay; default 200 */
    long retry_max_ms;       /* largest backoff delay; default 10000 */
    const char *ca_file;     /* PEM bundle to verify https endpoints; NULL = system store */
    struct s3_share *share;  /* NULL, or a share that outlives the client */
};

/* Caller-supplied body source. Return the number of bytes written into buf (1..len), 0 only when
 * the source is exhausted early (an error: the body is shorter than announced), or -1 to stop
 * the transfer (the call then fails with S3_ERR_CALLBACK). */
typedef ssize_t (*s3_read_fn)(void *ctx, void *buf, size_t len);
/* Restart the source at byte 0 for a retry. Return 0, or -1 if it cannot (no retry then). */
typedef int (*s3_rewind_fn)(void *ctx);
/* Receives object bytes in order. Return 0 to go on, non-zero to stop (S3_ERR_CALLBACK). */
typedef int (*s3_write_fn)(void *ctx, const void *data, size_t len);

/* A request body: either `data` (memory, `length` bytes) or `read` (streamed, exactly `length`
 * bytes). The client never takes ownership. */
struct s3_body {
    const void *data;
    uint64_t length;
    s3_read_fn read;
    s3_rewind_fn rewind;    /* optional, streamed bodies only */
    void *ctx;              /* passed to read and rewind */
    const char *sha256_hex; /* optional for streamed bodies: the body's SHA-256 (64 lower-case
                               hex digits), sent instead of UNSIGNED-PAYLOAD */
};

/* A body of `length` bytes at `data`. */
static inline struct s3_body s3_body_mem(const void *data, size_t length)
{
    struct s3_body body = {.data = data, .length = length};
    return body;
}

struct s3_object_head {
    uint64_t size;          /* the whole object's size, also for a ranged GET */
    char etag[S3_ETAG_MAX]; /* without quotes */
    time_t last_modified;   /* 0 if the store sent none */
};

struct s3_object_info { /* one ListObjectsV2 entry */
    char *key;          /* owned by the page */
    uint64_t size;
    char etag[S3_ETAG_MAX];
    time_t last_modified;
};

struct s3_list_request {
    const char *prefix;             /* NULL or "": every key */
    const char *delimiter;          /* NULL: none; "/" groups keys into common_prefixes */
    const char *continuation_token; /* NULL on the first page, then next_continuation_token */
    const char *start_after;        /* NULL: from the first key */
    int max_keys;                   /* 1..1000; 0 means 1000 */
};

struct s3_list_page { /* zero it before the first s3_list_objects() */
    struct s3_object_info *objects;
    size_t object_count;
    char **common_prefixes;
    size_t prefix_count;
    bool is_truncated;             /* more keys follow: pass next_continuation_token */
    char *next_continuation_token; /* NULL when not truncated */
};

struct s3_part {
    int number; /* 1..S3_MAX_PART_NUMBER */
    uint64_t size;
    char etag[S3_ETAG_MAX]; /* without quotes */
};

struct s3_client;

/* ---- process setup -------------------------------------------------------------------------- */

/* Initialise libcurl once per process, before any thread creates a client. S3_OK or
 * S3_ERR_NOMEM. Not thread-safe. */
int s3_global_init(void);
/* Release libcurl's global state after the last client and share are freed. Not thread-safe. */
void s3_global_cleanup(void);

/* Fill *cfg with the defaults listed in struct s3_config (endpoint and keys NULL). */
void s3_config_init(struct s3_config *cfg);

/* A share for DNS and TLS sessions. S3_OK, S3_ERR_NOMEM. Free after every client using it. */
int s3_share_new(struct s3_share **out);
void s3_share_free(struct s3_share *share);

/* A client for cfg (strings copied). S3_OK; S3_ERR_INVALID for a missing key, a bad endpoint
 * (scheme other than http/https, user info, path, query) or an out-of-range number;
 * S3_ERR_NOMEM. Thread rule: the client is then used by one thread at a time. */
int s3_client_new(const struct s3_config *cfg, struct s3_client **out, struct s3_error *err);
void s3_client_free(struct s3_client *client);

/* ---- buckets -------------------------------------------------------------------------------- */
/* Bucket names: 3..63 characters of a-z, 0-9, '.', '-', starting and ending with a letter or
 * digit; others give S3_ERR_INVALID without a request. */

/* Create bucket. S3_OK when it was created or already belongs to these credentials (RGW and
 * AWS us-east-1 answer 200 again, others 409 BucketAlreadyOwnedByYou); a region other than
 * us-east-1 is sent as the LocationConstraint. S3_ERR_STORE with 409 BucketAlreadyExists when
 * someone else owns the name, 403 when the credentials may not create buckets. */
int s3_create_bucket(struct s3_client *c, const char *bucket, struct s3_error *err);

/* S3_OK if the bucket exists and is accessible; S3_ERR_STORE with http_status 404 or 403. */
int s3_head_bucket(struct s3_client *c, const char *bucket, struct s3_error *err);

/* ---- objects -------------------------------------------------------------------------------- */
/* Keys: 1..S3_MAX_KEY_BYTES bytes, sent percent-encoded ('/' kept), never normalised. */

/* Put an object from `body`. content_type may be NULL (the store's default). etag_out (may be
 * NULL) receives the ETag without quotes. S3_ERR_STORE (e.g. NoSuchBucket, 400
 * XAmzContentSHA256Mismatch), S3_ERR_NETWORK, S3_ERR_CALLBACK, S3_ERR_INVALID. */
int s3_put_object(struct s3_client *c, const char *bucket, const char *key,
                  const struct s3_body *body, const char *content_type, char etag_out[S3_ETAG_MAX],
                  struct s3_error *err);

/* Get `length` bytes from `offset` (offset 0 and S3_WHOLE_OBJECT: the whole object; length
 * S3_WHOLE_OBJECT from an offset: to the end) into `write`. head (may be NULL) receives the
 * object's size (the whole object's, also for a range), ETag and time. On S3_OK every byte of the
 * range reached `write` once, in order; a range that runs past the end stops at the end, as S3
 * does (head->size tells), and one that starts past it gives S3_ERR_STORE 416 (InvalidRange).
 * A length of 0 gives S3_ERR_INVALID. Write callbacks may have received bytes before a failure. */
int s3_get_object(struct s3_client *c, const char *bucket, const char *key, uint64_t offset,
                  uint64_t length, s3_write_fn write, void *ctx, struct s3_object_head *head,
                  struct s3_error *err);

/* Size, ETag and time of an object. S3_ERR_STORE with http_status 404 when it (or the bucket)
 * does not exist. */
int s3_head_object(struct s3_client *c, const char *bucket, const char *key,
                   struct s3_object_head *head, struct s3_error *err);

/* Delete an object. S3_OK also when the key did not exist (S3 semantics). */
int s3_delete_object(struct s3_client *c, const char *bucket, const char *key,
                     struct s3_error *err);

/* ---- listing -------------------------------------------------------------------------------- */

/* One ListObjectsV2 page into *page. A page can be reused: its previous contents are freed
 * once the request is sent, so req->continuation_token may point into it.
 * Keys come in byte order. S3_ERR_STORE (NoSuchBucket), S3_ERR_PROTOCOL, S3_ERR_INVALID. */
int s3_list_objects(struct s3_client *c, const char *bucket, const struct s3_list_request *req,
                    struct s3_list_page *page, struct s3_error *err);
/* Free what a page holds and zero it. */
void s3_list_page_free(struct s3_list_page *page);

/* ---- multipart upload ----------------------------------------------------------------------- */

/* Start a multipart upload; upload_id receives its id. */
int s3_multipart_create(struct s3_client *c, const char *bucket, const char *key,
                        const char *content_type, char upload_id[S3_UPLOAD_ID_MAX],
                        struct s3_error *err);

/* Upload part `part_number` (1..10000) from body; every part but the last must be at least
 * S3_MIN_PART_SIZE (the store checks at complete: 400 EntityTooSmall). etag_out receives the
 * part's ETag (without quotes), needed by complete. Uploading a number again replaces it. */
int s3_multipart_upload_part(struct s3_client *c, const char *bucket, const char *key,
                             const char *upload_id, int part_number, const struct s3_body *body,
                             char etag_out[S3_ETAG_MAX], struct s3_error *err);

/* Every part stored so far, in ascending number (all pages of ListParts), to resume an upload:
 * *parts is malloc'd (free() it; NULL when *count is 0). S3_ERR_STORE with http_status 404 when
 * the upload was completed or aborted: code NoSuchUpload on AWS, NoSuchKey on RGW 16.2. */
int s3_multipart_list_parts(struct s3_client *c, const char *bucket, const char *key,
                            const char *upload_id, struct s3_part **parts, size_t *count,
                            struct s3_error *err);

/* Complete the upload from parts[0..count) (number and etag used; numbers strictly ascending).
 * etag_out (may be NULL) receives the object's ETag; when the store's answer has none (RGW 16.2)
 * it is read with a HEAD. An error document inside a 200 answer is reported as S3_ERR_STORE
 * (retryable, as a 500). When a retry finds the upload gone (404: an earlier attempt completed
 * it but its answer was lost), the call succeeds if the object now has a multipart ETag of
 * `count` parts. */
int s3_multipart_complete(struct s3_client *c, const char *bucket, const char *key,
                          const char *upload_id, const struct s3_part *parts, size_t count,
                          char etag_out[S3_ETAG_MAX], struct s3_error *err);

/* Abort the upload and free its parts on the store. S3_ERR_STORE 404 if it is already gone. */
int s3_multipart_abort(struct s3_client *c, const char *bucket, const char *key,
                       const char *upload_id, struct s3_error *err);

/* ---- errors --------------------------------------------------------------------------------- */

/* Static name of a return code ("S3_ERR_STORE"); "S3_ERR_?" for an unknown one. */
const char *s3_strerror(int rc);

/* One line describing err into buf (size bytes), e.g. "S3_ERR_STORE: PUT bucket/key: HTTP 403
 * SignatureDoesNotMatch (request id ...; 1 attempt)". Returns buf. */
char *s3_error_format(const struct s3_error *err, char *buf, size_t size);

#endif /* HOTCOPY_S3_H */
