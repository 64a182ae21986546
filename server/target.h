/*
 * target.h — the offsite targets hotcopyd was configured with (--target NAME=s3://BUCKET/PREFIX,
 * --target-endpoint, --target-region, credentials): their resolved settings, S3 clients for them,
 * and how a store's error becomes a problem document.
 *
 * Credentials: --target-credentials NAME=FILE (a file of "access_key=..." and "secret_key=..."
 * lines; refused at start-up when group or others may read it) or else the environment variables
 * HOTCOPY_TARGET_<NAME>_ACCESS_KEY and HOTCOPY_TARGET_<NAME>_SECRET_KEY, NAME in upper case with
 * every other character than a letter or digit written '_'. They live only in struct hc_target
 * and the S3 clients made from it: never in an API answer, an event, the catalog or a log line.
 *
 * Store errors (hc_target_problem): no HTTP answer (connect refused, timeout, reset) -> 503;
 * the store refused (403: bad credentials or no permission) -> 502 with "targetStatus": 403 and
 * "targetCode" (e.g. "SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied"); any other
 * store error -> 502 with its targetStatus/targetCode; a missing bucket is created when the
 * credentials allow it (hc_target_ensure_bucket), else 502 with the store's answer.
 *
 * Threads: the registry is read-only after start-up; each client is used by one thread at a time.
 */
#ifndef HOTCOPY_SERVER_TARGET_H
#define HOTCOPY_SERVER_TARGET_H

#include "config.h"
#include "s3.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define HC_TARGET_BUCKET_MAX 64
#define HC_TARGET_PREFIX_MAX 512
#define HC_TARGET_SECRET_MAX 256
#define HC_TARGET_ENV_PREFIX "HOTCOPY_TARGET_"

struct hc_target {
    char name[64];
    char bucket[HC_TARGET_BUCKET_MAX];
    char prefix[HC_TARGET_PREFIX_MAX]; /* without leading or trailing '/'; "" for none */
    char endpoint[256];
    char region[64];
    char access_key[HC_TARGET_SECRET_MAX]; /* never logged or shown */
    char secret_key[HC_TARGET_SECRET_MAX];
    struct s3_share *share; /* DNS and TLS sessions of every client of this target */
};

struct hc_targets {
    size_t count;
    struct hc_target items[HC_CONFIG_TARGETS_MAX];
};

/* Splits "s3://BUCKET[/PREFIX]" (pure). 0, or -1 with why (bad scheme, empty or invalid bucket
 * name, prefix too long). */
int hc_target_parse_url(const char *url, char *bucket, size_t bucket_cap, char *prefix,
                        size_t prefix_cap, char *why, size_t whycap);

/* "HOTCOPY_TARGET_<NAME>_<what>" for a target name (pure). */
void hc_target_env_name(const char *target, const char *what, char *out, size_t cap);

/* Resolves every configured target (URL, credentials). Returns NULL with why in err when a target
 * cannot be used: bad URL, missing credentials, a credentials file readable by group or others. */
struct hc_targets *hc_targets_start(const struct hc_config *cfg, char *err, size_t errcap);
void hc_targets_stop(struct hc_targets *targets); /* NULL is a no-op; wipes the keys */

/* The target of that name, or NULL. */
struct hc_target *hc_targets_find(struct hc_targets *targets, const char *name);

/* A new client for the target. max_retries < 0 keeps the default. S3_OK or an S3_ERR_*. */
int hc_target_client(const struct hc_target *t, int max_retries, struct s3_client **out,
                     struct s3_error *err);

/* Makes sure the bucket exists: HEAD, and on 404 a create. *created (may be NULL) says whether it
 * was created. S3_OK or the failing call's code (err filled). */
int hc_target_ensure_bucket(const struct hc_target *t, struct s3_client *c, bool *created,
                            struct s3_error *err);

/* The HTTP status a store error maps to (502 or 503, see above). */
unsigned hc_target_http_status(const struct s3_error *err);
/* A problem document for a store error: status, title, detail (what was being done and the
 * store's answer), "target", "targetStatus" (0 when no answer), "targetCode", "targetMessage",
 * "targetRequestId", and "object" when object is not NULL. Caller deletes it. */
cJSON *hc_target_problem(const struct hc_target *t, const struct s3_error *err, const char *doing,
                         const char *object);

/* The target as GET /api/v1/targets shows it (no credentials): name, endpoint, bucket, prefix,
 * region. The caller adds "reachable". */
cJSON *hc_target_json(const struct hc_target *t);

#endif
