/*
 * jetenv.c — the backup benchmark's instance, database, tables and inserts (see jetenv.h).
 */
#include "jetenv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define LOAD_VALUE 100

int jetenv_check(JET_ERR err, const char *what)
{
    if (err >= 0) return 0;
    fprintf(stderr, "libjet: %s: %s (%ld): %s\n", what, JetXErrorName(err), err,
            JetXErrorMessage(err));
    return -1;
}

static int create_table(JET_SESID ses, JET_DBID dbid, const char *name, unsigned long coltyp,
                        unsigned long cb_max)
{
    JET_TABLEID tab;
    JET_COLUMNDEF id = {.cbStruct = sizeof id,
                        .coltyp = JET_coltypLongLong,
                        .grbit = JET_bitColumnFixed | JET_bitColumnNotNULL};
    JET_COLUMNDEF v = {.cbStruct = sizeof v, .coltyp = coltyp, .cbMax = cb_max};
    JET_COLUMNID colid;
    static const char key[] = "+id\0";
    if (jetenv_check(JetCreateTable(ses, dbid, name, 0, 100, &tab), "JetCreateTable")) return -1;
    int rc = jetenv_check(JetAddColumn(ses, tab, "id", &id, NULL, 0, &colid), "JetAddColumn(id)");
    if (!rc) rc = jetenv_check(JetAddColumn(ses, tab, "v", &v, NULL, 0, &colid), "JetAddColumn(v)");
    if (!rc)
        rc = jetenv_check(JetCreateIndex(ses, tab, "primary",
                                         JET_bitIndexPrimary | JET_bitIndexUnique, key, sizeof key,
                                         100),
                          "JetCreateIndex");
    if (jetenv_check(JetCloseTable(ses, tab), "JetCloseTable")) rc = -1;
    return rc;
}

static int set_param(struct jetenv *env, unsigned long id, JET_API_PTR l, const char *sz)
{
    return jetenv_check(JetSetSystemParameter(&env->inst, 0, id, l, sz), "JetSetSystemParameter");
}

int jetenv_open(const struct jetenv_config *cfg, struct jetenv *env)
{
    char path[JETENV_PATH_MAX];
    memset(env, 0, sizeof *env);
    int n = snprintf(path, sizeof path, "%s/", cfg->dir);
    int m = cfg->db_path ? snprintf(env->db_path, sizeof env->db_path, "%s", cfg->db_path)
                         : snprintf(env->db_path, sizeof env->db_path, "%s/%s", cfg->dir, JETENV_DB_FILE);
    if (n < 0 || (size_t)n >= sizeof path || m < 0 || (size_t)m >= sizeof env->db_path) return -1;
    if (mkdir(cfg->dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "mkdir %s: %s\n", cfg->dir, strerror(errno));
        return -1;
    }
    if (jetenv_check(JetCreateInstance(&env->inst, "bench"), "JetCreateInstance")) return -1;
    unsigned long cache_pages = cfg->cache_mib * 1024 * 1024 / cfg->page_size;
    if (set_param(env, JET_paramSystemPath, 0, path) ||
        set_param(env, JET_paramLogFilePath, 0, path) ||
        set_param(env, JET_paramTempPath, 0, path) ||
        set_param(env, JET_paramLogFileSize, cfg->log_file_kib, NULL) ||
        set_param(env, JET_paramDatabasePageSize, cfg->page_size, NULL) ||
        set_param(env, JET_paramCacheSizeMax, cache_pages, NULL) ||
        set_param(env, JET_paramCircularLog, (JET_API_PTR)cfg->circular_log, NULL))
        goto fail;
    if (jetenv_check(JetInit(&env->inst), "JetInit")) goto fail;
    if (jetenv_check(JetBeginSession(env->inst, &env->setup, NULL, NULL), "JetBeginSession"))
        goto fail;
    if (cfg->create) {
        JET_DBID dbid;
        if (jetenv_check(JetCreateDatabase(env->setup, env->db_path, NULL, &dbid, 0),
                         "JetCreateDatabase") ||
            create_table(env->setup, dbid, "bulk", JET_coltypLongBinary, 0) ||
            create_table(env->setup, dbid, "load", JET_coltypBinary, LOAD_VALUE) ||
            jetenv_check(JetCloseDatabase(env->setup, dbid, 0), "JetCloseDatabase"))
            goto fail;
    } else if (jetenv_check(JetAttachDatabase(env->setup, env->db_path, 0), "JetAttachDatabase")) {
        goto fail;
    }
    return 0;
fail:
    jetenv_check(JetTerm(env->inst), "JetTerm");
    return -1;
}

int jetenv_close(struct jetenv *env)
{
    int rc = jetenv_check(JetEndSession(env->setup, 0), "JetEndSession");
    if (jetenv_check(JetTerm(env->inst), "JetTerm")) rc = -1;
    return rc;
}

static int column_id(JET_SESID ses, JET_TABLEID tab, const char *name, JET_COLUMNID *out)
{
    JET_COLUMNDEF def = {.cbStruct = sizeof def};
    if (jetenv_check(JetGetTableColumnInfo(ses, tab, name, &def, sizeof def, JET_ColInfo),
                     "JetGetTableColumnInfo"))
        return -1;
    *out = def.columnid;
    return 0;
}

int jetenv_session(struct jetenv *env, struct jetses *s)
{
    memset(s, 0, sizeof *s);
    if (jetenv_check(JetBeginSession(env->inst, &s->ses, NULL, NULL), "JetBeginSession")) return -1;
    if (jetenv_check(JetOpenDatabase(s->ses, env->db_path, NULL, &s->dbid, 0), "JetOpenDatabase") ||
        jetenv_check(JetOpenTable(s->ses, s->dbid, "bulk", NULL, 0, 0, &s->bulk), "JetOpenTable") ||
        jetenv_check(JetOpenTable(s->ses, s->dbid, "load", NULL, 0, 0, &s->load), "JetOpenTable") ||
        column_id(s->ses, s->bulk, "id", &s->bulk_id) || column_id(s->ses, s->bulk, "v", &s->bulk_v) ||
        column_id(s->ses, s->load, "id", &s->load_id) || column_id(s->ses, s->load, "v", &s->load_v)) {
        jetenv_check(JetEndSession(s->ses, 0), "JetEndSession");
        return -1;
    }
    return 0;
}

void jetenv_session_end(struct jetses *s)
{
    jetenv_check(JetEndSession(s->ses, 0), "JetEndSession");
}

static int insert_row(struct jetses *s, JET_TABLEID tab, JET_COLUMNID col_id, JET_COLUMNID col_v,
                      uint64_t key, const void *value, size_t len)
{
    int64_t id = (int64_t)key;
    if (jetenv_check(JetPrepareUpdate(s->ses, tab, JET_prepInsert), "JetPrepareUpdate") ||
        jetenv_check(JetSetColumn(s->ses, tab, col_id, &id, sizeof id, 0, NULL), "JetSetColumn(id)") ||
        jetenv_check(JetSetColumn(s->ses, tab, col_v, value, (unsigned long)len, 0, NULL),
                     "JetSetColumn(v)") ||
        jetenv_check(JetUpdate(s->ses, tab, NULL, 0, NULL), "JetUpdate"))
        return -1;
    return 0;
}

int jetenv_insert_bulk(struct jetses *s, uint64_t *next_key, unsigned rows, const void *value,
                       size_t value_len)
{
    if (jetenv_check(JetBeginTransaction(s->ses), "JetBeginTransaction")) return -1;
    for (unsigned i = 0; i < rows; i++)
        if (insert_row(s, s->bulk, s->bulk_id, s->bulk_v, (*next_key)++, value, value_len)) {
            jetenv_check(JetRollback(s->ses, JET_bitRollbackAll), "JetRollback");
            return -1;
        }
    return jetenv_check(JetCommitTransaction(s->ses, 0), "JetCommitTransaction");
}

int jetenv_insert_load(struct jetses *s, uint64_t key)
{
    uint8_t value[LOAD_VALUE];
    uint64_t x = key * 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < sizeof value; i++) value[i] = (uint8_t)(x >> (8 * (i % 8))) ^ (uint8_t)i;
    if (jetenv_check(JetBeginTransaction(s->ses), "JetBeginTransaction")) return -1;
    if (insert_row(s, s->load, s->load_id, s->load_v, key, value, sizeof value)) {
        jetenv_check(JetRollback(s->ses, JET_bitRollbackAll), "JetRollback");
        return -1;
    }
    return jetenv_check(JetCommitTransaction(s->ses, 0), "JetCommitTransaction");
}
