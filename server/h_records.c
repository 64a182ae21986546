/*
 * h_records.c — the data endpoints: PUT/GET/DELETE one record, list keys by prefix.
 * Tables live in the instance's first attached database unless ?database=<name> names another.
 * Keys are the URL's percent-decoded bytes (1..255); values are raw bodies up to HC_VALUE_MAX.
 * Listed keys are percent-encoded (unreserved bytes as they are), ready to put back in a URL.
 */
#include "handlers.h"
#include "instance.h"
#include "records.h"
#include "strbuf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct record_target {
    struct hc_instance *inst;
    char db[PATH_MAX];
    const char *table;
    const char *key;
    size_t klen;
};

/* Parses instance, table, key and ?database=; replies itself on failure (returns false). */
static bool record_target(struct hc_request *req, struct record_target *t, bool want_key, int *reply)
{
    t->inst = hc_lookup_instance(req, hc_param(req, "inst"), reply);
    if (t->inst == NULL) return false;
    t->table = hc_param(req, "table");
    if (!hc_table_name_is_valid(t->table)) {
        *reply = hc_reply_problem(req, 400, "Invalid table name", "table names are 1..63 of A-Z a-z 0-9 _ -");
        return false;
    }
    if (want_key) {
        t->key = hc_param(req, "key");
        t->klen = req->match.param_len[2];
    }
    char dbname[CAT_NAME_MAX];
    bool named = hc_query(req, "database", dbname, sizeof dbname) && dbname[0] != '\0';
    JET_ERR err = hc_instance_database(t->inst, named ? dbname : NULL, t->db, sizeof t->db);
    if (err < 0) {
        *reply = hc_reply_jet(req, err, named ? "no attached database of that name" : "the instance has no database");
        return false;
    }
    return true;
}

int hc_handle_record_put(struct hc_request *req)
{
    struct record_target t;
    int reply;
    if (!record_target(req, &t, true, &reply)) return reply;
    if (req->body_len > HC_VALUE_MAX)
        return hc_reply_problem(req, 413, NULL, "record values are limited to 1 MiB");
    JET_SESID sesid;
    JET_ERR err = hc_instance_session_get(t.inst, &sesid);
    if (err < 0) return hc_reply_jet(req, err, NULL);
    bool created = false;
    err = hc_records_put(sesid, t.db, t.table, t.key, t.klen, req->body ? req->body : "",
                         req->body_len, &created);
    hc_instance_session_put(t.inst, sesid, err >= 0);
    if (err < 0) return hc_reply_jet(req, err, "storing the record: %s", JetXErrorMessage(err));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "table", t.table);
    cJSON_AddNumberToObject(o, "sizeBytes", (double)req->body_len);
    cJSON_AddBoolToObject(o, "created", created);
    return hc_reply_json(req, created ? 201 : 200, o);
}

int hc_handle_record_get(struct hc_request *req)
{
    struct record_target t;
    int reply;
    if (!record_target(req, &t, true, &reply)) return reply;
    JET_SESID sesid;
    JET_ERR err = hc_instance_session_get(t.inst, &sesid);
    if (err < 0) return hc_reply_jet(req, err, NULL);
    char *value = NULL;
    size_t vlen = 0;
    err = hc_records_get(sesid, t.db, t.table, t.key, t.klen, &value, &vlen);
    hc_instance_session_put(t.inst, sesid, err >= 0 || err == JET_errRecordNotFound || err == JET_errObjectNotFound);
    if (err < 0) return hc_reply_jet(req, err, "no such record");
    struct MHD_Response *resp = MHD_create_response_from_buffer(vlen, value, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
    atomic_store(&req->bytes_out, vlen);
    return hc_reply(req, 200, resp);
}

int hc_handle_record_delete(struct hc_request *req)
{
    struct record_target t;
    int reply;
    if (!record_target(req, &t, true, &reply)) return reply;
    JET_SESID sesid;
    JET_ERR err = hc_instance_session_get(t.inst, &sesid);
    if (err < 0) return hc_reply_jet(req, err, NULL);
    err = hc_records_delete(sesid, t.db, t.table, t.key, t.klen);
    hc_instance_session_put(t.inst, sesid, err >= 0 || err == JET_errRecordNotFound || err == JET_errObjectNotFound);
    if (err < 0) return hc_reply_jet(req, err, "no such record");
    return hc_reply_empty(req, 204);
}

static bool is_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

static bool add_key(void *ctx, const void *key, size_t klen, const void *value, size_t vlen)
{
    cJSON *arr = ctx;
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    const unsigned char *k = key;
    for (size_t i = 0; i < klen; i++) {
        if (is_unreserved(k[i]))
            hc_strbuf_append(&sb, (const char *)&k[i], 1);
        else
            hc_strbuf_printf(&sb, "%%%02X", k[i]);
    }
    char *text = hc_strbuf_take(&sb, NULL);
    if (text) cJSON_AddItemToArray(arr, cJSON_CreateString(text));
    free(text);
    return text != NULL;
}

int hc_handle_records_list(struct hc_request *req)
{
    struct record_target t;
    int reply;
    if (!record_target(req, &t, false, &reply)) return reply;
    char prefix[HC_KEY_MAX + 1] = "";
    uint64_t limit;
    if (!hc_query_u64(req, "limit", HC_LIST_DEFAULT, &limit) || limit == 0 || limit > HC_LIST_MAX)
        return hc_reply_problem(req, 400, "Invalid query", "limit is 1..1000");
    const char *raw = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "prefix");
    if (raw != NULL && !hc_query(req, "prefix", prefix, sizeof prefix))
        return hc_reply_problem(req, 400, "Invalid query", "prefix is a URL-encoded key prefix");
    JET_SESID sesid;
    JET_ERR err = hc_instance_session_get(t.inst, &sesid);
    if (err < 0) return hc_reply_jet(req, err, NULL);
    cJSON *o = cJSON_CreateObject();
    cJSON *keys = cJSON_AddArrayToObject(o, "keys");
    bool more = false;
    err = hc_records_scan(sesid, t.db, t.table, prefix, strlen(prefix), (size_t)limit, false,
                          add_key, keys, &more);
    hc_instance_session_put(t.inst, sesid, err >= 0 || err == JET_errObjectNotFound);
    if (err < 0) {
        cJSON_Delete(o);
        return hc_reply_jet(req, err, "listing the table: %s", JetXErrorMessage(err));
    }
    cJSON_AddBoolToObject(o, "truncated", more);
    return hc_reply_json(req, 200, o);
}
