/*
 * jetfx.h — libjet fixtures for the engine tests: an instance in its own temporary directory with
 * the test parameters, a session and a database, and a small key/value table.
 *
 * Header-only (static inline) on purpose: tests/common/ C files are linked into every test binary,
 * including the catalog tests that do not link libjet, so libjet calls cannot live there.
 *
 * Test parameters: system, log and temp paths = the test's directory, JET_paramLogFileSize 128
 * KiB (generation switches are frequent, as the crash tests want), JET_paramCreatePathIfNotExist.
 * Instance names are unique in the process (JetCreateInstance refuses a name in use).
 * Each test that uses tfx_setup_* gets a fresh directory and instance and loses both in
 * tfx_teardown, which also disarms every fault point.
 */
#ifndef HOTCOPY_JETFX_H
#define HOTCOPY_JETFX_H

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jet.h"
#include "testfx.h"

#define TFX_LOG_KB 128
#define TFX_DB_NAME "test.edb"

/* "tag-N", unique in this process. */
static inline void tfx_unique_name(char *out, size_t cap, const char *tag)
{
    static atomic_uint counter;
    snprintf(out, cap, "%s-%u", tag, atomic_fetch_add(&counter, 1) + 1);
}

/* The usual test parameters of an instance (pinst NULL: the process defaults). */
static inline JET_ERR tfx_set_params(JET_INSTANCE *pinst, const char *dir)
{
    JET_ERR err;
    char path[TFX_PATH_MAX + 2];
    size_t n = strlen(dir);
    if (n + 2 > sizeof path) return JET_errInvalidPath;
    memcpy(path, dir, n);
    memcpy(path + n, "/", 2);
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramSystemPath, 0, path)) < 0) return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramLogFilePath, 0, path)) < 0) return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramTempPath, 0, path)) < 0) return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramLogFileSize, TFX_LOG_KB, NULL)) < 0) return err;
    return JetSetSystemParameter(pinst, 0, JET_paramCreatePathIfNotExist, 1, NULL);
}

/* JetCreateInstance (unique name from tag) + the test parameters; not initialised. */
static inline JET_ERR tfx_instance_create(JET_INSTANCE *pinst, char *name, size_t cap, const char *tag,
                                          const char *dir)
{
    JET_ERR err;
    tfx_unique_name(name, cap, tag);
    if ((err = JetCreateInstance(pinst, name)) < 0) return err;
    return tfx_set_params(pinst, dir);
}

/* A ready environment: an initialised instance in its own directory, one session, and (when
 * asked) the database test.edb created and open. */
struct tfx_env {
    char dir[TFX_PATH_MAX];
    char name[64];
    char dbpath[TFX_PATH_MAX];
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID dbid;
    int running; /* inst is initialised and owned by the env */
};

/* Creates the instance in e->dir (already made) and initialises it, with extra parameters from
 * params (pairs id, string-or-NULL / integer) applied before JetInit. */
static inline JET_ERR tfx_env_start(struct tfx_env *e, const JET_SETSYSPARAM *params, unsigned long nparams)
{
    JET_ERR err;
    e->inst = 0;
    e->ses = 0;
    if ((err = JetCreateInstance(&e->inst, e->name)) < 0) return err;
    if ((err = tfx_set_params(&e->inst, e->dir)) < 0) goto fail;
    for (unsigned long i = 0; i < nparams; i++)
        if ((err = JetSetSystemParameter(&e->inst, 0, params[i].paramid, params[i].lParam, params[i].sz)) < 0)
            goto fail;
    if ((err = JetInit(&e->inst)) < 0) goto fail;
    e->running = 1;
    if ((err = JetBeginSession(e->inst, &e->ses, NULL, NULL)) < 0) return err;
    return JET_errSuccess;
fail:
    JetTerm(e->inst);
    e->inst = 0;
    return err;
}

static inline JET_ERR tfx_env_open_with(struct tfx_env *e, const char *tag, int with_db,
                                        const JET_SETSYSPARAM *params, unsigned long nparams)
{
    JET_ERR err;
    memset(e, 0, sizeof *e);
    if (tfx_mkdtemp(e->dir, sizeof e->dir, tag) != 0) return JET_errDiskIO;
    tfx_unique_name(e->name, sizeof e->name, tag);
    tfx_join(e->dbpath, sizeof e->dbpath, e->dir, TFX_DB_NAME);
    if ((err = tfx_env_start(e, params, nparams)) < 0) return err;
    if (with_db && (err = JetCreateDatabase(e->ses, e->dbpath, NULL, &e->dbid, 0)) < 0) return err;
    return JET_errSuccess;
}

static inline JET_ERR tfx_env_open(struct tfx_env *e, const char *tag, int with_db)
{
    return tfx_env_open_with(e, tag, with_db, NULL, 0);
}

/* Ends the session and terminates the instance with grbit; the directory stays. */
static inline JET_ERR tfx_env_term(struct tfx_env *e, JET_GRBIT grbit)
{
    if (!e->running) return JET_errSuccess;
    if (e->ses) JetEndSession(e->ses, 0);
    e->ses = 0;
    e->running = 0;
    JET_ERR err = JetTerm2(e->inst, grbit);
    e->inst = 0;
    return err;
}

/* Starts the instance again in the same directory (recovery runs if needed), begins a session
 * and, when with_db, attaches and opens the database. */
static inline JET_ERR tfx_env_reopen_with(struct tfx_env *e, int with_db, const JET_SETSYSPARAM *params,
                                          unsigned long nparams)
{
    JET_ERR err;
    if ((err = tfx_env_start(e, params, nparams)) < 0) return err;
    if (with_db) {
        if ((err = JetAttachDatabase(e->ses, e->dbpath, 0)) < 0) return err;
        if ((err = JetOpenDatabase(e->ses, e->dbpath, NULL, &e->dbid, 0)) < 0) return err;
    }
    return JET_errSuccess;
}

static inline JET_ERR tfx_env_reopen(struct tfx_env *e, int with_db)
{
    return tfx_env_reopen_with(e, with_db, NULL, 0);
}

/* Terminates if running (abruptly: a failed test may have left anything open), removes the
 * directory and disarms the fault points. */
static inline void tfx_env_close(struct tfx_env *e)
{
    JetXFaultClear();
    if (e->running) tfx_env_term(e, JET_bitTermAbrupt);
    tfx_rmtree(e->dir);
}

/* cmocka setup/teardown: *state = a struct tfx_env (with test.edb open, or without a database). */
static inline int tfx_setup_common(void **state, int with_db)
{
    struct tfx_env *e = calloc(1, sizeof *e);
    if (!e) return -1;
    JET_ERR err = tfx_env_open(e, "engine", with_db);
    if (err < 0) {
        fprintf(stderr, "fixture setup failed: %s (%ld)\n", JetXErrorName(err), (long)err);
        tfx_env_close(e);
        free(e);
        return -1;
    }
    *state = e;
    return 0;
}
static inline int tfx_setup_db(void **state) { return tfx_setup_common(state, 1); }
static inline int tfx_setup_nodb(void **state) { return tfx_setup_common(state, 0); }
static inline int tfx_teardown(void **state)
{
    struct tfx_env *e = *state;
    if (e) {
        tfx_env_close(e);
        free(e);
    }
    *state = NULL;
    return 0;
}

/* ---- tables ------------------------------------------------------------------------------------ */
static inline JET_ERR tfx_add_column(JET_SESID ses, JET_TABLEID t, const char *name, JET_COLTYP coltyp,
                                     JET_GRBIT grbit, JET_COLUMNID *pcolid)
{
    JET_COLUMNDEF def;
    memset(&def, 0, sizeof def);
    def.cbStruct = sizeof def;
    def.coltyp = coltyp;
    def.grbit = grbit;
    return JetAddColumn(ses, t, name, &def, NULL, 0, pcolid);
}

/* The standard key/value table: "k" Long (primary index "pk" over +k), "v" LongBinary. */
struct tfx_kv {
    JET_TABLEID t;
    JET_COLUMNID k, v;
};

static inline JET_ERR tfx_kv_create(JET_SESID ses, JET_DBID db, const char *name, struct tfx_kv *kv)
{
    JET_ERR err;
    static const char key[] = "+k\0";
    if ((err = JetCreateTable(ses, db, name, 0, 100, &kv->t)) < 0) return err;
    if ((err = tfx_add_column(ses, kv->t, "k", JET_coltypLong, JET_bitColumnNotNULL, &kv->k)) < 0) return err;
    if ((err = tfx_add_column(ses, kv->t, "v", JET_coltypLongBinary, 0, &kv->v)) < 0) return err;
    return JetCreateIndex(ses, kv->t, "pk", JET_bitIndexPrimary | JET_bitIndexUnique, key, sizeof key, 100);
}

static inline JET_ERR tfx_kv_open(JET_SESID ses, JET_DBID db, const char *name, struct tfx_kv *kv)
{
    JET_ERR err;
    JET_COLUMNDEF def;
    if ((err = JetOpenTable(ses, db, name, NULL, 0, 0, &kv->t)) < 0) return err;
    if ((err = JetGetTableColumnInfo(ses, kv->t, "k", &def, sizeof def, JET_ColInfo)) < 0) return err;
    kv->k = def.columnid;
    if ((err = JetGetTableColumnInfo(ses, kv->t, "v", &def, sizeof def, JET_ColInfo)) < 0) return err;
    kv->v = def.columnid;
    return JET_errSuccess;
}

/* Inserts (k, v); outside a transaction the update is its own transaction. */
static inline JET_ERR tfx_kv_insert(JET_SESID ses, const struct tfx_kv *kv, long k, const void *v, unsigned long cb)
{
    JET_ERR err;
    int32_t k32 = (int32_t)k;
    if ((err = JetPrepareUpdate(ses, kv->t, JET_prepInsert)) < 0) return err;
    if ((err = JetSetColumn(ses, kv->t, kv->k, &k32, sizeof k32, 0, NULL)) < 0) goto cancel;
    if (cb && (err = JetSetColumn(ses, kv->t, kv->v, v, cb, 0, NULL)) < 0) goto cancel;
    if ((err = JetUpdate(ses, kv->t, NULL, 0, NULL)) < 0) goto cancel;
    return err;
cancel:
    JetPrepareUpdate(ses, kv->t, JET_prepCancel);
    return err;
}

static inline JET_ERR tfx_kv_seek(JET_SESID ses, const struct tfx_kv *kv, long k)
{
    JET_ERR err;
    int32_t k32 = (int32_t)k;
    if ((err = JetMakeKey(ses, kv->t, &k32, sizeof k32, JET_bitNewKey)) < 0) return err;
    return JetSeek(ses, kv->t, JET_bitSeekEQ);
}

/* Seeks k and reads v (cap bytes into buf; *pcb gets its size, 0 when NULL). */
static inline JET_ERR tfx_kv_get(JET_SESID ses, const struct tfx_kv *kv, long k, void *buf, unsigned long cap,
                                 unsigned long *pcb)
{
    JET_ERR err = tfx_kv_seek(ses, kv, k);
    if (err < 0) return err;
    err = JetRetrieveColumn(ses, kv->t, kv->v, buf, cap, pcb, 0, NULL);
    if (err == JET_wrnColumnNull && pcb) *pcb = 0;
    return err == JET_wrnColumnNull ? JET_errSuccess : err;
}

/* Replaces k's value (inside the session's transaction, or its own). */
static inline JET_ERR tfx_kv_replace(JET_SESID ses, const struct tfx_kv *kv, long k, const void *v, unsigned long cb)
{
    JET_ERR err;
    if ((err = tfx_kv_seek(ses, kv, k)) < 0) return err;
    if ((err = JetPrepareUpdate(ses, kv->t, JET_prepReplaceNoLock)) < 0) return err;
    if ((err = JetSetColumn(ses, kv->t, kv->v, v, cb, cb ? 0 : JET_bitSetZeroLength, NULL)) < 0) goto cancel;
    if ((err = JetUpdate(ses, kv->t, NULL, 0, NULL)) < 0) goto cancel;
    return err;
cancel:
    JetPrepareUpdate(ses, kv->t, JET_prepCancel);
    return err;
}

/* Seeks k and deletes it. */
static inline JET_ERR tfx_kv_delete(JET_SESID ses, const struct tfx_kv *kv, long k)
{
    JET_ERR err = tfx_kv_seek(ses, kv, k);
    return err < 0 ? err : JetDelete(ses, kv->t);
}

/* Records visible to the session through t (MoveFirst .. MoveNext); -1 on an unexpected error. */
static inline long tfx_count(JET_SESID ses, JET_TABLEID t)
{
    long n = 0;
    JET_ERR err = JetMove(ses, t, JET_MoveFirst, 0);
    while (err >= 0) {
        n++;
        err = JetMove(ses, t, JET_MoveNext, 0);
    }
    return err == JET_errNoCurrentRecord ? n : -1;
}

/* The current record's "k" (Long) column. */
static inline long tfx_current_long(JET_SESID ses, JET_TABLEID t, JET_COLUMNID col)
{
    int32_t v = 0;
    unsigned long cb = 0;
    JET_ERR err = JetRetrieveColumn(ses, t, col, &v, sizeof v, &cb, 0, NULL);
    return err == JET_errSuccess && cb == sizeof v ? (long)v : -0x7fffffffL;
}

#endif
