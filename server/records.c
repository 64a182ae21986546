/*
 * records.c — key/value tables on the ESE data API (see records.h).
 */
#include "records.h"

#include <stdlib.h>
#include <string.h>

#define KEY_COLUMN "key"
#define VALUE_COLUMN "value"
#define PRIMARY_INDEX "primary"
static const char KEY_DESCRIPTION[] = "+" KEY_COLUMN "\0"; /* plus the literal's own NUL: "\0\0" */

#define CALL(expr)                                                                                 \
    do {                                                                                           \
        if ((err = (expr)) < 0) goto cleanup;                                                      \
    } while (0)

bool hc_table_name_is_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > HC_TABLE_NAME_MAX) return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

struct open_table {
    JET_DBID dbid;
    JET_TABLEID tableid;
    JET_COLUMNID key_col, value_col;
    bool db_open, table_open;
};

static JET_ERR create_table(JET_SESID sesid, JET_DBID dbid, const char *table)
{
    JET_ERR err;
    JET_TABLEID tableid;
    JET_COLUMNID col;
    err = JetCreateTable(sesid, dbid, table, 0, 100, &tableid);
    if (err == JET_errTableDuplicate) return JET_errSuccess; /* another request made it */
    if (err < 0) return err;
    JET_COLUMNDEF key = {.cbStruct = sizeof key, .coltyp = JET_coltypBinary,
                         .cbMax = JET_cbKeyMost, .grbit = JET_bitColumnNotNULL};
    JET_COLUMNDEF value = {.cbStruct = sizeof value, .coltyp = JET_coltypLongBinary};
    CALL(JetAddColumn(sesid, tableid, KEY_COLUMN, &key, NULL, 0, &col));
    CALL(JetAddColumn(sesid, tableid, VALUE_COLUMN, &value, NULL, 0, &col));
    CALL(JetCreateIndex(sesid, tableid, PRIMARY_INDEX, JET_bitIndexPrimary, KEY_DESCRIPTION,
                        sizeof KEY_DESCRIPTION, 100));
cleanup:;
    JET_ERR cerr = JetCloseTable(sesid, tableid);
    return err < 0 ? err : cerr;
}

static JET_ERR column_id(JET_SESID sesid, JET_TABLEID tableid, const char *name, JET_COLUMNID *id)
{
    JET_COLUMNDEF def;
    memset(&def, 0, sizeof def);
    def.cbStruct = sizeof def;
    JET_ERR err = JetGetTableColumnInfo(sesid, tableid, name, &def, sizeof def, JET_ColInfo);
    if (err >= 0) *id = def.columnid;
    return err;
}

static JET_ERR table_open(JET_SESID sesid, const char *db, const char *table, bool create,
                          struct open_table *t)
{
    JET_ERR err;
    memset(t, 0, sizeof *t);
    CALL(JetOpenDatabase(sesid, db, NULL, &t->dbid, 0));
    t->db_open = true;
    err = JetOpenTable(sesid, t->dbid, table, NULL, 0, 0, &t->tableid);
    if (err == JET_errObjectNotFound && create) {
        CALL(create_table(sesid, t->dbid, table));
        err = JetOpenTable(sesid, t->dbid, table, NULL, 0, 0, &t->tableid);
    }
    CALL(err);
    t->table_open = true;
    CALL(column_id(sesid, t->tableid, KEY_COLUMN, &t->key_col));
    CALL(column_id(sesid, t->tableid, VALUE_COLUMN, &t->value_col));
cleanup:
    return err;
}

static void table_close(JET_SESID sesid, struct open_table *t)
{
    if (t->table_open) JetCloseTable(sesid, t->tableid);
    if (t->db_open) JetCloseDatabase(sesid, t->dbid, 0);
}

static JET_ERR seek_key(JET_SESID sesid, struct open_table *t, const void *key, size_t klen,
                        JET_GRBIT how)
{
    JET_ERR err = JetMakeKey(sesid, t->tableid, key, (unsigned long)klen, JET_bitNewKey);
    return err < 0 ? err : JetSeek(sesid, t->tableid, how);
}

JET_ERR hc_records_put(JET_SESID sesid, const char *db, const char *table, const void *key,
                       size_t klen, const void *value, size_t vlen, bool *created)
{
    struct open_table t;
    bool in_txn = false;
    JET_ERR err = table_open(sesid, db, table, true, &t);
    if (err < 0) goto cleanup;
    CALL(JetBeginTransaction(sesid));
    in_txn = true;
    err = seek_key(sesid, &t, key, klen, JET_bitSeekEQ);
    if (err < 0 && err != JET_errRecordNotFound) goto cleanup;
    *created = err == JET_errRecordNotFound;
    CALL(JetPrepareUpdate(sesid, t.tableid, *created ? JET_prepInsert : JET_prepReplace));
    if (*created) CALL(JetSetColumn(sesid, t.tableid, t.key_col, key, (unsigned long)klen, 0, NULL));
    CALL(JetSetColumn(sesid, t.tableid, t.value_col, value, (unsigned long)vlen,
                      vlen == 0 ? JET_bitSetZeroLength : 0, NULL));
    CALL(JetUpdate(sesid, t.tableid, NULL, 0, NULL));
    CALL(JetCommitTransaction(sesid, 0));
    in_txn = false;
cleanup:
    if (in_txn) JetRollback(sesid, 0);
    table_close(sesid, &t);
    return err;
}

/* Reads a column of the current record into a malloc()ed buffer. */
static JET_ERR retrieve(JET_SESID sesid, JET_TABLEID tableid, JET_COLUMNID col, char **out,
                        size_t *len)
{
    unsigned long cap = 4096, actual = 0;
    char *buf = malloc(cap);
    if (buf == NULL) return JET_errOutOfMemory;
    JET_ERR err = JetRetrieveColumn(sesid, tableid, col, buf, cap, &actual, 0, NULL);
    if (err == JET_wrnBufferTruncated) {
        char *grown = realloc(buf, actual ? actual : 1);
        if (grown == NULL) {
            free(buf);
            return JET_errOutOfMemory;
        }
        buf = grown;
        cap = actual;
        err = JetRetrieveColumn(sesid, tableid, col, buf, cap, &actual, 0, NULL);
    }
    if (err < 0 || err == JET_wrnBufferTruncated) {
        free(buf);
        return err < 0 ? err : JET_errOutOfMemory;
    }
    if (err == JET_wrnColumnNull) actual = 0;
    *out = buf;
    *len = actual;
    return JET_errSuccess;
}

JET_ERR hc_records_get(JET_SESID sesid, const char *db, const char *table, const void *key,
                       size_t klen, char **value, size_t *vlen)
{
    struct open_table t;
    bool in_txn = false;
    JET_ERR err = table_open(sesid, db, table, false, &t);
    if (err < 0) goto cleanup;
    CALL(JetBeginTransaction(sesid));
    in_txn = true;
    CALL(seek_key(sesid, &t, key, klen, JET_bitSeekEQ));
    CALL(retrieve(sesid, t.tableid, t.value_col, value, vlen));
cleanup:
    if (in_txn) JetRollback(sesid, 0);
    table_close(sesid, &t);
    return err;
}

JET_ERR hc_records_delete(JET_SESID sesid, const char *db, const char *table, const void *key,
                          size_t klen)
{
    struct open_table t;
    bool in_txn = false;
    JET_ERR err = table_open(sesid, db, table, false, &t);
    if (err < 0) goto cleanup;
    CALL(JetBeginTransaction(sesid));
    in_txn = true;
    CALL(seek_key(sesid, &t, key, klen, JET_bitSeekEQ));
    CALL(JetDelete(sesid, t.tableid));
    CALL(JetCommitTransaction(sesid, 0));
    in_txn = false;
cleanup:
    if (in_txn) JetRollback(sesid, 0);
    table_close(sesid, &t);
    return err;
}

JET_ERR hc_records_scan(JET_SESID sesid, const char *db, const char *table, const void *prefix,
                        size_t plen, size_t limit, bool with_values, hc_record_visit_fn visit,
                        void *ctx, bool *more)
{
    struct open_table t;
    bool in_txn = false;
    size_t seen = 0;
    *more = false;
    JET_ERR err = table_open(sesid, db, table, false, &t);
    if (err < 0) goto cleanup;
    CALL(JetBeginTransaction(sesid));
    in_txn = true;
    err = plen ? seek_key(sesid, &t, prefix, plen, JET_bitSeekGE)
               : JetMove(sesid, t.tableid, JET_MoveFirst, 0);
    while (err >= 0) {
        char *key = NULL, *value = NULL;
        size_t klen = 0, vlen = 0;
        CALL(retrieve(sesid, t.tableid, t.key_col, &key, &klen));
        if (klen < plen || memcmp(key, prefix, plen) != 0) {
            free(key);
            break;
        }
        if (seen == limit) {
            *more = true;
            free(key);
            break;
        }
        if (with_values && (err = retrieve(sesid, t.tableid, t.value_col, &value, &vlen)) < 0) {
            free(key);
            goto cleanup;
        }
        bool go_on = visit(ctx, key, klen, value, vlen);
        free(key);
        free(value);
        seen++;
        if (!go_on) break;
        err = JetMove(sesid, t.tableid, JET_MoveNext, 0);
    }
    if (err == JET_errNoCurrentRecord || err == JET_errRecordNotFound) err = JET_errSuccess;
cleanup:
    if (in_txn) JetRollback(sesid, 0);
    table_close(sesid, &t);
    return err;
}
