/*
 * bodies.h — the JSON request bodies of the REST API, parsed and checked into plain values.
 * Pure: no I/O, no application state (a name is checked against the configuration by the handler
 * that receives it). Each parser returns NULL when the body is acceptable, else the detail of the
 * 400 problem document to answer with. fuzz/fuzz_json.c feeds them arbitrary bodies.
 *
 * Numbers from JSON are doubles: a field documented as a whole number must be one, inside its
 * range, before it is converted (a cast of an out-of-range double is undefined behaviour).
 */
#ifndef HOTCOPY_SERVER_BODIES_H
#define HOTCOPY_SERVER_BODIES_H

#include "catalog.h"
#include "names.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A body as the API takes it: empty -> an empty object; anything but one JSON object (white
 * space around it allowed) -> NULL. Caller deletes. */
cJSON *hc_json_object_parse(const char *text, size_t len);

/* A whole number in [0, max] and below 2^53 (exact in a double): true and *out. */
bool hc_json_whole(const cJSON *item, uint64_t max, uint64_t *out);

/* POST /api/v1/backups {"instance", "type", "target", "maxBytesPerSecond"} */
struct hc_backup_begin_body {
    char instance[HC_NAME_MAX + 1]; /* "default" when absent; an unknown name is a 404 later */
    enum cat_backup_type type;
    bool has_target;                /* "target" present and not null */
    bool target_is_string;          /* else the handler answers "Unknown target" */
    char target[HC_NAME_MAX + 1];
    uint64_t max_bytes_per_second;  /* 0: unlimited */
};
const char *hc_body_backup_begin(const cJSON *body, struct hc_backup_begin_body *out);

/* POST /api/v1/backups/{id}/end {"abort", "truncateDone"} */
const char *hc_body_backup_end(const cJSON *body, bool *abort, bool *truncate_done);

/* PATCH /api/v1/backups/{id} {"maxBytesPerSecond"} */
const char *hc_body_rate_patch(const cJSON *body, uint64_t *max_bytes_per_second);

/* POST /api/v1/restores {"instance", "from"}: the instance name as given (empty when it is not a
 * string or too long: the handler answers 400 for an invalid name), and whether "from" (a restore
 * from a target, target_restore.c) is present. Never refuses by itself. */
struct hc_restore_create_body {
    char instance[64];
    bool from_target;
};
const char *hc_body_restore_create(const cJSON *body, struct hc_restore_create_body *out);

/* POST /api/v1/restores/{id}/run {"genLow", "genHigh", "databases"}: generations 0 (from the
 * uploaded files) .. 0xFFFFFFFF; "databases" an object (returned, owned by body) or absent. */
const char *hc_body_restore_run(const cJSON *body, unsigned long *gen_low, unsigned long *gen_high,
                                const cJSON **databases);

/* POST /api/v1/instances/{inst}/load {"writesPerSecond", "seconds"}: numbers (their ranges are
 * hc_loadgen_start's); seconds defaults to dflt_seconds. */
const char *hc_body_load_start(const cJSON *body, double dflt_seconds, double *rate, double *seconds);

#endif
