/*
 * fuzz_json.c — the API's JSON request bodies (server/bodies.h), the parsing every POST, PATCH
 * and PUT with a JSON body goes through: backups (begin, end, throttle), restores (create, run)
 * and the load generator.
 *
 * Input: the body text. Checked (bodies.h): accepted values lie in their documented ranges, a
 * whole number converts exactly, and the documented defaults hold.
 */
#include "common.h"

#include "../server/bodies.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void backups(const cJSON *body)
{
    struct hc_backup_begin_body b;
    if (hc_body_backup_begin(body, &b) == NULL) {
        if (b.type != CAT_BACKUP_FULL && b.type != CAT_BACKUP_INCREMENTAL) abort();
        if (strlen(b.instance) > HC_NAME_MAX || strlen(b.target) > HC_NAME_MAX) abort();
        const cJSON *rate = cJSON_GetObjectItemCaseSensitive(body, "maxBytesPerSecond");
        if (rate && (double)b.max_bytes_per_second != rate->valuedouble) abort();
        if (!rate && b.max_bytes_per_second != 0) abort();
        if (b.target_is_string && !b.has_target) abort();
    }
    bool abort_flag, truncate_done;
    if (hc_body_backup_end(body, &abort_flag, &truncate_done) == NULL &&
        abort_flag != cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "abort")))
        abort();
    uint64_t rate;
    if (hc_body_rate_patch(body, &rate) == NULL &&
        (double)rate != cJSON_GetObjectItemCaseSensitive(body, "maxBytesPerSecond")->valuedouble)
        abort();
}

static void restores(const cJSON *body)
{
    struct hc_restore_create_body c;
    hc_body_restore_create(body, &c);
    if (strlen(c.instance) >= sizeof c.instance) abort();
    unsigned long lo, hi;
    const cJSON *dbs;
    if (hc_body_restore_run(body, &lo, &hi, &dbs) == NULL) {
        if (lo > 0xFFFFFFFFul || hi > 0xFFFFFFFFul) abort();
        if (dbs && !cJSON_IsObject(dbs)) abort();
    }
    double wps, secs;
    hc_body_load_start(body, 60, &wps, &secs);
    if (isnan(wps) || isnan(secs)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *body = hc_json_object_parse((const char *)data, size);
    if (body == NULL) return 0;
    if (!cJSON_IsObject(body)) abort();
    backups(body);
    restores(body);
    uint64_t whole;
    for (const cJSON *item = body->child; item; item = item->next)
        if (hc_json_whole(item, 0xFFFFFFFFu, &whole) && (whole > 0xFFFFFFFFu || (double)whole != item->valuedouble))
            abort();
    char *printed = cJSON_PrintUnformatted(body);
    if (printed) {
        cJSON *again = hc_json_object_parse(printed, strlen(printed));
        if (again == NULL) abort(); /* what cJSON prints, the API reads back */
        cJSON_Delete(again);
        free(printed);
    }
    cJSON_Delete(body);
    return 0;
}
