/*
 * cat_names.c — the catalog's enumerations as text (the spellings of the REST API, which are also
 * the values stored in the enumerated columns) and the time helpers. Pure functions, no SQLite.
 */
#include "catalog.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Index i of each table holds the name of enum value i; NULL where no value or JSON null. */
static const char *const BACKUP_TYPE[] = {NULL, "full", "incremental"};
static const char *const BACKUP_PHASE[] = {NULL,    "database", "logs",  "truncated",
                                           "ended", "stopped",  "failed"};
static const char *const RECORDED_AS[] = {NULL, "full", "copy", "incremental", "differential"};
static const char *const FILE_KIND[] = {NULL, "database", "log"};
static const char *const LEVEL[] = {NULL, "info", "warning", "error"};
static const char *const RESTORE_STATE[] = {NULL, "staging", "running", "succeeded", "failed"};
static const char *const RESTORE_SOURCE[] = {NULL, "upload", "target"};
static const char *const TARGET_STATE[] = {NULL, "uploading", "complete", "failed"};
static const char *const UPLOAD_STATE[] = {NULL, "pending", "uploading", "complete", "failed"};

static const char *name_of(const char *const *table, size_t n, int v)
{
    if (v < 0 || (size_t)v >= n) return NULL;
    return table[v];
}

/* Finds s among the table's names; its index is the enum value. */
static int parse_in(const char *const *table, size_t n, const char *s, int *out)
{
    if (s == NULL) return CAT_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (table[i] != NULL && strcmp(table[i], s) == 0) {
            *out = (int)i;
            return CAT_OK;
        }
    }
    return CAT_EINVAL;
}

#define NAME_AND_PARSE(fname, enumtype, table)                                                     \
    const char *fname##_name(enum enumtype v)                                                      \
    {                                                                                              \
        return name_of(table, COUNT(table), (int)v);                                               \
    }                                                                                              \
    int fname##_parse(const char *s, enum enumtype *out)                                           \
    {                                                                                              \
        int v = 0;                                                                                 \
        int rc = parse_in(table, COUNT(table), s, &v);                                             \
        if (rc == CAT_OK && out != NULL) *out = (enum enumtype)v;                                  \
        return rc;                                                                                 \
    }

NAME_AND_PARSE(cat_backup_type, cat_backup_type, BACKUP_TYPE)
NAME_AND_PARSE(cat_backup_phase, cat_backup_phase, BACKUP_PHASE)
NAME_AND_PARSE(cat_recorded_as, cat_recorded_as, RECORDED_AS)
NAME_AND_PARSE(cat_file_kind, cat_file_kind, FILE_KIND)
NAME_AND_PARSE(cat_level, cat_level, LEVEL)
NAME_AND_PARSE(cat_restore_state, cat_restore_state, RESTORE_STATE)
NAME_AND_PARSE(cat_restore_source, cat_restore_source, RESTORE_SOURCE)
NAME_AND_PARSE(cat_target_state, cat_target_state, TARGET_STATE)
NAME_AND_PARSE(cat_upload_state, cat_upload_state, UPLOAD_STATE)

bool cat_backup_phase_running(enum cat_backup_phase v)
{
    return v == CAT_PHASE_DATABASE || v == CAT_PHASE_LOGS || v == CAT_PHASE_TRUNCATED;
}

#define US_PER_SEC 1000000LL
#define US_PER_MS 1000LL
#define NS_PER_US 1000LL

int64_t cat_now_us(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0; /* CLOCK_REALTIME always exists on Linux; 0 would read as "null" */
    return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / NS_PER_US;
}

int cat_time_rfc3339(int64_t us, char *buf, size_t len)
{
    if (buf == NULL || len < CAT_TIME_MAX) return CAT_EINVAL;
    /* Floor division, so that times before 1970 still round toward the past. */
    int64_t secs = us / US_PER_SEC;
    int64_t rem = us % US_PER_SEC;
    if (rem < 0) {
        rem += US_PER_SEC;
        secs--;
    }
    time_t t = (time_t)secs;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
        buf[0] = '\0';
        return CAT_EINVAL;
    }
    int n =
        snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(rem / US_PER_MS));
    if (n < 0 || (size_t)n >= len) return CAT_EINVAL;
    return CAT_OK;
}
