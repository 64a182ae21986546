/*
 * s3_util.c — small helpers of the S3 client: growable buffer, SigV4 URI encoding (RFC 3986
 * unreserved characters kept), the query string in byte order of its names, filling struct
 * s3_error with the client's own descriptions, and the bucket-name and key checks.
 */
#include "s3_util.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- buffer ------------------------------------------------------------------------------- */

int s3_buf_append(struct s3_buf *b, const void *data, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *grown;
        while (cap < b->len + len + 1)
            cap *= 2;
        grown = realloc(b->data, cap);
        if (grown == NULL) return -1;
        b->data = grown;
        b->cap = cap;
    }
    if (len > 0) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int s3_buf_append_str(struct s3_buf *b, const char *s)
{
    return s3_buf_append(b, s, strlen(s));
}

void s3_buf_free(struct s3_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- encoding and query ------------------------------------------------------------------- */

static bool is_unreserved(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.' || ch == '~';
}

int s3_uri_encode_append(struct s3_buf *b, const char *s, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        char escaped[3] = {'%', hex[*p >> 4], hex[*p & 0xf]};
        int rc = (is_unreserved(*p) || (keep_slash && *p == '/')) ? s3_buf_append(b, p, 1)
                                                                  : s3_buf_append(b, escaped, 3);
        if (rc != 0) return -1;
    }
    return 0;
}

void s3_query_add(struct s3_query *q, const char *name, const char *value)
{
    assert(q->count < S3_QUERY_MAX_PARAMS);
    if (q->count >= S3_QUERY_MAX_PARAMS) return;
    q->names[q->count] = name;
    q->values[q->count] = value != NULL ? value : "";
    q->count++;
}

int s3_query_write(const struct s3_query *q, struct s3_buf *out)
{
    int order[S3_QUERY_MAX_PARAMS];

    /* Insertion sort by name (names are plain ASCII, so byte order of the encoded names). */
    for (int i = 0; i < q->count; i++) {
        int j = i;
        while (j > 0 && strcmp(q->names[order[j - 1]], q->names[i]) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    for (int i = 0; i < q->count; i++) {
        if ((i > 0 && s3_buf_append(out, "&", 1) != 0) ||
            s3_uri_encode_append(out, q->names[order[i]], false) != 0 ||
            s3_buf_append(out, "=", 1) != 0 ||
            s3_uri_encode_append(out, q->values[order[i]], false) != 0)
            return -1;
    }
    return 0;
}

/* ---- errors and checks -------------------------------------------------------------------- */

void s3_error_clear(struct s3_error *err)
{
    if (err != NULL) memset(err, 0, sizeof(*err));
}

static void describe_request(struct s3_error *err, const char *method, const char *bucket,
                             const char *key)
{
    snprintf(err->request, sizeof(err->request), "%s %s%s%s", method ? method : "?",
             bucket ? bucket : "", key ? "/" : "", key ? key : "");
}

int s3_error_set(struct s3_error *err, int rc, const char *method, const char *bucket,
                 const char *key, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL) return rc;
    err->rc = rc;
    describe_request(err, method, bucket, key);
    va_start(ap, fmt);
    vsnprintf(err->curl_error, sizeof(err->curl_error), fmt, ap);
    va_end(ap);
    return rc;
}

int s3_check_bucket(const char *bucket, const char *method, struct s3_error *err)
{
    size_t len = bucket ? strlen(bucket) : 0;

    s3_error_clear(err); /* the first thing every operation does */
    if (len < 3 || len > 63)
        return s3_error_set(err, S3_ERR_INVALID, method, NULL, NULL,
                            "bucket name must have 3 to 63 characters");
    for (size_t i = 0; i < len; i++) {
        char ch = bucket[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (!alnum && ((ch != '.' && ch != '-') || i == 0 || i == len - 1))
            return s3_error_set(err, S3_ERR_INVALID, method, NULL, NULL,
                                "bucket name may hold only a-z, 0-9, '.', '-' (not at its ends)");
    }
    return S3_OK;
}

int s3_check_key(const char *bucket, const char *key, const char *method, struct s3_error *err)
{
    int rc = s3_check_bucket(bucket, method, err);
    size_t len;

    if (rc != S3_OK) return rc;
    len = key ? strlen(key) : 0;
    if (len == 0 || len > S3_MAX_KEY_BYTES)
        return s3_error_set(err, S3_ERR_INVALID, method, bucket, NULL,
                            "object key must have 1 to %d bytes", S3_MAX_KEY_BYTES);
    return S3_OK;
}
