/*
 * store_jet.c — the benchmark's store over libjet's public API (jet.h only; contract in store.h).
 *
 * One instance named "bench" with its system and log paths in cfg->dir, one database
 * cfg->dir/bench.edb with one table "rows": column "id" (LongLong, fixed, not NULL, primary index
 * "+id") and column "v" (Binary, the payload). A connection is a session with the database and
 * the table open. Commits use the default grbit (durable, group commit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jet.h"
#include "row.h"
#include "store.h"

#define JET_TABLE "rows"
#define JET_DB_FILE "bench.edb"

struct store {
    JET_INSTANCE inst;
    JET_SESID setup; /* keeps the database attached for the store's life */
    char db_path[4096];
};

struct store_conn {
    struct store *st;
    JET_SESID ses;
    JET_DBID dbid;
    JET_TABLEID tab;
    JET_COLUMNID col_id, col_v;
};

/* Prints a failed call; returns -1 for errors, 0 for success and warnings. */
static int jet_check(JET_ERR err, const char *what)
{
    if (err >= 0) return 0;
    fprintf(stderr, "libjet: %s: %s (%ld): %s\n", what, JetXErrorName(err), err,
            JetXErrorMessage(err));
    return -1;
}

static int set_param(JET_INSTANCE *inst, unsigned long id, JET_API_PTR l, const char *sz,
                     const char *what)
{
    return jet_check(JetSetSystemParameter(inst, 0, id, l, sz), what);
}

static int create_table(JET_SESID ses, JET_DBID dbid)
{
    JET_TABLEID tab;
    JET_COLUMNDEF id = {.cbStruct = sizeof id,
                        .coltyp = JET_coltypLongLong,
                        .grbit = JET_bitColumnFixed | JET_bitColumnNotNULL};
    JET_COLUMNDEF v = {.cbStruct = sizeof v, .coltyp = JET_coltypBinary, .cbMax = 255};
    JET_COLUMNID colid;
    static const char key[] = "+id\0";
    if (jet_check(JetCreateTable(ses, dbid, JET_TABLE, 0, 100, &tab), "JetCreateTable")) return -1;
    int rc = jet_check(JetAddColumn(ses, tab, "id", &id, NULL, 0, &colid), "JetAddColumn(id)");
    if (!rc) rc = jet_check(JetAddColumn(ses, tab, "v", &v, NULL, 0, &colid), "JetAddColumn(v)");
    if (!rc)
        rc = jet_check(JetCreateIndex(ses, tab, "primary", JET_bitIndexPrimary | JET_bitIndexUnique,
                                      key, sizeof key, 100),
                       "JetCreateIndex");
    if (jet_check(JetCloseTable(ses, tab), "JetCloseTable")) rc = -1;
    return rc;
}

static int jet_open(const struct store_config *cfg, struct store **out)
{
    char path[4096];
    struct store *st = calloc(1, sizeof *st);
    if (!st) return -1;
    int n = snprintf(path, sizeof path, "%s/", cfg->dir);
    int m = snprintf(st->db_path, sizeof st->db_path, "%s/%s", cfg->dir, JET_DB_FILE);
    if (n < 0 || (size_t)n >= sizeof path || m < 0 || (size_t)m >= sizeof st->db_path) goto fail;
    if (mkdir(cfg->dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "mkdir %s: %s\n", cfg->dir, strerror(errno));
        goto fail;
    }
    if (jet_check(JetCreateInstance(&st->inst, "bench"), "JetCreateInstance")) goto fail;
    unsigned long cache_pages = (unsigned long)(cfg->cache_mib * 1024 * 1024 / cfg->page_size);
    if (set_param(&st->inst, JET_paramSystemPath, 0, path, "SystemPath") ||
        set_param(&st->inst, JET_paramLogFilePath, 0, path, "LogFilePath") ||
        set_param(&st->inst, JET_paramTempPath, 0, path, "TempPath") ||
        set_param(&st->inst, JET_paramLogFileSize, cfg->log_file_kib, NULL, "LogFileSize") ||
        set_param(&st->inst, JET_paramDatabasePageSize, cfg->page_size, NULL, "PageSize") ||
        set_param(&st->inst, JET_paramCacheSizeMax, cache_pages, NULL, "CacheSizeMax"))
        goto fail_inst;
    if (jet_check(JetInit(&st->inst), "JetInit")) goto fail_inst;
    if (jet_check(JetBeginSession(st->inst, &st->setup, NULL, NULL), "JetBeginSession"))
        goto fail_inst;
    if (cfg->create) {
        JET_DBID dbid;
        if (jet_check(JetCreateDatabase(st->setup, st->db_path, NULL, &dbid, 0),
                      "JetCreateDatabase"))
            goto fail_inst;
        if (create_table(st->setup, dbid)) goto fail_inst;
        if (jet_check(JetCloseDatabase(st->setup, dbid, 0), "JetCloseDatabase")) goto fail_inst;
    } else if (jet_check(JetAttachDatabase(st->setup, st->db_path, 0), "JetAttachDatabase")) {
        goto fail_inst;
    }
    *out = st;
    return 0;
fail_inst:
    jet_check(JetTerm(st->inst), "JetTerm");
fail:
    free(st);
    return -1;
}

static int jet_close(struct store *st)
{
    int rc = jet_check(JetEndSession(st->setup, 0), "JetEndSession");
    if (jet_check(JetTerm(st->inst), "JetTerm")) rc = -1;
    free(st);
    return rc;
}

static int column_id(JET_SESID ses, JET_TABLEID tab, const char *name, JET_COLUMNID *out)
{
    JET_COLUMNDEF def = {.cbStruct = sizeof def};
    if (jet_check(JetGetTableColumnInfo(ses, tab, name, &def, sizeof def, JET_ColInfo),
                  "JetGetTableColumnInfo"))
        return -1;
    *out = def.columnid;
    return 0;
}

static int jet_connect(struct store *st, struct store_conn **out)
{
    struct store_conn *c = calloc(1, sizeof *c);
    if (!c) return -1;
    c->st = st;
    if (jet_check(JetBeginSession(st->inst, &c->ses, NULL, NULL), "JetBeginSession")) goto fail;
    if (jet_check(JetOpenDatabase(c->ses, st->db_path, NULL, &c->dbid, 0), "JetOpenDatabase") ||
        jet_check(JetOpenTable(c->ses, c->dbid, JET_TABLE, NULL, 0, 0, &c->tab), "JetOpenTable") ||
        column_id(c->ses, c->tab, "id", &c->col_id) || column_id(c->ses, c->tab, "v", &c->col_v)) {
        jet_check(JetEndSession(c->ses, 0), "JetEndSession");
        goto fail;
    }
    *out = c;
    return 0;
fail:
    free(c);
    return -1;
}

static void jet_disconnect(struct store_conn *c)
{
    jet_check(JetCloseTable(c->ses, c->tab), "JetCloseTable");
    jet_check(JetEndSession(c->ses, 0), "JetEndSession");
    free(c);
}

static int insert_row(struct store_conn *c, uint64_t key)
{
    uint8_t payload[BENCH_PAYLOAD];
    int64_t id = (int64_t)key;
    row_payload(key, payload);
    if (jet_check(JetPrepareUpdate(c->ses, c->tab, JET_prepInsert), "JetPrepareUpdate") ||
        jet_check(JetSetColumn(c->ses, c->tab, c->col_id, &id, sizeof id, 0, NULL),
                  "JetSetColumn(id)") ||
        jet_check(JetSetColumn(c->ses, c->tab, c->col_v, payload, sizeof payload, 0, NULL),
                  "JetSetColumn(v)") ||
        jet_check(JetUpdate(c->ses, c->tab, NULL, 0, NULL), "JetUpdate"))
        return -1;
    return 0;
}

static int jet_insert(struct store_conn *c, const uint64_t *keys, size_t n)
{
    if (jet_check(JetBeginTransaction(c->ses), "JetBeginTransaction")) return -1;
    for (size_t i = 0; i < n; i++)
        if (insert_row(c, keys[i])) {
            jet_check(JetRollback(c->ses, JET_bitRollbackAll), "JetRollback");
            return -1;
        }
    return jet_check(JetCommitTransaction(c->ses, 0), "JetCommitTransaction");
}

static int jet_read(struct store_conn *c, uint64_t key, uint8_t *buf, size_t cap, size_t *len)
{
    int64_t id = (int64_t)key;
    unsigned long actual = 0;
    if (jet_check(JetMakeKey(c->ses, c->tab, &id, sizeof id, JET_bitNewKey), "JetMakeKey"))
        return -1;
    JET_ERR err = JetSeek(c->ses, c->tab, JET_bitSeekEQ);
    if (err == JET_errRecordNotFound) return 1;
    if (jet_check(err, "JetSeek")) return -1;
    err = JetRetrieveColumn(c->ses, c->tab, c->col_v, buf, (unsigned long)cap, &actual, 0, NULL);
    if (jet_check(err, "JetRetrieveColumn")) return -1;
    if (err != JET_errSuccess) {
        fprintf(stderr, "libjet: JetRetrieveColumn: unexpected %s\n", JetXErrorName(err));
        return -1;
    }
    *len = actual;
    return 0;
}

static void jet_stats(struct store *st, struct store_stats *out)
{
    JET_XINSTANCEINFO info;
    memset(out, 0, sizeof *out);
    if (jet_check(JetXGetInstanceInfo(st->inst, &info), "JetXGetInstanceInfo")) return;
    out->commits = info.cCommits;
    out->log_flushes = info.cLogFlushes;
}

const struct store_ops store_jet_ops = {
    .name = "libjet",
    .open = jet_open,
    .close = jet_close,
    .connect = jet_connect,
    .disconnect = jet_disconnect,
    .insert = jet_insert,
    .read = jet_read,
    .stats = jet_stats,
};
