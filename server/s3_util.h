/*
 * s3_util.h — internal to the S3 client (server/s3*.c): growable buffer, SigV4 URI encoding, the
 * sorted query string, error filling and bucket/key checks. Not for use outside the S3 client.
 */
#ifndef HOTCOPY_S3_UTIL_H
#define HOTCOPY_S3_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "s3.h"

/* A growable byte buffer, always NUL-terminated when data is not NULL. */
struct s3_buf {
    char *data;
    size_t len;
    size_t cap;
};
int s3_buf_append(struct s3_buf *b, const void *data, size_t len);
int s3_buf_append_str(struct s3_buf *b, const char *s);
void s3_buf_free(struct s3_buf *b);

/* Append s percent-encoded as SigV4 wants: A-Z a-z 0-9 - _ . ~ kept, and '/' kept when
 * keep_slash; every other byte as %XX (upper-case hex). */
int s3_uri_encode_append(struct s3_buf *b, const char *s, bool keep_slash);

/* Query parameters, written in byte order of their names (libcurl 7.88 signs the query as
 * given, and SigV4 wants it sorted), each as name=value with '=' even when the value is empty
 * ("uploads=": RGW rejects a bare "uploads"). */
#define S3_QUERY_MAX_PARAMS 8
struct s3_query {
    const char *names[S3_QUERY_MAX_PARAMS];
    const char *values[S3_QUERY_MAX_PARAMS];
    int count;
};
void s3_query_add(struct s3_query *q, const char *name, const char *value);
int s3_query_write(const struct s3_query *q, struct s3_buf *out);

/* Error helpers shared by the operations. */
void s3_error_clear(struct s3_error *err);
/* Set rc and the client's own description ("GET bucket/key: what") into err (may be NULL);
 * returns rc. */
int s3_error_set(struct s3_error *err, int rc, const char *method, const char *bucket,
                 const char *key, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Argument checks, the first step of every operation: they clear err, then fill it
 * (S3_ERR_INVALID) when a name is unusable. */
int s3_check_bucket(const char *bucket, const char *method, struct s3_error *err);
int s3_check_key(const char *bucket, const char *key, const char *method, struct s3_error *err);

#endif /* HOTCOPY_S3_UTIL_H */
