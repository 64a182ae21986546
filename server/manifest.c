/*
 * manifest.c — object keys and manifest.json of an offsite set (see manifest.h for the layout and
 * the format, which this file owns).
 */
#include "manifest.h"

#include "catalog.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- key layout --------------------------------------------------------------------------------- */

static bool plain_name(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len >= HC_MANIFEST_NAME_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (const char *p = s; *p; p++)
        if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f) return false;
    return true;
}

int hc_manifest_set_prefix(const char *prefix, const char *instance, int64_t backup_id,
                           bool incremental, int64_t started_us, char *out, size_t cap)
{
    if (instance == NULL || !plain_name(instance) || backup_id <= 0 || out == NULL) return -1;
    const char *p = prefix ? prefix : "";
    while (*p == '/') p++;
    size_t plen = strlen(p);
    while (plen > 0 && p[plen - 1] == '/') plen--;
    time_t secs = (time_t)(started_us / 1000000);
    struct tm tm;
    char when[32];
    if (gmtime_r(&secs, &tm) == NULL || strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm) == 0)
        return -1;
    int n = snprintf(out, cap, "%.*s%s%s/%lld-%s-%s/", (int)plen, p, plen ? "/" : "", instance,
                     (long long)backup_id, incremental ? "incremental" : "full", when);
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

int hc_manifest_object_key(const char *set_prefix, const char *name, char *out, size_t cap)
{
    if (set_prefix == NULL || name == NULL || !plain_name(name)) return -1;
    int n = snprintf(out, cap, "%s%s", set_prefix, name);
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

bool hc_manifest_key_is_manifest(const char *key)
{
    size_t len = strlen(key), mlen = strlen("/" HC_MANIFEST_NAME);
    return len > mlen && strcmp(key + len - mlen, "/" HC_MANIFEST_NAME) == 0;
}

const struct hc_manifest_file *hc_manifest_find(const struct hc_manifest *m, const char *name)
{
    for (size_t i = 0; i < m->file_count; i++)
        if (strcmp(m->files[i].name, name) == 0) return &m->files[i];
    return NULL;
}

/* ---- validation --------------------------------------------------------------------------------- */

static bool hex_digits(const char *s, size_t n)
{
    if (strlen(s) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

static bool recorded_as_ok(const char *s)
{
    return s[0] == '\0' || strcmp(s, "full") == 0 || strcmp(s, "copy") == 0 ||
           strcmp(s, "incremental") == 0 || strcmp(s, "differential") == 0;
}

#define INVALID(...)                                                                               \
    do {                                                                                           \
        if (why) snprintf(why, errcap, __VA_ARGS__);                                               \
        return -1;                                                                                 \
    } while (0)

int hc_manifest_validate(const struct hc_manifest *m, char *why, size_t errcap)
{
    size_t plen = strlen(m->set_prefix);
    if (!plain_name(m->instance)) INVALID("\"instance\" is not a plain name");
    if (m->backup_id <= 0) INVALID("\"backupId\" must be > 0");
    if (plen == 0 || m->set_prefix[plen - 1] != '/') INVALID("\"setPrefix\" must end in '/'");
    if (m->gen_low == 0 || m->gen_high < m->gen_low) INVALID("genLow..genHigh is not a range");
    if (!recorded_as_ok(m->recorded_as)) INVALID("\"recordedAs\" is not a recorded type");
    if (m->file_count == 0) INVALID("no files");
    if (m->file_count > HC_MANIFEST_FILES_MAX) INVALID("too many files");
    size_t databases = 0;
    for (size_t i = 0; i < m->file_count; i++) {
        const struct hc_manifest_file *f = &m->files[i];
        if (!plain_name(f->name)) INVALID("file %zu: \"name\" is not a plain file name", i);
        if (strcmp(f->name, HC_MANIFEST_NAME) == 0) INVALID("a file may not be named %s", f->name);
        if (strncmp(f->key, m->set_prefix, plen) != 0 || strcmp(f->key + plen, f->name) != 0)
            INVALID("%s: \"key\" is not setPrefix + name", f->name);
        if (!hex_digits(f->sha256, 64)) INVALID("%s: \"sha256\" is not 64 hex digits", f->name);
        if (f->kind != HC_MANIFEST_DATABASE && f->kind != HC_MANIFEST_LOG)
            INVALID("%s: unknown kind", f->name);
        if (f->kind == HC_MANIFEST_DATABASE) databases++;
        for (size_t j = 0; j < i; j++)
            if (strcmp(m->files[j].name, f->name) == 0) INVALID("%s: listed twice", f->name);
    }
    if (m->incremental) {
        if (m->chain_full[0] == '\0') INVALID("an incremental set needs chain.full");
        if (databases) INVALID("an incremental set has no database files");
    } else {
        if (m->chain_full[0] || m->chain_previous[0]) INVALID("a full set has no chain");
        if (databases == 0) INVALID("a full set needs a database file");
    }
    return 0;
}

/* ---- encode ------------------------------------------------------------------------------------- */

static void add_time(cJSON *o, const char *key, int64_t us)
{
    char when[CAT_TIME_MAX];
    if (cat_time_rfc3339(us, when, sizeof when) == CAT_OK)
        cJSON_AddStringToObject(o, key, when);
    else
        cJSON_AddNullToObject(o, key);
}

static void add_string_or_null(cJSON *o, const char *key, const char *s)
{
    if (s[0])
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

char *hc_manifest_encode(const struct hc_manifest *m)
{
    if (hc_manifest_validate(m, NULL, 0) != 0) return NULL;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return NULL;
    cJSON_AddStringToObject(o, "format", HC_MANIFEST_FORMAT);
    cJSON_AddNumberToObject(o, "version", HC_MANIFEST_VERSION);
    cJSON_AddStringToObject(o, "instance", m->instance);
    cJSON_AddNumberToObject(o, "backupId", (double)m->backup_id);
    cJSON_AddStringToObject(o, "type", m->incremental ? "incremental" : "full");
    add_string_or_null(o, "recordedAs", m->recorded_as);
    add_time(o, "startedAt", m->started_us);
    add_time(o, "completedAt", m->completed_us);
    cJSON_AddNumberToObject(o, "genLow", (double)m->gen_low);
    cJSON_AddNumberToObject(o, "genHigh", (double)m->gen_high);
    cJSON_AddStringToObject(o, "logBaseName", m->log_base_name);
    cJSON_AddStringToObject(o, "logSetSignature", m->log_set_signature);
    cJSON_AddStringToObject(o, "setPrefix", m->set_prefix);
    cJSON *chain = cJSON_AddObjectToObject(o, "chain");
    if (chain) {
        add_string_or_null(chain, "full", m->chain_full);
        add_string_or_null(chain, "previous", m->chain_previous);
    }
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    for (size_t i = 0; files && i < m->file_count; i++) {
        const struct hc_manifest_file *f = &m->files[i];
        cJSON *jf = cJSON_CreateObject();
        char crc[9];
        snprintf(crc, sizeof crc, "%08x", f->crc32c);
        cJSON_AddStringToObject(jf, "name", f->name);
        cJSON_AddStringToObject(jf, "kind", f->kind == HC_MANIFEST_DATABASE ? "database" : "log");
        cJSON_AddStringToObject(jf, "key", f->key);
        cJSON_AddNumberToObject(jf, "size", (double)f->size);
        cJSON_AddStringToObject(jf, "sha256", f->sha256);
        cJSON_AddStringToObject(jf, "crc32c", crc);
        if (f->kind == HC_MANIFEST_DATABASE)
            cJSON_AddStringToObject(jf, "originalPath", f->original_path);
        cJSON_AddItemToArray(files, jf);
    }
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    return text;
}

/* ---- decode ------------------------------------------------------------------------------------- */

/* "2026-11-28T15:51:14.123Z" (fraction optional) -> unix micros; false when malformed. */
static bool parse_time(const char *s, int64_t *out)
{
    struct tm tm = {0};
    int ms = 0, used = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &used) != 6)
        return false;
    const char *rest = s + used;
    if (*rest == '.') {
        int digits = 0;
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
            if (digits < 3) ms = ms * 10 + (*rest - '0');
        for (; digits < 3; digits++) ms *= 10;
    }
    if (strcmp(rest, "Z") != 0) return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    *out = (int64_t)t * 1000000 + (int64_t)ms * 1000;
    return true;
}

static bool copy_string(const cJSON *o, const char *key, char *out, size_t cap, bool nullable)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (nullable && (v == NULL || cJSON_IsNull(v))) {
        out[0] = '\0';
        return true;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= cap) return false;
    snprintf(out, cap, "%s", v->valuestring);
    return true;
}

static bool get_uint(const cJSON *o, const char *key, double max, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > max ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return false;
    *out = v->valuedouble;
    return true;
}

static int decode_file(const cJSON *jf, struct hc_manifest_file *f, char *why, size_t errcap)
{
    char kind[16], crc[16];
    double size;
    if (!cJSON_IsObject(jf) || !copy_string(jf, "name", f->name, sizeof f->name, false))
        INVALID("a file entry has no \"name\"");
    if (!copy_string(jf, "kind", kind, sizeof kind, false) ||
        !copy_string(jf, "key", f->key, sizeof f->key, false) ||
        !copy_string(jf, "sha256", f->sha256, sizeof f->sha256, false) ||
        !copy_string(jf, "crc32c", crc, sizeof crc, false) ||
        !get_uint(jf, "size", 9007199254740992.0, &size))
        INVALID("%s: kind, key, size, sha256 and crc32c are required", f->name);
    if (strcmp(kind, "database") == 0)
        f->kind = HC_MANIFEST_DATABASE;
    else if (strcmp(kind, "log") == 0)
        f->kind = HC_MANIFEST_LOG;
    else
        INVALID("%s: kind \"%s\" is neither database nor log", f->name, kind);
    if (!hex_digits(crc, 8)) INVALID("%s: \"crc32c\" is not 8 hex digits", f->name);
    f->crc32c = (uint32_t)strtoul(crc, NULL, 16);
    f->size = (uint64_t)size;
    if (!copy_string(jf, "originalPath", f->original_path, sizeof f->original_path, true))
        INVALID("%s: \"originalPath\" is not a string", f->name);
    return 0;
}

int hc_manifest_decode(const char *text, size_t len, struct hc_manifest *m, char *why,
                       size_t errcap)
{
    memset(m, 0, sizeof *m);
    cJSON *o = cJSON_ParseWithLength(text, len);
    if (o == NULL) INVALID("manifest.json is not JSON");
    int rc = -1;
    char format[32], type[16], started[CAT_TIME_MAX], completed[CAT_TIME_MAX];
    double version, id, low, high;
    const cJSON *chain = cJSON_GetObjectItemCaseSensitive(o, "chain");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(o, "files");
    if (!copy_string(o, "format", format, sizeof format, false) ||
        strcmp(format, HC_MANIFEST_FORMAT) != 0 || !get_uint(o, "version", 1e9, &version)) {
        if (why) snprintf(why, errcap, "not a hotcopy manifest (format/version)");
        goto out;
    }
    if ((int)version != HC_MANIFEST_VERSION) {
        if (why) snprintf(why, errcap, "manifest version %d is not supported", (int)version);
        goto out;
    }
    if (!copy_string(o, "instance", m->instance, sizeof m->instance, false) ||
        !get_uint(o, "backupId", 9007199254740992.0, &id) ||
        !copy_string(o, "type", type, sizeof type, false) ||
        !copy_string(o, "recordedAs", m->recorded_as, sizeof m->recorded_as, true) ||
        !copy_string(o, "startedAt", started, sizeof started, false) ||
        !copy_string(o, "completedAt", completed, sizeof completed, false) ||
        !get_uint(o, "genLow", 4294967295.0, &low) || !get_uint(o, "genHigh", 4294967295.0, &high) ||
        !copy_string(o, "logBaseName", m->log_base_name, sizeof m->log_base_name, false) ||
        !copy_string(o, "logSetSignature", m->log_set_signature, sizeof m->log_set_signature,
                     false) ||
        !copy_string(o, "setPrefix", m->set_prefix, sizeof m->set_prefix, false) ||
        !cJSON_IsObject(chain) ||
        !copy_string(chain, "full", m->chain_full, sizeof m->chain_full, true) ||
        !copy_string(chain, "previous", m->chain_previous, sizeof m->chain_previous, true) ||
        !cJSON_IsArray(files)) {
        if (why) snprintf(why, errcap, "a required field is missing or of the wrong type");
        goto out;
    }
    if (strcmp(type, "full") != 0 && strcmp(type, "incremental") != 0) {
        if (why) snprintf(why, errcap, "\"type\" must be full or incremental");
        goto out;
    }
    if (!parse_time(started, &m->started_us) || !parse_time(completed, &m->completed_us)) {
        if (why) snprintf(why, errcap, "startedAt/completedAt are not RFC 3339 UTC times");
        goto out;
    }
    m->incremental = strcmp(type, "incremental") == 0;
    m->backup_id = (int64_t)id;
    m->gen_low = (unsigned long)low;
    m->gen_high = (unsigned long)high;
    if (cJSON_GetArraySize(files) > HC_MANIFEST_FILES_MAX) {
        if (why) snprintf(why, errcap, "more than %d files", HC_MANIFEST_FILES_MAX);
        goto out;
    }
    const cJSON *jf;
    cJSON_ArrayForEach(jf, files)
    {
        if (decode_file(jf, &m->files[m->file_count], why, errcap) != 0) goto out;
        m->file_count++;
    }
    rc = hc_manifest_validate(m, why, errcap);
out:
    cJSON_Delete(o);
    return rc;
}
