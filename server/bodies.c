/*
 * bodies.c — parsing and checking of the API's JSON request bodies (see bodies.h).
 */
#include "bodies.h"

#include <stdio.h>
#include <string.h>

#define WHOLE_LIMIT 9007199254740992.0 /* 2^53: every whole number below it is exact in a double */
#define GENERATION_MAX 0xFFFFFFFFu

cJSON *hc_json_object_parse(const char *text, size_t len)
{
    if (len == 0) return cJSON_CreateObject();
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (doc == NULL) return NULL;
    /* cJSON stops after the value: anything but white space after it is malformed JSON */
    size_t used = end ? (size_t)(end - text) : len;
    while (used < len && (text[used] == ' ' || text[used] == '\t' || text[used] == '\n' || text[used] == '\r'))
        used++;
    if (used < len || !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

bool hc_json_whole(const cJSON *item, uint64_t max, uint64_t *out)
{
    if (!cJSON_IsNumber(item)) return false;
    double v = item->valuedouble;
    /* compared as doubles first, so the cast below is always defined (NaN fails both) */
    if (!(v >= 0 && v < WHOLE_LIMIT && v <= (double)max)) return false;
    uint64_t whole = (uint64_t)v;
    if ((double)whole != v) return false;
    *out = whole;
    return true;
}

/* A string field of at most cap - 1 bytes into out; false when present and not a string. An
 * overlong string leaves out empty. */
static bool string_field(const cJSON *body, const char *name, char *out, size_t cap, bool *present)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(body, name);
    *present = item != NULL;
    if (item == NULL) return true;
    if (!cJSON_IsString(item)) return false;
    size_t len = strlen(item->valuestring);
    if (len < cap) memcpy(out, item->valuestring, len + 1);
    else out[0] = '\0';
    return true;
}

const char *hc_body_backup_begin(const cJSON *body, struct hc_backup_begin_body *out)
{
    static const char bad_names[] = "\"instance\" must be a string and \"type\" \"full\" or \"incremental\"";
    bool present;
    memset(out, 0, sizeof *out);
    snprintf(out->instance, sizeof out->instance, "%s", "default");
    out->type = CAT_BACKUP_FULL;
    if (!string_field(body, "instance", out->instance, sizeof out->instance, &present)) return bad_names;
    const cJSON *jtype = cJSON_GetObjectItemCaseSensitive(body, "type");
    if (jtype && (!cJSON_IsString(jtype) || cat_backup_type_parse(jtype->valuestring, &out->type) != CAT_OK))
        return bad_names;
    const cJSON *jrate = cJSON_GetObjectItemCaseSensitive(body, "maxBytesPerSecond");
    if (jrate && !hc_json_whole(jrate, UINT64_MAX, &out->max_bytes_per_second))
        return "\"maxBytesPerSecond\" is a whole number >= 0 (0: unlimited)";
    const cJSON *jtarget = cJSON_GetObjectItemCaseSensitive(body, "target");
    if (jtarget && !cJSON_IsNull(jtarget)) {
        out->has_target = true;
        out->target_is_string = cJSON_IsString(jtarget) && strlen(jtarget->valuestring) <= HC_NAME_MAX;
        if (out->target_is_string) snprintf(out->target, sizeof out->target, "%s", jtarget->valuestring);
    }
    return NULL;
}

const char *hc_body_backup_end(const cJSON *body, bool *abort, bool *truncate_done)
{
    const cJSON *jabort = cJSON_GetObjectItemCaseSensitive(body, "abort");
    const cJSON *jtrunc = cJSON_GetObjectItemCaseSensitive(body, "truncateDone");
    *abort = *truncate_done = false;
    if ((jabort && !cJSON_IsBool(jabort)) || (jtrunc && !cJSON_IsBool(jtrunc)))
        return "\"abort\" and \"truncateDone\" are booleans";
    *abort = cJSON_IsTrue(jabort);
    *truncate_done = cJSON_IsTrue(jtrunc);
    return NULL;
}

const char *hc_body_rate_patch(const cJSON *body, uint64_t *max_bytes_per_second)
{
    if (!hc_json_whole(cJSON_GetObjectItemCaseSensitive(body, "maxBytesPerSecond"), UINT64_MAX,
                       max_bytes_per_second))
        return "the body is {\"maxBytesPerSecond\": N}, N a whole number >= 0 (0: unlimited)";
    return NULL;
}

const char *hc_body_restore_create(const cJSON *body, struct hc_restore_create_body *out)
{
    bool present;
    memset(out, 0, sizeof *out);
    if (!string_field(body, "instance", out->instance, sizeof out->instance, &present))
        out->instance[0] = '\0';
    out->from_target = cJSON_GetObjectItemCaseSensitive(body, "from") != NULL;
    return NULL;
}

const char *hc_body_restore_run(const cJSON *body, unsigned long *gen_low, unsigned long *gen_high,
                                const cJSON **databases)
{
    const cJSON *jlow = cJSON_GetObjectItemCaseSensitive(body, "genLow");
    const cJSON *jhigh = cJSON_GetObjectItemCaseSensitive(body, "genHigh");
    const cJSON *jdbs = cJSON_GetObjectItemCaseSensitive(body, "databases");
    uint64_t low = 0, high = 0;
    *gen_low = *gen_high = 0;
    *databases = NULL;
    if ((jlow && !hc_json_whole(jlow, GENERATION_MAX, &low)) || (jhigh && !hc_json_whole(jhigh, GENERATION_MAX, &high)))
        return "genLow and genHigh are log generations: whole numbers up to 4294967295 (0 or absent: "
               "taken from the uploaded files)";
    if (jdbs && !cJSON_IsObject(jdbs)) return "\"databases\" is an object: file name -> original path";
    *gen_low = (unsigned long)low;
    *gen_high = (unsigned long)high;
    *databases = jdbs;
    return NULL;
}

const char *hc_body_load_start(const cJSON *body, double dflt_seconds, double *rate, double *seconds)
{
    const cJSON *jrate = cJSON_GetObjectItemCaseSensitive(body, "writesPerSecond");
    const cJSON *jsecs = cJSON_GetObjectItemCaseSensitive(body, "seconds");
    *rate = cJSON_IsNumber(jrate) ? jrate->valuedouble : -1; /* out of range: hc_loadgen_start says 400 */
    *seconds = jsecs == NULL ? dflt_seconds : cJSON_IsNumber(jsecs) ? jsecs->valuedouble : -1;
    return NULL;
}
