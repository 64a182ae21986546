/*
 * s3_list.c — ListObjectsV2 (GET /BUCKET?list-type=2&...): one page per call, read from the
 * ListBucketResult document into a struct s3_list_page the caller owns. Keys are taken as the XML
 * gives them (no encoding-type=url: keys with control characters, which XML 1.0 cannot carry,
 * are not supported).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3.h"
#include "s3_http.h"
#include "s3_xml.h"

#define LIST_MAX_KEYS 1000

struct list_parse {
    struct s3_list_page *page;
    size_t object_cap;
    size_t prefix_cap;
    struct s3_object_info current; /* the <Contents> being read */
    bool failed_alloc;
};

static int push_object(struct list_parse *lp)
{
    struct s3_list_page *page = lp->page;

    if (lp->current.key == NULL) return -1; /* a <Contents> without <Key> */
    if (page->object_count == lp->object_cap) {
        size_t cap = lp->object_cap ? 2 * lp->object_cap : 64;
        struct s3_object_info *grown = realloc(page->objects, cap * sizeof(*grown));
        if (grown == NULL) return -2;
        page->objects = grown;
        lp->object_cap = cap;
    }
    page->objects[page->object_count++] = lp->current;
    memset(&lp->current, 0, sizeof(lp->current));
    return 0;
}

static int push_prefix(struct list_parse *lp, const char *text)
{
    struct s3_list_page *page = lp->page;
    char *copy;

    if (page->prefix_count == lp->prefix_cap) {
        size_t cap = lp->prefix_cap ? 2 * lp->prefix_cap : 16;
        char **grown = realloc(page->common_prefixes, cap * sizeof(*grown));
        if (grown == NULL) return -2;
        page->common_prefixes = grown;
        lp->prefix_cap = cap;
    }
    copy = strdup(text);
    if (copy == NULL) return -2;
    page->common_prefixes[page->prefix_count++] = copy;
    return 0;
}

/* Fields of one <Contents>: -1 malformed, -2 out of memory. */
static int on_contents_field(struct s3_object_info *obj, const char *field, const char *text,
                             size_t text_len)
{
    if (strcmp(field, "Key") == 0) {
        free(obj->key);
        obj->key = strdup(text);
        return obj->key != NULL ? 0 : -2;
    }
    if (strcmp(field, "Size") == 0) return s3_xml_parse_u64(text, &obj->size);
    if (strcmp(field, "ETag") == 0)
        return s3_xml_copy_etag(obj->etag, sizeof(obj->etag), text, text_len);
    if (strcmp(field, "LastModified") == 0) return s3_xml_parse_time(text, &obj->last_modified);
    return 0;
}

static int on_list_element(void *ctx, const char *path, const char *text, size_t text_len)
{
    static const char contents[] = "ListBucketResult/Contents/";
    struct list_parse *lp = ctx;
    struct s3_list_page *page = lp->page;

    if (strncmp(path, contents, sizeof(contents) - 1) == 0)
        return on_contents_field(&lp->current, path + sizeof(contents) - 1, text, text_len);
    if (strcmp(path, "ListBucketResult/Contents") == 0) return push_object(lp);
    if (strcmp(path, "ListBucketResult/CommonPrefixes/Prefix") == 0) return push_prefix(lp, text);
    if (strcmp(path, "ListBucketResult/IsTruncated") == 0) {
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0) return -1;
        page->is_truncated = strcmp(text, "true") == 0;
        return 0;
    }
    if (strcmp(path, "ListBucketResult/NextContinuationToken") == 0) {
        free(page->next_continuation_token);
        page->next_continuation_token = strdup(text);
        return page->next_continuation_token != NULL ? 0 : -2;
    }
    return 0;
}

void s3_list_page_free(struct s3_list_page *page)
{
    for (size_t i = 0; i < page->object_count; i++)
        free(page->objects[i].key);
    free(page->objects);
    for (size_t i = 0; i < page->prefix_count; i++)
        free(page->common_prefixes[i]);
    free(page->common_prefixes);
    free(page->next_continuation_token);
    memset(page, 0, sizeof(*page));
}

static int parse_page(const struct s3_response *resp, struct s3_list_page *page, const char *bucket,
                      struct s3_error *err)
{
    struct list_parse lp = {.page = page};
    char root[32];
    int parsed =
        s3_xml_parse(resp->body.data, resp->body.len, on_list_element, &lp, root, sizeof(root));

    free(lp.current.key);
    if (parsed == -2)
        return s3_error_set(err, S3_ERR_NOMEM, "GET", bucket, NULL, "out of memory for a listing");
    if (parsed != 0 || strcmp(root, "ListBucketResult") != 0)
        return s3_error_set(err, S3_ERR_PROTOCOL, "GET", bucket, NULL,
                            "malformed ListBucketResult");
    if (page->is_truncated && page->next_continuation_token == NULL)
        return s3_error_set(err, S3_ERR_PROTOCOL, "GET", bucket, NULL,
                            "truncated listing without NextContinuationToken");
    return S3_OK;
}

int s3_list_objects(struct s3_client *c, const char *bucket, const struct s3_list_request *req,
                    struct s3_list_page *page, struct s3_error *err)
{
    static const struct s3_list_request all = {0};
    struct s3_query query = {0};
    struct s3_request http = {.method = "GET", .bucket = bucket, .query = &query};
    struct s3_response resp;
    char max_keys[16];
    int rc = s3_check_bucket(bucket, "GET", err);

    if (rc != S3_OK) return rc;
    if (req == NULL) req = &all;
    if (page == NULL || req->max_keys < 0 || req->max_keys > LIST_MAX_KEYS)
        return s3_error_set(err, S3_ERR_INVALID, "GET", bucket, NULL,
                            "need a page and max_keys in 0..%d", LIST_MAX_KEYS);
    snprintf(max_keys, sizeof(max_keys), "%d", req->max_keys ? req->max_keys : LIST_MAX_KEYS);
    s3_query_add(&query, "list-type", "2");
    s3_query_add(&query, "max-keys", max_keys);
    if (req->prefix != NULL && req->prefix[0] != '\0') s3_query_add(&query, "prefix", req->prefix);
    if (req->delimiter != NULL) s3_query_add(&query, "delimiter", req->delimiter);
    if (req->continuation_token != NULL)
        s3_query_add(&query, "continuation-token", req->continuation_token);
    if (req->start_after != NULL) s3_query_add(&query, "start-after", req->start_after);
    rc = s3_http_perform(c, &http, &resp, err);
    s3_list_page_free(page); /* after the request: the caller's token may live in this page */
    if (rc == S3_OK) rc = parse_page(&resp, page, bucket, err);
    if (rc != S3_OK) s3_list_page_free(page);
    s3_response_free(&resp);
    return rc;
}
