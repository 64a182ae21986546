/*
 * records.h — the key/value tables behind the data endpoints, on the engine's ESE data API.
 * A table has two columns: "key" (JET_coltypBinary, up to 255 bytes, primary index "+key") and
 * "value" (JET_coltypLongBinary, up to HC_VALUE_MAX bytes). Tables are created on first write.
 * Every call runs in its own transaction on the caller's session (one thread at a time, as the
 * engine requires) and opens the database and table for its duration only.
 */
#ifndef HOTCOPY_SERVER_RECORDS_H
#define HOTCOPY_SERVER_RECORDS_H

#include "jet.h"

#include <stdbool.h>
#include <stddef.h>

#define HC_VALUE_MAX (1024 * 1024) /* largest record value; larger PUT bodies get 413 */
#define HC_TABLE_NAME_MAX 63
#define HC_LIST_DEFAULT 100
#define HC_LIST_MAX 1000

/* A table name the engine accepts: 1..63 bytes of [A-Za-z0-9_-]. */
bool hc_table_name_is_valid(const char *name);

/* Inserts or replaces the record (one committed transaction); *created says which. Creates the
 * table when missing. */
JET_ERR hc_records_put(JET_SESID sesid, const char *db, const char *table, const void *key,
                       size_t klen, const void *value, size_t vlen, bool *created);
/* Reads a record's value into a malloc()ed buffer (*value, *vlen; caller frees).
 * JET_errRecordNotFound / JET_errObjectNotFound (no table) when absent. */
JET_ERR hc_records_get(JET_SESID sesid, const char *db, const char *table, const void *key,
                       size_t klen, char **value, size_t *vlen);
/* Deletes a record. JET_errRecordNotFound when absent. */
JET_ERR hc_records_delete(JET_SESID sesid, const char *db, const char *table, const void *key,
                          size_t klen);

/* Visits keys in index order that start with prefix (plen 0: all), at most limit of them;
 * *more is set when more keys follow. visit returns false to stop early. */
typedef bool (*hc_record_visit_fn)(void *ctx, const void *key, size_t klen, const void *value,
                                   size_t vlen);
JET_ERR hc_records_scan(JET_SESID sesid, const char *db, const char *table, const void *prefix,
                        size_t plen, size_t limit, bool with_values, hc_record_visit_fn visit,
                        void *ctx, bool *more);

#endif
