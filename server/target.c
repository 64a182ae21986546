/*
 * target.c — the configured offsite targets: URL and credential resolution at start-up, clients,
 * bucket creation, and the mapping of store errors to problem documents (see target.h).
 */
#include "target.h"

#include "s3_util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CREDENTIALS_FILE_MAX 8192

int hc_target_parse_url(const char *url, char *bucket, size_t bucket_cap, char *prefix,
                        size_t prefix_cap, char *why, size_t whycap)
{
    if (strncmp(url, "s3://", 5) != 0) {
        snprintf(why, whycap, "\"%s\" is not an s3://BUCKET/PREFIX URL", url);
        return -1;
    }
    const char *b = url + 5, *slash = strchr(b, '/');
    size_t blen = slash ? (size_t)(slash - b) : strlen(b);
    if (blen == 0 || blen >= bucket_cap) {
        snprintf(why, whycap, "\"%s\": the bucket name is empty or too long", url);
        return -1;
    }
    memcpy(bucket, b, blen);
    bucket[blen] = '\0';
    if (s3_check_bucket(bucket, "CONFIG", NULL) != S3_OK) {
        snprintf(why, whycap, "\"%s\": \"%s\" is not a valid bucket name (3-63 of a-z 0-9 . -)",
                 url, bucket);
        return -1;
    }
    const char *p = slash ? slash : "";
    while (*p == '/') p++;
    size_t plen = strlen(p);
    while (plen > 0 && p[plen - 1] == '/') plen--;
    if (plen >= prefix_cap) {
        snprintf(why, whycap, "\"%s\": the prefix is too long", url);
        return -1;
    }
    memcpy(prefix, p, plen);
    prefix[plen] = '\0';
    return 0;
}

void hc_target_env_name(const char *target, const char *what, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "%s", HC_TARGET_ENV_PREFIX);
    for (const char *p = target; *p && n + 1 < cap; p++)
        out[n++] = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
    if (n < cap) out[n] = '\0';
    size_t len = strlen(out);
    snprintf(out + len, cap - len, "_%s", what);
}

/* Reads "access_key=..." / "secret_key=..." lines (blank lines and '#' comments allowed; the
 * AWS spellings aws_access_key_id / aws_secret_access_key too). */
static int read_credentials(struct hc_target *t, const char *path, char *err, size_t errcap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errcap, "target \"%s\": cannot read credentials file %s: %s", t->name, path,
                 strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(err, errcap,
                 "target \"%s\": credentials file %s is readable by group or others (mode %03o); "
                 "refusing it: chmod 600 %s",
                 t->name, path, (unsigned)(st.st_mode & 0777), path);
        close(fd);
        return -1;
    }
    char *text = calloc(1, CREDENTIALS_FILE_MAX + 1);
    ssize_t n = text ? read(fd, text, CREDENTIALS_FILE_MAX) : -1;
    close(fd);
    if (n < 0) {
        snprintf(err, errcap, "target \"%s\": cannot read %s", t->name, path);
        free(text);
        return -1;
    }
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        while (isspace((unsigned char)*line)) line++;
        char *eq = strchr(line, '=');
        if (*line == '#' || eq == NULL) continue;
        char *kend = eq;
        while (kend > line && isspace((unsigned char)kend[-1])) kend--;
        *kend = '\0';
        char *value = eq + 1;
        while (isspace((unsigned char)*value)) value++;
        size_t vlen = strlen(value);
        while (vlen > 0 && isspace((unsigned char)value[vlen - 1])) value[--vlen] = '\0';
        char *slot = NULL;
        if (strcmp(line, "access_key") == 0 || strcmp(line, "aws_access_key_id") == 0)
            slot = t->access_key;
        else if (strcmp(line, "secret_key") == 0 || strcmp(line, "aws_secret_access_key") == 0)
            slot = t->secret_key;
        if (slot && vlen < HC_TARGET_SECRET_MAX) memcpy(slot, value, vlen + 1);
    }
    explicit_bzero(text, CREDENTIALS_FILE_MAX + 1);
    free(text);
    if (!t->access_key[0] || !t->secret_key[0]) {
        snprintf(err, errcap, "target \"%s\": %s must hold access_key=... and secret_key=... lines",
                 t->name, path);
        return -1;
    }
    return 0;
}

static int resolve(struct hc_target *t, const struct hc_target_config *tc, char *err, size_t errcap)
{
    char why[512];
    snprintf(t->name, sizeof t->name, "%s", tc->name);
    snprintf(t->endpoint, sizeof t->endpoint, "%s", tc->endpoint);
    snprintf(t->region, sizeof t->region, "%s", tc->region);
    if (hc_target_parse_url(tc->url, t->bucket, sizeof t->bucket, t->prefix, sizeof t->prefix,
                            why, sizeof why) != 0) {
        snprintf(err, errcap, "target \"%s\": %s", t->name, why);
        return -1;
    }
    if (tc->credentials_file) return read_credentials(t, tc->credentials_file, err, errcap);
    char access_var[128], secret_var[128];
    hc_target_env_name(t->name, "ACCESS_KEY", access_var, sizeof access_var);
    hc_target_env_name(t->name, "SECRET_KEY", secret_var, sizeof secret_var);
    const char *ak = getenv(access_var), *sk = getenv(secret_var);
    if (ak == NULL || sk == NULL || !*ak || !*sk || strlen(ak) >= HC_TARGET_SECRET_MAX ||
        strlen(sk) >= HC_TARGET_SECRET_MAX) {
        snprintf(err, errcap,
                 "target \"%s\" has no credentials: set %s and %s, or give "
                 "--target-credentials %s=FILE",
                 t->name, access_var, secret_var, t->name);
        return -1;
    }
    snprintf(t->access_key, sizeof t->access_key, "%s", ak);
    snprintf(t->secret_key, sizeof t->secret_key, "%s", sk);
    return 0;
}

struct hc_targets *hc_targets_start(const struct hc_config *cfg, char *err, size_t errcap)
{
    struct hc_targets *ts = calloc(1, sizeof *ts);
    if (ts == NULL) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    if (cfg->target_count > 0 && s3_global_init() != S3_OK) {
        snprintf(err, errcap, "cannot initialise libcurl");
        free(ts);
        return NULL;
    }
    for (size_t i = 0; i < cfg->target_count; i++) {
        struct hc_target *t = &ts->items[i];
        ts->count = i + 1;
        if (resolve(t, &cfg->targets[i], err, errcap) != 0) goto fail;
        struct s3_client *probe = NULL;
        struct s3_error e;
        if (s3_share_new(&t->share) != S3_OK) {
            snprintf(err, errcap, "out of memory");
            goto fail;
        }
        if (hc_target_client(t, -1, &probe, &e) != S3_OK) { /* checks the endpoint's form */
            snprintf(err, errcap, "target \"%s\": bad endpoint \"%s\": %s", t->name, t->endpoint,
                     e.curl_error);
            goto fail;
        }
        s3_client_free(probe);
    }
    return ts;
fail:
    hc_targets_stop(ts);
    return NULL;
}

void hc_targets_stop(struct hc_targets *ts)
{
    if (ts == NULL) return;
    for (size_t i = 0; i < ts->count; i++) {
        s3_share_free(ts->items[i].share);
        explicit_bzero(ts->items[i].secret_key, sizeof ts->items[i].secret_key);
        explicit_bzero(ts->items[i].access_key, sizeof ts->items[i].access_key);
    }
    size_t had = ts->count;
    free(ts);
    if (had > 0) s3_global_cleanup();
}

struct hc_target *hc_targets_find(struct hc_targets *ts, const char *name)
{
    for (size_t i = 0; ts && i < ts->count; i++)
        if (strcmp(ts->items[i].name, name) == 0) return &ts->items[i];
    return NULL;
}

int hc_target_client(const struct hc_target *t, int max_retries, struct s3_client **out,
                     struct s3_error *err)
{
    struct s3_config cfg;
    s3_config_init(&cfg);
    cfg.endpoint = t->endpoint;
    cfg.region = t->region;
    cfg.access_key = t->access_key;
    cfg.secret_key = t->secret_key;
    cfg.share = t->share;
    cfg.connect_timeout_ms = 5000;
    cfg.retry_max_ms = 4000;
    cfg.low_speed_seconds = 20;
    if (max_retries >= 0) cfg.max_retries = max_retries;
    return s3_client_new(&cfg, out, err);
}

int hc_target_ensure_bucket(const struct hc_target *t, struct s3_client *c, bool *created,
                            struct s3_error *err)
{
    if (created) *created = false;
    int rc = s3_head_bucket(c, t->bucket, err);
    if (rc == S3_ERR_STORE && err->http_status != 404 && err->code[0] == '\0') {
        /* a HEAD answer has no body: ask again with a request whose error names the store's code
         * (SignatureDoesNotMatch, InvalidAccessKeyId, AccessDenied, ...) */
        struct s3_list_request lr = {.max_keys = 1};
        struct s3_list_page page = {0};
        rc = s3_list_objects(c, t->bucket, &lr, &page, err);
        s3_list_page_free(&page);
    }
    if (rc != S3_ERR_STORE || err->http_status != 404) return rc;
    rc = s3_create_bucket(c, t->bucket, err);
    if (rc == S3_OK && created) *created = true;
    return rc;
}

unsigned hc_target_http_status(const struct s3_error *err)
{
    return err->rc == S3_ERR_NETWORK || err->http_status == 0 ? 503 : 502;
}

cJSON *hc_target_problem(const struct hc_target *t, const struct s3_error *err, const char *doing,
                         const char *object)
{
    unsigned status = hc_target_http_status(err);
    char detail[2048], line[768];
    s3_error_format(err, line, sizeof line);
    snprintf(detail, sizeof detail, "%s on target \"%s\" (%s, bucket %s): %s", doing,
             t ? t->name : "?", t ? t->endpoint : "?", t ? t->bucket : "?", line);
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return NULL;
    cJSON_AddNumberToObject(o, "status", status);
    cJSON_AddStringToObject(o, "title",
                            status == 503 ? "Target unreachable"
                            : err->http_status == 403 ? "Target refused access"
                                                      : "Target error");
    cJSON_AddStringToObject(o, "detail", detail);
    if (t) cJSON_AddStringToObject(o, "target", t->name);
    cJSON_AddNumberToObject(o, "targetStatus", (double)err->http_status);
    cJSON_AddStringToObject(o, "targetCode", err->code);
    cJSON_AddStringToObject(o, "targetMessage", err->message);
    cJSON_AddStringToObject(o, "targetRequestId", err->request_id);
    if (object) cJSON_AddStringToObject(o, "object", object);
    return o;
}

cJSON *hc_target_json(const struct hc_target *t)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return NULL;
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON_AddStringToObject(o, "endpoint", t->endpoint);
    cJSON_AddStringToObject(o, "bucket", t->bucket);
    cJSON_AddStringToObject(o, "prefix", t->prefix);
    cJSON_AddStringToObject(o, "region", t->region);
    return o;
}
