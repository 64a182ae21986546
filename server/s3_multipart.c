/*
 * s3_multipart.c — multipart upload: create (POST ?uploads=), upload part (PUT ?partNumber&
 * uploadId), list parts (GET ?uploadId, every page), complete (POST ?uploadId with the part
 * list) and abort (DELETE ?uploadId).
 *
 * Store behaviour handled here: RGW 16.2 may answer CompleteMultipartUpload without an ETag (the
 * object's ETag is then read with a HEAD); AWS may answer it "200 OK" and still carry an <Error>
 * document (the request engine reports that as a retryable 500); valueless sub-resources are sent
 * with '=' ("uploads="), as RGW's signature check wants.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3.h"
#include "s3_http.h"
#include "s3_xml.h"

#define LIST_PARTS_PAGE "1000"

static int check_upload(const char *bucket, const char *key, const char *upload_id,
                        const char *method, struct s3_error *err)
{
    int rc = s3_check_key(bucket, key, method, err);

    if (rc == S3_OK &&
        (upload_id == NULL || upload_id[0] == '\0' || strlen(upload_id) >= S3_UPLOAD_ID_MAX))
        rc = s3_error_set(err, S3_ERR_INVALID, method, bucket, key, "bad upload id");
    return rc;
}

/* ---- create ------------------------------------------------------------------------------- */

struct create_parse {
    char *upload_id;
    bool found;
};

static int on_create_element(void *ctx, const char *path, const char *text, size_t text_len)
{
    struct create_parse *cp = ctx;

    if (strcmp(path, "InitiateMultipartUploadResult/UploadId") != 0) return 0;
    if (text_len == 0 || text_len >= S3_UPLOAD_ID_MAX) return -1;
    memcpy(cp->upload_id, text, text_len + 1);
    cp->found = true;
    return 0;
}

int s3_multipart_create(struct s3_client *c, const char *bucket, const char *key,
                        const char *content_type, char upload_id[S3_UPLOAD_ID_MAX],
                        struct s3_error *err)
{
    struct s3_query query = {0};
    struct s3_request req = {.method = "POST",
                             .bucket = bucket,
                             .key = key,
                             .query = &query,
                             .content_type = content_type};
    struct s3_response resp;
    struct create_parse cp = {.upload_id = upload_id};
    int rc = s3_check_key(bucket, key, "POST", err);

    if (rc != S3_OK) return rc;
    upload_id[0] = '\0';
    s3_query_add(&query, "uploads", "");
    rc = s3_http_perform(c, &req, &resp, err);
    if (rc == S3_OK &&
        (s3_xml_parse(resp.body.data, resp.body.len, on_create_element, &cp, NULL, 0) != 0 ||
         !cp.found))
        rc = s3_error_set(err, S3_ERR_PROTOCOL, "POST", bucket, key,
                          "InitiateMultipartUploadResult without an UploadId");
    s3_response_free(&resp);
    return rc;
}

/* ---- upload part -------------------------------------------------------------------------- */

int s3_multipart_upload_part(struct s3_client *c, const char *bucket, const char *key,
                             const char *upload_id, int part_number, const struct s3_body *body,
                             char etag_out[S3_ETAG_MAX], struct s3_error *err)
{
    struct s3_query query = {0};
    struct s3_request req = {
        .method = "PUT", .bucket = bucket, .key = key, .query = &query, .body = body};
    struct s3_response resp;
    char number[16];
    int rc = check_upload(bucket, key, upload_id, "PUT", err);

    if (rc != S3_OK) return rc;
    if (part_number < 1 || part_number > S3_MAX_PART_NUMBER || body == NULL ||
        body->length > S3_MAX_PART_SIZE || etag_out == NULL)
        return s3_error_set(err, S3_ERR_INVALID, "PUT", bucket, key,
                            "part number 1..%d, a body of at most 5 GiB and an ETag buffer",
                            S3_MAX_PART_NUMBER);
    snprintf(number, sizeof(number), "%d", part_number);
    s3_query_add(&query, "partNumber", number);
    s3_query_add(&query, "uploadId", upload_id);
    rc = s3_http_perform(c, &req, &resp, err);
    if (rc == S3_OK && resp.etag[0] == '\0')
        rc = s3_error_set(err, S3_ERR_PROTOCOL, "PUT", bucket, key,
                          "part %d stored but its answer has no ETag", part_number);
    if (rc == S3_OK) memcpy(etag_out, resp.etag, S3_ETAG_MAX);
    s3_response_free(&resp);
    return rc;
}

/* ---- list parts --------------------------------------------------------------------------- */

struct parts_parse {
    struct s3_part *parts;
    size_t count;
    size_t cap;
    struct s3_part current;
    bool has_number;
    bool is_truncated;
    uint64_t next_marker;
    bool has_next_marker;
};

static int push_part(struct parts_parse *pp)
{
    if (!pp->has_number) return -1;
    if (pp->count == pp->cap) {
        size_t cap = pp->cap ? 2 * pp->cap : 64;
        struct s3_part *grown = realloc(pp->parts, cap * sizeof(*grown));
        if (grown == NULL) return -2;
        pp->parts = grown;
        pp->cap = cap;
    }
    pp->parts[pp->count++] = pp->current;
    memset(&pp->current, 0, sizeof(pp->current));
    pp->has_number = false;
    return 0;
}

static int on_parts_element(void *ctx, const char *path, const char *text, size_t text_len)
{
    static const char part[] = "ListPartsResult/Part/";
    struct parts_parse *pp = ctx;
    uint64_t value;

    if (strncmp(path, part, sizeof(part) - 1) == 0) {
        const char *field = path + sizeof(part) - 1;
        if (strcmp(field, "PartNumber") == 0) {
            if (s3_xml_parse_u64(text, &value) != 0 || value < 1 || value > S3_MAX_PART_NUMBER)
                return -1;
            pp->current.number = (int)value;
            pp->has_number = true;
        } else if (strcmp(field, "Size") == 0) {
            return s3_xml_parse_u64(text, &pp->current.size);
        } else if (strcmp(field, "ETag") == 0) {
            return s3_xml_copy_etag(pp->current.etag, sizeof(pp->current.etag), text, text_len);
        }
        return 0;
    }
    if (strcmp(path, "ListPartsResult/Part") == 0) return push_part(pp);
    if (strcmp(path, "ListPartsResult/IsTruncated") == 0) {
        pp->is_truncated = strcmp(text, "true") == 0;
        return 0;
    }
    if (strcmp(path, "ListPartsResult/NextPartNumberMarker") == 0 && text_len > 0) {
        if (s3_xml_parse_u64(text, &pp->next_marker) != 0) return -1;
        pp->has_next_marker = true;
    }
    return 0;
}

/* One ListParts page after `marker`; appends to pp. */
static int list_parts_page(struct s3_client *c, const char *bucket, const char *key,
                           const char *upload_id, uint64_t marker, struct parts_parse *pp,
                           struct s3_error *err)
{
    struct s3_query query = {0};
    struct s3_request req = {.method = "GET", .bucket = bucket, .key = key, .query = &query};
    struct s3_response resp;
    char marker_text[24];
    int rc, parsed;

    snprintf(marker_text, sizeof(marker_text), "%" PRIu64, marker);
    s3_query_add(&query, "max-parts", LIST_PARTS_PAGE);
    if (marker > 0) s3_query_add(&query, "part-number-marker", marker_text);
    s3_query_add(&query, "uploadId", upload_id);
    pp->is_truncated = pp->has_next_marker = false;
    rc = s3_http_perform(c, &req, &resp, err);
    if (rc == S3_OK) {
        char root[32];
        parsed =
            s3_xml_parse(resp.body.data, resp.body.len, on_parts_element, pp, root, sizeof(root));
        if (parsed == -2)
            rc = s3_error_set(err, S3_ERR_NOMEM, "GET", bucket, key, "out of memory for parts");
        else if (parsed != 0 || strcmp(root, "ListPartsResult") != 0)
            rc =
                s3_error_set(err, S3_ERR_PROTOCOL, "GET", bucket, key, "malformed ListPartsResult");
        else if (pp->is_truncated && (!pp->has_next_marker || pp->next_marker <= marker))
            rc = s3_error_set(err, S3_ERR_PROTOCOL, "GET", bucket, key,
                              "truncated ListPartsResult without a later NextPartNumberMarker");
    }
    s3_response_free(&resp);
    return rc;
}

int s3_multipart_list_parts(struct s3_client *c, const char *bucket, const char *key,
                            const char *upload_id, struct s3_part **parts, size_t *count,
                            struct s3_error *err)
{
    struct parts_parse pp = {0};
    uint64_t marker = 0;
    int rc = check_upload(bucket, key, upload_id, "GET", err);

    if (rc != S3_OK) return rc;
    if (parts == NULL || count == NULL)
        return s3_error_set(err, S3_ERR_INVALID, "GET", bucket, key, "need parts and count");
    *parts = NULL;
    *count = 0;
    do {
        rc = list_parts_page(c, bucket, key, upload_id, marker, &pp, err);
        marker = pp.next_marker;
    } while (rc == S3_OK && pp.is_truncated);
    for (size_t i = 1; rc == S3_OK && i < pp.count; i++)
        if (pp.parts[i].number <= pp.parts[i - 1].number)
            rc = s3_error_set(err, S3_ERR_PROTOCOL, "GET", bucket, key,
                              "ListPartsResult numbers not ascending");
    if (rc != S3_OK) {
        free(pp.parts);
        return rc;
    }
    *parts = pp.parts;
    *count = pp.count;
    return S3_OK;
}

/* ---- complete ----------------------------------------------------------------------------- */

static int complete_body(const struct s3_part *parts, size_t count, struct s3_buf *xml)
{
    char number[16];

    if (s3_buf_append_str(xml, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/"
                               "2006-03-01/\">") != 0)
        return -1;
    for (size_t i = 0; i < count; i++) {
        snprintf(number, sizeof(number), "%d", parts[i].number);
        if (s3_buf_append_str(xml, "<Part><PartNumber>") != 0 ||
            s3_buf_append_str(xml, number) != 0 ||
            s3_buf_append_str(xml, "</PartNumber><ETag>&quot;") != 0 ||
            s3_xml_escape_append(xml, parts[i].etag) != 0 ||
            s3_buf_append_str(xml, "&quot;</ETag></Part>") != 0)
            return -1;
    }
    return s3_buf_append_str(xml, "</CompleteMultipartUpload>");
}

static int on_complete_element(void *ctx, const char *path, const char *text, size_t text_len)
{
    char *etag = ctx;

    if (strcmp(path, "CompleteMultipartUploadResult/ETag") == 0)
        return s3_xml_copy_etag(etag, S3_ETAG_MAX, text, text_len);
    return 0;
}

static int check_parts(const char *bucket, const char *key, const struct s3_part *parts,
                       size_t count, struct s3_error *err)
{
    if (parts == NULL || count == 0 || count > S3_MAX_PART_NUMBER)
        return s3_error_set(err, S3_ERR_INVALID, "POST", bucket, key, "need 1..%d parts",
                            S3_MAX_PART_NUMBER);
    for (size_t i = 0; i < count; i++) {
        if (parts[i].number < 1 || parts[i].number > S3_MAX_PART_NUMBER ||
            (i > 0 && parts[i].number <= parts[i - 1].number) || parts[i].etag[0] == '\0' ||
            memchr(parts[i].etag, '\0', S3_ETAG_MAX) == NULL)
            return s3_error_set(err, S3_ERR_INVALID, "POST", bucket, key,
                                "part %zu: numbers must ascend in 1..%d and ETags be set", i,
                                S3_MAX_PART_NUMBER);
    }
    return S3_OK;
}

/* A retried complete found the upload gone: an earlier attempt completed it but its answer was
 * lost. True when the object now exists with a multipart ETag of `count` parts ("...-count"). */
static bool completed_by_lost_answer(struct s3_client *c, const char *bucket, const char *key,
                                     size_t count, char etag[S3_ETAG_MAX])
{
    struct s3_object_head head;
    char suffix[16];
    size_t len, suffix_len;

    if (s3_head_object(c, bucket, key, &head, NULL) != S3_OK) return false;
    snprintf(suffix, sizeof(suffix), "-%zu", count);
    len = strlen(head.etag);
    suffix_len = strlen(suffix);
    if (len <= suffix_len || strcmp(head.etag + len - suffix_len, suffix) != 0) return false;
    memcpy(etag, head.etag, S3_ETAG_MAX);
    return true;
}

int s3_multipart_complete(struct s3_client *c, const char *bucket, const char *key,
                          const char *upload_id, const struct s3_part *parts, size_t count,
                          char etag_out[S3_ETAG_MAX], struct s3_error *err)
{
    struct s3_query query = {0};
    struct s3_buf xml = {0};
    struct s3_body body;
    struct s3_request req = {.method = "POST",
                             .bucket = bucket,
                             .key = key,
                             .query = &query,
                             .body = &body,
                             .content_type = "application/xml",
                             .error_in_ok = true};
    struct s3_response resp = {0};
    struct s3_object_head head;
    char etag[S3_ETAG_MAX] = "";
    struct s3_error scratch;
    int rc;

    if (err == NULL) err = &scratch; /* the lost-answer check needs the status and attempt count */
    rc = check_upload(bucket, key, upload_id, "POST", err);

    if (rc == S3_OK) rc = check_parts(bucket, key, parts, count, err);
    if (rc != S3_OK) return rc;
    if (complete_body(parts, count, &xml) != 0) {
        rc = s3_error_set(err, S3_ERR_NOMEM, "POST", bucket, key, "out of memory");
        goto cleanup;
    }
    body = s3_body_mem(xml.data, xml.len);
    s3_query_add(&query, "uploadId", upload_id);
    rc = s3_http_perform(c, &req, &resp, err);
    if (rc == S3_ERR_STORE && err->http_status == 404 && err->attempts > 1 &&
        completed_by_lost_answer(c, bucket, key, count, etag)) {
        int attempts = err->attempts;
        s3_error_clear(err);
        err->attempts = attempts;
        err->http_status = 200;
        rc = S3_OK;
    } else if (rc == S3_OK &&
               s3_xml_parse(resp.body.data, resp.body.len, on_complete_element, etag, NULL, 0) != 0)
        rc = s3_error_set(err, S3_ERR_PROTOCOL, "POST", bucket, key,
                          "malformed CompleteMultipartUploadResult");
    if (rc == S3_OK && etag[0] == '\0') { /* RGW 16.2: ask the object itself */
        rc = s3_head_object(c, bucket, key, &head, err);
        if (rc == S3_OK) memcpy(etag, head.etag, S3_ETAG_MAX);
    }
    if (rc == S3_OK && etag_out != NULL) memcpy(etag_out, etag, S3_ETAG_MAX);
cleanup:
    s3_response_free(&resp);
    s3_buf_free(&xml);
    return rc;
}

/* ---- abort -------------------------------------------------------------------------------- */

int s3_multipart_abort(struct s3_client *c, const char *bucket, const char *key,
                       const char *upload_id, struct s3_error *err)
{
    struct s3_query query = {0};
    struct s3_request req = {.method = "DELETE", .bucket = bucket, .key = key, .query = &query};
    struct s3_response resp;
    int rc = check_upload(bucket, key, upload_id, "DELETE", err);

    if (rc != S3_OK) return rc;
    s3_query_add(&query, "uploadId", upload_id);
    rc = s3_http_perform(c, &req, &resp, err);
    s3_response_free(&resp);
    return rc;
}
