/*
 * ddl.c — data definition: JetCreateTable, JetOpenTable, JetCloseTable, JetDeleteTable,
 * JetAddColumn, JetCreateIndex (the primary index), JetSetCurrentIndex, JetGetTableColumnInfo,
 * JetGetColumnInfo.
 *
 * Every definition change is one batch of its own, logged and flushed before the call returns;
 * as in ESE's usual use (DDL outside transactions), it is not undone by JetRollback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "btree.h"
#include "catalog.h"
#include "key.h"
#include "log.h"
#include "session.h"

/* Runs fn in one batch under the exclusive tree lock and makes it durable. */
static JET_ERR ddl_batch(struct inst *inst, JET_ERR (*fn)(struct mtr *, void *), void *ctx)
{
    struct mtr m;
    lgpos_t lsn = 0;
    tree_wrlock(inst);
    mtr_begin(&m, inst);
    JET_ERR err = fn(&m, ctx);
    if (err >= 0)
        err = mtr_commit(&m, 1, &lsn);
    else
        mtr_abort(&m);
    tree_unlock(inst);
    if (err >= 0 && lsn && inst->log) err = log_flush_to(inst->log, lsn);
    return err;
}

static struct db *session_db(struct session *s, JET_DBID dbid)
{
    if (dbid == 0 || dbid > DB_MAX || !s->opendb[dbid]) return NULL;
    return s->inst->dbs[dbid];
}

static JET_ERR open_cursor(struct session *s, struct db *db, struct tabledef *td, JET_TABLEID *out)
{
    pthread_mutex_lock(&td->mu);
    if (td->deleted) {
        pthread_mutex_unlock(&td->mu);
        return JET_errObjectNotFound;
    }
    td->refs++;
    pthread_mutex_unlock(&td->mu);
    struct cursor *c = calloc(1, sizeof *c);
    if (!c) {
        tabledef_release(td);
        return JET_errOutOfMemory;
    }
    c->ses = s;
    c->db = db;
    c->td = td;
    c->pos = POS_BEFORE_FIRST;
    JET_ERR err = cursor_register(c);
    if (err < 0) {
        tabledef_release(td);
        free(c);
        return err;
    }
    c->next = s->cursors;
    s->cursors = c;
    *out = c->handle;
    return JET_errSuccess;
}

struct create_ctx {
    struct db *db;
    const char *name;
    struct tabledef *td;
};

static JET_ERR do_create(struct mtr *m, void *ctx)
{
    struct create_ctx *c = ctx;
    return cat_create(m, c->db, c->name, &c->td);
}

JET_ERR JET_API JetCreateTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName, unsigned long lPages,
                               unsigned long lDensity, JET_TABLEID *ptableid)
{
    struct session *s;
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    struct inst *inst = s->inst;
    struct create_ctx c = {session_db(s, dbid), szTableName, NULL};
    if (!ptableid)
        err = JET_errInvalidParameter;
    else if (!c.db)
        err = JET_errInvalidDatabaseId;
    else if (!cat_name_valid(szTableName))
        err = JET_errInvalidName;
    else
        err = ddl_batch(inst, do_create, &c);
    if (err >= 0) {
        cat_publish(c.db, c.td);
        err = open_cursor(s, c.db, c.td, ptableid);
    } else if (c.td) {
        cat_discard(c.td);
    }
    inst_leave(inst);
    return err;
}

JET_ERR JET_API JetOpenTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName, const void *pvParameters,
                             unsigned long cbParameters, JET_GRBIT grbit, JET_TABLEID *ptableid)
{
    struct session *s;
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    struct db *db = session_db(s, dbid);
    struct tabledef *td = NULL;
    if (!ptableid) {
        err = JET_errInvalidParameter;
    } else if (!db) {
        err = JET_errInvalidDatabaseId;
    } else {
        tree_rdlock(s->inst);
        err = cat_find(db, szTableName, &td);
        tree_unlock(s->inst);
        if (err == JET_errInvalidName) err = JET_errObjectNotFound;
        if (err >= 0) err = open_cursor(s, db, td, ptableid);
    }
    inst_leave(s->inst);
    return err;
}

JET_ERR JET_API JetCloseTable(JET_SESID sesid, JET_TABLEID tableid)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    for (struct cursor **pp = &s->cursors; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    cursor_free(c);
    inst_leave(s->inst);
    return JET_errSuccess;
}

static JET_ERR do_delete(struct mtr *m, void *ctx) { return cat_delete(m, ctx); }

JET_ERR JET_API JetDeleteTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName)
{
    struct session *s;
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    struct db *db = session_db(s, dbid);
    struct tabledef *td = NULL;
    if (!db) {
        err = JET_errInvalidDatabaseId;
        goto out;
    }
    tree_rdlock(s->inst);
    err = cat_find(db, szTableName, &td);
    tree_unlock(s->inst);
    if (err == JET_errInvalidName) err = JET_errObjectNotFound;
    if (err < 0) goto out;
    pthread_mutex_lock(&td->mu);
    int busy = td->refs > 0;
    pthread_mutex_unlock(&td->mu);
    if (busy) {
        err = JET_errTableInUse;
        goto out;
    }
    if ((err = ddl_batch(s->inst, do_delete, td)) >= 0) cat_unlink(td);
out:
    inst_leave(s->inst);
    return err;
}

/* ---- columns ------------------------------------------------------------------------------------ */
static int coltyp_valid(JET_COLTYP t)
{
    return t >= JET_coltypBit && t <= JET_coltypUnsignedLongLong && t != JET_coltypSLV;
}

static int is_long_type(JET_COLTYP t) { return t == JET_coltypLongText || t == JET_coltypLongBinary; }

static JET_COLUMNID next_columnid(const struct tabledef *td, JET_COLTYP t, JET_GRBIT grbit, uint32_t cbMax)
{
    JET_COLUMNID lo, hi;
    if ((grbit & (JET_bitColumnTagged | JET_bitColumnMultiValued)) || is_long_type(t) || (!key_fixed_size(t) && cbMax > 255)) {
        lo = 256;
        hi = 0xFFFF;
    } else if (key_fixed_size(t)) {
        lo = 1;
        hi = 127;
    } else {
        lo = 128;
        hi = 255;
    }
    JET_COLUMNID next = lo;
    unsigned n = atomic_load(&((struct tabledef *)td)->ncols);
    for (unsigned i = 0; i < n; i++)
        if (td->cols[i]->id >= lo && td->cols[i]->id <= hi && td->cols[i]->id >= next) next = td->cols[i]->id + 1;
    if (next > hi) {
        /* The range is full: use the tagged range, as ESE does. */
        next = 256;
        for (unsigned i = 0; i < n; i++)
            if (td->cols[i]->id >= next) next = td->cols[i]->id + 1;
    }
    return next;
}


/* 1 when the table already has an autoincrement column (update.c assigns only the first). */
static int has_autoinc(const struct tabledef *td)
{
    unsigned n = atomic_load(&((struct tabledef *)td)->ncols);
    for (unsigned i = 0; i < n; i++)
        if (td->cols[i]->grbit & JET_bitColumnAutoincrement) return 1;
    return 0;
}

JET_ERR JET_API JetAddColumn(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                             const JET_COLUMNDEF *pcolumndef, const void *pvDefault, unsigned long cbDefault,
                             JET_COLUMNID *pcolumnid)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    struct tabledef *td = c->td;
    struct coldef *col = NULL;
    if (!pcolumndef) Error(JET_errInvalidParameter);
    if (!cat_name_valid(szColumnName)) Error(JET_errInvalidName);
    if (!coltyp_valid(pcolumndef->coltyp)) Error(JET_errInvalidColumnType);
    if (pcolumndef->cbStruct && pcolumndef->cbStruct < sizeof(JET_COLUMNDEF)) Error(JET_errInvalidParameter);
    if ((pcolumndef->grbit & JET_bitColumnAutoincrement) &&
        pcolumndef->coltyp != JET_coltypLong && pcolumndef->coltyp != JET_coltypCurrency &&
        pcolumndef->coltyp != JET_coltypLongLong && pcolumndef->coltyp != JET_coltypUnsignedLong &&
        pcolumndef->coltyp != JET_coltypUnsignedLongLong)
        Error(JET_errInvalidParameter);
    if (pvDefault && cbDefault > JET_cbLVDefaultValueMost) Error(JET_errDefaultValueTooBig);
    tree_wrlock(s->inst);
    if (tabledef_col_named(td, szColumnName))
        err = JET_errColumnDuplicate;
    else if (atomic_load(&td->ncols) >= CAT_COLS_MAX)
        err = JET_errTooManyColumns;
    else if ((pcolumndef->grbit & JET_bitColumnAutoincrement) && has_autoinc(td))
        err = JET_errColumnRedundant; /* ESE: one autoincrement column per table */
    tree_unlock(s->inst);
    Call(err);
    col = calloc(1, sizeof *col);
    if (!col) Error(JET_errOutOfMemory);
    snprintf(col->name, sizeof col->name, "%s", szColumnName);
    col->coltyp = pcolumndef->coltyp;
    col->cb_max = pcolumndef->cbMax;
    col->grbit = pcolumndef->grbit;
    col->cp = pcolumndef->cp ? pcolumndef->cp : (col->coltyp == JET_coltypText || col->coltyp == JET_coltypLongText ? 1252 : 0);
    if (pvDefault && cbDefault) {
        col->def = malloc(cbDefault);
        if (!col->def) Error(JET_errOutOfMemory);
        memcpy(col->def, pvDefault, cbDefault);
        col->deflen = (uint32_t)cbDefault;
    }
    /* Publish, store; on failure withdraw (ncols only grows, so withdrawing is safe while no
     * other change ran: DDL on a table is serialised by the exclusive tree lock below). */
    tree_wrlock(s->inst);
    col->id = next_columnid(td, col->coltyp, col->grbit, col->cb_max);
    unsigned n = atomic_load(&td->ncols);
    td->cols[n] = col;
    atomic_store_explicit(&td->ncols, n + 1, memory_order_release);
    struct mtr m;
    lgpos_t lsn = 0;
    mtr_begin(&m, s->inst);
    err = cat_store(&m, td);
    if (err >= 0)
        err = mtr_commit(&m, 1, &lsn);
    else
        mtr_abort(&m);
    if (err < 0) {
        atomic_store(&td->ncols, n);
        td->cols[n] = NULL;
    }
    tree_unlock(s->inst);
    if (err >= 0 && lsn && s->inst->log) err = log_flush_to(s->inst->log, lsn);
    Call(err);
    if (pcolumnid) *pcolumnid = col->id;
    col = NULL;
HandleError:
    if (col) {
        free(col->def);
        free(col);
    }
    inst_leave(s->inst);
    return err;
}

static void fill_coldef(const struct coldef *col, JET_COLUMNDEF *d)
{
    memset(d, 0, sizeof *d);
    d->cbStruct = sizeof *d;
    d->columnid = col->id;
    d->coltyp = col->coltyp;
    d->cp = col->cp;
    d->cbMax = col->cb_max ? col->cb_max : key_fixed_size(col->coltyp);
    d->grbit = col->grbit;
    d->wCountry = 1;
    d->langid = 0x409;
}

static JET_ERR column_info(const struct tabledef *td, JET_PCSTR szColumnName, void *pv, unsigned long cbMax,
                           unsigned long level)
{
    const struct coldef *col;
    if (level == JET_ColInfo)
        col = szColumnName ? tabledef_col_named(td, szColumnName) : NULL;
    else if (level == JET_ColInfoByColid)
        col = szColumnName ? tabledef_col(td, *(const JET_COLUMNID *)(const void *)szColumnName) : NULL;
    else
        return JET_errInvalidParameter;
    if (!col) return JET_errColumnNotFound;
    if (!pv) return JET_errInvalidParameter;
    if (cbMax < sizeof(JET_COLUMNDEF)) return JET_errBufferTooSmall;
    fill_coldef(col, pv);
    return JET_errSuccess;
}

JET_ERR JET_API JetGetTableColumnInfo(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName, void *pvResult,
                                      unsigned long cbMax, unsigned long InfoLevel)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    err = column_info(c->td, szColumnName, pvResult, cbMax, InfoLevel);
    inst_leave(s->inst);
    return err;
}

JET_ERR JET_API JetGetColumnInfo(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName, JET_PCSTR szColumnName,
                                 void *pvResult, unsigned long cbMax, unsigned long InfoLevel)
{
    struct session *s;
    JET_ERR err = ses_enter(sesid, &s);
    if (err < 0) return err;
    struct db *db = session_db(s, dbid);
    struct tabledef *td;
    if (!db) {
        err = JET_errInvalidDatabaseId;
    } else {
        tree_rdlock(s->inst);
        err = cat_find(db, szTableName, &td);
        tree_unlock(s->inst);
        if (err == JET_errInvalidName) err = JET_errObjectNotFound;
        if (err >= 0) err = column_info(td, szColumnName, pvResult, cbMax, InfoLevel);
    }
    inst_leave(s->inst);
    return err;
}

/* ---- the primary index ------------------------------------------------------------------------- */
JET_ERR JET_API JetCreateIndex(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName, JET_GRBIT grbit,
                               const char *szKey, unsigned long cbKey, unsigned long lDensity)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    struct tabledef *td = c->td;
    struct idxseg seg[CAT_SEG_MAX];
    uint32_t nseg = 0;
    if (!cat_name_valid(szIndexName)) Error(JET_errInvalidName);
    if (!(grbit & JET_bitIndexPrimary)) Error(JET_errIndexInvalidDef);
    if (!szKey || cbKey < 3 || szKey[cbKey - 1] != 0 || szKey[cbKey - 2] != 0) Error(JET_errInvalidParameter);
    /* "+col\0-col2\0\0": segments until the empty string. */
    for (unsigned long off = 0; off < cbKey && szKey[off];) {
        const char *part = szKey + off;
        size_t len = strnlen(part, cbKey - off);
        if (off + len >= cbKey) Error(JET_errInvalidParameter);
        int desc = 0;
        const char *name = part;
        if (*name == '+' || *name == '-') {
            desc = *name == '-';
            name++;
        }
        if (nseg >= CAT_SEG_MAX) Error(JET_errIndexInvalidDef);
        const struct coldef *col = tabledef_col_named(td, name);
        if (!col) Error(JET_errColumnNotFound);
        if (col->grbit & JET_bitColumnMultiValued) Error(JET_errIndexInvalidDef);
        seg[nseg].col = col->id;
        seg[nseg++].desc = (uint8_t)desc;
        off += len + 1;
    }
    if (nseg == 0) Error(JET_errInvalidParameter);
    tree_wrlock(s->inst);
    if (td->has_primary) {
        err = strcasecmp(td->idxname, szIndexName) == 0 ? JET_errIndexDuplicate : JET_errIndexHasPrimary;
    } else {
        struct bt_rec r = {0};
        JET_ERR f = bt_find(td->db, td->root, NULL, 0, BT_FIRST, &r, 0);
        bt_rec_free(&r);
        if (f >= 0) err = JET_errTableNotEmpty;
        else if (f != JET_errRecordNotFound) err = f;
    }
    if (err >= 0) {
        td->has_primary = 1;
        snprintf(td->idxname, sizeof td->idxname, "%s", szIndexName);
        td->idxgrbit = grbit;
        memcpy(td->seg, seg, sizeof seg[0] * nseg);
        td->nseg = nseg;
        struct mtr m;
        lgpos_t lsn = 0;
        mtr_begin(&m, s->inst);
        err = cat_store(&m, td);
        if (err >= 0)
            err = mtr_commit(&m, 1, &lsn);
        else
            mtr_abort(&m);
        if (err < 0) td->has_primary = 0;
        tree_unlock(s->inst);
        if (err >= 0 && lsn && s->inst->log) err = log_flush_to(s->inst->log, lsn);
    } else {
        tree_unlock(s->inst);
    }
HandleError:
    inst_leave(s->inst);
    return err;
}

JET_ERR JET_API JetSetCurrentIndex(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName)
{
    struct session *s;
    struct cursor *c;
    JET_ERR err = cur_enter(sesid, tableid, &s, &c);
    if (err < 0) return err;
    if (szIndexName && szIndexName[0] && !(c->td->has_primary && strcasecmp(c->td->idxname, szIndexName) == 0))
        err = JET_errIndexNotFound;
    inst_leave(s->inst);
    if (err >= 0) {
        c->range = 0;
        JET_ERR m = JetMove(sesid, tableid, JET_MoveFirst, 0);
        (void)m; /* an empty table leaves the cursor before the first record, as ESE does */
    }
    return err;
}
